/**
 * Noise in CPU lanes (kernel/cubie/lane_sde.h): stochastic methods run W
 * replicates per vector (fixed steps here; adaptive steps below), their Brownian paths drawn on vectors
 * with random.h's operations (Philox4x32-10, log_open, sincos_two_pi), so a
 * lane's noise is the scalar build's bit for bit. With a drift and diffusion
 * of +, -, * (no vector math function), whole runs agree bit for bit too:
 * every fixed-step method, both precisions, a batch that is not a multiple of
 * the lane width, and a run that fails mid-batch while its lane-mates go on.
 */
import { createSystem, Solver, SolveResult, StatusBits } from '../../src';
import { scalarReason } from '../../src/solver/lanes';
import { compilePlan } from '../../src/codegen/compile-plan';
import { SDE_METHODS } from '../../src/methods/stochastic/methods';

const RUNS = 37; // not a multiple of 8 or 16: the last vector runs with idle lanes

const gbm = createSystem({
  name: 'sde_lanes_gbm',
  equations: 'dx = mu*x',
  states: { x: 1 },
  parameters: { mu: 0.5, sigma: 0.3 },
  noise: { x: 'sigma*x' },
});

// Two states, two shared processes (general noise), and a piecewise drift.
const coupled = createSystem({
  name: 'sde_lanes_coupled',
  equations: 'dx = x > 1 ? -k*x : k*y\ndy = -y + 0.5*x',
  states: { x: 0.5, y: 1 },
  parameters: { k: 1 },
  noise: { x: { W1: '0.3*x', W2: '0.1' }, y: { W2: '0.2*y' } },
});

// Two states, two processes with diagonal (commutative) noise, and the piecewise drift: Milstein's.
const diagonal = createSystem({
  name: 'sde_lanes_diagonal',
  equations: 'dx = x > 1 ? -k*x : k*y\ndy = -y + 0.5*x',
  states: { x: 0.5, y: 1 },
  parameters: { k: 1 },
  noise: { x: '0.3*x', y: '0.2*y + 0.1' },
});

// Kicked and halved at times every run shares (a stochastic system's events are discrete), its noise growing with h.
const kicked = createSystem({
  name: 'sde_lanes_kicked',
  equations: 'dh = v\ndv = -g',
  states: { h: 1, v: 0 },
  parameters: { g: 9.81 },
  noise: { v: '0.1 + 0.05*h' },
  events: [
    { name: 'kick', every: 0.5, then: 'v = v + 1', terminal: 4 },
    { name: 'halve', at: [0.3, 0.75], then: 'v = 0.5*v' },
  ],
});

async function both(system: typeof gbm, method: string, precision: 'float32' | 'float64', parameters: Record<string, Float64Array>): Promise<[SolveResult, SolveResult]> {
  const run = async (cpuLanes: 'auto' | 1) =>
    new Solver(system, { method, dt: 1e-3, backend: 'cpu', precision, cpuLanes, outputTypes: ['state', 'iteration_counters'] }).solve({}, parameters, {
      duration: 1,
      saveEvery: 0.125,
      seed: 2026,
    });
  return [await run('auto'), await run(1)];
}

function expectSameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differ++;
  expect(differ).toBe(0);
}

