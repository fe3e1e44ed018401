'use strict';
// Peak memory of `cubie run --out FILE.npy` against batch size, at a fixed chunk.
//
// The CLI solves and writes a batch one chunk of runs at a time, so its peak
// resident memory should not grow with the batch. This bench runs the real
// executable on a sweep of a one-state decay (1001 saves per run, 8 KB of
// output each) with chunks of CUBIE_BENCH_CHUNK_MIB (default 32) MiB of
// output, for batches of 1, 12 and 32 chunks, and reads the peak RSS each
// process reports (getrusage maxRSS, in its --json 'done' event).
//
// The bound it checks, per batch: peak <= peak of the 1-chunk batch + 64 MiB + 2 chunks.
//   - the 1-chunk batch is the baseline: Node, the compiled kernel, one chunk's arrays;
//   - 64 MiB: V8 collects ArrayBuffers (each chunk's result arrays) only once
//     64 MiB of them have been freed since the last full collection, so up to
//     that much garbage is still resident at any time;
//   - 2 chunks: the chunk being solved and the one before it, not yet collected.
// Holding the whole result would instead add (chunks - 1) x chunk.
//
//   node bench/cli-memory.js        prints the table
//   require('./cli-memory').run()   resolves to { text } (bench/run.js prints it)

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const bin = path.join(root, 'bin', 'cubie.js');
const MIB = 2 ** 20;
const V8_EXTERNAL_ALLOWANCE = 64 * MIB;
const N_SAVES = 1001;
const BYTES_PER_RUN = N_SAVES * 8;

function model(nRuns) {
  return [
    'system:',
    '  name: decay_memory_bench',
    '  equations: "dx = -k*x"',
    '  states: { x: 1 }',
    '  parameters: { k: 1 }',
    'parameters:',
    `  k: { linspace: [0.5, 1.5, ${nRuns}] }`,
    'options:',
    '  method: euler',
    '  dt: 0.001',
    '  duration: 1',
    '  saveEvery: 0.001',
    '',
  ].join('\n');
}

/** Runs `cubie run` on a fresh model of nRuns runs; resolves to its --json 'done' event. */
function runCli(dir, nRuns, runsPerChunk) {
  const file = path.join(dir, `decay-${nRuns}.yaml`);
  fs.writeFileSync(file, model(nRuns));
  const out = path.join(dir, `decay-${nRuns}.npy`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'run', file, '--out', out, '--json', '--runs-per-chunk', String(runsPerChunk)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      for (const f of fs.readdirSync(dir)) if (f.startsWith(`decay-${nRuns}.`)) fs.rmSync(path.join(dir, f), { force: true });
      if (code !== 0) return reject(new Error(`cubie run exited ${code}: ${stderr}`));
      const done = stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'done');
      if (!done) return reject(new Error(`no 'done' event in:\n${stdout}`));
      resolve(done);
    });
  });
}

const mib = (bytes) => `${(bytes / MIB).toFixed(1)} MiB`;

async function run() {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is not built: run `npm run build:ts`');
  const chunkMib = Number(process.env.CUBIE_BENCH_CHUNK_MIB || 32);
  const runsPerChunk = Math.floor((chunkMib * MIB) / BYTES_PER_RUN);
  const chunkBytes = runsPerChunk * BYTES_PER_RUN;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-bench-memory-'));
  const rows = [];
  try {
    for (const chunks of [1, 12, 32]) {
      const done = await runCli(dir, runsPerChunk * chunks, runsPerChunk);
      rows.push({ chunks, runs: runsPerChunk * chunks, output: chunkBytes * chunks, peak: done.maxRssBytes, wallMs: done.wallMs });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const baseline = rows[0].peak;
  const bound = baseline + V8_EXTERNAL_ALLOWANCE + 2 * chunkBytes;
  const lines = [
    `cubie run --out FILE.npy, chunk = ${runsPerChunk} runs = ${mib(chunkBytes)} of output; peak RSS of the process (getrusage)`,
    '',
    'chunks      runs     output        peak RSS     over 1 chunk   wall      bound (1-chunk peak + 64 MiB + 2 chunks)',
    ...rows.map((r) => {
      const over = r.peak - baseline;
      const verdict = r.chunks === 1 ? '(baseline)' : `${r.peak <= bound ? 'OK  ' : 'MISS'} <= ${mib(bound)}`;
      return `${String(r.chunks).padStart(6)}  ${String(r.runs).padStart(8)}  ${mib(r.output).padStart(12)}  ${mib(r.peak).padStart(12)}  ${(r.chunks === 1 ? '-' : `+${mib(over)}`).padStart(13)}  ${`${(r.wallMs / 1000).toFixed(1)} s`.padStart(7)}   ${verdict}`;
    }),
    '',
    `Holding the whole ${rows[rows.length - 1].chunks}-chunk result would add ${mib(rows[rows.length - 1].output - chunkBytes)} over the baseline.`,
  ];
  return { text: lines.join('\n'), rows, bound };
}

module.exports = { name: 'cli-memory', title: 'Peak memory of cubie run against batch size', run };

if (require.main === module) require('./support').printTable(run);
