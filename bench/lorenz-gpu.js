'use strict';
// The Lorenz ensemble on the GPU: the CUDA backend against the CPU backend on
// every core of the same machine, measured in the same run (the anchors'
// benchmark problem: DiffEqGPU.jl and MPGOS publish the same ensemble).
// Each precision: N runs with rho = linspace(0, 21, N), tsit5, t in [0, 1],
// initial and final state saved; the CPU backend solves an evenly spaced
// sample of the same runs, and its per-trajectory time is the baseline.
// The final states of the sample are compared between the backends.
//
// Without a CUDA device (no driver, no NVRTC, or no GPU) the table says so and
// measures nothing; `npm run bench` goes on. Needs dist/ built.
//
//   CUBIE_BENCH_GPU_RUNS    runs per precision on the GPU (default 1,048,576)
//   CUBIE_BENCH_GPU_SAMPLE  runs of the CPU baseline (default 65,536)
//   CUBIE_BENCH_REPS        timed solves per row (default 3; best and median shown)

const path = require('path');
const { best, fmtInt, fmtRatio, fmtUs, intEnv, median, nowS, progressFor, sampleIndices, table } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const progress = progressFor('lorenz-gpu');
const LORENZ = {
  name: 'lorenz_gpu_bench',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 21, beta: 8 / 3 },
};
const PRECISIONS = [
  { precision: 'float32', tol: 1e-6, agree: 1e-3 },
  { precision: 'float64', tol: 1e-8, agree: 1e-5 },
];

function linspace(n, stop) {
  return Float64Array.from({ length: n }, (_, i) => (n === 1 ? 0 : (stop * i) / (n - 1)));
}

function finals(result) {
  const [nTimes, nVars, nRuns] = result.shape;
  return Array.from({ length: nVars }, (_, v) => result.timeDomain.subarray(((nTimes - 1) * nVars + v) * nRuns, ((nTimes - 1) * nVars + v + 1) * nRuns));
}

async function timedSolves(solver, rho, reps) {
  await solver.compile();
  const seconds = [];
  let result;
  for (let r = 0; r < reps; r++) {
    const start = nowS();
    result = await solver.solve({}, { rho });
    seconds.push(nowS() - start);
  }
  return { seconds, result };
}

async function run() {
  const { Solver, probe } = require(path.join(DIST, 'index.js'));
  const found = await probe();
  if (!found.devices.length || !found.nvrtc.available) {
    const why = !found.driver.available
      ? `no CUDA driver (${found.driver.error || 'not found'})`
      : !found.devices.length
        ? 'the driver reports no device'
        : `no NVRTC (${found.nvrtc.error || 'not found'})`;
    return { text: `SKIP  ${why}: this table needs a CUDA device. On a GPU machine it times the Lorenz ensemble there against the CPU backend.` };
  }
  const n = intEnv('CUBIE_BENCH_GPU_RUNS', 1 << 20, 1);
  const sampleSize = Math.min(n, intEnv('CUBIE_BENCH_GPU_SAMPLE', 1 << 16, 1));
  const reps = intEnv('CUBIE_BENCH_REPS', 3, 1);
  const rho = linspace(n, 21);
  const indices = sampleIndices(n, sampleSize);
  const rhoSample = Float64Array.from(indices, (i) => rho[i]);
  const device = found.devices[0];
  const doubled = device.name.startsWith('Fake ') ? ' (the driver test double: times mean nothing)' : '';

  const rows = [];
  const verdicts = [];
  for (const { precision, tol, agree } of PRECISIONS) {
    const settings = { method: 'tsit5', precision, duration: 1, atol: tol, rtol: tol };
    progress(`${precision}: ${fmtInt(n)} runs on the GPU`);
    const gpu = await timedSolves(new Solver(LORENZ, { ...settings, backend: 'cuda', devices: [device.index] }), rho, reps);
    progress(`${precision}: ${fmtInt(indices.length)} runs on the CPU`);
    const cpu = await timedSolves(new Solver(LORENZ, { ...settings, backend: 'cpu' }), rhoSample, reps);
    const gpuUs = (best(gpu.seconds) * 1e6) / n;
    const cpuUs = (best(cpu.seconds) * 1e6) / indices.length;
    const gpuFinal = finals(gpu.result);
    const cpuFinal = finals(cpu.result);
    let worst = 0;
    indices.forEach((run, j) => {
      for (let v = 0; v < gpuFinal.length; v++) {
        worst = Math.max(worst, Math.abs(gpuFinal[v][run] - cpuFinal[v][j]) / Math.max(1, Math.abs(cpuFinal[v][j])));
      }
    });
    const failed = gpu.result.status.filter((s) => s !== 0).length;
    rows.push([`GPU, ${precision}`, fmtInt(n), fmtUs(gpuUs), fmtUs((median(gpu.seconds) * 1e6) / n), fmtInt(Math.round(n / best(gpu.seconds))), fmtRatio(cpuUs / gpuUs), `run ${fmtUs(gpu.result.timings.runMs * 1e3 / n)} us, copies ${fmtUs(gpu.result.timings.transferMs * 1e3 / n)} us`]);
    rows.push([`CPU backend, all cores, ${precision}`, fmtInt(indices.length), fmtUs(cpuUs), fmtUs((median(cpu.seconds) * 1e6) / indices.length), fmtInt(Math.round(indices.length / best(cpu.seconds))), '1.00x', '']);
    verdicts.push(`${worst <= agree && failed === 0 ? 'PASS' : 'MISS'}  ${precision}: GPU and CPU final states agree within ${agree} (max ${worst.toExponential(1)}, relative); ${failed} GPU runs did not finish`);
  }
  const header = ['row', 'runs', 'us/trajectory', 'median', 'trajectories/s', 'vs CPU', ''];
  return {
    text: [
      `device ${device.index}: ${device.name}, ${device.computeCapability}, ${(device.memoryBytes / 2 ** 30).toFixed(1)} GiB${doubled}; driver ${found.driver.version}, NVRTC ${found.nvrtc.version}`,
      `tsit5, t in [0, 1], rho = linspace(0, 21, ${fmtInt(n)}); CPU: ${fmtInt(indices.length)} evenly spaced runs of the same grid; best of ${reps} solves (median beside it), kernels compiled first`,
      '',
      table(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'l']),
      '',
      ...verdicts,
      '  us/trajectory: wall time of solve() / runs, output arrays and copies included; vs CPU: the CPU time per trajectory / this row\'s.',
    ].join('\n'),
  };
}

module.exports = { name: 'lorenz-gpu', title: 'Lorenz ensemble on the GPU against the CPU backend (needs a CUDA device)', run };

if (require.main === module) require('./support').printTable(run);
