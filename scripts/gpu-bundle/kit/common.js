'use strict';
// Shared by the GPU check's phases (check.js, phase-*.js) and by the bundle
// builder's reference step (scripts/gpu-bundle/make-refs.js). Plain Node.js:
// no dev dependency, no network. `appRoot` is the folder holding dist/
// (the bundle's app/ folder, or the repository when building references).
const fs = require('fs');
const path = require('path');

/** The Lorenz system of the DiffEqGPU / MPGOS benchmark: sigma 10, beta 8/3, rho swept, u0 = (1, 0, 0). */
const LORENZ_BENCH = {
  name: 'gpu_check_lorenz',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 0, z: 0 },
  parameters: { sigma: 10, rho: 21, beta: 8 / 3 },
};

/** rho = linspace(0, 21, n), as the DiffEqGPU benchmark sweeps it. */
function rhoSweep(n, ArrayType = Float64Array) {
  return ArrayType.from({ length: n }, (_, i) => (n === 1 ? 0 : (21 * i) / (n - 1)));
}

/** `count` evenly spaced run indices of `n` (the same rule as bench/support.js). */
function sampleIndices(n, count) {
  const k = Math.min(n, count);
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
}

/** Final states of a result, one array per saved variable, each of nRuns values. */
function finals(result) {
  const [nTimes, nVars, nRuns] = result.shape;
  return Array.from({ length: nVars }, (_, v) => result.timeDomain.subarray(((nTimes - 1) * nVars + v) * nRuns, ((nTimes - 1) * nVars + v + 1) * nRuns));
}

/** [[x, y, z], ...] of the sampled runs' final states (plain numbers, for JSON). */
function sampleFinals(result, indices) {
  const f = finals(result);
  return indices.map((i) => f.map((column) => Number(column[i])));
}

/** max |a - b| / max(1, |b|) over matching [run][variable] tables; null when either is missing. */
function maxRelDiff(a, b) {
  if (!a || !b || a.length !== b.length) return null;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    for (let v = 0; v < a[i].length; v++) {
      const d = Math.abs(a[i][v] - b[i][v]) / Math.max(1, Math.abs(b[i][v]));
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    }
  }
  return worst;
}

function intEnv(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min} (got '${raw}')`);
  return v;
}

function numberEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number (got '${raw}')`);
  return v;
}

function listEnv(name) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const nowS = () => Date.now() / 1000;

function log(prefix, text) {
  process.stdout.write(`[${prefix}] ${text}\n`);
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n');
  fs.renameSync(tmp, file);
}

function errorRecord(e) {
  if (e === null || typeof e !== 'object') return { message: String(e) };
  const out = { message: e.message ?? String(e) };
  if (e.code) out.code = e.code;
  if (e.details && typeof e.details === 'object') {
    const d = { ...e.details };
    if (typeof d.log === 'string' && d.log.length > 4000) d.log = `${d.log.slice(0, 4000)}... (cut)`;
    out.details = d;
  }
  if (e.stack) out.stack = String(e.stack).split('\n').slice(0, 8).join('\n');
  return out;
}

/**
 * Hooks into the CUDA backend without changing it (dist/ is plain CommonJS):
 * - the native runner's report of the last run (kernelMs summed over chunks
 *   on the device's clock, transferMs, chunks per device), which
 *   SolveResult.timings does not carry;
 * - on the CUDA driver test double (CUBIE_FAKE_CUDA_HOST_KERNELS set, used
 *   by the rehearsal only), the host build each kernel image needs there.
 */
function instrumentCuda(appRoot) {
  const dist = path.join(appRoot, 'dist');
  const state = { lastRun: null };
  const runner = require(path.join(dist, 'backends', 'cuda', 'runner.js'));
  const original = runner.CudaKernel.prototype.run;
  if (!original.__gpuCheckWrapped) {
    const wrapped = async function run(...args) {
      const stats = await original.apply(this, args);
      state.lastRun = stats;
      return stats;
    };
    wrapped.__gpuCheckWrapped = true;
    runner.CudaKernel.prototype.run = wrapped;
  }
  const hostKernels = process.env.CUBIE_FAKE_CUDA_HOST_KERNELS;
  if (hostKernels) {
    const backend = require(path.join(dist, 'backends', 'cuda', 'cuda-backend.js'));
    const { compileHostLibrary } = require(path.join(dist, 'backends', 'cpu', 'build.js'));
    const cudaKernelFor = backend.cudaKernelFor;
    backend.cudaKernelFor = async (source, ...rest) => {
      const digest = /cubie-source:([0-9a-f]{64})/.exec(source);
      if (digest) {
        const file = path.join(hostKernels, `${digest[1]}.so`);
        if (!fs.existsSync(file)) {
          const { image } = await compileHostLibrary(source, 'fake-cuda');
          fs.mkdirSync(hostKernels, { recursive: true });
          fs.writeFileSync(`${file}.${process.pid}.tmp`, image);
          fs.renameSync(`${file}.${process.pid}.tmp`, file);
        }
      }
      return cudaKernelFor(source, ...rest);
    };
  }
  return state;
}

/** Best, median of a list of numbers. */
const best = (xs) => Math.min(...xs);
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs a phase's main(): a failure is recorded in its report (and the report
 * saved) rather than thrown, and the CUDA kernels it loaded are released
 * either way, so the next phase finds the device as the driver left it.
 */
function runPhase(main, { say, report, save, appRoot }) {
  return main()
    .catch((e) => {
      say(`phase failed: ${e.stack || e}`);
      Object.assign(report, { status: 'error', error: errorRecord(e) });
      save();
      process.exitCode = 1;
    })
    .finally(async () => {
      try {
        const { releaseCudaKernels } = require(path.join(appRoot, 'dist', 'backends', 'cuda', 'cuda-backend.js'));
        await releaseCudaKernels();
      } catch {
        // nothing loaded
      }
    });
}

module.exports = {
  runPhase,
  LORENZ_BENCH,
  rhoSweep,
  sampleIndices,
  finals,
  sampleFinals,
  maxRelDiff,
  intEnv,
  numberEnv,
  listEnv,
  nowS,
  log,
  readJson,
  writeJson,
  errorRecord,
  instrumentCuda,
  best,
  median,
};
