'use strict';
// The stiff bench: Robertson's chemical kinetics over a sweep of rate
// constants, solved by cubie's rodas4 and radau on the CPU backend and by
// scipy's Radau (with the analytic Jacobian) on an evenly spaced sample of
// the same runs, timed side by side in interleaved rounds. See docs/implicit.md.
//
// The problem: y1' = -k1 y1 + k3 y2 y3, y2' = k1 y1 - k2 y2^2 - k3 y2 y3,
// y3' = k2 y2^2, y = (1, 0, 0), t in [0, 100], k1 = 0.04, and (k2, k3) on a
// grid k2 = 3e7 * 10^u, k3 = 1e4 * 10^v, u, v in [-1, 1] (stiffness from about
// 1e3 to 1e5); rtol = 1e-6, atol = 1e-10, float64; only the final state is kept.
//
// Environment:
//   CUBIE_BENCH_STIFF_RUNS    ensemble size, a square (default 4096 = 64 x 64)
//   CUBIE_BENCH_STIFF_SAMPLE  runs in the scipy sample (default 32)
//   CUBIE_BENCH_REPS          timed rounds (default 3; best and median shown)
//   CUBIE_BENCH_PYTHON        python interpreter for the scipy row (default python3)
//   CUBIE_BENCH_LINEAR=1      also measure dense LU against matrix-free GMRES on a stiff
//                             diffusion-reaction chain of 16..192 states: the measurement
//                             behind the LU/Krylov switch (src/codegen/linear-solver.ts)
//   CUBIE_BENCH_LINEAR_SIZES  the chain lengths for it (default 16,32,64,128,192)
//
//   node bench/stiff.js          prints the table
//   require('./stiff').run()     resolves to { text } (bench/run.js prints it)

const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const { intEnv, sampleIndices, nowS, best, median, mean, fmtUs, fmtRatio, table, progressFor } = require('./support');

const T1 = 100;
const RTOL = 1e-6;
const ATOL = 1e-10;
const K1 = 0.04;
const METHODS = ['rodas4', 'radau'];
const SYSTEM = {
  name: 'robertson_bench',
  equations: ['dy1 = -k1*y1 + k3*y2*y3', 'dy2 = k1*y1 - k2*y2^2 - k3*y2*y3', 'dy3 = k2*y2^2'],
  states: { y1: 1, y2: 0, y3: 0 },
  parameters: { k1: K1, k2: 3e7, k3: 1e4 },
};

// scipy's side: one solve_ivp(method='Radau', jac=...) per run, the way a scipy user would
// write it; JSON in on stdin, JSON out on stdout.
const SCIPY = `
import json, sys, time
import numpy as np, scipy
from scipy.integrate import solve_ivp
spec = json.load(sys.stdin)
k1, t1, rtol, atol = spec['k1'], spec['t1'], spec['rtol'], spec['atol']
seconds = []
for rep in range(spec['reps']):
    final, steps, nfev, njev, failed = [], [], [], [], 0
    start = time.perf_counter()
    for k2, k3 in zip(spec['k2'], spec['k3']):
        def f(t, y, k2=k2, k3=k3):
            return np.array([-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2], k2 * y[1] ** 2])
        def jac(t, y, k2=k2, k3=k3):
            return np.array([[-k1, k3 * y[2], k3 * y[1]], [k1, -2 * k2 * y[1] - k3 * y[2], -k3 * y[1]], [0.0, 2 * k2 * y[1], 0.0]])
        sol = solve_ivp(f, (0.0, t1), [1.0, 0.0, 0.0], method='Radau', jac=jac, rtol=rtol, atol=atol)
        final.append(sol.y[:, -1].tolist()); steps.append(len(sol.t) - 1); nfev.append(int(sol.nfev)); njev.append(int(sol.njev))
        failed += 0 if sol.success else 1
    seconds.append(time.perf_counter() - start)
json.dump({'scipy': scipy.__version__, 'numpy': np.__version__, 'seconds': seconds, 'final': final,
           'steps': steps, 'nfev': nfev, 'njev': njev, 'failed': failed}, sys.stdout)
`;

/** k2, k3 for each run of a side x side grid, row-major. */
function rateGrid(side) {
  const k2 = new Float64Array(side * side);
  const k3 = new Float64Array(side * side);
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const u = side === 1 ? 0 : -1 + (2 * i) / (side - 1);
      const v = side === 1 ? 0 : -1 + (2 * j) / (side - 1);
      k2[i * side + j] = 3e7 * 10 ** u;
      k3[i * side + j] = 1e4 * 10 ** v;
    }
  }
  return { k2, k3 };
}

const progress = progressFor('stiff');

