'use strict';
// Table `step-control`: which step-control defaults (minGain, maxGain) take
// the fewest steps at equal accuracy. For each problem, method and candidate,
// a tolerance sweep gives a work-precision curve (attempted steps against
// the error at the end); each candidate's steps are compared with the
// current defaults' at the same error, interpolated in log-log. This is the
// measurement behind the defaults in the README ("Why the step-control
// defaults are what they are").
//
// Non-stiff problems have exact answers (Kepler and Arenstorf orbits return to
// their start after a period) or a reference from vern7 at rtol 1e-13 (Lorenz,
// Van der Pol mu = 1). Stiff problems come from the IVP Test Set fixture with
// its published reference values.

const fs = require('fs');
const path = require('path');
const { fmtRatio, table } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const TESTSET = path.join(__dirname, '..', 'test', 'fixtures', 'stiff', 'ivp-testset.json');

// A: today's defaults (CuBIE's gain limits, PI 0.7/-0.4); B, C: wider gain limits; D: Hairer's DOPRI5
// PI (beta = 0.04: kp = 1 - 0.75*0.04*k, ki = -0.04*k with k = 5) with its limits; E: scipy's pure I control.
const CANDIDATES = [
  { label: 'A', text: 'minGain 0.3, maxGain 2, kp 0.7, ki -0.4 (today, CuBIE)', minGain: 0.3, maxGain: 2 },
  { label: 'B', text: 'minGain 0.2, maxGain 5', minGain: 0.2, maxGain: 5 },
  { label: 'C', text: 'minGain 0.2, maxGain 10', minGain: 0.2, maxGain: 10 },
  { label: 'D', text: 'minGain 0.2, maxGain 10, kp 0.85, ki -0.2 (Hairer DOPRI5)', minGain: 0.2, maxGain: 10, kp: 0.85, ki: -0.2, explicitOnly: true },
  { label: 'E', text: "minGain 0.2, maxGain 10, kp 1, ki 0 (scipy's I control)", minGain: 0.2, maxGain: 10, kp: 1, ki: 0, explicitOnly: true },
];

const ARENSTORF_T = 17.0652165601579625588917206249;

function nonStiff(createSystem) {
  return [
    {
      name: 'kepler e=0.5, 3 periods',
      system: createSystem({ name: 'kepler', equations: 'r3 = (q1^2 + q2^2)^1.5\ndq1 = p1\ndq2 = p2\ndp1 = -q1/r3\ndp2 = -q2/r3', states: { q1: 0.5, q2: 0, p1: 0, p2: Math.sqrt(3) } }),
      duration: 6 * Math.PI,
      reference: [0.5, 0, 0, Math.sqrt(3)],
    },
    {
      name: 'arenstorf, 1 period',
      system: createSystem({
        name: 'arenstorf',
        equations: 'mu = 0.012277471\nnu = 1 - mu\nD1 = ((x + mu)^2 + y^2)^1.5\nD2 = ((x - nu)^2 + y^2)^1.5\ndx = u\ndy = v\ndu = x + 2*v - nu*(x + mu)/D1 - mu*(x - nu)/D2\ndv = y - 2*u - nu*y/D1 - mu*y/D2',
        states: { x: 0.994, y: 0, u: 0, v: -2.00158510637908252240537862224 },
      }),
      duration: ARENSTORF_T,
      reference: [0.994, 0, 0, -2.00158510637908252240537862224],
    },
    { name: 'lorenz, t = 2', system: createSystem({ name: 'lorenz_sc', equations: 'dx = 10*(y - x)\ndy = x*(28 - z) - y\ndz = x*y - 8/3*z', states: { x: 1, y: 1, z: 1 } }), duration: 2 },
    { name: 'van der pol mu=1, t = 20', system: createSystem({ name: 'vdp1', equations: 'dx = y\ndy = (1 - x^2)*y - x', states: { x: 2, y: 0 } }), duration: 20 },
  ];
}

function stiff(createSystem) {
  if (!fs.existsSync(TESTSET)) return [];
  const { problems } = JSON.parse(fs.readFileSync(TESTSET, 'utf8'));
  return Object.entries(problems).map(([name, p]) => ({
    name,
    system: createSystem({ name: `testset_${name}`, equations: p.equations, states: p.states, constants: p.constants }),
    duration: p.tend - p.t0,
    t0: p.t0,
    reference: p.reference,
    atolScale: p.atolHint ?? 1,
  }));
}

async function finalState(Solver, problem, options) {
  const solver = new Solver(problem.system, { backend: 'cpu', outputTypes: ['state', 'iteration_counters'], maxSteps: 2e6, ...options });
  const r = await solver.solve({}, {}, { duration: problem.duration, t0: problem.t0 ?? 0 });
  const n = problem.system.states.length;
  const y = Array.from(r.timeDomain.subarray(n)); // the last save, one run
  const steps = r.iterationCounters.accepted[0] + r.iterationCounters.rejected[0];
  return { status: r.status[0], y, steps };
}

