'use strict';
// The kernel cache's bench (two tables, measured in one run). See docs/caching.md.
//
// Table 1 reproduces the caching design's "Performance Comparison" with real
// processes, for both modes: every scenario runs in a fresh Node process on
// one cache folder per mode, and counts host compiles and the time spent
// getting kernels (Solver.compile(), which is codegen + key + cache + compile).
// Table 2 gives latencies: a cold compile, a disk hit in a fresh process, a
// memory hit, and the key hashing, with the targets:
//   disk hit >= 50x faster than a cold compile of the same kernel;
//   memory hit + hashing < 50 microseconds.
//
// Environment:
//   CUBIE_BENCH_CACHE_SWEEP  compile-time configurations in the sweep (default 4, at most 8)
//   CUBIE_BENCH_CACHE_REPS   fresh processes per latency row (default 5)
//
//   node bench/cache.js          prints both tables
//   require('./cache').run()     resolves to { text } (bench/run.js prints it)

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { intEnv, median, printTable } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const DISK_TARGET = 50;
const MEMORY_TARGET_US = 50;

const SYSTEM = {
  name: 'lorenz_cache_bench',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
};
// The sweep leaves tsit5 out: it varies the method over configurations not used by the rows before it.
const SWEEP_METHODS = ['dormand-prince-54', 'bogacki-shampine-32', 'cash-karp-54', 'fehlberg-45', 'vern7', 'dop853', 'heun', 'rk4'];
const BASE = { method: 'tsit5', precision: 'float32' };

// ---------------------------------------------------------------- child side

/**
 * In a fresh process: get the kernel for each configuration through one
 * Solver (Solver.update between them) and time each Solver.compile(). With
 * spec.cachePath, time only the cache's part instead: from the generated
 * source (made first, untimed) to a loaded kernel: key, lookup, load or
 * compile.
 */