function runScipy(k2, k3, reps) {
  const python = process.env.CUBIE_BENCH_PYTHON || 'python3';
  const input = JSON.stringify({ k1: K1, k2: Array.from(k2), k3: Array.from(k3), t1: T1, rtol: RTOL, atol: ATOL, reps });
  const r = spawnSync(python, ['-c', SCIPY], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) return { skipped: r.error.code === 'ENOENT' ? `${python} not found` : `${python} failed to start: ${r.error.message}` };
  if (r.status !== 0) return { skipped: `scipy row failed: ${String(r.stderr || '').trim().split('\n').pop() || `exit status ${r.status}`}` };
  return JSON.parse(r.stdout);
}

/** u_i' = d (u_{i-1} - 2 u_i + u_{i+1}) - k u_i^2, u_0 = 1, u_{n+1} = 0, d = (n + 1)^2: stiffness ~4 (n + 1)^2. */
function chain(n) {
  const equations = Array.from({ length: n }, (_, j) => {
    const i = j + 1;
    return `du${i} = d*(${i === 1 ? '1' : `u${i - 1}`} - 2*u${i} + ${i === n ? '0' : `u${i + 1}`}) - k*u${i}^2`;
  });
  const states = Object.fromEntries(Array.from({ length: n }, (_, j) => [`u${j + 1}`, 0]));
  return { name: `chain${n}`, equations, states, parameters: { d: (n + 1) ** 2, k: 1 } };
}

/**
 * Time per trajectory of each linear solver on the chain, forced through the
 * linearSolver option ('dense' or 'gmres'), best of 3. (The sparse solvers'
 * table is bench/sparse-linear.js.)
 */
async function linearSolverTable(Solver) {
  const sizes = (process.env.CUBIE_BENCH_LINEAR_SIZES || '16,32,64,128,192').split(',').map(Number);
  const runs = 8;
  const k = Array.from({ length: runs }, (_, i) => 1 + i / runs);
  const rows = [];
  for (const n of sizes) {
    for (const method of ['rodas4', 'radau', 'kvaerno5']) {
      const us = {};
      const work = {};
      for (const kind of ['lu', 'krylov']) {
        progress(`chain of ${n}: ${method}, ${kind}`);
        const solver = new Solver(chain(n), { method, linearSolver: kind === 'lu' ? 'dense' : 'gmres', outputTypes: ['state', 'iteration_counters'] });
        await solver.compile();
        const settings = { duration: 1, rtol: RTOL, atol: 1e-8, threads: 1 };
        let result = await solver.solve({}, { k }, settings);
        const seconds = [];
        for (let rep = 0; rep < 3; rep++) {
          const started = nowS();
          result = await solver.solve({}, { k }, settings);
          seconds.push(nowS() - started);
        }
        us[kind] = (best(seconds) * 1e6) / runs;
        const c = result.iterationCounters;
        work[kind] = `${c.accepted[0]}+${c.rejected[0]} steps${kind === 'krylov' ? `, ${c.linearIterations[0]} J*v` : ''}`;
        solver.close();
      }
      rows.push([n, method, fmtUs(us.lu), work.lu, fmtUs(us.krylov), work.krylov, fmtRatio(us.krylov / us.lu)]);
    }
  }
  return [
    '',
    `LU or Krylov: a diffusion-reaction chain (d = (n + 1)^2, k in [1, 2), ${runs} runs, t in [0, 1], rtol = ${RTOL}, atol = 1e-8), 1 thread, best of 3`,
    table(['states', 'method', 'LU us/traj', 'LU work', 'Krylov us/traj', 'Krylov work', 'Krylov / LU'], rows, ['r', 'l', 'r', 'l', 'r', 'l', 'r']),
    `  the generator switches to Krylov from ${choice.KRYLOV_MIN_STATES} states (docs/implicit.md says why).`,
  ];
}

