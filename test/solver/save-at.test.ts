/**
 * saveAt (save at exactly these times) and saveMode 'interpolate' (saves
 * inside steps from the step's continuous extension: the method's own where it has one, else cubic Hermite; no step shortened).
 */
import { createSystem, Solver } from '../../src';

const oscillator = createSystem({ name: 'save_at_oscillator', equations: 'dx = v\ndv = -w^2*x', states: { x: 1, v: 0 }, parameters: { w: 2 } });
const saveAt = [0.1, 0.37, 1.0, 2.5, 2.51, 7.3, 10];
const tolerances = { rtol: 1e-8, atol: 1e-10 };

function maxError(result: { time: Float64Array; trajectory(name: string, run: number): ArrayLike<number> }, t0 = 0): number {
  const x = result.trajectory('x', 0);
  return Math.max(...Array.from(result.time).map((t, k) => Math.abs(x[k] - Math.cos(2 * (t - t0)))));
}

describe('saveAt', () => {
  it.each(['tsit5', 'dop853', 'rodas4', 'radau', 'kvaerno5'])('%s saves at exactly the times given, each as accurate as a step end, for a few extra steps', async (method) => {
    const solver = new Solver(oscillator, { method, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
    const r = await solver.solve({}, {}, { duration: 10, saveAt, ...tolerances });
    expect(r.status[0]).toBe(0);
    expect(Array.from(r.time)).toEqual(saveAt);
    expect(r.shape).toEqual([saveAt.length, 2, 1]);
    expect(maxError(r)).toBeLessThan(1e-6);
    const none = await solver.solve({}, {}, { duration: 10, ...tolerances });
    expect(r.iterationCounters!.accepted[0]).toBeLessThanOrEqual(none.iterationCounters!.accepted[0] + 2 * saveAt.length);
    expect(solver.describe({ duration: 10, saveAt }).time).toEqual(Float64Array.from(saveAt));
  });

  it('starts after the settling time and may stop before the end', async () => {
    const r = await new Solver(oscillator, { backend: 'cpu' }).solve({}, {}, { t0: 1, settlingTime: 1, duration: 5, saveAt: [2, 3.5], ...tolerances });
    expect(Array.from(r.time)).toEqual([2, 3.5]);
    expect(maxError(r, 1)).toBeLessThan(1e-6);
  });

  it('refuses times out of order, outside the saved span, beside saveEvery or with summaries', async () => {
    const solver = new Solver(oscillator, { backend: 'cpu' });
    await expect(solver.solve({}, {}, { duration: 10, saveAt: [1, 1] })).rejects.toThrow("Option 'saveAt' must increase strictly: [0] is 1, [1] is 1");
    await expect(solver.solve({}, {}, { duration: 10, saveAt: [1, 11] })).rejects.toThrow("Option 'saveAt' [1] is 11, outside the saved span [0, 10]");
    await expect(solver.solve({}, {}, { duration: 10, settlingTime: 2, saveAt: [1] })).rejects.toThrow('outside the saved span [2, 12]');
    await expect(solver.solve({}, {}, { duration: 10, saveAt: [] })).rejects.toThrow("Option 'saveAt' is empty");
    await expect(solver.solve({}, {}, { duration: 10, saveAt: [1], saveEvery: 1 })).rejects.toThrow("Options 'saveAt' and 'saveEvery' both say when to save");
    await expect(solver.solve({}, {}, { duration: 10, saveAt: [1, 'x'] as unknown as number[] })).rejects.toThrow("Option 'saveAt' must be an array of finite numbers");
    const summaries = new Solver(oscillator, { backend: 'cpu', outputTypes: ['state', 'max'] });
    await expect(summaries.solve({}, {}, { duration: 10, saveAt: [1, 2] })).rejects.toThrow('Summaries are computed over windows of the regular saveEvery grid');
  });
});

describe("saveMode 'interpolate'", () => {
  it('saves densely in no more steps than saving nothing, in both precisions', async () => {
    for (const precision of ['float64', 'float32'] as const) {
      const solver = new Solver(oscillator, { method: 'tsit5', saveMode: 'interpolate', precision, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
      const dense = await solver.solve({}, {}, { duration: 10, saveEvery: 0.01, rtol: 1e-6, atol: 1e-8 });
      const none = await solver.solve({}, {}, { duration: 10, rtol: 1e-6, atol: 1e-8 });
      expect(dense.status[0]).toBe(0);
      expect(dense.time.length).toBe(1001);
      expect(dense.iterationCounters!.accepted[0]).toBe(none.iterationCounters!.accepted[0]);
      // Landing saves on the same grid ('step', no longer tsit5's default) costs a step per save.
      const landing = await new Solver(oscillator, { method: 'tsit5', saveMode: 'step', precision, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] }).solve({}, {}, { duration: 10, saveEvery: 0.01, rtol: 1e-6, atol: 1e-8 });
      expect(landing.iterationCounters!.accepted[0]).toBeGreaterThanOrEqual(1000);
      expect(maxError(dense)).toBeLessThan(precision === 'float64' ? 1e-4 : 1e-3);
    }
  });

  it('the extension is a third-order interpolant: halving the step divides its error by about 16', async () => {
    // Cash–Karp (no published extension) on a fixed step is exact to 1e-8 here, so the error at saves between step ends is the interpolant's.
    const drive = createSystem({ name: 'save_at_sine', equations: 'dy = cos(t)', states: { y: 0 } });
    const solver = new Solver(drive, { method: 'cash-karp-54', stepController: 'fixed', saveMode: 'interpolate', backend: 'cpu' });
    // Saves at the same fraction (0.3) of every step, so that only the step size differs.
    const errorAt = async (dt: number): Promise<number> => {
      const times = Array.from({ length: Math.round(4 / dt) - 1 }, (_, k) => (k + 0.3) * dt);
      const r = await solver.solve({}, {}, { duration: 4, dt, saveAt: times });
      const y = r.trajectory('y', 0);
      return Math.max(...times.map((t, k) => Math.abs(y[k] - Math.sin(t))));
    };
    const coarse = await errorAt(0.2);
    const fine = await errorAt(0.1);
    expect(coarse).toBeGreaterThan(1e-7);
    expect(coarse / fine).toBeGreaterThan(12);
    expect(coarse / fine).toBeLessThan(20);
  });

  it.each(['tsit5', 'dormand-prince-54'])('%s interpolates with its own fourth-order extension: as accurate as its steps, and halving the step divides its error by about 32', async (method) => {
    const solver = new Solver(oscillator, { method, saveMode: 'interpolate', backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
    const dense = await solver.solve({}, {}, { duration: 10, saveEvery: 0.01, ...tolerances });
    const none = await solver.solve({}, {}, { duration: 10, ...tolerances });
    expect(dense.iterationCounters!.accepted[0]).toBe(none.iterationCounters!.accepted[0]);
    // The cubic Hermite extension is off by 1e-7 here; the method's own is at the step error's level.
    expect(maxError(dense)).toBeLessThan(1e-8);
    const drive = createSystem({ name: 'save_at_sine_own', equations: 'dy = cos(t)', states: { y: 0 } });
    const fixed = new Solver(drive, { method, stepController: 'fixed', saveMode: 'interpolate', backend: 'cpu' });
    const errorAt = async (dt: number): Promise<number> => {
      const times = Array.from({ length: Math.round(4 / dt) - 1 }, (_, k) => (k + 0.3) * dt);
      const r = await fixed.solve({}, {}, { duration: 4, dt, saveAt: times });
      const y = r.trajectory('y', 0);
      return Math.max(...times.map((t, k) => Math.abs(y[k] - Math.sin(t))));
    };
    const ratio = (await errorAt(0.4)) / (await errorAt(0.2));
    expect(ratio).toBeGreaterThan(24);
    expect(ratio).toBeLessThan(40);
  });
});
