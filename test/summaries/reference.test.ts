/**
 * The reference implementation against numbers worked out by hand, so that
 * the g++ comparison rests on something other than the reference itself;
 * and a check that the test signals reach every rule.
 */
import { summaryLegend } from '../../src/summaries/legend';
import { parseSummaryMetrics } from '../../src/summaries/metrics';
import { referenceSummaries, windowCount, windowOf } from './reference';
import { ALL_NAMES, HAND_CASE, signalCases } from './signals';

/** Window rows of the reference, keyed by legend name. */
function namedWindows(): Record<string, number>[] {
  const metrics = parseSummaryMetrics(ALL_NAMES, []);
  const legend = summaryLegend(metrics, ['x', 'y', 'c']);
  return referenceSummaries(HAND_CASE, metrics).map((row) => Object.fromEntries(legend.map((name, j) => [name, row[j]])));
}

describe('reference summaries, by hand', () => {
  // x = 0, 2, 1, 3, 0 at t = 0..4, m = 2: window 0 holds k = 0, 1, 2; window 1 holds k = 3, 4.
  const [w0, w1] = namedWindows();

  it('has two windows, k = 0 joining window 0', () => {
    expect(windowCount(HAND_CASE)).toBe(2);
    expect([0, 1, 2, 3, 4].map((k) => windowOf(k, 2))).toEqual([0, 0, 0, 1, 1]);
  });

  it('values: mean, population std, rms, min, max, extrema, max_magnitude', () => {
    expect(w0['x.mean']).toBeCloseTo(1, 15);
    expect(w0['x.std']).toBeCloseTo(Math.sqrt(2 / 3), 15);
    expect(w0['x.rms']).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect([w0['x.min'], w0['x.max'], w0['x.extrema.max'], w0['x.extrema.min'], w0['x.max_magnitude']]).toEqual([0, 2, 2, 0, 2]);
    expect(w1['x.mean']).toBe(1.5);
    expect(w1['x.std']).toBe(1.5);
    expect(w1['x.rms']).toBeCloseTo(Math.sqrt(4.5), 15);
    expect(w0['y.max_magnitude']).toBe(2);
    expect(w1['c.std']).toBe(0);
  });

  it('derivatives: backward differences, continuing across the window boundary', () => {
    // dxdt: k=1: 2, k=2: -1 | k=3: 2, k=4: -3.   d2xdt2: k=2: -3 | k=3: 3, k=4: -5.
    expect([w0['x.dxdt_max'], w0['x.dxdt_min'], w0['x.dxdt_extrema.max'], w0['x.dxdt_extrema.min']]).toEqual([2, -1, 2, -1]);
    expect([w1['x.dxdt_max'], w1['x.dxdt_min']]).toEqual([2, -3]);
    expect([w0['x.d2xdt2_max'], w0['x.d2xdt2_min'], w0['x.d2xdt2_extrema.max'], w0['x.d2xdt2_extrema.min']]).toEqual([-3, -3, -3, -3]);
    expect([w1['x.d2xdt2_max'], w1['x.d2xdt2_min']]).toEqual([3, -5]);
    expect(w0['c.dxdt_max']).toBe(0);
  });

  it('peaks: times, reported by the window of the sample that reveals them, NaN beyond those found', () => {
    // The peak at t=1 is revealed by k=2 (window 0); the minimum at t=2, the last sample of window 0, by k=3 (window 1).
    expect([w0['x.peaks[0]'], w0['x.peaks[1]'], w0['x.peaks[2]']]).toEqual([1, NaN, NaN]);
    expect([w0['x.negative_peaks[0]'], w0['x.negative_peaks[1]']]).toEqual([NaN, NaN]);
    expect([w1['x.peaks[0]'], w1['x.negative_peaks[0]']]).toEqual([3, 2]);
    expect([w0['y.negative_peaks[0]'], w1['y.peaks[0]'], w1['y.negative_peaks[0]']]).toEqual([1, 2, 3]);
    expect(w1['c.peaks[0]']).toBeNaN();
  });
});

describe('the test signals', () => {
  const cases = signalCases();
  const peaksPerWindow = cases.flatMap(({ times, values, perWindow }) => values.flatMap((x) => {
    const counts = Array.from({ length: windowCount({ times, values, perWindow }) }, () => 0);
    for (let k = 2; k < x.length; k++) if (x[k - 2] < x[k - 1] && x[k - 1] > x[k]) counts[windowOf(k, perWindow)] += 1;
    return counts;
  }));

  it('have windows with more peaks than peaks[3] keeps, and windows with fewer', () => {
    expect(Math.max(...peaksPerWindow)).toBeGreaterThan(3);
    expect(Math.min(...peaksPerWindow)).toBeLessThan(3);
  });

  it('have peaks on the last sample of a window, and plateaus next to a rise', () => {
    const boundaryPeaks = cases.some(({ values, perWindow }) => values.some((x) =>
      x.some((_, k) => k >= 2 && x[k - 2] < x[k - 1] && x[k - 1] > x[k] && windowOf(k, perWindow) !== windowOf(k - 1, perWindow))));
    expect(boundaryPeaks).toBe(true);
    const plateauAfterRise = cases.some(({ values }) => values.some((x) => x.some((_, k) => k >= 2 && x[k - 2] < x[k - 1] && x[k - 1] === x[k])));
    expect(plateauAfterRise).toBe(true);
  });

  it('have a window without a second derivative and an unequal last interval', () => {
    const metrics = parseSummaryMetrics(['d2xdt2_max'], []);
    expect(cases.some((c) => referenceSummaries(c, metrics).some((row) => row.some(Number.isNaN)))).toBe(true);
    expect(cases.some(({ times }) => {
      const steps = times.slice(1).map((t, k) => t - times[k]);
      return Math.abs(steps[steps.length - 1] - steps[0]) > 1e-9;
    })).toBe(true);
  });
});
