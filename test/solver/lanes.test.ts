/**
 * SIMD lanes on the CPU (cpuLanes 'auto', kernel/cubie/lane_engine.h) against
 * the scalar engine (cpuLanes 1) on the same generated text: every explicit,
 * Rosenbrock and DIRK method, Radau IIA, float32 and float64, saves landed and
 * interpolated, summaries, observables, drivers, piecewise and transcendental
 * right-hand sides, runs that take very different numbers of steps, and runs
 * that fail mid-batch.
 *
 * GMRES too, plain and preconditioned, each lane its own Krylov iteration
 * (restarts and the product limit included). A Jacobian that may overflow,
 * with every linear solver: each lane's own J, J values or J v products
 * differenced from f where they are not finite, as the scalar engine does.
 *
 * Lanes do each run's arithmetic as the scalar build does, the step-size
 * controllers' powers included (plain_math.h's log and exp in both), except
 * the vector math functions a right-hand side calls (glibc's libmvec, within
 * 4 ulps of the scalar ones). With a right-hand side of +, -, *, / and sqrt,
 * lanes and scalar agree bit for bit: states, statuses, every counter, event
 * records, adaptive steps as well as fixed ones. Where the right-hand side
 * calls exp, sin, pow..., step sizes can differ in the last bits, a decision
 * to shorten a step onto a save or to accept one at err = 1 can go the other
 * way, and the two engines' results differ at the scale of the integration
 * error, with step counts within a step or two.
 */
import { createSystem, Solver, SolveOptions, SolveResult, StatusBits } from '../../src';
import type { CubieSystem } from '../../src/system/types';
import { allMethods, implicitMethods } from '../../src/methods/registry';
import { laneWidth } from '../../src/backends/cpu/lanes';

const RUNS = 37; // not a multiple of any lane width: lanes refill and the last ones idle

const oscillator = createSystem({
  name: 'lanes_oscillator',
  equations: 'dx = v\ndv = -w^2*x - c*v',
  states: { x: 1, v: 0 },
  parameters: { w: 1, c: 0.1 },
});

// exp, sin, pow, tanh and a piecewise rate: the lane build calls the vector math functions.
const transcendental = createSystem({
  name: 'lanes_transcendental',
  equations: [
    'rate = x > 0.5 ? k*exp(-x) : k*pow(1 + x*x, 0.5)',
    'dx = -rate*x + 0.3*sin(w*t)',
    'dy = tanh(x) - y*log(2 + y*y)',
  ].join('\n'),
  states: { x: 1, y: 0 },
  parameters: { k: 1, w: 2 },
  observables: ['rate'],
});

async function both(system: CubieSystem, y0: Record<string, number[] | number>, parameters: Record<string, number[] | number>, options: SolveOptions) {
  const run = (cpuLanes: 'auto' | 1) =>
    new Solver(system, { backend: 'cpu', threads: 1, ...options, cpuLanes }).solve(y0, parameters, { ...options, gridType: 'verbatim' } as SolveOptions);
  return { scalar: await run(1), lanes: await run('auto') };
}

function spread(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-300);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}

interface Agreement {
  /** Saved states within this of each variable's scale over the run (its largest |value|). */
  within: number;
  /** At most this many more or fewer accepted steps in a run. */
  steps: number;
}

/** Per run: the same status, accepted step counts within `steps`, and saved states within `within` of their scale. */
function expectAgreement(scalar: SolveResult, lanes: SolveResult, { within, steps }: Agreement): void {
  expect(Array.from(lanes.status)).toEqual(Array.from(scalar.status));
  const [nTimes, nVariables, nRuns] = scalar.shape;
  const a = scalar.iterationCounters!.accepted, b = lanes.iterationCounters!.accepted;
  let worst = 0;
  for (let r = 0; r < nRuns; r++) {
    expect(Math.abs(a[r] - b[r])).toBeLessThanOrEqual(steps);
    for (let v = 0; v < nVariables; v++) {
      let scale = 0;
      for (let k = 0; k < nTimes; k++) scale = Math.max(scale, Math.abs(scalar.timeDomain[(k * nVariables + v) * nRuns + r]) || 0);
      for (let k = 0; k < nTimes; k++) {
        const i = (k * nVariables + v) * nRuns + r;
        const x = scalar.timeDomain[i], y = lanes.timeDomain[i];
        if (Number.isNaN(x) && Number.isNaN(y)) continue;
        worst = Math.max(worst, Number.isNaN(x) || Number.isNaN(y) ? Infinity : Math.abs(x - y) / Math.max(scale, 1e-300));
      }
    }
  }
  expect(worst).toBeLessThanOrEqual(within);
}

/** The same statuses, saved values and counters, run by run, bit for bit. */
function expectIdenticalRuns(scalar: SolveResult, lanes: SolveResult): void {
  expect(Array.from(lanes.status)).toEqual(Array.from(scalar.status));
  expect(Array.from(lanes.timeDomain)).toEqual(Array.from(scalar.timeDomain));
  for (const name of Object.keys(scalar.iterationCounters!)) {
    expect([name, Array.from(lanes.iterationCounters![name])]).toEqual([name, Array.from(scalar.iterationCounters![name])]);
  }
}

const EXPLICIT = allMethods().map((m) => m.name);