async function child(spec) {
  const { Solver } = require(path.join(DIST, 'index.js'));
  const [first, ...rest] = spec.configs;
  const solver = new Solver(SYSTEM, { cacheDir: spec.cacheDir, cachingMode: spec.mode, ...first });
  const results = [];
  if (spec.cachePath) {
    const { generateKernel } = require(path.join(DIST, 'codegen', 'generate.js'));
    const { compilePlan } = require(path.join(DIST, 'solver', 'plan.js'));
    const { cpuKernelFor } = require(path.join(DIST, 'backends', 'cpu', 'cpu-backend.js'));
    const { sha256Hex } = require(path.join(DIST, 'cache', 'key.js'));
    const options = { cacheDir: spec.cacheDir, cachingMode: spec.mode, ...first };
    const source = generateKernel(solver.system, options).source;
    const t = process.hrtime.bigint();
    const { info } = await cpuKernelFor(source, sha256Hex(source), SYSTEM.name, options);
    results.push({ cache: info.cache, compileMs: info.compileMs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
    return { results };
  }
  for (const config of [first, ...rest]) {
    if (config !== first) solver.update(config);
    const t = process.hrtime.bigint();
    const info = await solver.compile();
    results.push({ cache: info.cache, compileMs: info.compileMs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
  }
  return { results };
}

function runChild(spec) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, '--child', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child failed (${code}):\n${err}`));
      const lines = out.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]));
    });
  });
}

// --------------------------------------------------------------- parent side

function fmtMs(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(1)} us`;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function tmpDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cubie-bench-${label}-`));
}

async function strategies(sweep) {
  const configs = SWEEP_METHODS.slice(0, sweep).map((method) => ({ ...BASE, method }));
  const scenarios = [
    ['First run', [BASE]],
    ['Same settings, new process', [BASE]],
    ['Change precision (float32 -> float64)', [{ ...BASE, precision: 'float64' }]],
    ['Revert precision (float64 -> float32)', [BASE]],
    [`Sweep over ${sweep} configurations, twice (one process)`, [...configs, ...configs]],
    [`The same sweep again, new process`, [...configs, ...configs]],
  ];
  const cells = {};
  for (const mode of ['hash', 'flush']) {
    const cacheDir = tmpDir(mode);
    cells[mode] = [];
    for (const [, configs] of scenarios) {
      const { results } = await runChild({ cacheDir, mode, configs });
      const compiles = results.filter((r) => r.cache === 'compiled').length;
      const ms = results.reduce((sum, r) => sum + r.ms, 0);
      const where = [...new Set(results.map((r) => r.cache))].join('+');
      cells[mode].push(`${compiles} compile${compiles === 1 ? '' : 's'}, ${fmtMs(ms)} (${where})`);
    }
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  const rows = [['Scenario (each a fresh process)', "Hash-based ('hash')", "Flush-on-change ('flush')"]];
  scenarios.forEach(([label], i) => rows.push([label, cells.hash[i], cells.flush[i]]));
  return table(rows);
}

function timeLoop(fn, minMs = 200) {
  // Calls fn in growing batches until a batch takes minMs; returns microseconds per call.
  for (let n = 64; ; n *= 2) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    const us = Number(process.hrtime.bigint() - t) / 1e3;
    if (us >= minMs * 1000 || n >= 1 << 24) return us / n;
  }
}

/** Median times of fresh processes: a cold compile, then a disk hit on what it stored, `reps` times. */
async function coldAndDisk(reps, cachePath) {
  const cold = [];
  const compiler = [];
  const disk = [];
  for (let i = 0; i < reps; i++) {
    const cacheDir = tmpDir('cold');
    const c = await runChild({ cacheDir, mode: 'hash', configs: [BASE], cachePath });
    if (c.results[0].cache !== 'compiled') throw new Error(`expected a cold compile, got ${c.results[0].cache}`);
    cold.push(c.results[0].ms);
    compiler.push(c.results[0].compileMs);
    const d = await runChild({ cacheDir, mode: 'hash', configs: [BASE], cachePath });
    if (d.results[0].cache !== 'disk') throw new Error(`expected a disk hit, got ${d.results[0].cache}`);
    disk.push(d.results[0].ms);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  return { cold: median(cold), compiler: median(compiler), disk: median(disk) };
}

async function latencies(reps) {
  const solve = await coldAndDisk(reps, false);
  const cache = await coldAndDisk(reps, true);

  // In this process: the memory layer and the key, on the same kernel.
  const { Solver } = require(path.join(DIST, 'index.js'));
  const { generateKernel } = require(path.join(DIST, 'codegen', 'generate.js'));
  const { compilePlan } = require(path.join(DIST, 'solver', 'plan.js'));
  const { cpuKernelFor } = require(path.join(DIST, 'backends', 'cpu', 'cpu-backend.js'));
  const { hostKeyContext } = require(path.join(DIST, 'backends', 'cpu', 'build.js'));
  const { KeyContext, sha256Hex } = require(path.join(DIST, 'cache', 'key.js'));
  const cacheDir = tmpDir('memory');
  const solver = new Solver(SYSTEM, { cacheDir, ...BASE });
  await solver.compile();
  const source = generateKernel(solver.system, BASE).source;
  const digest = sha256Hex(source);
  const context = await hostKeyContext();
  const includeTree = {};
  for (const name of fs.readdirSync(path.join(__dirname, '..', 'kernel', 'cubie'))) {
    includeTree[`cubie/${name}`] = fs.readFileSync(path.join(__dirname, '..', 'kernel', 'cubie', name), 'utf8');
  }
  const options = { cacheDir, ...BASE };

  const hashUs = timeLoop(() => sha256Hex(source));
  const keyUs = timeLoop(() => context.keyFor(source, digest));
  // The memory hit as a solve pays it: cache settings, key (memoized), memory layer.
  let pending = 0;
  const memoryUs = await (async () => {
    for (let n = 256; ; n *= 2) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const got = await cpuKernelFor(source, digest, SYSTEM.name, options);
        if (got.info.cache !== 'memory') pending++;
      }
      const us = Number(process.hrtime.bigint() - t) / 1e3;
      if (us >= 200_000 || n >= 1 << 20) return us / n;
    }
  })();
  if (pending) throw new Error('memory-hit loop was not all memory hits');
  const solverUs = await (async () => {
    const n = 200;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await solver.compile();
    return Number(process.hrtime.bigint() - t) / 1e3 / n;
  })();
  const contextUs = timeLoop(() => new KeyContext({ kind: 'so', headers: includeTree, options: ['-O3'], target: { compiler: 'c++', version: '12' } }), 50);
  fs.rmSync(cacheDir, { recursive: true, force: true });

  const cacheRatio = cache.cold / cache.disk;
  const solveRatio = solve.cold / solve.disk;
  const memPlusHash = memoryUs + hashUs;
  const rows = [
    ['Latency (same kernel: Lorenz, tsit5, float32)', 'median', 'what is timed'],
    ['Cold compile, fresh process (cache path)', fmtMs(cache.cold), `source -> loaded kernel: key, lock, compile (${fmtMs(cache.compiler)} in the compiler), store, load`],
    ['Disk hit, fresh process (cache path)', fmtMs(cache.disk), 'source -> loaded kernel: key, read + verify, load'],
    ['Cold compile, fresh process (Solver.compile())', fmtMs(solve.cold), 'the same plus codegen, first use of the solver modules'],
    ['Disk hit, fresh process (Solver.compile())', fmtMs(solve.disk), 'the same plus codegen, first use of the solver modules'],
    ['Memory hit', fmtMs(memoryUs / 1000), 'per call: cache settings, memoized key, memory layer'],
    [`Key hashing: SHA-256 of the ${(source.length / 1024).toFixed(1)} KiB source`, fmtMs(hashUs / 1000), 'per call; a solve hashes its source each time'],
    ['Key from a known source digest', fmtMs(keyUs / 1000), 'per call (memoized by digest)'],
    ['Key context: hashing headers, flags, compiler identity', fmtMs(contextUs / 1000), 'once per process, then memoized (reading them: see the cache path)'],
    ['Solver.compile() on a loaded kernel', fmtMs(solverUs / 1000), 'for reference: compile plan, the source the Solver remembers for it, memory hit'],
  ];
  const verdicts = [
    `${cacheRatio >= DISK_TARGET ? 'PASS' : 'MISS'}  disk hit ${cacheRatio.toFixed(0)}x faster than a cold compile, fresh processes, cache path (target >= ${DISK_TARGET}x)`,
    `${solveRatio >= DISK_TARGET ? 'PASS' : 'MISS'}  disk hit ${solveRatio.toFixed(0)}x faster than a cold compile, fresh processes, Solver.compile() (target >= ${DISK_TARGET}x)`,
    `${memPlusHash < MEMORY_TARGET_US ? 'PASS' : 'MISS'}  memory hit + hashing ${memPlusHash.toFixed(1)} us (target < ${MEMORY_TARGET_US} us)`,
  ];
  return `${table(rows)}\n\n${verdicts.join('\n')}`;
}

async function run() {
  if (!fs.existsSync(path.join(DIST, 'cache', 'index.js'))) throw new Error('dist/ is not built (tsc -p tsconfig.build.json)');
  const sweep = intEnv('CUBIE_BENCH_CACHE_SWEEP', 4, 1, SWEEP_METHODS.length);
  const reps = intEnv('CUBIE_BENCH_CACHE_REPS', 5, 1, 50);
  const first = await strategies(sweep);
  const second = await latencies(reps);
  const text = [
    'Caching strategies, real processes (compiles, time getting kernels, where they came from):',
    '',
    first,
    '',
    'Latencies:',
    '',
    second,
  ].join('\n');
  return { text };
}

module.exports = { name: 'cache', title: 'Kernel cache: strategies and latencies', run };

if (require.main === module) {
  if (process.argv[2] === '--child') {
    child(JSON.parse(process.argv[3])).then(
      (r) => process.stdout.write(JSON.stringify(r) + '\n'),
      (e) => {
        process.stderr.write(String((e && e.stack) || e) + '\n');
        process.exit(1);
      },
    );
  } else {
    printTable(run);
  }
}
