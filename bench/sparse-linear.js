'use strict';
// The sparse-linear bench: a 1-D Brusselator with diffusion (Hairer & Wanner
// II, BRUSS; u and v interleaved, so J is banded with 6 or fewer nonzeros a
// row) of 16 to 512 states, solved by rodas4 and kvaerno5 on the CPU backend,
// one thread, with each linear solver: today's dense LU, the sparse LU on J's
// pattern, and GMRES with ILU(0) / Jacobi / no preconditioner. A sweep over
// the diffusion coefficient (alpha in [1/100, 1/25], stiffness alpha (cells+1)^2
// up to 2,600 at 512 states), t in [0, 10], rtol 1e-6, atol 1e-8, float64.
//
// Columns: microseconds per trajectory (the best of the rounds), the ratio
// to dense, the largest difference of the final states from dense in units of
// the tolerance, and the bytes of the linear solver's working storage per
// trajectory, from the sizes the generated kernel declares (n_factor,
// n_jacobian): dense keeps 2 N^2 reals (the LU and J) and N pivots; sparse
// keeps J's nonzeros and L+U's; GMRES holds its basis, (M+1) N reals, and the
// preconditioned kinds J's nonzeros and the preconditioner's.
// Also the fill: entries of L+U in the minimum-degree order against the natural one.
//
// Environment:
//   CUBIE_BENCH_SPARSE_SIZES    states (even), default 16,32,64,128,256,512
//   CUBIE_BENCH_SPARSE_METHODS  default rodas4,kvaerno5
//   CUBIE_BENCH_SPARSE_SOLVERS  default dense,sparse,gmres-ilu0,gmres-jacobi,gmres; the last
//                               two only up to 64 states unless named here (they lose to
//                               dense at every size, and take minutes at 256 and up)
//   CUBIE_BENCH_REPS            timed rounds (default 2)
//
//   node bench/sparse-linear.js        prints the table
//   node bench/run.js sparse-linear    the same through the bench runner

const path = require('path');
const { brusselator, listEnv, intEnv, best, fmtInt, fmtUs, fmtRatio, table, progressFor, printTable } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const RTOL = 1e-6;
const ATOL = 1e-8;
const T1 = 10;
const progress = progressFor('sparse-linear');

/** Fewer runs as N grows, so each size takes seconds on one thread. */
function runsFor(n) {
  return n <= 32 ? 128 : n <= 64 ? 64 : n <= 128 ? 32 : n <= 256 ? 8 : 4;
}

/** Bytes of the linear solver's storage per trajectory, from the generated sizes. */
function storageBytes(solver, n, source) {
  const int = (re) => Number((re.exec(source) || [])[1] || 0);
  const nnzJ = int(/static constexpr int n_jacobian = (\d+);/);
  const nFactor = int(/static constexpr int n_factor = (\d+);/);
  const m = Math.min(n, 16);
  const gmres = 8 * ((m + 1) * n + (m + 1) * m + 3 * m + 1 + 2 * n);
  switch (solver) {
    case 'dense':
      return 8 * 2 * n * n + 4 * n;
    case 'sparse':
      return 8 * (nnzJ + nFactor);
    case 'gmres':
      return gmres;
    default:
      return 8 * (nnzJ + nFactor) + gmres;
  }
}

