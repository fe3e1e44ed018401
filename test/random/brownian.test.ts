/**
 * kernel/cubie/brownian.h: the virtual Brownian tree gives a path that is a
 * function of (seed, run, process, t) alone: increments over any partition
 * telescope to the same W(T), a rejected step sees the same path, and the
 * path has Brownian moments, independent across processes, runs and seeds.
 */
import { buildHarness, fields, itGxx } from './support';

const RUNS = 100_000;
/** Five standard errors of a correlation estimated from RUNS pairs of independent normals. */
const CORR_BOUND = 5 / Math.sqrt(RUNS);

describe('virtual Brownian tree (kernel/cubie/brownian.h)', () => {
  let harness: (...args: string[]) => string;
  beforeAll(async () => {
    harness = await buildHarness('brownian-check');
  });

  // Sums of 1000+ float increments round at about 1e-7 each step; doubles agree to the last bit here.
  itGxx.each([['float64', 1e-12], ['float32', 1e-5]] as const)('%s: three partitions of [t0, t0 + T] sum to the same W(T)', (precision, tolerance) => {
    const r = fields(harness('partitions', precision));
    expect(r.decades).toBeGreaterThanOrEqual(5);
    expect(r.identical).toBe(1);
    expect(r.rejected).toBeGreaterThan(10);
    expect(r.snapped_differ).toBe(0);
    for (const sum of [r.uniform, r.irregular, r.adaptive]) expect(Math.abs(sum - r.direct)).toBeLessThan(tolerance);
    // Another seed, run or process is another path (so equal sums above are not a constant path).
    for (const other of [r.other_seed, r.other_run, r.other_process]) expect(Math.abs(other - r.direct)).toBeGreaterThan(1e-3);
  });

  itGxx.each(['float64', 'float32'])('%s: W(t) through a kept descent (brownian_stack) equals a fresh descent bit for bit, in any query order', (precision) => {
    const r = fields(harness('stack', precision));
    expect(r.compared).toBeGreaterThan(10000);
    expect(r.deep).toBe(1); // a tree deeper than the small stack keeps
    expect(r.differ).toBe(0);
  });

  itGxx.each(['float64', 'float32'])('%s: Brownian moments over 10^5 runs, independent processes, runs and seeds', (precision) => {
    const r = fields(harness('moments', precision, String(RUNS)));
    // t0 = 2, T = 4: W(6) ~ N(0, 4); W(3.2) and W(4.8) have Var 1.2 and Cov min(1.2, 2.8) = 1.2.
    const T = 4;
    expect(Math.abs(r.mean)).toBeLessThan(5 * Math.sqrt(T / RUNS));
    expect(Math.abs(r.var / T - 1)).toBeLessThan(5 * Math.sqrt(2 / RUNS));
    expect(Math.abs(r.var_a / 1.2 - 1)).toBeLessThan(5 * Math.sqrt(2 / RUNS));
    // The sample covariance's standard error: sqrt((Var a Var b + Cov^2) / n).
    expect(Math.abs(r.cov_ab - 1.2)).toBeLessThan(5 * Math.sqrt((1.2 * 2.8 + 1.2 * 1.2) / RUNS));
    expect(Math.abs(r.corr_process)).toBeLessThan(CORR_BOUND);
    expect(Math.abs(r.corr_run)).toBeLessThan(CORR_BOUND);
    expect(Math.abs(r.corr_seed)).toBeLessThan(CORR_BOUND);
    expect(Math.abs(r.corr_increments)).toBeLessThan(CORR_BOUND);
    // Deeper decades (T = 4): steps of 0.003 T on the decimal grid have variance 0.012 and are
    // uncorrelated; a step of 0.0000567 T between off-grid times has variance 2.268e-4 (less the
    // leaf interpolation's deficit, below 1% here).
    expect(Math.abs(r.var_grid / 0.012 - 1)).toBeLessThan(5 * Math.sqrt(2 / RUNS));
    expect(Math.abs(r.corr_grid)).toBeLessThan(CORR_BOUND);
    expect(Math.abs(r.var_off_grid / 2.268e-4 - 1)).toBeLessThan(5 * Math.sqrt(2 / RUNS) + 0.01);
  });
});
