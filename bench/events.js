'use strict';
// Table `events`: what saving densely and finding events cost, CPU backend.
//
// 1. Lorenz (rho swept), tsit5, rtol = atol = 1e-8, t in [0, 10], 1,000
//    saves per run: steps and time with saveMode 'interpolate' and 'step',
//    against the same runs saving only the start and the end. Target:
//    'interpolate' takes no more steps than saving nothing.
// 2. A bouncing ball (restitution and height swept; a crossing with an
//    assignment, terminal at the 20th impact) against the same system
//    without events over the same span: the events' overhead per run. The
//    runs without events fall through the floor; their steps are the cost of
//    the plain integration.
// Both measured in one process, one thread and all cores; runs from
// CUBIE_BENCH_EVENT_RUNS (default 65,536).

const path = require('path');
const { fmtInt, fmtRatio, fmtUs, intEnv, nowS, table } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');

const head = (inputs) => Object.fromEntries(Object.entries(inputs).map(([name, values]) => [name, values.subarray(0, 64)]));

async function timed(solver, y0, parameters, options) {
  await solver.solve(head(y0), head(parameters), options); // compile and warm on a few runs
  const start = nowS();
  const result = await solver.solve(y0, parameters, options);
  const seconds = nowS() - start;
  const accepted = result.iterationCounters.accepted;
  const rejected = result.iterationCounters.rejected;
  let steps = 0;
  for (let r = 0; r < result.nRuns; r++) steps += accepted[r] + rejected[r];
  return { result, seconds, stepsPerRun: steps / result.nRuns };
}

async function run() {
  const { createSystem, Solver } = require(DIST);
  const runs = intEnv('CUBIE_BENCH_EVENT_RUNS', 65536, 1);
  const cores = require('os').cpus().length;
  const rows = [];

  const lorenz = createSystem({ name: 'lorenz_bench_saving', equations: 'dx = 10*(y - x)\ndy = x*(rho - z) - y\ndz = x*y - 8/3*z', states: { x: 1, y: 1, z: 1 }, parameters: { rho: 28 } });
  const rho = Float64Array.from({ length: runs }, (_, i) => 20 + (15 * i) / runs);
  const lorenzOptions = { duration: 10, rtol: 1e-8, atol: 1e-8 };
  const lorenzCases = [
    ['start and end only', 'step', {}],
    ["1,000 saves, saveMode 'step'", 'step', { saveEvery: 0.01 }],
    ["1,000 saves, saveMode 'interpolate'", 'interpolate', { saveEvery: 0.01 }],
  ];
  for (const threads of [1, cores]) {
    let baseSteps;
    for (const [label, saveMode, extra] of lorenzCases) {
      const solver = new Solver(lorenz, { method: 'tsit5', saveMode, backend: 'cpu', outputTypes: ['state', 'iteration_counters'], threads });
      const m = await timed(solver, {}, { rho }, { ...lorenzOptions, ...extra });
      baseSteps ??= m.stepsPerRun;
      rows.push([`Lorenz: ${label}`, threads, fmtInt(runs), m.stepsPerRun.toFixed(1), fmtRatio(m.stepsPerRun / baseSteps), fmtUs((m.seconds * 1e6) / runs)]);
    }
  }

  const ballDefinition = (events) => ({ name: events.length ? 'ball_bench_events' : 'ball_bench_plain', equations: 'dy = v\ndv = -g', states: { y: 10, v: 0 }, parameters: { g: 9.81, k: 0.8 }, events });
  const withEvents = createSystem(ballDefinition([{ name: 'bounce', when: 'y', direction: 'falling', then: 'v = -k*v', terminal: 20 }]));
  const without = createSystem(ballDefinition([]));
  const k = Float64Array.from({ length: runs }, (_, i) => 0.7 + (0.25 * (i % 256)) / 256);
  const y = Float64Array.from({ length: runs }, (_, i) => 5 + Math.floor(i / 256) / 32);
  const ballOptions = { duration: 30, rtol: 1e-8, atol: 1e-8 };
  const targets = [];
  for (const threads of [1, cores]) {
    const plain = await timed(new Solver(without, { backend: 'cpu', outputTypes: ['state', 'iteration_counters'], threads }), { y }, { k }, ballOptions);
    const events = await timed(new Solver(withEvents, { backend: 'cpu', outputTypes: ['state', 'events', 'iteration_counters'], threads }), { y }, { k }, { ...ballOptions, maxEventRecords: 4 });
    const terminated = Array.from(events.result.status).filter((s) => s === 16).length;
    rows.push(['ball: no events', threads, fmtInt(runs), plain.stepsPerRun.toFixed(1), '1.00x', fmtUs((plain.seconds * 1e6) / runs)]);
    rows.push([`ball: 20 bounces, terminal (${fmtInt(terminated)} ended)`, threads, fmtInt(runs), events.stepsPerRun.toFixed(1), fmtRatio(events.stepsPerRun / plain.stepsPerRun), fmtUs((events.seconds * 1e6) / runs)]);
    targets.push(`ball, ${threads} thread(s): events cost ${fmtRatio(events.seconds / plain.seconds)} the time of the plain runs`);
  }

  const lorenzRows = rows.filter((r) => r[0].startsWith('Lorenz'));
  const verdicts = [1, cores].map((threads) => {
    const [base, , interpolated] = lorenzRows.filter((r) => r[1] === threads);
    const ok = Number(interpolated[3]) <= Number(base[3]) * 1.0001;
    return `${ok ? 'PASS' : 'MISS'}: ${threads} thread(s), 'interpolate' with 1,000 saves takes ${interpolated[3]} steps per run against ${base[3]} saving nothing`;
  });
  const header = ['case', 'threads', 'runs', 'steps/run', 'steps ratio', 'us/run'];
  const text = [
    table(header, rows, ['l', 'r', 'r', 'r', 'r', 'r']),
    '',
    "steps ratio: against the first row of its group (Lorenz saving only start and end; the ball without events).",
    ...verdicts,
    ...targets,
  ].join('\n');
  return { text };
}

module.exports = { name: 'events', title: 'Dense saving and events: steps and time (CPU)', run };

if (require.main === module) {
  run().then(({ text }) => console.log(text), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
