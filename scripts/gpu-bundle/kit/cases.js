'use strict';
// The GPU numerical checks, as data: what `npm run test:gpu`
// (test/cuda/gpu/numerics.gpu.ts) checks, runnable without jest. Used twice:
// - at bundle time, by scripts/gpu-bundle/make-refs.js, which solves every
//   case with `reference: 'cpu'` on the CPU backend of the building machine
//   and stores the outputs in the bundle (refs/), so the GPU machine needs no
//   C++ compiler for the comparison;
// - on the GPU machine, by phase-numerics.js, which solves the same cases on
//   the CUDA backend and compares.
// Every input is generated here, from the run index, so both sides agree.

const LORENZ = {
  name: 'gpu_lorenz',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
};
const DECAY = { name: 'gpu_decay', equations: ['dx = -k*x'], states: { x: 1 }, parameters: { k: 1 } };
// Van der Pol in the Lienard form, moderately stiff (mu 5 to 21): the implicit methods' check.
const VAN_DER_POL = { name: 'gpu_van_der_pol', equations: ['dx = y', 'dy = mu*((1 - x^2)*y - x)'], states: { x: 2, y: 0 }, parameters: { mu: 100 } };

// A bouncing ball with a terminal event: crossings located on the GPU, judged against the analytic impact times.
const BALL = {
  name: 'gpu_bouncing_ball',
  equations: ['dy = v', 'dv = -g'],
  states: { y: 10, v: 0 },
  parameters: { g: 9.81, k: 0.8 },
  events: [{ name: 'bounce', when: 'y', direction: 'falling', then: 'v = -k*v', terminal: 6 }],
};

/** The ball's first n impact times from rest at height y0, restitution k (each flight k times as fast as the last). */
function ballImpacts(y0, g, k, n) {
  const out = [];
  let t = Math.sqrt((2 * y0) / g);
  let speed = g * t;
  for (let i = 0; i < n; i++) {
    out.push(t);
    speed *= k;
    t += (2 * speed) / g;
  }
  return out;
}

const EXPLICIT = ['euler', 'heun', 'ralston', 'bogacki-shampine-32', 'rk4', 'fehlberg-45', 'dormand-prince-54', 'tsit5', 'cash-karp-54', 'vern7', 'dop853'];
const IMPLICIT = ['backwards-euler', 'crank-nicolson', 'implicit-midpoint', 'trapezoidal-dirk', 'sdirk-2-2', 'kvaerno3', 'kvaerno5', 'rosenbrock23', 'ros3p', 'rodas4', 'radau'];

/**
 * Every case: id, what it checks, system, settings, runs (before scaling),
 * the parameter column as a function of the run index, and how it is judged:
 * - 'analytic': against exp(-k t);
 * - 'reference': against the CPU backend's outputs stored at bundle time
 *   (compare: 'timeDomain' or 'summaries', bound, floor of the relative
 *   difference, and whether every status must be 0);
 * - 'chunking', 'devices', 'abort': the CUDA backend against itself.
 * `methods(registry)` lets the caller use the registry's names when it has them.
 */
