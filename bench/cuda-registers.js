#!/usr/bin/env node
'use strict';
// Registers and spills of the generated CUDA kernels: for the benchmark
// systems (2 to 8 states), every method and both precisions, the kernel is
// compiled with NVRTC to PTX and assembled by `ptxas -v` for sm_80 and sm_90
// (ptxas from CUBIE_PTXAS, CUDA_PATH/CUDA_HOME, /usr/local/cuda or PATH; where
// there is none, NVRTC's own ptxas reports through --ptxas-options=-v). It
// also checks that each kernel compiles (CUBIN) for sm_86 and sm_89, and for
// sm_70: with the NVRTC found when it still supports it, else (CUDA 13 dropped
// it) with NVRTC 12 from scripts/fetch-nvrtc12.js, whose ptxas reports too.
// Needs NVRTC (no GPU) and dist/ built.
//
//   node bench/cuda-registers.js          or: node bench/run.js cuda-registers
// CUBIE_BENCH_REG_SYSTEMS=lorenz,...  limits the systems; CUBIE_BENCH_REG_METHODS=tsit5,...  the methods;
// CUBIE_BENCH_REG_IMPLICIT=0 leaves the implicit methods out (they take most of the time).

const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');

const execFileAsync = promisify(execFile);
const DIST = path.join(__dirname, '..', 'dist');

/** The benchmark systems, up to 8 states. */
const SYSTEMS = [
  {
    name: 'lorenz',
    equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
    states: { x: 1, y: 1, z: 1 },
    parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
  },
  {
    name: 'van_der_pol',
    equations: ['dx = v', 'dv = mu*(1 - x^2)*v - x'],
    states: { x: 2, v: 0 },
    parameters: { mu: 1 },
  },
  {
    name: 'henon_heiles',
    equations: ['dx = px', 'dy = py', 'dpx = -x - 2*lambda*x*y', 'dpy = -y - lambda*(x^2 - y^2)'],
    states: { x: 0.1, y: 0, px: 0, py: 0.3 },
    parameters: { lambda: 1 },
  },
  {
    name: 'lorenz96_8',
    equations: Array.from({ length: 8 }, (_, i) => {
      const x = (k) => `x${((k % 8) + 8) % 8}`;
      return `d${x(i)} = (${x(i + 1)} - ${x(i - 2)})*${x(i - 1)} - ${x(i)} + F`;
    }),
    states: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, i === 0 ? 8.01 : 8])),
    parameters: { F: 8 },
  },
];
const PRECISIONS = ['float32', 'float64'];
const TABLE_ARCHS = [80, 90];
const COMPILE_ARCHS = [70, 86, 89];
const TARGET = { system: 'lorenz', method: 'tsit5', precision: 'float32', registers: 48 };

function findPtxas() {
  const candidates = [
    process.env.CUBIE_PTXAS,
    process.env.CUDA_PATH && path.join(process.env.CUDA_PATH, 'bin', 'ptxas'),
    process.env.CUDA_HOME && path.join(process.env.CUDA_HOME, 'bin', 'ptxas'),
    '/usr/local/cuda/bin/ptxas',
    ...(process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, 'ptxas')),
  ];
  return candidates.find((c) => c && fs.existsSync(c));
}

/** "Used 40 registers", "0 bytes spill stores, 0 bytes spill loads", "0 bytes stack frame" from ptxas -v. */
function parsePtxasInfo(log) {
  const registers = /Used (\d+) registers/.exec(log);
  const spills = /(\d+) bytes spill stores, (\d+) bytes spill loads/.exec(log);
  const stack = /(\d+) bytes stack frame/.exec(log);
  if (!registers || !spills) throw new Error(`no ptxas -v report in: ${log.slice(0, 400)}`);
  return { registers: Number(registers[1]), spillStores: Number(spills[1]), spillLoads: Number(spills[2]), stack: stack ? Number(stack[1]) : 0 };
}

/** Runs tasks with at most `limit` in flight. */
async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

