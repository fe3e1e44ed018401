'use strict';
// Phase "lorenz" of the GPU check: the Lorenz ensemble in the protocol of the
// DiffEqGPU paper (Utkarsh et al., CMAME 2024) and of MPGOS: rho =
// linspace(0, 21, N), sigma 10, beta 8/3, u0 = (1, 0, 0), t in [0, 1],
// float32, only the final state kept;
//   rk4-fixed       rk4, stepController 'fixed', dt = 1e-3 (1,000 steps)
//   tsit5-fixed     tsit5, the same fixed steps
//   tsit5-adaptive  tsit5, adaptive (PI), rtol = atol = 1e-8
// at N = 2^16 ... 2^23 on the GPU (growing N while the time budget allows),
// and the same configurations on the CPU backend at a smaller N (the
// baseline row). Each row's final states on an evenly spaced sample of runs
// are compared with a float64 reference (dop853, rtol = atol = 1e-12) of the
// same runs, and kept for the comparison with Diffrax and torchdiffeq.
//
//   node phase-lorenz.js OUT.json SAMPLES.json
// env: CUBIE_CHECK_APP, CUBIE_CHECK_DEADLINE, CUBIE_CHECK_GPU (1 when the
// doctor phase found a usable GPU), CUBIE_CHECK_SIZES (runs, comma-separated;
// default 2^16..2^23), CUBIE_CHECK_REPS (default 3), CUBIE_CHECK_CPU_RUNS
// (default 65536), CUBIE_CHECK_SAMPLE (default 1024).
const path = require('path');
const { LORENZ_BENCH, best, errorRecord, instrumentCuda, intEnv, listEnv, log, maxRelDiff, median, nowS, rhoSweep, sampleFinals, sampleIndices, writeJson, runPhase } = require('./common');

const appRoot = process.env.CUBIE_CHECK_APP || path.join(__dirname, '..');
const deadline = Number(process.env.CUBIE_CHECK_DEADLINE || nowS() + 600);
const [outFile, samplesFile] = process.argv.slice(2);
const say = (s) => log('lorenz', s);

const CONFIGS = [
  { id: 'rk4-fixed', settings: { method: 'rk4', stepController: 'fixed', dt: 1e-3 }, what: 'rk4, fixed dt = 1e-3 (1,000 steps)' },
  { id: 'tsit5-fixed', settings: { method: 'tsit5', stepController: 'fixed', dt: 1e-3 }, what: 'tsit5, fixed dt = 1e-3 (1,000 steps)' },
  { id: 'tsit5-adaptive', settings: { method: 'tsit5', atol: 1e-8, rtol: 1e-8 }, what: 'tsit5, adaptive (PI controller), rtol = atol = 1e-8' },
];
const COMMON = { precision: 'float32', duration: 1 };
const REFERENCE = { method: 'dop853', precision: 'float64', duration: 1, atol: 1e-12, rtol: 1e-12 };
const DEFAULT_SIZES = [16, 17, 18, 19, 20, 21, 22, 23].map((p) => 2 ** p);

const report = { protocol: null, gpu: null, cpu: null, rows: [], skipped: [], references: {} };
const samples = { sample: 0, sizes: {}, rows: {} };
const save = () => {
  if (outFile) writeJson(outFile, report);
  if (samplesFile) writeJson(samplesFile, samples);
};

function fmtN(n) {
  const p = Math.log2(n);
  return Number.isInteger(p) ? `2^${p} (${n.toLocaleString('en-US')})` : n.toLocaleString('en-US');
}