function numericCases({ explicitMethods = EXPLICIT, implicitMethods = IMPLICIT } = {}) {
  const cases = [];
  for (const [precision, tol, bound] of [['float64', 1e-10, 1e-8], ['float32', 1e-6, 1e-4]]) {
    cases.push({
      id: `decay-${precision}`,
      what: `exponential decay matches exp(-k t) (${precision})`,
      system: DECAY,
      settings: { method: 'tsit5', precision, duration: 2, saveEvery: 0.5, atol: tol, rtol: tol },
      runs: 4096,
      parameter: ['k', (i) => 0.01 + i * 0.001],
      judge: { kind: 'analytic', bound },
    });
  }
  for (const [precision, tol, bound] of [['float64', 1e-12, 1e-8], ['float32', 1e-6, 1e-3]]) {
    cases.push({
      id: `ball-events-${precision}`,
      what: `a bouncing ball's 6 impacts (a crossing event with an assignment, terminal) match the analytic times (${precision})`,
      system: BALL,
      settings: { method: 'tsit5', precision, duration: 30, saveEvery: 0.5, atol: tol, rtol: tol, outputTypes: ['state', 'events'] },
      runs: 4096,
      parameter: ['k', (i) => 0.5 + (i % 400) * 0.001],
      judge: { kind: 'impacts', bound, impacts: 6 },
    });
  }
  for (const method of explicitMethods) {
    cases.push({
      id: `lorenz-float64-${method}`,
      what: `${method} agrees with the CPU backend on Lorenz (float64, t in [0, 0.5])`,
      system: LORENZ,
      settings: { method, precision: 'float64', duration: 0.5, saveEvery: 0.1, dt: 1e-4, atol: 1e-10, rtol: 1e-10 },
      runs: 1000,
      parameter: ['rho', (i) => 1 + i * 0.03],
      judge: { kind: 'reference', compare: 'timeDomain', bound: 1e-7, floor: 1e-12, sameStatus: true },
    });
  }
  for (const method of explicitMethods) {
    cases.push({
      id: `lorenz-float32-${method}`,
      what: `${method} agrees with the CPU backend on Lorenz (float32, t in [0, 0.5])`,
      system: LORENZ,
      settings: { method, precision: 'float32', duration: 0.5, saveEvery: 0.1, dt: 1e-4, atol: 1e-6, rtol: 1e-6 },
      runs: 1000,
      parameter: ['rho', (i) => 1 + i * 0.03],
      // a GPU contracts a*b + c into one rounding: agreement to float32's accuracy, not to the bit
      judge: { kind: 'reference', compare: 'timeDomain', bound: 1e-3, floor: 1, sameStatus: true },
    });
  }
  for (const method of implicitMethods) {
    cases.push({
      id: `vdp-float64-${method}`,
      what: `${method} agrees with the CPU backend on Van der Pol (float64, mu 5 to 21)`,
      system: VAN_DER_POL,
      // dt: the step of the fixed-step methods, the first step of the others.
      settings: { method, precision: 'float64', duration: 2, saveEvery: 0.5, atol: 1e-8, rtol: 1e-6, dt: 1e-3 },
      runs: 64,
      parameter: ['mu', (i) => 5 + i * 0.25],
      // step choices may differ by a rounding: to the tolerance, |gpu - cpu| <= 1e-4 max(1, |cpu|)
      judge: { kind: 'reference', compare: 'timeDomain', bound: 1e-4, floor: 1, allFinished: true },
    });
  }
  cases.push({
    id: 'summaries-float32',
    what: 'summaries (mean, max) and step counters agree with the CPU backend (float32, dormand-prince-54)',
    system: LORENZ,
    settings: { method: 'dormand-prince-54', precision: 'float32', duration: 1, saveEvery: 0.05, summariseEvery: 0.5, outputTypes: ['state', 'mean', 'max', 'iteration_counters'] },
    runs: 2000,
    parameter: ['rho', (i) => 1 + i * 0.01],
    judge: { kind: 'reference', compare: 'summaries', bound: 1e-3, floor: 1e-12, stepsWithin: 0.01 },
  });
  cases.push({
    id: 'chunking-float64',
    what: 'a large batch in many chunks (maxDeviceBytes 8 MiB) is bit-identical to the same batch in as few chunks as fit',
    system: LORENZ,
    settings: { method: 'tsit5', precision: 'float64', duration: 0.5, saveEvery: 0.05 },
    runs: 200000,
    parameter: ['rho', (i) => 1 + (i % 1000) * 0.03],
    judge: { kind: 'chunking', maxDeviceBytes: 8 * 1024 * 1024, minChunks: 10 },
  });
  cases.push({
    id: 'chunking-float32',
    what: 'the same in float32 (rk4, fixed steps), chunked by chunkRuns 4096',
    system: LORENZ,
    settings: { method: 'rk4', stepController: 'fixed', dt: 1e-3, precision: 'float32', duration: 0.5, saveEvery: 0.05 },
    runs: 200000,
    parameter: ['rho', (i) => 1 + (i % 1000) * 0.03],
    judge: { kind: 'chunking', chunkRuns: 4096, minChunks: 10 },
  });
  cases.push({
    id: 'devices',
    what: 'all devices of one architecture split a batch bit-identically to one device',
    system: LORENZ,
    settings: { method: 'tsit5', precision: 'float64', duration: 0.5, saveEvery: 0.1 },
    runs: 100000,
    parameter: ['rho', (i) => 1 + (i % 500) * 0.05],
    judge: { kind: 'devices', chunkRuns: 8192 },
  });
  cases.push({
    id: 'abort',
    what: 'an abort between chunks stops the batch (ABORTED)',
    system: LORENZ,
    settings: { method: 'tsit5', duration: 5, saveEvery: 0.5 },
    runs: 100000,
    parameter: ['rho', (i) => 1 + (i % 500) * 0.05],
    judge: { kind: 'abort', chunkRuns: 10000 },
  });
  return cases;
}

/** The parameter column of a case for `runs` runs (the first `runs` of the case's grid). */
function parameterColumn(c, runs, precision = c.settings.precision ?? 'float64') {
  const [, f] = c.parameter;
  const Type = precision === 'float32' ? Float32Array : Float64Array;
  return Type.from({ length: runs }, (_, i) => f(i));
}

/** The first `runs` runs of an array laid out with the run index fastest and `total` runs. */
function firstRuns(array, total, runs) {
  if (runs === total) return array;
  const rows = array.length / total;
  const out = new array.constructor(rows * runs);
  for (let r = 0; r < rows; r++) out.set(array.subarray(r * total, r * total + runs), r * runs);
  return out;
}

module.exports = { numericCases, parameterColumn, firstRuns, ballImpacts, EXPLICIT, IMPLICIT, LORENZ, DECAY, VAN_DER_POL, BALL };