/** Max over components of |y - ref| / (atol + rtol |ref|) at the reference tolerance 1e-6: one scale for every run of a problem. */
function errorOf(y, reference, atolScale) {
  return Math.max(...y.map((v, i) => Math.abs(v - reference[i]) / (1e-6 * atolScale + 1e-6 * Math.abs(reference[i]))));
}

/** log(steps) of a curve at log(error) e, by linear interpolation between the two nearest points (ends extended). */
function stepsAt(curve, e) {
  const pts = curve.filter((p) => p.err > 0 && Number.isFinite(p.err)).map((p) => [Math.log(p.err), Math.log(p.steps)]).sort((a, b) => a[0] - b[0]);
  if (pts.length < 2) return NaN;
  const x = Math.log(e);
  let i = pts.findIndex((p) => p[0] >= x);
  if (i <= 0) i = i === 0 ? 1 : pts.length - 1;
  const [x0, y0] = pts[i - 1];
  const [x1, y1] = pts[i];
  return Math.exp(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0 || 1));
}

async function measure(Solver, problems, methods, tolerances, candidates) {
  const rows = [];
  for (const problem of problems) {
    if (!problem.reference) {
      const ref = await finalState(Solver, problem, { method: 'vern7', rtol: 1e-13, atol: 1e-13 });
      problem.reference = ref.y;
    }
    for (const method of methods) {
      const curves = [];
      for (const c of candidates) {
        const curve = [];
        for (const rtol of tolerances) {
          const gains = c.kp === undefined ? {} : { kp: c.kp, ki: c.ki };
          const got = await finalState(Solver, problem, { method, rtol, atol: rtol * (problem.atolScale ?? 1), minGain: c.minGain, maxGain: c.maxGain, ...gains });
          curve.push({ rtol, steps: got.steps, status: got.status, err: got.status === 0 ? errorOf(got.y, problem.reference, problem.atolScale ?? 1) : NaN });
        }
        curves.push(curve);
      }
      const base = curves[0];
      const cells = curves.map((curve, k) => {
        const failed = curve.filter((p) => p.status !== 0).length;
        const steps = curve.reduce((s, p) => s + p.steps, 0);
        if (k === 0) return `${steps}${failed ? ` (${failed} failed)` : ''}`;
        const ratios = curve.filter((p) => p.status === 0).map((p) => stepsAt(base, p.err) / p.steps).filter(Number.isFinite);
        const gm = ratios.length ? Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length) : NaN;
        return `${steps}, ${fmtRatio(gm)}${failed ? ` (${failed} failed)` : ''}`;
      });
      rows.push([problem.name, method, ...cells]);
    }
  }
  return rows;
}

async function run() {
  const { createSystem, Solver } = require(DIST);
  const headerOf = (candidates) => ['problem', 'method', ...candidates.map((c, k) => (k === 0 ? `${c.label}: steps` : `${c.label}: steps, gain`))];
  const stiffCandidates = CANDIDATES.filter((c) => !c.explicitOnly);
  const explicitRows = await measure(Solver, nonStiff(createSystem), ['tsit5', 'dormand-prince-54', 'dop853', 'bogacki-shampine-32'], [1e-4, 1e-6, 1e-8, 1e-10], CANDIDATES);
  const stiffProblems = stiff(createSystem);
  const stiffRows = stiffProblems.length ? await measure(Solver, stiffProblems, ['rodas4', 'radau', 'kvaerno5'], [1e-5, 1e-7, 1e-9], stiffCandidates) : [];
  const alignOf = (header) => header.map((_, c) => (c < 2 ? 'l' : 'r'));
  const text = [
    ...CANDIDATES.map((c) => `${c.label}: ${c.text}`),
    'steps: attempted steps summed over the tolerance sweep; gain: the geometric mean over the sweep of',
    "(A's steps at this candidate's error) / (this candidate's steps), so above 1x the candidate is cheaper at equal accuracy.",
    '',
    'Non-stiff (rtol = atol = 1e-4, 1e-6, 1e-8, 1e-10):',
    table(headerOf(CANDIDATES), explicitRows, alignOf(headerOf(CANDIDATES))),
    '',
    stiffRows.length
      ? `Stiff, IVP Test Set (rtol = 1e-5, 1e-7, 1e-9; atol = rtol x the problem's scale):\n${table(headerOf(stiffCandidates), stiffRows, alignOf(headerOf(stiffCandidates)))}`
      : `Stiff: SKIP (no ${path.relative(process.cwd(), TESTSET)})`,
  ].join('\n');
  return { text };
}

module.exports = { name: 'step-control', title: 'Step-control defaults: steps at equal accuracy', run };

if (require.main === module) {
  run().then(({ text }) => console.log(text), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
