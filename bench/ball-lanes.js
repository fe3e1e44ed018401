'use strict';
// The ball-lanes bench: examples/bouncing-ball.yaml's system (a crossing
// event, terminal at the 20th impact) in SIMD lanes against the scalar
// engine (cpuLanes: 1), tsit5 at rtol = atol = 1e-9, t in [0, 8], drop
// heights 1 to 10 and restitutions 0.5 to 0.9 across the runs, CPU backend,
// one thread, float64, at three save densities: every 0.5 and every 0.02
// (saves landed on), and the example's own every 0.01 interpolated (800 a
// run). Columns: microseconds per trajectory (result.timings.runMs over the
// runs, the best of the rounds, lanes and scalar rounds alternating), their
// ratio, steps and impacts per run, and whether both engines recorded the
// same impacts (count, time and state) bit for bit.
//
// Environment:
//   CUBIE_BENCH_BALL_RUNS   runs, default 4096
//   CUBIE_BENCH_REPS        timed rounds per engine (default 3)
//
//   node bench/ball-lanes.js        prints the table (after npm run build:ts)
//   node bench/run.js ball-lanes    the same through the bench runner

const path = require('path');
const { intEnv, best, fmtUs, fmtRatio, table, progressFor, printTable } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const progress = progressFor('ball-lanes');

const SAVES = [
  { label: 'every 0.5, landed', saveEvery: 0.5, saveMode: 'step' },
  { label: 'every 0.02, landed', saveEvery: 0.02, saveMode: 'step' },
  { label: 'every 0.01, interpolated', saveEvery: 0.01, saveMode: 'interpolate' },
];

function sameEvents(a, b) {
  for (const field of ['count', 'which', 'time', 'state']) {
    const x = a.events[field], y = b.events[field];
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

const mean = (a) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

async function run() {
  const { createSystem, Solver } = require(DIST);
  const runs = intEnv('CUBIE_BENCH_BALL_RUNS', 4096, 8);
  const reps = intEnv('CUBIE_BENCH_REPS', 3, 1);
  const ball = createSystem({
    name: 'bench_ball_lanes',
    equations: 'dy = v\ndv = -g',
    states: { y: 10, v: 0 },
    parameters: { g: 9.81, k: 0.8 },
    events: [{ name: 'bounce', when: 'y', direction: 'falling', then: 'v = -k*v', terminal: 20 }],
  });
  const y = Float64Array.from({ length: runs }, (_, i) => 1 + (9 * i) / runs);
  const k = Float64Array.from({ length: runs }, (_, i) => 0.5 + (0.4 * ((i * 7) % runs)) / runs);
  const rows = [];
  for (const saves of SAVES) {
    const solvers = {}, times = { auto: [], 1: [] }, results = {};
    for (const cpuLanes of ['auto', 1]) {
      solvers[cpuLanes] = new Solver(ball, { method: 'tsit5', backend: 'cpu', threads: 1, cpuLanes, rtol: 1e-9, atol: 1e-9, outputTypes: ['state', 'events', 'iteration_counters'], maxEventRecords: 20 });
      await solvers[cpuLanes].compile();
    }
    const options = { duration: 8, saveEvery: saves.saveEvery, saveMode: saves.saveMode };
    for (let r = 0; r < reps; r++) {
      for (const cpuLanes of ['auto', 1]) {
        progress(`${saves.label}, cpuLanes ${cpuLanes}, round ${r + 1}`);
        const result = await solvers[cpuLanes].solve({ y }, { k }, options);
        times[cpuLanes].push((result.timings.runMs * 1000) / runs);
        results[cpuLanes] = result;
      }
    }
    for (const s of Object.values(solvers)) s.close();
    const lanes = best(times.auto), scalar = best(times[1]);
    rows.push([saves.label, results.auto.kernel.lanes, fmtUs(lanes), fmtUs(scalar), fmtRatio(scalar / lanes),
      mean(results[1].iterationCounters.accepted).toFixed(1), mean(results[1].events.count).toFixed(1), sameEvents(results.auto, results[1]) ? 'yes' : 'NO']);
  }
  const text = [
    `Bouncing ball (examples/bouncing-ball.yaml's system), ${runs} runs, tsit5, rtol = atol = 1e-9, t in [0, 8], float64, CPU backend, one thread; time per trajectory, best of ${reps} alternating rounds.`,
    table(['saves', 'lanes', 'lanes us/traj', 'scalar us/traj', 'speed-up', 'steps/run', 'impacts/run', 'same impacts'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
  return { text };
}

module.exports = { name: 'ball-lanes', title: 'A crossing event in SIMD lanes against the scalar engine at three save densities', run };

if (require.main === module) printTable(run);