function pad(text, width, right = false) {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

function voltaCells(report) {
  if (!report) return ['-', '-'];
  if (!report.ok) return ['ERROR', '-'];
  return [report.registers, `${report.spillStores}/${report.spillLoads}`];
}

/**
 * sm_70 for every kernel through NVRTC 12 (CUBIE_NVRTC12_PATH, or the copy
 * scripts/fetch-nvrtc12.js leaves in .nvrtc12/), in a child process since a
 * process loads one NVRTC. Sets r.volta on each row.
 */
async function voltaThroughNvrtc12(rows, headers) {
  const nvrtc = process.env.CUBIE_NVRTC12_PATH || require('../scripts/fetch-nvrtc12.js').localCopy();
  if (!nvrtc) return { available: false, error: 'no NVRTC 12 (run `node scripts/fetch-nvrtc12.js`, or set CUBIE_NVRTC12_PATH)' };
  const { NVRTC_FLAGS } = require(path.join(DIST, 'backends', 'cuda', 'build.js'));
  const jobs = rows.map((r) => ({ name: `${r.system}_${r.method}_${r.precision}.cu`, source: r.source, headers, options: NVRTC_FLAGS, arch: 70 }));
  const report = await new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(__dirname, '..', 'scripts', 'compile-with-nvrtc.js')], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`compile-with-nvrtc.js: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin.end(JSON.stringify({ nvrtc, jobs }));
  });
  if (!report.available) return report;
  rows.forEach((r, i) => (r.volta = report.results[i]));
  return report;
}

async function run() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) throw new Error('dist/ is not built: run `npm run build:ts` first');
  const { createSystem } = require(path.join(DIST, 'index.js'));
  const { kernelHeaders } = require(path.join(DIST, 'codegen', 'kernel-source.js'));
  const { compileCuda, nvrtcStatus } = require(path.join(DIST, 'native', 'nvrtc.js'));
  const { compilePlan } = require(path.join(DIST, 'codegen', 'compile-plan.js'));
  const { generateKernel } = require(path.join(DIST, 'codegen', 'generate.js'));
  const registry = require(path.join(DIST, 'methods', 'registry.js'));
  const nvrtc = nvrtcStatus();
  if (!nvrtc.available) throw new Error(`NVRTC is needed: ${nvrtc.error}`);

  const wantedSystems = process.env.CUBIE_BENCH_REG_SYSTEMS ? process.env.CUBIE_BENCH_REG_SYSTEMS.split(',') : undefined;
  const wantedMethods = process.env.CUBIE_BENCH_REG_METHODS ? process.env.CUBIE_BENCH_REG_METHODS.split(',') : undefined;
  // Every method by default; CUBIE_BENCH_REG_IMPLICIT=0 measures the explicit ones only.
  const implicit = process.env.CUBIE_BENCH_REG_IMPLICIT === '0' ? [] : registry.implicitMethodNames();
  const methods = [...registry.methodNames(), ...implicit].filter((m) => !wantedMethods || wantedMethods.includes(m));
  const systems = SYSTEMS.filter((s) => !wantedSystems || wantedSystems.includes(s.name)).map((definition) => ({ definition, system: createSystem(definition) }));
  const ptxas = findPtxas();
  const headers = kernelHeaders();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-registers-'));
  const compileArchs = COMPILE_ARCHS.filter((a) => nvrtc.archs.includes(a));
  const skippedArchs = COMPILE_ARCHS.filter((a) => !nvrtc.archs.includes(a));

  const rows = [];
  for (const { definition, system } of systems) {
    for (const method of methods) {
      for (const precision of PRECISIONS) rows.push({ system: definition.name, states: system.states.length, sys: system, method, precision });
    }
  }

  async function tableEntry(row, arch, source, dir = tmp) {
    const name = `${row.system}_${row.method}_${row.precision}_${arch}`;
    if (ptxas) {
      const { ptx } = await compileCuda({ source, name: `${name}.cu`, headers, options: ['--std=c++17', `-arch=compute_${arch}`], target: 'ptx' });
      const file = path.join(dir, `${name}.ptx`);
      fs.writeFileSync(file, ptx);
      const { stderr, stdout } = await execFileAsync(ptxas, ['-v', `-arch=sm_${arch}`, file, '-o', `${file}.cubin`], { maxBuffer: 16 << 20 });
      return parsePtxasInfo(stderr + stdout);
    }
    const { log } = await compileCuda({ source, name: `${name}.cu`, headers, options: ['--std=c++17', `-arch=sm_${arch}`, '--ptxas-options=-v'], target: 'cubin' });
    return parsePtxasInfo(log);
  }

  const started = Date.now();
  const tasks = rows.map((row) => async () => {
    let source;
    try {
      source = generateKernel(row.sys, { method: row.method, precision: row.precision }).source;
    } catch (e) {
      return { ...row, error: `no kernel: ${e.message.split('\n')[0]}` };
    }
    const out = { ...row, archs: {}, compiles: {}, source };
    try {
      for (const arch of TABLE_ARCHS) out.archs[arch] = await tableEntry(row, arch, source);
      for (const arch of compileArchs) {
        const { log } = await compileCuda({ source, name: `${row.system}.cu`, headers, options: ['--std=c++17', `-arch=sm_${arch}`, '--ptxas-options=-v'], target: 'cubin' });
        const info = parsePtxasInfo(log);
        out.compiles[arch] = info.spillStores + info.spillLoads === 0 ? 'ok' : 'SPILL';
      }
    } catch (e) {
      out.error = (e.message || String(e)).split('\n').slice(0, 2).join(' ');
    }
    return out;
  });
  const results = await pool(tasks, Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  fs.rmSync(tmp, { recursive: true, force: true });
  // The baseline: the same Lorenz/tsit5/float32 step loop written by hand (bench/kernels/).
  const bareSource = fs.readFileSync(path.join(__dirname, 'kernels', 'lorenz-tsit5-bare.cu'), 'utf8');
  const bareTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-registers-'));
  const bare = {};
  try {
    for (const arch of TABLE_ARCHS) bare[arch] = await tableEntry({ system: 'bare', method: 'tsit5', precision: 'float32' }, arch, bareSource, bareTmp);
  } finally {
    fs.rmSync(bareTmp, { recursive: true, force: true });
  }
  const volta = skippedArchs.includes(70) ? await voltaThroughNvrtc12(results.filter((r) => !r.error), headers) : undefined;

  const lines = [];
  lines.push(
    `NVRTC ${nvrtc.version} (${nvrtc.path}); registers and spills from ${ptxas ? `${ptxas} -v on NVRTC's PTX` : "NVRTC's ptxas (--ptxas-options=-v)"}; ` +
      `${results.length} kernels in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  lines.push('');
  const voltaColumns = volta?.available ? ['sm_70 regs', 'sm_70 spill'] : [];
  const header = ['system', 'n', 'method', 'precision', ...TABLE_ARCHS.map((a) => `sm_${a} regs`), ...TABLE_ARCHS.map((a) => `sm_${a} spill st/ld`), 'stack', ...compileArchs.map((a) => `sm_${a}`), ...voltaColumns];
  const widths = [13, 2, 20, 9, 12, 12, 18, 18, 6, ...compileArchs.map(() => 6), ...voltaColumns.map(() => 11)];
  lines.push(header.map((h, i) => pad(h, widths[i])).join(' '));
  for (const r of results) {
    if (r.error) {
      lines.push(`${pad(r.system, widths[0])} ${pad(r.states, widths[1])} ${pad(r.method, widths[2])} ${pad(r.precision, widths[3])} ERROR: ${r.error}`);
      continue;
    }
    const cells = [
      r.system,
      r.states,
      r.method,
      r.precision,
      ...TABLE_ARCHS.map((a) => r.archs[a].registers),
      ...TABLE_ARCHS.map((a) => `${r.archs[a].spillStores}/${r.archs[a].spillLoads}`),
      Math.max(...TABLE_ARCHS.map((a) => r.archs[a].stack)),
      ...compileArchs.map((a) => r.compiles[a] || '-'),
      ...(volta?.available ? voltaCells(r.volta) : []),
    ];
    lines.push(cells.map((c, i) => pad(c, widths[i])).join(' '));
  }
  lines.push('');

  const measured = results.filter((r) => !r.error);
  const failed = results.filter((r) => r.error);
  const spilling = measured.filter((r) => r.states <= 8 && TABLE_ARCHS.some((a) => r.archs[a].spillStores + r.archs[a].spillLoads > 0));
  lines.push(
    `${spilling.length === 0 && failed.length === 0 ? 'PASS' : 'MISS'}  no spill stores or loads, systems of up to 8 states, ` +
      `${implicit.length ? 'every method (explicit and implicit)' : 'every explicit method'}, float32 and float64, sm_${TABLE_ARCHS.join(' and sm_')}` +
      (spilling.length ? ` (spills: ${spilling.map((r) => `${r.system}/${r.method}/${r.precision}`).join(', ')})` : '') +
      (failed.length ? ` (${failed.length} kernel(s) did not build: ${failed.map((r) => `${r.system}/${r.method}/${r.precision}`).join(', ')})` : ''),
  );
  const target = measured.find((r) => r.system === TARGET.system && r.method === TARGET.method && r.precision === TARGET.precision);
  if (target) {
    const worst = Math.max(...TABLE_ARCHS.map((a) => target.archs[a].registers));
    const spills = TABLE_ARCHS.some((a) => target.archs[a].spillStores + target.archs[a].spillLoads > 0);
    lines.push(
      `${worst <= TARGET.registers && !spills ? 'PASS' : 'MISS'}  ${TARGET.system} ${TARGET.method} ${TARGET.precision}: ${TABLE_ARCHS.map((a) => `${target.archs[a].registers} registers on sm_${a}`).join(', ')}` +
        `${spills ? ', with spills' : ', no spills'} (target: at most ${TARGET.registers} registers, no spills)`,
    );
    lines.push(
      `RATIO ${TARGET.system} ${TARGET.method} ${TARGET.precision} against the hand-written loop of bench/kernels/lorenz-tsit5-bare.cu: ` +
        TABLE_ARCHS.map((a) => `sm_${a} ${target.archs[a].registers}/${bare[a].registers} = ${(target.archs[a].registers / bare[a].registers).toFixed(2)}x`).join(', ') +
        ' (registers; the engine adds saves, a PI controller, status and counters)',
    );
  }
  for (const arch of compileArchs) {
    const ok = measured.filter((r) => r.compiles[arch]).length;
    const spilled = measured.filter((r) => r.compiles[arch] === 'SPILL');
    lines.push(
      `${ok === results.length && spilled.length === 0 ? 'PASS' : 'MISS'}  ${ok} of ${results.length} kernels compile to a CUBIN for sm_${arch}, ${spilled.length} spill` +
        (spilled.length ? ` (${spilled.map((r) => `${r.system}/${r.method}/${r.precision}`).join(', ')})` : ''),
    );
  }
  if (volta?.available) {
    const built = measured.filter((r) => r.volta?.ok);
    const voltaSpills = built.filter((r) => r.states <= 8 && r.volta.spillStores + r.volta.spillLoads > 0);
    lines.push(
      `${built.length === results.length && voltaSpills.length === 0 ? 'PASS' : 'MISS'}  sm_70 through NVRTC ${volta.version} (${volta.path}): ` +
        `${built.length} of ${results.length} kernels build a CUBIN, ${voltaSpills.length} spill` +
        (voltaSpills.length ? ` (${voltaSpills.map((r) => `${r.system}/${r.method}/${r.precision}`).join(', ')})` : ''),
    );
    const voltaTarget = measured.find((r) => r.system === TARGET.system && r.method === TARGET.method && r.precision === TARGET.precision);
    if (voltaTarget?.volta?.ok) {
      lines.push(
        `INFO  ${TARGET.system} ${TARGET.method} ${TARGET.precision} with NVRTC ${volta.version}: ${voltaTarget.volta.registers} registers on sm_70 ` +
          '(register allocation differs between NVRTC majors; the target is measured with the NVRTC above)',
      );
    }
  } else if (volta) {
    lines.push(`SKIP  sm_70 through NVRTC 12: ${volta.error}`);
  }
  for (const arch of skippedArchs.filter((a) => !(a === 70 && volta?.available))) {
    lines.push(
      `SKIP  sm_${arch}: NVRTC ${nvrtc.version} cannot target it (it builds for sm_${Math.min(...nvrtc.archs)} to sm_${Math.max(...nvrtc.archs)}; ` +
        'CUDA 13 dropped offline compilation for sm_72 and older). On such a GPU cubie says so and names NVRTC 12, which still builds for it.',
    );
  }
  return { text: lines.join('\n'), results };
}

module.exports = { name: 'cuda-registers', title: 'CUDA kernels: registers and spills (NVRTC + ptxas, no GPU)', run };

if (require.main === module) require('./support').printTable(run);
