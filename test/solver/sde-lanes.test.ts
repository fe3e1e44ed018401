/**
 * Noise in CPU lanes (kernel/cubie/lane_sde.h): fixed-step stochastic
 * methods run W replicates per vector, their Brownian paths drawn on vectors
 * with random.h's operations (Philox4x32-10, log_open, sincos_two_pi), so a
 * lane's noise is the scalar build's bit for bit. With a drift and diffusion
 * of +, -, * (no vector math function), whole runs agree bit for bit too:
 * every fixed-step method, both precisions, a batch that is not a multiple of
 * the lane width, and a run that fails mid-batch while its lane-mates go on.
 */
import { createSystem, Solver, SolveResult, StatusBits } from '../../src';
import { scalarReason } from '../../src/solver/lanes';
import { compilePlan } from '../../src/codegen/compile-plan';

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

  it('adaptive stochastic steps stay on the scalar engine, with the reason', () => {
    const reason = (options: Record<string, unknown>) => scalarReason(gbm, compilePlan(gbm, { dt: 1e-3, ...options }), 'auto');
    expect(reason({ method: 'euler-maruyama' })).toBeUndefined();
    expect(reason({ method: 'euler-maruyama', outputTypes: ['state', 'wiener'] })).toBeUndefined();
    expect(reason({ method: 'milstein-adaptive' })).toMatch(/adapts its step/);
  });
});