async function run() {
  const { Solver } = require(path.join(__dirname, '..', 'dist'));
  const side = Math.round(Math.sqrt(intEnv('CUBIE_BENCH_STIFF_RUNS', 4096, 1)));
  const n = side * side;
  const reps = intEnv('CUBIE_BENCH_REPS', 3, 1);
  const sample = sampleIndices(n, intEnv('CUBIE_BENCH_STIFF_SAMPLE', 32, 1));
  const { k2, k3 } = rateGrid(side);
  const threads = Math.max(1, os.cpus().length);
  const threadCounts = threads > 1 ? [1, threads] : [1];
  const options = { duration: T1, rtol: RTOL, atol: ATOL, dtMax: T1 };

  // cubie: one Solver per method, compiled and warmed up outside the timing.
  const solvers = {};
  const lastResult = {};
  for (const method of METHODS) {
    progress(`compiling ${method}`);
    solvers[method] = new Solver(SYSTEM, { method, precision: 'float64', outputTypes: ['state', 'iteration_counters'] });
    await solvers[method].compile();
    lastResult[method] = await solvers[method].solve({}, { k2, k3 }, { ...options, threads: 1 });
  }
  const times = {};
  for (let round = 0; round < reps; round++) {
    for (const method of METHODS) {
      for (const t of threadCounts) {
        progress(`round ${round + 1}/${reps}: ${method}, ${t} thread(s)`);
        const started = nowS();
        lastResult[method] = await solvers[method].solve({}, { k2, k3 }, { ...options, threads: t });
        (times[`${method}/${t}`] ??= []).push(nowS() - started);
      }
    }
  }

  progress(`scipy Radau on ${sample.length} runs`);
  const scipy = runScipy(sample.map((i) => k2[i]), sample.map((i) => k3[i]), 2);
  const scipyUs = scipy.skipped ? undefined : (best(scipy.seconds) * 1e6) / sample.length;

  const rows = [];
  const notes = [];
  const warnings = [];
  for (const method of METHODS) {
    const r = lastResult[method];
    const c = r.iterationCounters;
    const failed = Array.from(r.status).filter((s) => s !== 0).length;
    if (failed) warnings.push(`${method}: ${failed} of ${n} runs failed (status != 0)`);
    // Agreement with scipy on the sample, relative to atol + rtol |y|.
    let worst = 0;
    if (!scipy.skipped) {
      sample.forEach((run, s) => {
        ['y1', 'y2', 'y3'].forEach((name, i) => {
          const got = r.trajectory(name, run);
          const want = scipy.final[s][i];
          worst = Math.max(worst, Math.abs(got[got.length - 1] - want) / (ATOL + RTOL * Math.abs(want)));
        });
      });
      if (!(worst <= 100)) warnings.push(`${method} and scipy differ by ${worst.toFixed(1)} (atol + rtol |y|) at the final time on the sample`);
    }
    for (const t of threadCounts) {
      const us = (best(times[`${method}/${t}`]) * 1e6) / n;
      rows.push([
        `cubie CPU ${method}, ${t} thread${t === 1 ? '' : 's'}`,
        n,
        mean(Array.from(c.accepted)).toFixed(0),
        mean(Array.from(c.rhsEvaluations)).toFixed(0),
        mean(Array.from(c.jacobianEvaluations)).toFixed(0),
        fmtUs(us),
        fmtUs((median(times[`${method}/${t}`]) * 1e6) / n),
        scipyUs === undefined ? '-' : fmtRatio(scipyUs / us),
        scipy.skipped ? '' : `max diff vs scipy ${worst.toFixed(2)} tol`,
      ]);
    }
  }
  if (scipy.skipped) {
    notes.push(`scipy row skipped: ${scipy.skipped}`);
  } else {
    if (scipy.failed) warnings.push(`scipy: ${scipy.failed} runs failed`);
    rows.push([
      'scipy solve_ivp Radau (analytic J)',
      sample.length,
      mean(scipy.steps).toFixed(0),
      mean(scipy.nfev).toFixed(0),
      mean(scipy.njev).toFixed(0),
      fmtUs(scipyUs),
      fmtUs((median(scipy.seconds) * 1e6) / sample.length),
      '1.00x',
      `scipy ${scipy.scipy}, numpy ${scipy.numpy}`,
    ]);
  }

  const lines = [];
  lines.push(
    `Robertson, t in [0, ${T1}], k1 = ${K1}, k2 = 3e7 * 10^[-1, 1], k3 = 1e4 * 10^[-1, 1] on a ${side} x ${side} grid; ` +
      `rtol = ${RTOL}, atol = ${ATOL}, float64; ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`,
  );
  lines.push(`cubie: best of ${reps} interleaved rounds (median beside it); scipy: ${sample.length} evenly spaced runs of the same grid, best of 2 passes`);
  lines.push('');
  lines.push(
    table(
      ['row', 'runs', 'steps/run', 'f evals/run', 'J evals/run', 'us/trajectory', 'median', 'scipy / row', ''],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  lines.push('  us/trajectory: wall time of the batch / runs (cubie: the solve() call, output arrays included).');
  lines.push("  scipy / row: scipy Radau's time per trajectory over the row's: how many times faster the row is.");
  for (const note of notes) lines.push(`note: ${note}`);
  for (const w of warnings) lines.push(`WARNING: ${w}`);
  for (const s of Object.values(solvers)) s.close();
  if (process.env.CUBIE_BENCH_LINEAR === '1') lines.push(...(await linearSolverTable(Solver)));
  return { name: 'stiff', text: lines.join('\n'), ok: true };
}

module.exports = { name: 'stiff', title: 'Stiff: Robertson kinetics, rodas4 and radau vs scipy Radau', run };

if (require.main === module) require('./support').printTable(run);