describe('stochastic methods in CPU lanes', () => {
  const mu = Float64Array.from({ length: RUNS }, (_, i) => 0.1 + 0.02 * i);

  it.each([
    ['euler-maruyama', 'float64'],
    ['milstein', 'float64'],
    ['platen-w2', 'float64'],
    ['euler-maruyama', 'float32'],
    ['milstein', 'float32'],
    ['platen-w2', 'float32'],
  ] as const)('%s (%s): lanes and the scalar engine agree bit for bit', async (method, precision) => {
    const [lanes, scalar] = await both(gbm, method, precision, { mu });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(scalar.kernel.lanes).toBe(1);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
    expectSameBits(lanes.status, scalar.status);
    // The paths are the runs' own: replicates differ from one another.
    expect(new Set(Array.from(lanes.timeDomain.slice(-RUNS))).size).toBe(RUNS);
  });

  it('general noise with shared processes and a piecewise drift: bit for bit', async () => {
    const k = Float64Array.from({ length: RUNS }, (_, i) => 0.5 + 0.05 * i);
    const [lanes, scalar] = await both(coupled, 'euler-maruyama', 'float64', { k });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
  });

  it('a run that overflows mid-batch ends with its flag, and its lane-mates are untouched', async () => {
    const wild = Float64Array.from(mu);
    wild[3] = 2000; // each step multiplies x by about 1 + 2000 dt = 3: past the largest double before t = 1
    const [lanes, scalar] = await both(gbm, 'euler-maruyama', 'float64', { mu: wild });
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(lanes.status[3] & StatusBits.NONFINITE).toBeTruthy();
    expect(Array.from(lanes.status).filter((s) => s !== 0)).toHaveLength(1);
    expectSameBits(lanes.status, scalar.status);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
  });

  it.each(['float64', 'float32'] as const)("saved Wiener paths ('wiener' outputs, %s): bit for bit, W(0) = 0, each run its own path", async (precision) => {
    const run = (cpuLanes: 'auto' | 1) =>
      new Solver(coupled, { method: 'euler-maruyama', dt: 1e-3, backend: 'cpu', precision, cpuLanes, outputTypes: ['state', 'wiener'] }).solve(
        {},
        { k: Float64Array.from({ length: RUNS }, (_, i) => 0.5 + 0.05 * i) },
        { duration: 1, saveEvery: 0.125, seed: 2026 },
      );
    const [lanes, scalar] = [await run('auto'), await run(1)];
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(scalar.kernel.lanes).toBe(1);
    expect(lanes.variables).toEqual(['x', 'y', 'W.W1', 'W.W2']);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
    // W(0) = 0, and the runs' paths differ from one another.
    for (let r = 0; r < RUNS; r++) expect(lanes.trajectory('W.W1', r)[0]).toBe(0);
    expect(new Set(Array.from({ length: RUNS }, (_, r) => lanes.trajectory('W.W2', r)[8])).size).toBe(RUNS);
  });

  it.each(['float64', 'float32'] as const)('discrete events (every, at, terminal; %s): bit for bit, records included', async (precision) => {
    // A stochastic system's events are discrete, at times every run shares: the lanes stay together.
    const run = (cpuLanes: 'auto' | 1) =>
      new Solver(kicked, { method: 'milstein', dt: 1e-3, backend: 'cpu', precision, cpuLanes, outputTypes: ['state', 'events', 'iteration_counters'], maxEventRecords: 8 }).solve(
        {},
        { g: Float64Array.from({ length: RUNS }, (_, i) => 1 + i) },
        { duration: 2, saveEvery: 0.125, seed: 7 },
      );
    const [lanes, scalar] = [await run('auto'), await run(1)];
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    // Kicks at 0, 0.5, 1 and 1.5 (the fourth ends the run), halvings at 0.3 and 0.75.
    expect(Array.from(scalar.events!.count).every((c) => c === 6)).toBe(true);
    expect(Array.from(scalar.status).every((s) => s === StatusBits.TERMINATED)).toBe(true);
    expectSameBits(lanes.status, scalar.status);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
    for (const field of ['count', 'which', 'time', 'state'] as const) expectSameBits(lanes.events![field], scalar.events![field]);
    for (const name of Object.keys(scalar.iterationCounters!)) expectSameBits(lanes.iterationCounters![name], scalar.iterationCounters![name]);
  });

  it('adaptive stochastic steps run in lanes too', () => {
    const reason = (options: Record<string, unknown>) => scalarReason(compilePlan(gbm, { dt: 1e-3, ...options }), 'auto');
    expect(reason({ method: 'euler-maruyama' })).toBeUndefined();
    expect(reason({ method: 'euler-maruyama', outputTypes: ['state', 'wiener'] })).toBeUndefined();
    expect(reason({ method: 'milstein-adaptive' })).toBeUndefined();
    expect(reason({ method: 'milstein-adaptive', outputTypes: ['state', 'wiener'] })).toBeUndefined();
    expect(scalarReason(compilePlan(gbm, { method: 'milstein-adaptive' }), 1)).toBe('cpuLanes is 1');
  });
});

/**
 * Adaptive stochastic steps in lanes: each lane keeps the scalar engine's
 * Brownian cache of its own run and descends its run's tree at its own step
 * times (lane_sde.h), and the lanes refill one by one. Every adaptive method
 * in src/methods/stochastic (errorOrder > 0), both precisions: statuses,
 * saves, every counter bit for bit, with runs whose step counts differ
 * several-fold, rejected steps retried on the same path, and runs that fail
 * mid-batch (one overflows, one hits the step limit) while their lane-mates go on.
 */