async function main() {
  const cubie = require(path.join(appRoot, 'dist', 'index.js'));
  const cuda = instrumentCuda(appRoot);
  const sizes = (listEnv('CUBIE_CHECK_SIZES') ?? DEFAULT_SIZES).map(Number);
  const reps = intEnv('CUBIE_CHECK_REPS', 3);
  const cpuRuns = intEnv('CUBIE_CHECK_CPU_RUNS', 65536);
  const sampleSize = intEnv('CUBIE_CHECK_SAMPLE', 1024);
  const gpuUsable = process.env.CUBIE_CHECK_GPU === '1';
  const found = await cubie.probe();
  report.protocol = {
    system: 'Lorenz: dx = sigma (y - x), dy = x (rho - z) - y, dz = x y - beta z; sigma 10, beta 8/3, u0 = (1, 0, 0)',
    rho: 'linspace(0, 21, N), as float32',
    time: 't in [0, 1]; the initial and final states saved',
    precision: 'float32',
    configs: CONFIGS.map((c) => ({ id: c.id, what: c.what, settings: { ...COMMON, ...c.settings } })),
    sizes,
    reps,
    sample: `${sampleSize} evenly spaced runs of each N; their final states against a float64 reference (dop853, rtol = atol = 1e-12): max |a - b| / max(1, |b|)`,
    timings: 'kernelMs: the kernels on the device (CUDA events, summed over chunks); runMs: kernel.run (kernels, copies, staging); totalMs: solve() (input grid, output arrays, run); best of reps by totalMs',
  };
  samples.sample = sampleSize;
  const device = found.devices[0];
  report.gpu = gpuUsable
    ? { status: 'ran', device: device ? { name: device.name, computeCapability: device.computeCapability, memoryBytes: device.memoryBytes } : null }
    : { status: 'skipped', reason: process.env.CUBIE_CHECK_GPU_REASON || 'no usable CUDA device' };
  report.cpu = found.hostCompiler.available
    ? { status: 'ran', runs: cpuRuns, threads: require('os').cpus().length, compiler: found.hostCompiler.version }
    : { status: 'skipped', reason: `no C++ compiler for the CPU backend (${found.hostCompiler.error})` };
  if (!gpuUsable) report.skipped.push({ what: 'the GPU rows', reason: report.gpu.reason });
  if (!found.hostCompiler.available) report.skipped.push({ what: 'the CPU baseline rows', reason: report.cpu.reason });
  save();

  const refBackend = gpuUsable ? 'cuda' : found.hostCompiler.available ? 'cpu' : null;
  // The float64 references of every sample the rows (and the Python phase) will need.
  if (refBackend) {
    const t = nowS();
    const refSolver = new cubie.Solver(LORENZ_BENCH, { ...REFERENCE, backend: refBackend });
    const wanted = [...new Set([...(gpuUsable ? sizes : []), ...(found.hostCompiler.available ? [cpuRuns] : [])])];
    for (const n of wanted) {
      const idx = sampleIndices(n, sampleSize);
      const rhoAll = rhoSweep(n, Float32Array);
      const rho = Float64Array.from(idx, (i) => rhoAll[i]); // the float32 rho the rows use, exactly
      const result = await refSolver.solve({}, { rho });
      samples.sizes[n] = { indices: idx, reference: sampleFinals(result, idx.map((_, j) => j)) };
      report.references[n] = { backend: refBackend, runs: idx.length, unfinished: result.status.filter((s) => s !== 0).length };
    }
    report.referenceSeconds = nowS() - t;
    say(`float64 references for ${wanted.length} sample(s) of ${sampleSize} runs on the ${refBackend} backend in ${report.referenceSeconds.toFixed(1)} s`);
  } else {
    report.skipped.push({ what: 'the float64 references', reason: 'neither the GPU nor the CPU backend can run here' });
  }
  save();

  if (gpuUsable) await rows('cuda', sizes, reps, cubie, cuda);
  if (found.hostCompiler.available) await rows('cpu', [cpuRuns], Math.min(reps, 2), cubie, cuda);
  await adaptiveSteps(cubie, gpuUsable ? 'cuda' : found.hostCompiler.available ? 'cpu' : null, sampleSize);
  report.status = report.rows.some((r) => r.status === 'failed') ? 'failed' : 'passed';
  save();
}