async function run() {
  const { createSystem, Solver } = require(DIST);
  const { generateKernel } = require(path.join(DIST, 'codegen', 'generate'));
  const { jacobianPattern, luStructure, naturalOrder, sparseLuStructure } = require(path.join(DIST, 'codegen', 'sparsity'));
  const sizes = listEnv('CUBIE_BENCH_SPARSE_SIZES', ['16', '32', '64', '128', '256', '512']).map(Number);
  const methods = listEnv('CUBIE_BENCH_SPARSE_METHODS', ['rodas4', 'kvaerno5']);
  const named = process.env.CUBIE_BENCH_SPARSE_SOLVERS !== undefined && process.env.CUBIE_BENCH_SPARSE_SOLVERS.trim() !== '';
  const allSolvers = listEnv('CUBIE_BENCH_SPARSE_SOLVERS', ['dense', 'sparse', 'gmres-ilu0', 'gmres-jacobi', 'gmres']);
  const solversFor = (n) => (named || n <= 64 ? allSolvers : allSolvers.filter((s) => s !== 'gmres' && s !== 'gmres-jacobi'));
  const reps = intEnv('CUBIE_BENCH_REPS', 2, 1);
  const rows = [];
  const fillRows = [];
  const misses = [];
  for (const n of sizes) {
    const system = createSystem(brusselator(n / 2));
    const pattern = jacobianPattern(system);
    const md = sparseLuStructure(pattern);
    const natural = luStructure(pattern, naturalOrder(n));
    fillRows.push([n, fmtInt(pattern.rows.length), fmtInt(natural.nnz), fmtInt(md.nnz), fmtInt(md.flops)]);
    const runs = runsFor(n);
    const c0 = (n / 2 + 1) ** 2;
    const c = Array.from({ length: runs }, (_, k) => c0 * (1 / 100 + ((1 / 25 - 1 / 100) * k) / Math.max(1, runs - 1)));
    for (const method of methods) {
      let dense;
      for (const linearSolver of solversFor(n)) {
        progress(`${n} states, ${method}, ${linearSolver}`);
        const options = { method, linearSolver, backend: 'cpu', threads: 1, rtol: RTOL, atol: ATOL, maxSteps: 1e5, outputTypes: ['state', 'iteration_counters'] };
        const solver = new Solver(system, options);
        const source = generateKernel(system, { method, linearSolver }).source;
        await solver.compile();
        const times = [];
        let result;
        for (let r = 0; r < reps; r++) {
          result = await solver.solve({}, { c }, { duration: T1, gridType: 'combinatorial' });
          times.push((result.timings.runMs * 1000) / runs);
        }
        solver.close();
        const final = result.timeDomain.subarray(result.timeDomain.length - n * runs);
        const failed = Array.from(result.status).filter((s) => s !== 0).length;
        const us = best(times);
        let diff = 0;
        if (dense === undefined) dense = { us, final };
        else for (let i = 0; i < final.length; i++) diff = Math.max(diff, Math.abs(final[i] - dense.final[i]) / (ATOL + RTOL * Math.abs(dense.final[i])));
        const ratio = dense.us / us;
        const steps = (Array.from(result.iterationCounters.accepted).reduce((a, b) => a + b, 0) / runs).toFixed(0);
        const lin = (Array.from(result.iterationCounters.linearIterations).reduce((a, b) => a + b, 0) / runs).toFixed(0);
        if (linearSolver === 'sparse' && n >= 64 && ratio < 3) misses.push(`${method} ${n} states: sparse ${fmtRatio(ratio)} of dense`);
        rows.push([n, runs, method, linearSolver, fmtUs(us), linearSolver === 'dense' ? '1x' : fmtRatio(ratio), diff.toFixed(2), steps, lin, fmtInt(storageBytes(linearSolver, n, source)), failed]);
      }
    }
  }
  // The chain is banded, where the natural order is already best; a 2-D grid (5-point stencil,
  // row by row) is where the order matters: natural fills the band, minimum degree much less.
  for (const side of [8, 16, 22]) {
    const grid = { n: side * side, rows: [], cols: [] };
    for (let r = 0; r < side; r++) {
      for (let q = 0; q < side; q++) {
        const i = r * side + q;
        const near = [[r - 1, q], [r, q - 1], [r, q], [r, q + 1], [r + 1, q]].filter(([a, b]) => a >= 0 && a < side && b >= 0 && b < side);
        for (const [a, b] of near) (grid.rows.push(i), grid.cols.push(a * side + b));
      }
    }
    const md = sparseLuStructure(grid);
    fillRows.push([`${grid.n} (2-D grid ${side}x${side})`, fmtInt(grid.rows.length), fmtInt(luStructure(grid, naturalOrder(grid.n)).nnz), fmtInt(md.nnz), fmtInt(md.flops)]);
  }
  const text = [
    `1-D Brusselator, t = ${T1}, rtol ${RTOL}, atol ${ATOL}, float64, CPU backend, one thread; time per trajectory, best of ${reps}.`,
    table(
      ['states', 'runs', 'method', 'linear solver', 'us/traj', 'vs dense', 'diff (tol)', 'steps', 'lin. iters', 'bytes/traj', 'failed'],
      rows,
      ['r', 'r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Fill: entries of L+U (diagonal included) in the natural and the minimum-degree order, and multiply-adds per sparse factorisation.',
    table(['states', 'nnz(J)', 'natural', 'min. degree', 'flops'], fillRows, ['r', 'r', 'r', 'r', 'r']),
    '',
    misses.length === 0 ? 'target (sparse >= 3x faster than dense from 64 states): met' : `MISS target (sparse >= 3x dense from 64 states): ${misses.join('; ')}`,
  ].join('\n');
  return { text };
}

module.exports = { name: 'sparse-linear', title: 'Linear solvers on a reaction-diffusion chain: dense, sparse, preconditioned GMRES', run };

if (require.main === module) printTable(run);
