/**
 * Step bounds by default: no absolute dtMin (the floor is a few spacings of
 * t) and dtMax the whole span, as in scipy and Hairer's codes.
 */
import { createSystem, solveIvp, StatusBits } from '../../src';

const blowUp = createSystem({ name: 'blow_up', equations: 'dy = y^2', states: { y: 1 } }); // y = 1/(1 - t)
const decay = createSystem({ name: 'slow_decay', equations: 'dy = -k*y', states: { y: 1 }, parameters: { k: 1e-3 } });

describe('step bounds', () => {
  it('a solution that blows up at t = 1 stops at the floor near t = 1 with DT_UNDERFLOW, in both precisions', async () => {
    for (const precision of ['float64', 'float32'] as const) {
      const r = await solveIvp(blowUp, {}, {}, { duration: 2, saveEvery: 0.001, rtol: 1e-8, atol: 1e-8, precision, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
      expect(r.status[0]).toBe(StatusBits.DT_UNDERFLOW);
      // Every save up to t = 1 - 1e-3 is there and right; the ones after the stop are NaN.
      const y = r.trajectory('y', 0);
      const times = Array.from(r.time);
      const lastFinite = times.filter((_, k) => Number.isFinite(y[k])).pop()!;
      expect(lastFinite).toBeGreaterThanOrEqual(0.999);
      expect(lastFinite).toBeLessThanOrEqual(1);
      expect(y[times.indexOf(1.5)]).toBeNaN();
      const k = times.indexOf(0.5);
      expect(Math.abs(y[k] - 2) / 2).toBeLessThan(precision === 'float64' ? 1e-6 : 1e-4);
    }
  });

  it('an explicit dtMin stops the run sooner, at that step', async () => {
    const options = { duration: 2, saveEvery: 0.001, rtol: 1e-8, atol: 1e-8, backend: 'cpu' as const, outputTypes: ['state', 'iteration_counters'] };
    const floor = await solveIvp(blowUp, {}, {}, options);
    const r = await solveIvp(blowUp, {}, {}, { ...options, dtMin: 1e-4 });
    expect(r.status[0]).toBe(StatusBits.DT_UNDERFLOW);
    // y = 1/(1 - t) needs steps below 1e-4 once 1 - t is about 1e-3 at this tolerance.
    expect(r.iterationCounters!.accepted[0]).toBeLessThan(floor.iterationCounters!.accepted[0]);
    expect(r.trajectory('y', 0)[1000]).toBeNaN();
  });

  it('without dtMax a slow decay over a long span takes a few hundred steps, not one per time unit', async () => {
    const r = await solveIvp(decay, {}, {}, { duration: 1e4, rtol: 1e-6, atol: 1e-9, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
    expect(r.status[0]).toBe(0);
    expect(Math.abs(r.timeDomain[1] - Math.exp(-10)) / Math.exp(-10)).toBeLessThan(1e-4);
    expect(r.iterationCounters!.accepted[0]).toBeLessThan(500);
    const capped = await solveIvp(decay, {}, {}, { duration: 1e4, rtol: 1e-6, atol: 1e-9, dtMax: 1, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
    expect(capped.iterationCounters!.accepted[0]).toBeGreaterThanOrEqual(1e4);
  });

  it('dtMin 0 is accepted and a negative one is refused', async () => {
    await expect(solveIvp(decay, {}, {}, { dtMin: -1, backend: 'cpu' })).rejects.toThrow("Option 'dtMin' must be a finite number >= 0 (got -1)");
    const r = await solveIvp(decay, {}, {}, { dtMin: 0, backend: 'cpu' });
    expect(r.status[0]).toBe(0);
  });
});
