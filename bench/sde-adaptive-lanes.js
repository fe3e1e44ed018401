'use strict';
// The sde-adaptive-lanes bench: milstein-adaptive in SIMD lanes (each lane its
// own Brownian cache, kernel/cubie/lane_sde.h) against the scalar engine
// (cpuLanes: 1) on geometric Brownian motion, dx = mu x dt + sigma x dW,
// 16 parameter sets (mu in [0.1, 0.85], sigma in [0.1, 0.85]) x
// replicates, t in [0, 1], saves every 0.125, atol = rtol = 1e-3 (as
// test/solver/sde-adaptive.test.ts), CPU backend, one thread. Columns:
// microseconds per trajectory (result.timings.runMs over the runs, the best
// of the rounds) in lanes and on the scalar engine, their ratio, the lane
// width, accepted and rejected steps per run, and whether the two engines'
// saved states, statuses and counters are the same bit for bit (drift and
// noise of + - * only).
//
// Environment:
//   CUBIE_BENCH_SDE_REPLICATES   replicates per parameter set, default 1000
//   CUBIE_BENCH_REPS             timed rounds (default 3)
//
//   node bench/sde-adaptive-lanes.js       prints the table (after npm run build:ts)
//   node bench/run.js sde-adaptive-lanes   the same through the bench runner

const path = require('path');
const { identical, intEnv, best, fmtUs, fmtRatio, table, progressFor, printTable } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const progress = progressFor('sde-adaptive-lanes');

const mean = (a) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

async function run() {
  const { createSystem, Solver } = require(DIST);
  const replicates = intEnv('CUBIE_BENCH_SDE_REPLICATES', 1000, 1);
  const reps = intEnv('CUBIE_BENCH_REPS', 3, 1);
  const gbm = createSystem({ name: 'bench_sde_gbm', equations: 'dx = mu*x', states: { x: 1 }, parameters: { mu: 0.5, sigma: 0.3 }, noise: { x: 'sigma*x' } });
  const sets = 16;
  const mu = Float64Array.from({ length: sets }, (_, i) => 0.1 + 0.05 * i);
  const sigma = Float64Array.from({ length: sets }, (_, i) => 0.1 + 0.05 * ((i * 7) % sets));
  const runs = sets * replicates;
  const rows = [];
  for (const precision of ['float64', 'float32']) {
    const timed = {};
    for (const cpuLanes of ['auto', 1]) {
      progress(`${precision}, cpuLanes ${cpuLanes}`);
      const solver = new Solver(gbm, { method: 'milstein-adaptive', precision, backend: 'cpu', threads: 1, cpuLanes, atol: 1e-3, rtol: 1e-3, outputTypes: ['state', 'iteration_counters'] });
      await solver.compile();
      const times = [];
      let result;
      for (let r = 0; r < reps; r++) {
        result = await solver.solve({}, { mu, sigma }, { duration: 1, saveEvery: 0.125, seed: 2026, replicates });
        times.push((result.timings.runMs * 1000) / runs);
      }
      solver.close();
      timed[cpuLanes] = { us: best(times), result };
    }
    const lanes = timed.auto, scalar = timed[1];
    const counters = scalar.result.iterationCounters;
    rows.push([precision, `${sets} x ${replicates}`, lanes.result.kernel.lanes, fmtUs(lanes.us), fmtUs(scalar.us), fmtRatio(scalar.us / lanes.us),
      mean(counters.accepted).toFixed(1), mean(counters.rejected).toFixed(1), identical(lanes.result, scalar.result) ? 'yes' : 'NO']);
  }
  const text = [
    `GBM, milstein-adaptive, t = 1, atol = rtol = 1e-3, CPU backend, one thread; time per trajectory, best of ${reps}.`,
    table(['precision', 'runs', 'lanes', 'lanes us/traj', 'scalar us/traj', 'speed-up', 'accepted', 'rejected', 'bit for bit'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
  return { text };
}

module.exports = { name: 'sde-adaptive-lanes', title: 'Adaptive stochastic steps (milstein-adaptive) in SIMD lanes against the scalar engine', run };

if (require.main === module) printTable(run);
