/**
 * Each method's own continuous extension, through the engine: interpolated
 * saves (saveMode 'interpolate', saveAt) as accurate as the step ends they
 * lie between, the interpolant's order on a fixed step, and bit-identical
 * results from run to run. The interpolants' order from their data alone is
 * in test/implicit/tableaus.test.ts and test/methods/extensions.test.ts.
 */
import { createSystem, Solver } from '../../src';
import { resolveMethod } from '../../src/methods/registry';

const oscillator = createSystem({ name: 'extension_oscillator', equations: 'dx = v\ndv = -w^2*x', states: { x: 1, v: 0 }, parameters: { w: 2 } });
const drive = createSystem({ name: 'extension_sine', equations: 'dy = cos(t)', states: { y: 0 } });
const tolerances = { rtol: 1e-8, atol: 1e-10 };

function maxError(result: { time: Float64Array; trajectory(name: string, run: number): ArrayLike<number> }): number {
  const x = result.trajectory('x', 0);
  return Math.max(...Array.from(result.time).map((t, k) => Math.abs(x[k] - Math.cos(2 * t))));
}

/**
 * [method, interpolant order, how many times the step-end error the interpolated saves may be,
 * the coarse fixed steps of the order check (each against half of it)]. Radau IIA's collocation
 * polynomial is of order 3 under a fifth-order step, so its saves sit a decade above its step
 * ends; DOP853's 7th-order extension under its 8th-order step, at its long steps, about 9x
 * (both still far below the cubic Hermite's; README, "Saving"). The high orders need long fixed
 * steps for their error to stay above rounding (dop853: 1.4e-12 at dt = 0.4, 6e-15 at 0.2).
 */
const METHODS = [
  ['rodas4', 3, 3, [0.4, 0.2]],
  ['rodas5p', 4, 5, [0.4, 0.2]],
  ['radau', 3, 30, [0.4, 0.2]],
  ['dop853', 7, 15, [1, 0.8]],
  ['vern7', 7, 15, [1, 0.8]],
] as const;

describe.each(METHODS)('%s interpolates with its own extension', (method, order, factor, coarse) => {
  it(`saves inside steps within ${factor}x the error of landed saves, in the same steps as saving nothing`, async () => {
    const counters = { backend: 'cpu' as const, method, outputTypes: ['state' as const, 'iteration_counters' as const] };
    const dense = await new Solver(oscillator, { ...counters, saveMode: 'interpolate' }).solve({}, {}, { duration: 10, saveEvery: 0.01, ...tolerances });
    const none = await new Solver(oscillator, counters).solve({}, {}, { duration: 10, ...tolerances });
    const landed = await new Solver(oscillator, counters).solve({}, {}, { duration: 10, saveEvery: 0.5, ...tolerances });
    expect(dense.status[0]).toBe(0);
    expect(dense.iterationCounters!.accepted[0]).toBe(none.iterationCounters!.accepted[0]);
    expect(maxError(dense)).toBeLessThan(factor * maxError(landed));
  });

  it('in float32, interpolated saves are within 3x the error of landed ones (the weights are summed in double)', async () => {
    const base = { backend: 'cpu' as const, method, precision: 'float32' as const };
    const options = { duration: 10, rtol: 1e-6, atol: 1e-8 };
    const dense = await new Solver(oscillator, { ...base, saveMode: 'interpolate' }).solve({}, {}, { ...options, saveEvery: 0.01 });
    const landed = await new Solver(oscillator, base).solve({}, {}, { ...options, saveEvery: 0.5 });
    expect(maxError(dense)).toBeLessThan(3 * maxError(landed));
  });

  it(`is of order ${order}: on a fixed step, halving it divides the error at a save inside each step by about 2^${Math.min(order + 1, resolveMethod(method).order)}`, async () => {
    const fixed = new Solver(drive, { method, stepController: 'fixed', saveMode: 'interpolate', backend: 'cpu' });
    // Saves at the same fraction (0.3) of every step, so that only the step size differs.
    const errorAt = async (dt: number): Promise<number> => {
      const times = Array.from({ length: Math.round(4 / dt) - 1 }, (_, k) => (k + 0.3) * dt);
      const r = await fixed.solve({}, {}, { duration: 4, dt, saveAt: times });
      const y = r.trajectory('y', 0);
      return Math.max(...times.map((t, k) => Math.abs(y[k] - Math.sin(t))));
    };
    // Against the exact solution a save also carries the steps' global error, O(dt^p) for a method
    // of order p, so the error falls as dt^min(order + 1, p): vern7's as dt^7 (its extension's own
    // dt^8 is checked from the data in test/methods/extensions.test.ts), the others' as dt^(order + 1).
    const exponent = Math.min(order + 1, resolveMethod(method).order);
    for (const dt of coarse) expect(Math.abs(Math.log2((await errorAt(dt)) / (await errorAt(dt / 2))) - exponent)).toBeLessThan(0.4);
  });

  it(`gives the same bits on every run, and saveAt times inside steps within ${factor}x the error of landing on them`, async () => {
    const solver = new Solver(oscillator, { method, saveMode: 'interpolate', backend: 'cpu' });
    const saveAt = [0.1, 0.37, 1.0, 2.5, 2.51, 7.3, 10];
    const options = { duration: 10, saveAt, ...tolerances };
    const [a, b] = [await solver.solve({}, {}, options), await solver.solve({}, {}, options)];
    expect(Array.from(a.time)).toEqual(saveAt);
    expect(Array.from(a.trajectory('x', 0))).toEqual(Array.from(b.trajectory('x', 0)));
    const landed = await new Solver(oscillator, { method, backend: 'cpu' }).solve({}, {}, options);
    expect(maxError(a)).toBeLessThan(factor * maxError(landed));
  });
});

describe.each([
  ['dop853', 3],
  ['vern7', 5],
] as const)('%s evaluates its extension\'s %i extra stages only for steps that need them', (method, extra) => {
  it('none without saves inside steps, at most once per step with them, once in every step with a save in each', async () => {
    const solver = new Solver(oscillator, { method, saveMode: 'interpolate', backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
    const run = async (saveAt: number[]) => (await solver.solve({}, {}, { duration: 10, saveAt, ...tolerances })).iterationCounters!;
    const none = await run([10]); // the last save is landed on: no step has a save inside
    const few = await run([0.5, 0.51, 0.52, 3.3, 10]);
    const grid = await run(Array.from({ length: 1000 }, (_, k) => (k + 1) / 100));
    for (const counters of [few, grid]) expect(counters.accepted[0]).toBe(none.accepted[0]);
    const extraEvaluations = (counters: typeof none): number => counters.rhsEvaluations[0] - none.rhsEvaluations[0];
    // 0.5, 0.51 and 0.52 fall in one or two steps; 3.3 in another.
    expect([2, 3].map((steps) => steps * extra)).toContain(extraEvaluations(few));
    // With saves 0.01 apart every step has one inside but the last (which ends on 10) and the first
    // one or two, which the initial step size makes shorter than 0.01.
    expect(extraEvaluations(grid) % extra).toBe(0);
    expect(extraEvaluations(grid) / extra).toBeGreaterThanOrEqual(none.accepted[0] - 3);
    expect(extraEvaluations(grid) / extra).toBeLessThanOrEqual(none.accepted[0] - 1);
  });
});