describe('every explicit method in lanes against the scalar engine', () => {
  it.each(EXPLICIT)('%s', async (method) => {
    const fixed = allMethods().find((m) => m.name === method)!.errorEstimator.kind === 'none';
    // With or without a controller, no math function: the same arithmetic, bit for bit.
    const { scalar, lanes } = await both(oscillator, {}, { w: spread(RUNS, 0.5, 8), c: spread(RUNS, 0, 1) }, {
      method,
      duration: 5,
      saveEvery: 0.25,
      rtol: 1e-7,
      atol: 1e-9,
      ...(fixed ? { dt: 0.01 } : {}),
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(lanes.kernel.key).not.toBe(scalar.kernel.key);
    expectIdenticalRuns(scalar, lanes);
  });
});

describe.each(['float64', 'float32'] as const)('%s lanes', (precision) => {
  it('interpolated saves, summaries and observables with exp, sin, pow, tanh, log and a piecewise rate', async () => {
    for (const method of ['tsit5', 'dormand-prince-54', 'dop853', 'vern7']) {
      const { scalar, lanes } = await both(transcendental, { x: spread(RUNS, -2, 2) }, { k: spread(RUNS, 0.1, 5) }, {
        method,
        precision,
        duration: 4,
        saveEvery: 0.1,
        saveMode: 'interpolate',
        rtol: precision === 'float64' ? 1e-9 : 1e-5,
        atol: precision === 'float64' ? 1e-11 : 1e-7,
        saveVariables: ['x', 'y', 'rate'],
        summariseVariables: ['x'],
        outputTypes: ['state', 'observables', 'mean', 'max', 'iteration_counters'],
      });
      const steps = Math.max(...Array.from(scalar.iterationCounters!.accepted));
      const within = precision === 'float64' ? 1e-7 : 1e-3;
      // float32's error estimate carries rounding noise near 1e-5: the two step sequences part sooner.
      expectAgreement(scalar, lanes, { within, steps: Math.ceil((precision === 'float64' ? 0.1 : 0.25) * steps) });
      expect(maxRelative(lanes.summaries, scalar.summaries)).toBeLessThanOrEqual(within);
    }
  });

  it('runs of very different lengths, and runs that stop mid-batch with a status, each as in the scalar engine', async () => {
    // Stiffness grows with w: the long runs take thousands of steps, the short ones tens;
    // maxSteps stops the stiffest with MAX_STEPS while their lane neighbours go on.
    const { scalar, lanes } = await both(oscillator, {}, { w: spread(RUNS, 0.1, 400), c: 0.5 }, {
      method: 'dormand-prince-54',
      precision,
      duration: 3,
      saveEvery: 0.5,
      maxSteps: 1500,
      rtol: 1e-6,
      atol: 1e-8,
      outputTypes: ['state', 'iteration_counters'],
    });
    const steps = Array.from(scalar.iterationCounters!.accepted);
    expect(Math.max(...steps) / Math.min(...steps)).toBeGreaterThan(20);
    expect(Array.from(scalar.status).filter((s) => s === 1).length).toBeGreaterThan(0);
    expect(Array.from(scalar.status).filter((s) => s === 0).length).toBeGreaterThan(0);
    expectIdenticalRuns(scalar, lanes);
  });

  it('a run whose state turns non-finite stops with NONFINITE, alone', async () => {
    const blowup = createSystem({ name: 'lanes_blowup', equations: 'dx = a*x*x', states: { x: 1 }, parameters: { a: 0 } });
    // a = 1 reaches x = inf at t = 1; the others stay finite.
    const a = spread(RUNS, -1, 1);
    const { scalar, lanes } = await both(blowup, {}, { a }, {
      method: 'tsit5',
      precision,
      duration: 2,
      saveEvery: 0.5,
      dtMin: 1e-3,
      rtol: 1e-6,
      atol: 1e-8,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(Array.from(scalar.status).some((s) => s !== 0)).toBe(true);
    expectIdenticalRuns(scalar, lanes);
  });
});

const robertson = createSystem({
  name: 'lanes_robertson',
  equations: 'dy1 = -k1*y1 + k3*y2*y3\ndy2 = k1*y1 - k2*y2*y2 - k3*y2*y3\ndy3 = k2*y2*y2',
  states: { y1: 1, y2: 0, y3: 0 },
  parameters: { k1: 0.04, k2: 3e7, k3: 1e4 },
});
const ROSENBROCK = implicitMethods().filter((m) => m.family === 'rosenbrock').map((m) => m.name);

describe.each(['float64', 'float32'] as const)('%s Rosenbrock methods in lanes (each lane its own Jacobian, LU and pivots)', (precision) => {
  it.each(ROSENBROCK)('%s on Robertson: the scalar engine\'s steps, Jacobians and factorisations', async (method) => {
    const { scalar, lanes } = await both(robertson, {}, { k3: spread(RUNS, 5e3, 2e4), k1: spread(RUNS, 0.01, 0.1) }, {
      method,
      precision,
      duration: 100,
      saveEvery: 10,
      rtol: precision === 'float64' ? 1e-7 : 1e-4,
      atol: precision === 'float64' ? 1e-11 : 1e-7,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });

  it.each(['rodas4', 'rodas5p'])('%s with the sparse LU (each lane its own pivots checked): the scalar engine\'s results', async (method) => {
    const { scalar, lanes } = await both(robertson, {}, { k3: spread(RUNS, 5e3, 2e4), k1: spread(RUNS, 0.01, 0.1) }, {
      method,
      precision,
      linearSolver: 'sparse',
      duration: 100,
      saveEvery: 10,
      rtol: precision === 'float64' ? 1e-7 : 1e-4,
      atol: precision === 'float64' ? 1e-11 : 1e-7,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver: 'sparse' });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });

  // Rosenbrock and DIRK; the dense LU, the sparse LU (each lane's J values checked and differenced
  // where not finite) and GMRES (each lane's J v products, plain or on the sparse J's ILU(0)).
  const jacobianFailures = (['rodas4', 'kvaerno5'] as const).flatMap((method) => (['dense', 'sparse', 'gmres', 'gmres-ilu0'] as const).map((linearSolver) => [method, linearSolver] as const));
  it.each(jacobianFailures)('%s: a run whose Jacobian turns infinite fails in its own lane, as in the scalar engine (%s)', async (method, linearSolver) => {
    // y reaches 0 at t = 2/k: there dJ = -k/(2 sqrt(y)) is infinite; the runs with small k end first.
    const root = createSystem({ name: 'lanes_root', equations: 'dy = -k*sqrt(y)', states: { y: 1 }, parameters: { k: 1 } });
    const { scalar, lanes } = await both(root, {}, { k: spread(RUNS, 0.1, 10) }, {
      method,
      precision,
      linearSolver,
      duration: 5,
      saveEvery: 1,
      rtol: 1e-6,
      atol: 1e-9,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(Array.from(scalar.status).some((s) => s !== 0)).toBe(true);
    expect(Array.from(scalar.status).some((s) => s === 0)).toBe(true);
    // Failing after steps taken, beside lanes whose runs go on.
    expect(Array.from(scalar.status).some((s, r) => s !== 0 && scalar.iterationCounters!.accepted[r] > 10)).toBe(true);
    // A Rosenbrock step reports the failed linear solve as NEWTON_FAILED; so does kvaerno5 on the LUs and
    // on GMRES with ILU(0), but on plain GMRES its refused steps reach the step floor first (DT_UNDERFLOW),
    // in both engines (the statuses are compared below).
    if (method === 'rodas4') expect(Array.from(lanes.status)).toContain(StatusBits.NEWTON_FAILED);
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });
});

// Stiff for large mu: from t = 0 on its slow manifold toward the fold at |x| = 1.
const vanDerPol = createSystem({ name: 'lanes_vdp', equations: 'dx = y\ndy = mu*((1 - x*x)*y - x)', states: { x: 2, y: 0 }, parameters: { mu: 1 } });
const DIRK = implicitMethods().filter((m) => m.family === 'dirk');
const ADAPTIVE_DIRK = DIRK.filter((m) => m.errorEstimator.kind === 'embedded').map((m) => m.name);
const FIXED_DIRK = DIRK.filter((m) => m.errorEstimator.kind === 'none').map((m) => m.name);

describe.each(['float64', 'float32'] as const)('%s DIRK methods in lanes (each lane its own Newton iterations, Jacobian, LU and pivots)', (precision) => {
  const robertsonRuns = { k3: spread(RUNS, 5e3, 2e4), k1: spread(RUNS, 0.01, 0.1) };
  // float64: 74 (kvaerno5) to 4,411 (sdirk-2-2) steps a run.
  const tolerances = precision === 'float64' ? { rtol: 1e-6, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-7 };

  it.each(ADAPTIVE_DIRK)('%s on Robertson: the scalar engine\'s steps, iterations and states', async (method) => {
    const { scalar, lanes } = await both(robertson, {}, robertsonRuns, {
      method,
      precision,
      duration: 100,
      saveEvery: 10,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });

  it.each(['kvaerno5', 'sdirk-2-2'])('%s with the sparse LU: the scalar engine\'s results', async (method) => {
    const { scalar, lanes } = await both(robertson, {}, robertsonRuns, {
      method,
      precision,
      linearSolver: 'sparse',
      duration: 100,
      saveEvery: 10,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver: 'sparse' });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });

  it('kvaerno5 on van der Pol, mu from 1 to 1000: runs of very different lengths, MAX_STEPS mid-batch', async () => {
    const mu = Array.from({ length: RUNS }, (_, i) => 10 ** ((3 * i) / (RUNS - 1)));
    const { scalar, lanes } = await both(vanDerPol, {}, { mu }, {
      method: 'kvaerno5',
      precision,
      duration: 3,
      saveEvery: 0.5,
      // float64: 43 to 506 steps, the longest stopped; float32 (25 to 226) runs through.
      ...(precision === 'float64' ? { rtol: 1e-6, atol: 1e-8, maxSteps: 400 } : { rtol: 1e-4, atol: 1e-6 }),
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    const accepted = Array.from(scalar.iterationCounters!.accepted);
    expect(Math.max(...accepted) / Math.min(...accepted)).toBeGreaterThan(5);
    if (precision === 'float64') {
      const status = Array.from(scalar.status);
      expect(status).toContain(StatusBits.MAX_STEPS);
      expect(status).toContain(0);
    }
    expectIdenticalRuns(scalar, lanes);
  });

  it.each(FIXED_DIRK)('%s on fixed steps: runs that fail with NEWTON_FAILED beside runs that go on, bit for bit', async (method) => {
    // dt = 2e-3 on Robertson: J(t0, y0) lacks the fast reaction and a first stage's Newton fails; it
    // retries with the Jacobian where it got to (lane_newton.h: the lanes that failed, alone). Some
    // runs fail all the same in their first step, beside lanes whose runs go on.
    const { scalar, lanes } = await both(robertson, {}, robertsonRuns, {
      method,
      precision,
      dt: 2e-3,
      duration: 5,
      saveEvery: 1,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    const counters = scalar.iterationCounters!;
    const status = Array.from(scalar.status);
    expect(status).toContain(0);
    expect(status).toContain(StatusBits.NEWTON_FAILED);
    expect(Array.from(counters.jacobianEvaluations).some((j, r) => j > counters.accepted[r] + counters.rejected[r])).toBe(true);
    // No math function and no controller: the same arithmetic, bit for bit.
    expect(Array.from(lanes.status)).toEqual(Array.from(scalar.status));
    expect(Array.from(lanes.timeDomain)).toEqual(Array.from(scalar.timeDomain));
    for (const name of Object.keys(counters)) {
      expect([name, Array.from(lanes.iterationCounters![name])]).toEqual([name, Array.from(counters[name])]);
    }
  });

});

// HIRES (Hairer & Wanner's test set) with its fast rate k (280 there) per run: 8 states, a sparse J.
const hires = createSystem({
  name: 'lanes_hires',
  equations: [
    'dy1 = -1.71*y1 + 0.43*y2 + 8.32*y3 + 0.0007',
    'dy2 = 1.71*y1 - 8.75*y2',
    'dy3 = -10.03*y3 + 0.43*y4 + 0.035*y5',
    'dy4 = 8.32*y2 + 1.71*y3 - 1.12*y4',
    'dy5 = -1.745*y5 + 0.43*y6 + 0.43*y7',
    'dy6 = -k*y6*y8 + 0.69*y4 + 1.71*y5 - 0.43*y6 + 0.69*y7',
    'dy7 = k*y6*y8 - 1.81*y7',
    'dy8 = -k*y6*y8 + 1.81*y7',
  ].join('\n'),
  states: { y1: 1, y2: 0, y3: 0, y4: 0, y5: 0, y6: 0, y7: 0, y8: 0.0057 },
  parameters: { k: 280 },
});

describe.each(['float64', 'float32'] as const)('%s Radau IIA in lanes (each lane its own Newton, real and complex LU, pivots and collocation start)', (precision) => {
  const tolerances = precision === 'float64' ? { rtol: 1e-6, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-7 };

  function expectRadauAgreement(scalar: SolveResult, lanes: SolveResult): void {
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  }

  it.each(['dense', 'sparse'] as const)('radau on Robertson, %s LU: the scalar engine\'s steps, iterations and states', async (linearSolver) => {
    const { scalar, lanes } = await both(robertson, {}, { k3: spread(RUNS, 5e3, 2e4), k1: spread(RUNS, 0.01, 0.1) }, {
      method: 'radau',
      precision,
      linearSolver,
      duration: 100,
      saveEvery: 10,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expectRadauAgreement(scalar, lanes);
  });

  it.each(['dense', 'sparse'] as const)('radau on HIRES, k from 28 to 2,800, %s LU: the scalar engine\'s results', async (linearSolver) => {
    const k = Array.from({ length: RUNS }, (_, i) => 28 * 10 ** ((2 * i) / (RUNS - 1)));
    const { scalar, lanes } = await both(hires, {}, { k }, {
      method: 'radau',
      precision,
      linearSolver,
      duration: 321.8122,
      saveEvery: 321.8122 / 8,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expectRadauAgreement(scalar, lanes);
  });

  it('radau on van der Pol, mu from 1 to 1000, interpolated saves: runs of very different lengths, MAX_STEPS mid-batch', async () => {
    const mu = Array.from({ length: RUNS }, (_, i) => 10 ** ((3 * i) / (RUNS - 1)));
    const { scalar, lanes } = await both(vanDerPol, {}, { mu }, {
      method: 'radau',
      precision,
      duration: 3,
      saveEvery: 0.25,
      saveMode: 'interpolate',
      // float64: 65 to 789 steps, the longest stopped at 600; float32 (25 to 269) runs through.
      ...(precision === 'float64' ? { rtol: 1e-6, atol: 1e-8, maxSteps: 600 } : { rtol: 1e-4, atol: 1e-6 }),
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    const accepted = Array.from(scalar.iterationCounters!.accepted);
    expect(Math.max(...accepted) / Math.min(...accepted)).toBeGreaterThan(5);
    if (precision === 'float64') {
      const status = Array.from(scalar.status);
      expect(status).toContain(StatusBits.MAX_STEPS);
      expect(status).toContain(0);
    }
    expectRadauAgreement(scalar, lanes);
  });

  it.each(['dense', 'sparse'] as const)('radau on fixed steps, %s LU: runs that fail with NEWTON_FAILED mid-run beside runs that go on, with the scalar engine\'s steps and iterations', async (linearSolver) => {
    // van der Pol at dt = 0.01, mu from 1 to 10^4: where mu dt is large, Newton fails as the
    // solution reaches the fold of its slow manifold (after 78 to 100 steps in float64); the runs
    // with small mu go through. No math function and no controller: the same steps, iterations and
    // failures, bit for bit with either LU (the host build's -fno-tree-vectorize keeps GCC 12 from
    // fusing the scalar complex LU's multiply-subtract into vfmaddsub).
    const mu = Array.from({ length: RUNS }, (_, i) => 10 ** ((4 * i) / (RUNS - 1)));
    const { scalar, lanes } = await both(vanDerPol, {}, { mu }, {
      method: 'radau',
      precision,
      linearSolver,
      stepController: 'fixed',
      dt: 0.01,
      duration: 3,
      saveEvery: 0.5,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    const status = Array.from(scalar.status);
    const counters = scalar.iterationCounters!;
    expect(status).toContain(0);
    expect(status.some((s, r) => s === StatusBits.NEWTON_FAILED && counters.accepted[r] > 20)).toBe(true);
    expect(Array.from(lanes.status)).toEqual(status);
    for (const name of Object.keys(counters)) {
      expect([name, Array.from(lanes.iterationCounters![name])]).toEqual([name, Array.from(counters[name])]);
    }
    expect(Array.from(lanes.timeDomain)).toEqual(Array.from(scalar.timeDomain));
  });
});

// BRUSS (Hairer & Wanner II) on `cells` grid points, u and v interleaved: 2 cells states, a banded J,
// stiffer with the diffusion c. Products only (u*u*v): no math function.
function brusselator(cells: number): CubieSystem {
  const equations: string[] = [];
  const states: Record<string, number> = {};
  const u = (i: number) => (i < 0 || i >= cells ? '1' : `u${i}`);
  const v = (i: number) => (i < 0 || i >= cells ? '3' : `v${i}`);
  for (let i = 0; i < cells; i++) {
    equations.push(`du${i} = 1 + u${i}*u${i}*v${i} - 4*u${i} + c*(${u(i - 1)} - 2*u${i} + ${u(i + 1)})`);
    equations.push(`dv${i} = 3*u${i} - u${i}*u${i}*v${i} + c*(${v(i - 1)} - 2*v${i} + ${v(i + 1)})`);
    states[`u${i}`] = 1 + Math.sin((2 * Math.PI * (i + 1)) / (cells + 1));
    states[`v${i}`] = 3;
  }
  return createSystem({ name: `lanes_bruss${2 * cells}`, equations: equations.join('\n'), states, parameters: { c: 1 } });
}

const KRYLOV_CASES: [string, 'gmres' | 'gmres-jacobi' | 'gmres-ilu0'][] = [
  ['rodas4', 'gmres'],
  ['rodas4', 'gmres-jacobi'],
  ['rodas4', 'gmres-ilu0'],
  ['kvaerno5', 'gmres'],
  ['kvaerno5', 'gmres-jacobi'],
  ['kvaerno5', 'gmres-ilu0'],
  ['radau', 'gmres'],
];

describe.each(['float64', 'float32'] as const)('%s GMRES in lanes (each lane its own Krylov iteration, restarts and product count)', (precision) => {
  const tolerances = precision === 'float64' ? { rtol: 1e-7, atol: 1e-11 } : { rtol: 1e-4, atol: 1e-7 };
  const robertsonRuns = { k3: spread(RUNS, 5e3, 2e4), k1: spread(RUNS, 0.01, 0.1) };

  it.each(KRYLOV_CASES)('%s with %s on Robertson: the scalar engine\'s steps, iterations, products and states', async (method, linearSolver) => {
    const { scalar, lanes } = await both(robertson, {}, robertsonRuns, {
      method,
      precision,
      linearSolver,
      duration: 100,
      saveEvery: 10,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(Array.from(scalar.iterationCounters!.linearIterations).every((n) => n > 0)).toBe(true);
    expectIdenticalRuns(scalar, lanes);
  });

  it.each([...FIXED_DIRK.map((m): [string, string] => [m, 'gmres']), ...FIXED_DIRK.map((m): [string, string] => [m, 'gmres-ilu0'])])(
    '%s with %s on fixed steps: bit for bit (with gmres-ilu0, a stage that fails retries with its lane\'s J refreshed)',
    async (method, linearSolver) => {
      const { scalar, lanes } = await both(robertson, {}, robertsonRuns, {
        method,
        precision,
        linearSolver: linearSolver as SolveOptions['linearSolver'],
        dt: 2e-3,
        duration: 5,
        saveEvery: 1,
        outputTypes: ['state', 'iteration_counters'],
      });
      expect(lanes.kernel.lanes).toBeGreaterThan(1);
      const counters = scalar.iterationCounters!;
      if (linearSolver === 'gmres-ilu0') {
        // The preconditioned system owns its J: some stages refreshed it (more evaluations than steps).
        expect(Array.from(counters.jacobianEvaluations).some((j, r) => j > counters.accepted[r] + counters.rejected[r])).toBe(true);
      }
      expectIdenticalRuns(scalar, lanes);
    },
  );

  it('radau with gmres on fixed steps, van der Pol, mu from 1 to 10^4: bit for bit', async () => {
    const mu = Array.from({ length: RUNS }, (_, i) => 10 ** ((4 * i) / (RUNS - 1)));
    const { scalar, lanes } = await both(vanDerPol, {}, { mu }, {
      method: 'radau',
      precision,
      linearSolver: 'gmres',
      stepController: 'fixed',
      dt: 0.01,
      duration: 3,
      saveEvery: 0.5,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });

  it.each(['rodas4', 'kvaerno5', 'radau'])('%s with gmres on a 24-state Brusselator: restarts, and the product limit reached in some lanes beside others', async (method) => {
    // GMRES(16) on 24 unknowns (48 for Radau's complex block): the stiffer runs' solves restart after
    // 16 products, and with linearMaxIters 24 (Radau: 40) some of them stop at the limit (a failed
    // Rosenbrock stage, an inexact Newton update) while the less stiff runs' solves never reach it.
    const c = Array.from({ length: RUNS }, (_, i) => 10 ** (1 + (2.5 * i) / (RUNS - 1)));
    const options: SolveOptions = {
      method,
      precision,
      linearSolver: 'gmres',
      linearTol: precision === 'float64' ? 1e-10 : 1e-5,
      duration: 2,
      saveEvery: 0.5,
      ...(precision === 'float64' ? { rtol: 1e-6, atol: 1e-8 } : { rtol: 1e-4, atol: 1e-6 }),
      outputTypes: ['state', 'iteration_counters'],
    };
    const system = brusselator(12);
    const { scalar, lanes } = await both(system, {}, { c }, { ...options, linearMaxIters: method === 'radau' ? 40 : 24 });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
    if (precision === 'float64') {
      // Against the same runs without the limit: some runs change (a solve went past the limit, so
      // it restarted), others are the same run for run.
      const unlimited = await new Solver(system, { backend: 'cpu', threads: 1, ...options, cpuLanes: 1 }).solve({}, { c }, { ...options, gridType: 'verbatim' } as SolveOptions);
      const same = (r: number) => Object.keys(scalar.iterationCounters!).every((name) => scalar.iterationCounters![name][r] === unlimited.iterationCounters![name][r]);
      const runs = Array.from({ length: RUNS }, (_, r) => r);
      expect(runs.some(same)).toBe(true);
      expect(runs.some((r) => !same(r))).toBe(true);
    }
  });
});

/** The same event records, run by run, bit for bit. */
function expectSameEvents(scalar: SolveResult, lanes: SolveResult): void {
  const a = scalar.events!, b = lanes.events!;
  for (const field of ['count', 'which', 'time', 'state'] as const) {
    expect([field, Array.from(b[field])]).toEqual([field, Array.from(a[field])]);
  }
}

// A ball dropped from h0 under gravity g, its speed reversed and scaled by k at each impact; the third
// impact ends the run. Runs with strong gravity bounce three times well within the duration, the
// weakest not once, so terminated lanes refill while their neighbours fly on.
const ballInLanes = createSystem({
  name: 'lanes_ball',
  equations: 'dh = v\ndv = -g',
  states: { h: 10, v: 0 },
  parameters: { g: 9.81, k: 0.8 },
  events: [{ name: 'bounce', when: 'h', direction: 'falling', then: 'v = -k*v', terminal: 3 }],
});

// First-order elimination with a dose every 1.5 time units and two halvings at given times.
const dosing = createSystem({
  name: 'lanes_dosing',
  equations: 'dc = -ke*c',
  states: { c: 0 },
  parameters: { ke: 0.3 },
  events: [
    { name: 'dose', every: 1.5, then: 'c = c + 1' },
    { name: 'halve', at: [0.7, 2.2, 4.45], then: 'c = 0.5*c' },
  ],
});

describe.each(['float64', 'float32'] as const)('%s events in lanes', (precision) => {
  const ballRuns = { h: spread(RUNS, 12, 1) }, ballParameters = { g: spread(RUNS, 0.5, 40), k: spread(RUNS, 0.5, 0.9) };
  const events = { outputTypes: ['state', 'events', 'iteration_counters'], maxEventRecords: 4 } as SolveOptions;

  it('rk4 at fixed steps: a bouncing ball, terminal after three impacts, bit for bit as the scalar engine', async () => {
    const { scalar, lanes } = await both(ballInLanes, ballRuns, ballParameters, { method: 'rk4', dt: 0.01, precision, duration: 6, saveEvery: 0.25, ...events });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    const status = Array.from(scalar.status);
    expect(status.filter((s) => s === StatusBits.TERMINATED).length).toBeGreaterThan(2);
    expect(status.filter((s) => s === 0).length).toBeGreaterThan(2);
    expect(Array.from(scalar.events!.count).filter((c) => c === 0).length).toBeGreaterThan(0);
    expectIdenticalRuns(scalar, lanes);
    expectSameEvents(scalar, lanes);
  });

  it('rk4 at fixed steps: discrete events every period and at given times, bit for bit as the scalar engine', async () => {
    const { scalar, lanes } = await both(dosing, { c: spread(RUNS, 0, 2) }, { ke: spread(RUNS, 0.05, 3) }, { method: 'rk4', dt: 0.1, precision, duration: 6, saveEvery: 0.5, ...events });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    // Doses at 0, 1.5, 3, 4.5 and 6 (the end), halvings at 0.7, 2.2 and 4.45.
    expect(Array.from(scalar.events!.count).every((c) => c === 8)).toBe(true);
    expectIdenticalRuns(scalar, lanes);
    expectSameEvents(scalar, lanes);
  });

  it.each([
    ['tsit5', 'step'],
    ['dormand-prince-54', 'interpolate'],
    ['rodas4', 'step'],
    ['rodas5p', 'interpolate'],
    ['kvaerno5', 'step'],
    ['radau', 'interpolate'],
  ] as const)('%s, saves by %s: the bouncing ball and the dosing schedule as in the scalar engine', async (method, saveMode) => {
    const tolerances = precision === 'float64' ? { rtol: 1e-6, atol: 1e-8 } : { rtol: 1e-4, atol: 1e-6 };
    const options = { method, saveMode, precision, ...tolerances, ...events } as SolveOptions;
    const ball = await both(ballInLanes, ballRuns, ballParameters, { ...options, duration: 6, saveEvery: 0.25 });
    expect(ball.lanes.kernel.lanes).toBeGreaterThan(1);
    expect(Array.from(ball.scalar.status).filter((s) => s === StatusBits.TERMINATED).length).toBeGreaterThan(2);
    expectIdenticalRuns(ball.scalar, ball.lanes);
    expectSameEvents(ball.scalar, ball.lanes);
    const doses = await both(dosing, { c: spread(RUNS, 0, 2) }, { ke: spread(RUNS, 0.05, 3) }, { ...options, duration: 6, saveEvery: 0.5 });
    expect(doses.lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(doses.scalar, doses.lanes);
    expectSameEvents(doses.scalar, doses.lanes);
  });
});

describe('conditions the same in every lane', () => {
  it('a comparison of two constants combines with lane masks (and, or) and selects like any condition: bit for bit as the scalar engine', async () => {
    // The text keeps `1 == 1` and `1 == 0` as comparisons (imported MathML does too: SBML Test Suite 01199, 01215).
    const system = createSystem({
      name: 'uniform_conditions',
      // u's comparisons of constants, shared with z, become masks of their own (c = (1.0 == 1.0)).
      equations: `
        z = (x > 0.5 and 1 == 1) or (not (x > 0.5) and 1 == 0) ? 1 : 0
        u = (1 == 1 and 1 == 1) or 1 == 0 ? 2 : 3
        dx = -x + z + 0*u
      `,
      states: { x: 1 },
      observables: ['z', 'u'],
    });
    const { scalar, lanes } = await both(system, { x: spread(RUNS, 0, 1) }, {}, { method: 'rk4', dt: 0.01, duration: 2, saveEvery: 0.5, saveVariables: ['x', 'z', 'u'], outputTypes: ['state', 'observables', 'iteration_counters'] });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
    // x(0) > 0.5 relaxes towards 1, the others towards 0, through z
    expect(lanes.trajectory('z', RUNS - 1)[0]).toBe(1);
    expect(lanes.trajectory('z', 0)[0]).toBe(0);
    expect(Array.from(lanes.trajectory('u', 0))).toEqual([2, 2, 2, 2, 2]);
  });
});

describe('sampled drivers in lanes', () => {
  it('each lane reads the drivers at its own time, as the scalar engine does', async () => {
    const forced = createSystem({ name: 'lanes_forced', equations: 'dx = -k*x + u', states: { x: 0 }, parameters: { k: 1 }, drivers: ['u'] });
    const samples = Array.from({ length: 41 }, (_, i) => Math.round(1000 * Math.sin(i / 4)) / 1000);
    const { scalar, lanes } = await both(forced, {}, { k: spread(RUNS, 0.2, 20) }, {
      method: 'dormand-prince-54',
      duration: 4,
      saveEvery: 0.2,
      rtol: 1e-8,
      atol: 1e-10,
      drivers: { u: samples, dt: 0.1 },
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectIdenticalRuns(scalar, lanes);
  });
});

// A Jacobian that may overflow (a sqrt, a division: no vector math function, so bit for bit):
// x and y coupled through sqrt(z), z decaying from z0. Where z0 = 0, z stays 0 and
// dy/dz = 1/(2 sqrt(z)) is infinite at every step while f is finite, beside runs whose
// J stays finite: only the overflow fallback (the column differenced from f, or the
// product J v from f(y + h v)) lets those runs finish, as in the scalar engine.
const rootChain = createSystem({
  name: 'lanes_root_chain',
  equations: 'dx = -a*x + y\ndy = x - b*y + sqrt(z)\ndz = -c*z/(1 + z)',
  states: { x: 1, y: 0, z: 0 },
  parameters: { a: 1, b: 2, c: 1 },
});

const gate = createSystem({
  name: 'lanes_gate',
  equations: 'dx = -a/(1 + exp((x - s)/0.001)) - b*x + y\ndy = 0.1*x - y',
  states: { x: 2, y: 0 },
  parameters: { a: 1, b: 1, s: 0.5 },
});

const OVERFLOW_CASES: [string, 'sparse' | 'gmres' | 'gmres-jacobi' | 'gmres-ilu0'][] = [
  ['rodas4', 'sparse'],
  ['rodas4', 'gmres'],
  ['rodas4', 'gmres-ilu0'],
  ['kvaerno5', 'sparse'],
  ['kvaerno5', 'gmres'],
  ['kvaerno5', 'gmres-jacobi'],
  ['kvaerno5', 'gmres-ilu0'],
  ['radau', 'sparse'],
  ['radau', 'gmres'],
];

describe.each(['float64', 'float32'] as const)('%s a Jacobian that may overflow, in lanes, with the sparse LU and GMRES', (precision) => {
  const tolerances = precision === 'float64' ? { rtol: 1e-7, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-7 };

  it.each(OVERFLOW_CASES)('%s with %s: runs whose J is infinite throughout finish on the fallback, bit for bit with the scalar engine', async (method, linearSolver) => {
    const z0 = spread(RUNS, 0, 1).map((z, r) => (r % 2 === 0 ? 0 : z));
    const { scalar, lanes } = await both(rootChain, { z: z0 }, { a: spread(RUNS, 0.5, 50), c: spread(RUNS, 1, 3) }, {
      method,
      precision,
      linearSolver,
      duration: 5,
      saveEvery: 1,
      ...tolerances,
      outputTypes: ['state', 'iteration_counters'],
    });
    expect(lanes.kernel).toMatchObject({ linearSolver });
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    // Every run finishes, those with z0 = 0 (J infinite at every step) among them.
    expect(Array.from(scalar.status).every((s) => s === 0)).toBe(true);
    expectIdenticalRuns(scalar, lanes);
  });

  // A gating rate a/(1 + exp((x - s)/0.001)): from x = 2 its exp overflows, the rate is a finite 0 and
  // its symbolic derivative inf/inf = NaN, until x has decayed to within 0.709 of s. Lanes call libmvec's
  // exp, so the two engines agree to the integration's scale rather than bit for bit. (Without the
  // fallback in lanes, the sparse LU fails every run with NEWTON_FAILED and GMRES's states part by 0.6.)
  it.each([['rodas4', 'sparse'], ['rodas4', 'gmres-ilu0'], ['kvaerno5', 'sparse'], ['kvaerno5', 'gmres'], ['radau', 'sparse'], ['radau', 'gmres']] as const)(
    '%s with %s, a gate whose exp overflows: the scalar engine\'s results',
    async (method, linearSolver) => {
      const { scalar, lanes } = await both(gate, {}, { a: spread(RUNS, 0.5, 2), s: spread(RUNS, 0.2, 1) }, {
        method,
        precision,
        linearSolver,
        duration: 5,
        saveEvery: 0.5,
        ...(precision === 'float64' ? { rtol: 1e-8, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-7 }),
        outputTypes: ['state', 'iteration_counters'],
      });
      expect(lanes.kernel).toMatchObject({ linearSolver });
      expect(lanes.kernel.lanes).toBeGreaterThan(1);
      expect(Array.from(scalar.status).every((s) => s === 0)).toBe(true);
      const steps = Math.max(...Array.from(scalar.iterationCounters!.accepted));
      expectAgreement(scalar, lanes, { within: precision === 'float64' ? 1e-7 : 1e-3, steps: Math.ceil((precision === 'float64' ? 0.1 : 0.25) * steps) });
    },
  );
});

describe('where lanes do not apply', () => {
  it('cpuLanes: 1 runs on the scalar engine; GMRES, the sparse LU on a Jacobian that may overflow and a stochastic system with events run in lanes', async () => {
    const solve = (system: CubieSystem, options: SolveOptions) => new Solver(system, { backend: 'cpu', ...options }).solve({}, {}, { duration: 1 });
    // GMRES runs in lanes; on a Jacobian that may overflow (a division, a sqrt) too, each lane with its own fallback.
    expect((await solve(oscillator, { method: 'radau', linearSolver: 'gmres' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'radau' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'kvaerno5', linearSolver: 'gmres' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'rodas4', linearSolver: 'gmres-ilu0' })).kernel.lanes).toBeGreaterThan(1);
    const root = createSystem({ name: 'lanes_root', equations: 'dy = -k*sqrt(y)', states: { y: 1 }, parameters: { k: 1 } });
    expect((await solve(root, { method: 'rodas4', linearSolver: 'gmres' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(root, { method: 'kvaerno5', linearSolver: 'gmres-jacobi' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(root, { method: 'radau', linearSolver: 'sparse' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(root, { method: 'rodas4', linearSolver: 'gmres', cpuLanes: 1 })).kernel.lanes).toBe(1);
    expect((await solve(root, { method: 'rodas4', linearSolver: 'dense' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'rodas4' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'kvaerno5' })).kernel.lanes).toBeGreaterThan(1);
    expect((await solve(oscillator, { method: 'tsit5', cpuLanes: 1 })).kernel.lanes).toBe(1);
    expect((await solve(ballInLanes, { method: 'tsit5' })).kernel.lanes).toBeGreaterThan(1);
    const noisyBall = createSystem({
      name: 'lanes_noisy_ball',
      equations: 'dh = v\ndv = -9.81',
      states: { h: 1, v: 0 },
      noise: { v: '0.1' },
      // With noise, only discrete events (a stochastic step has no continuous extension to locate a crossing on).
      events: [{ name: 'kick', every: 0.5, then: 'v = v + 1' }],
    });
    // With noise, discrete events keep the lanes together (test/solver/sde-lanes.test.ts).
    expect((await solve(noisyBall, { method: 'euler-maruyama', dt: 1e-3 })).kernel.lanes).toBeGreaterThan(1);
  });

  it('cpuLanes takes only auto or 1', () => {
    expect(() => new Solver(oscillator, { backend: 'cpu', cpuLanes: 4 as unknown as 1 })).toThrow(/cpuLanes/);
  });
});

describe('lane width', () => {
  it('is the target vector width over the real size', () => {
    const isa = (features: string[]) => ({ cpu: 'x', tune: '', features });
    expect(laneWidth(isa(['avx', 'avx2', 'avx512f']), 'float64')).toBe(8);
    expect(laneWidth(isa(['avx', 'avx2', 'avx512f']), 'float32')).toBe(16);
    expect(laneWidth(isa(['avx', 'avx2']), 'float64')).toBe(4);
    expect(laneWidth(undefined, 'float64')).toBe(2);
  });
});
