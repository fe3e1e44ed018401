'use strict';
// The krylov-lanes bench: GMRES in SIMD lanes (kernel/cubie/lane_krylov.h)
// against the scalar engine (cpuLanes: 1) on the 1-D Brusselator with
// diffusion of bench/sparse-linear.js (BRUSS, u and v interleaved, N states,
// the diffusion coefficient swept over alpha (N/2+1)^2, alpha in
// [1/100, 1/25]), t in [0, 10], rtol 1e-6, atol 1e-8, float64, CPU backend,
// one thread. Columns: microseconds per trajectory (result.timings.runMs over
// the runs, the best of the rounds) in lanes and on the scalar engine, their
// ratio, the lane width, and whether the two engines' saved states and
// counters are the same bit for bit (a right-hand side of + - * only).
//
// Environment:
//   CUBIE_BENCH_KRYLOV_SIZES    states (even), default 64
//   CUBIE_BENCH_KRYLOV_RUNS     runs, default 1024
//   CUBIE_BENCH_KRYLOV_CASES    method:solver pairs, default rodas4:gmres,rodas4:gmres-ilu0
//   CUBIE_BENCH_REPS            timed rounds (default 2)
//
//   node bench/krylov-lanes.js        prints the table (after npm run build:ts)
//   node bench/run.js krylov-lanes    the same through the bench runner

const path = require('path');
const { identical, brusselator, listEnv, intEnv, best, fmtUs, fmtRatio, table, progressFor, printTable } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const progress = progressFor('krylov-lanes');

async function run() {
  const { createSystem, Solver } = require(DIST);
  const sizes = listEnv('CUBIE_BENCH_KRYLOV_SIZES', ['64']).map(Number);
  const runs = intEnv('CUBIE_BENCH_KRYLOV_RUNS', 1024, 1);
  const cases = listEnv('CUBIE_BENCH_KRYLOV_CASES', ['rodas4:gmres', 'rodas4:gmres-ilu0']).map((s) => s.split(':'));
  const reps = intEnv('CUBIE_BENCH_REPS', 2, 1);
  const rows = [];
  for (const n of sizes) {
    const system = createSystem(brusselator(n / 2));
    const c0 = (n / 2 + 1) ** 2;
    const c = Array.from({ length: runs }, (_, k) => c0 * (1 / 100 + ((1 / 25 - 1 / 100) * k) / Math.max(1, runs - 1)));
    for (const [method, linearSolver] of cases) {
      const timed = {};
      for (const cpuLanes of ['auto', 1]) {
        progress(`${n} states, ${method}, ${linearSolver}, cpuLanes ${cpuLanes}`);
        const solver = new Solver(system, { method, linearSolver, backend: 'cpu', threads: 1, cpuLanes, rtol: 1e-6, atol: 1e-8, maxSteps: 1e5, outputTypes: ['state', 'iteration_counters'] });
        await solver.compile();
        const times = [];
        let result;
        for (let r = 0; r < reps; r++) {
          result = await solver.solve({}, { c }, { duration: 10, saveEvery: 1, gridType: 'combinatorial' });
          times.push((result.timings.runMs * 1000) / runs);
        }
        solver.close();
        timed[cpuLanes] = { us: best(times), result };
      }
      const lanes = timed.auto, scalar = timed[1];
      const lin = Array.from(scalar.result.iterationCounters.linearIterations).reduce((a, b) => a + b, 0) / runs;
      rows.push([n, runs, method, linearSolver, lanes.result.kernel.lanes, fmtUs(lanes.us), fmtUs(scalar.us), fmtRatio(scalar.us / lanes.us), lin.toFixed(0), identical(lanes.result, scalar.result) ? 'yes' : 'NO']);
    }
  }
  const text = [
    `1-D Brusselator, t = 10, rtol 1e-6, atol 1e-8, float64, CPU backend, one thread; time per trajectory, best of ${reps}.`,
    table(['states', 'runs', 'method', 'linear solver', 'lanes', 'lanes us/traj', 'scalar us/traj', 'speed-up', 'lin. iters', 'bit for bit'], rows, ['r', 'r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
  return { text };
}

module.exports = { name: 'krylov-lanes', title: 'GMRES in SIMD lanes against the scalar engine on a reaction-diffusion chain', run };

if (require.main === module) printTable(run);