async function rows(backend, sizes, reps, cubie, cuda) {
  const label = backend === 'cuda' ? 'GPU' : 'CPU';
  const solvers = CONFIGS.map((c) => new cubie.Solver(LORENZ_BENCH, { ...COMMON, ...c.settings, backend }));
  const t = nowS();
  await Promise.all(solvers.map((s) => s.compile()));
  say(`${label}: ${solvers.length} kernels ready in ${(nowS() - t).toFixed(1)} s`);
  const lastSeconds = new Map(); // config id -> [n, seconds of one solve]
  let stopReason = null;
  for (const n of sizes) {
    if (stopReason) {
      report.skipped.push({ what: `${label} rows at N = ${fmtN(n)}`, reason: stopReason });
      continue;
    }
    // Stop growing N when the larger batch would not fit the phase's time.
    const predicted = CONFIGS.reduce((sum, c) => {
      const last = lastSeconds.get(c.id);
      return sum + (last ? last[1] * (n / last[0]) * reps + 1 : 2);
    }, 0);
    const left = deadline - nowS();
    if (predicted > left) {
      stopReason = `time budget: N = ${fmtN(n)} would take about ${predicted.toFixed(0)} s, ${left.toFixed(0)} s left in this phase`;
      report.skipped.push({ what: `${label} rows at N = ${fmtN(n)}`, reason: stopReason });
      say(`${label}: stopping before N = ${fmtN(n)}: ${stopReason}`);
      continue;
    }
    const rhoAll = rhoSweep(n, Float32Array);
    for (let k = 0; k < CONFIGS.length; k++) {
      const c = CONFIGS[k];
      const row = { backend, config: c.id, n, reps };
      report.rows.push(row);
      try {
        const timings = [];
        let result = null;
        for (let r = 0; r < reps; r++) {
          result = null;
          cuda.lastRun = null;
          const start = process.hrtime.bigint();
          result = await solvers[k].solve({}, { rho: rhoAll });
          const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
          timings.push({ wallMs, totalMs: result.timings.totalMs, runMs: result.timings.runMs, transferMs: result.timings.transferMs, kernelMs: backend === 'cuda' ? cuda.lastRun?.kernelMs ?? null : null, chunks: cuda.lastRun?.devices?.map((d) => d.chunks) });
        }
        const bestRep = timings.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
        const kernels = timings.map((x) => x.kernelMs).filter((x) => typeof x === 'number');
        Object.assign(row, {
          status: 'ran',
          kernelMs: kernels.length ? best(kernels) : null,
          runMs: bestRep.runMs,
          totalMs: bestRep.totalMs,
          transferMs: bestRep.transferMs,
          medianTotalMs: median(timings.map((x) => x.totalMs)),
          kernelNsPerTrajectory: kernels.length ? (best(kernels) * 1e6) / n : null,
          runNsPerTrajectory: (bestRep.runMs * 1e6) / n,
          totalNsPerTrajectory: (bestRep.totalMs * 1e6) / n,
          chunks: bestRep.chunks,
          unfinished: result.status.reduce((a, s) => a + (s !== 0 ? 1 : 0), 0),
          reps: timings,
        });
        lastSeconds.set(c.id, [n, best(timings.map((x) => x.wallMs)) / 1000]);
        const ref = samples.sizes[n];
        if (ref) {
          const got = sampleFinals(result, ref.indices);
          samples.rows[`cubie-${backend}/${c.id}/${n}`] = got;
          row.maxRelErrorVsReference = maxRelDiff(got, ref.reference);
        }
        if (row.unfinished > 0) {
          row.status = 'failed';
          row.reason = `${row.unfinished} runs did not finish`;
        }
        result = null;
        say(
          `${label} ${c.id.padEnd(14)} N = ${fmtN(n).padEnd(22)} ` +
            (row.kernelMs !== null ? `kernel ${row.kernelMs.toFixed(2)} ms (${row.kernelNsPerTrajectory.toFixed(2)} ns/traj), ` : '') +
            `run ${row.runMs.toFixed(2)} ms, total ${row.totalMs.toFixed(2)} ms (${row.totalNsPerTrajectory.toFixed(2)} ns/traj)` +
            (row.maxRelErrorVsReference !== undefined ? `, error vs float64 ${row.maxRelErrorVsReference.toExponential(1)}` : ''),
        );
      } catch (e) {
        Object.assign(row, { status: 'failed', reason: 'threw', error: errorRecord(e) });
        say(`${label} ${c.id} N = ${fmtN(n)}: FAILED: ${e.message}`);
      }
      save();
    }
  }
}

/** Accepted and rejected steps of the adaptive configuration on the largest sample (a kernel with counters, untimed). */
async function adaptiveSteps(cubie, backend, sampleSize) {
  if (!backend) return;
  const c = CONFIGS.find((x) => x.id === 'tsit5-adaptive');
  try {
    const n = Math.max(...Object.keys(samples.sizes).map(Number));
    const idx = samples.sizes[n].indices;
    const rhoAll = rhoSweep(n, Float32Array);
    const rho = Float32Array.from(idx, (i) => rhoAll[i]);
    const result = await new cubie.Solver(LORENZ_BENCH, { ...COMMON, ...c.settings, backend, outputTypes: ['state', 'iteration_counters'] }).solve({}, { rho });
    const acc = Array.from(result.iterationCounters.accepted);
    const rej = Array.from(result.iterationCounters.rejected);
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    report.adaptiveSteps = { backend, runs: idx.length, of: n, accepted: { mean: mean(acc), min: Math.min(...acc), max: Math.max(...acc) }, rejected: { mean: mean(rej), max: Math.max(...rej) } };
    say(`tsit5-adaptive steps on ${idx.length} sampled runs (${backend}): accepted mean ${report.adaptiveSteps.accepted.mean.toFixed(0)}, max ${report.adaptiveSteps.accepted.max}; rejected mean ${report.adaptiveSteps.rejected.mean.toFixed(1)}`);
  } catch (e) {
    report.adaptiveSteps = { error: errorRecord(e) };
  }
}

runPhase(main, { say, report, save, appRoot });