describe('adaptive stochastic methods in CPU lanes', () => {
  const adaptiveMethods = SDE_METHODS.filter((m) => m.errorOrder > 0).map((m) => m.name);
  const cases = adaptiveMethods.flatMap((m) => (['float64', 'float32'] as const).map((p) => [m, p] as const));
  // Noise from gentle to wild: the step counts differ from run to run.
  const sigma = Float64Array.from({ length: RUNS }, (_, i) => 0.05 + 0.04 * i);
  const mu = Float64Array.from({ length: RUNS }, (_, i) => 0.1 + 0.02 * i);

  async function adaptive(system: typeof gbm, method: string, precision: 'float32' | 'float64', parameters: Record<string, Float64Array>, extra: Record<string, unknown> = {}): Promise<[SolveResult, SolveResult]> {
    const run = (cpuLanes: 'auto' | 1) =>
      new Solver(system, { method, backend: 'cpu', precision, cpuLanes, atol: 1e-3, rtol: 1e-3, outputTypes: ['state', 'iteration_counters'], ...extra }).solve({}, parameters, {
        duration: 1,
        saveEvery: 0.125,
        seed: 2026,
      });
    return [await run('auto'), await run(1)];
  }

  function expectSameRuns(lanes: SolveResult, scalar: SolveResult): void {
    expect(lanes.kernel.lanes).toBeGreaterThan(1);
    expect(scalar.kernel.lanes).toBe(1);
    expectSameBits(lanes.status, scalar.status);
    expectSameBits(lanes.timeDomain, scalar.timeDomain);
    const names = Object.keys(scalar.iterationCounters!);
    expect(names).toEqual(expect.arrayContaining(['accepted', 'rejected']));
    for (const name of names) expectSameBits(lanes.iterationCounters![name], scalar.iterationCounters![name]);
  }

  it('there is an adaptive stochastic method to test', () => {
    expect(adaptiveMethods).toContain('milstein-adaptive');
  });

  it.each(cases)('%s (%s): bit for bit with the scalar engine, each run its own steps', async (method, precision) => {
    const [lanes, scalar] = await adaptive(gbm, method, precision, { mu, sigma });
    expectSameRuns(lanes, scalar);
    expect(Array.from(lanes.status).every((s) => s === 0)).toBe(true);
    const accepted = Array.from(lanes.iterationCounters!.accepted);
    expect(Math.max(...accepted) / Math.min(...accepted)).toBeGreaterThan(1.5);
    expect(Array.from(lanes.iterationCounters!.rejected).some((r) => r > 0)).toBe(true);
    expect(new Set(Array.from(lanes.timeDomain.slice(-RUNS))).size).toBe(RUNS);
  });

  it.each(cases)('%s (%s): two processes and a piecewise drift, bit for bit', async (method, precision) => {
    const k = Float64Array.from({ length: RUNS }, (_, i) => 0.5 + 0.05 * i);
    const [lanes, scalar] = await adaptive(diagonal, method, precision, { k });
    expectSameRuns(lanes, scalar);
  });

  it.each(cases)('%s (%s): runs that fail mid-batch end with their flags, their lane-mates untouched', async (method, precision) => {
    const wild = Float64Array.from(mu);
    wild[3] = 2000; // x grows like exp(2000 t): the controller's steps shrink until the limit, early in the run
    const noisy = Float64Array.from(sigma);
    noisy[9] = 40; // wild noise, many rejected steps: the limit, later (measured: 300 to 400 steps to t = 1)
    const [lanes, scalar] = await adaptive(gbm, method, precision, { mu: wild, sigma: noisy }, { maxSteps: 250 });
    expectSameRuns(lanes, scalar);
    expect(lanes.status[3] & StatusBits.MAX_STEPS).toBeTruthy();
    expect(lanes.status[9] & StatusBits.MAX_STEPS).toBeTruthy();
    expect(Array.from(lanes.status).filter((s) => s !== 0)).toHaveLength(2);
    // The failed runs stopped short of t = 1, the others reached it.
    expect(Number.isNaN(lanes.timeDomain[(lanes.timeDomain.length / RUNS - 1) * RUNS + 3])).toBe(true);
  });

  it.each(cases)("%s (%s): saved Wiener paths, each lane's at its own save", async (method, precision) => {
    const k = Float64Array.from({ length: RUNS }, (_, i) => 0.5 + 0.05 * i);
    const [lanes, scalar] = await adaptive(diagonal, method, precision, { k }, { outputTypes: ['state', 'wiener', 'iteration_counters'] });
    expectSameRuns(lanes, scalar);
    expect(lanes.variables).toEqual(['x', 'y', 'W.x', 'W.y']);
    for (let r = 0; r < RUNS; r++) expect(lanes.trajectory('W.x', r)[0]).toBe(0);
    expect(new Set(Array.from({ length: RUNS }, (_, r) => lanes.trajectory('W.y', r)[8])).size).toBe(RUNS);
  });

  it.each(cases)('%s (%s): discrete events, each lane at its own steps: bit for bit, records included', async (method, precision) => {
    const [lanes, scalar] = await adaptive(kicked, method, precision, { g: Float64Array.from({ length: RUNS }, (_, i) => 1 + i) }, {
      outputTypes: ['state', 'events', 'iteration_counters'],
      maxEventRecords: 8,
    });
    expectSameRuns(lanes, scalar);
    expect(Array.from(scalar.events!.count).every((c) => c >= 4)).toBe(true);
    for (const field of ['count', 'which', 'time', 'state'] as const) expectSameBits(lanes.events![field], scalar.events![field]);
  });
});

