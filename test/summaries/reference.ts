/**
 * Output summaries computed the obvious way, from the whole sample list,
 * window by window, in double precision: the oracle the generated C++ is
 * compared with. Deliberately shares no code or formula shape with the
 * generator (std is two-pass, d2xdt2 the Lagrange three-point weights).
 */
import { metricColumns } from '../../src/summaries/legend';
import type { SummaryMetric } from '../../src/summaries/metrics';

/** Samples as the engine feeds them. */
export interface Samples {
  /** t_k, strictly increasing. */
  times: number[];
  /** values[variable][k]. */
  values: number[][];
  /** m = summariseEvery / saveEvery. */
  perWindow: number;
}

/** Window of sample k: k = 0 joins window 0, otherwise samples ((w)m, (w+1)m] form window w. */
export function windowOf(k: number, perWindow: number): number {
  return k === 0 ? 0 : Math.floor((k - 1) / perWindow);
}

export function windowCount(samples: Samples): number {
  return windowOf(samples.times.length - 1, samples.perWindow) + 1;
}

/** dxdt at k ≥ 1: the backward difference. */
export function slopeAt(t: number[], x: number[], k: number): number {
  return (x[k] - x[k - 1]) / (t[k] - t[k - 1]);
}

/**
 * d2xdt2 at k ≥ 2: second derivative of the parabola through the last three
 * samples (Lagrange weights). The weights sum to zero, so the values are
 * taken relative to the middle one: the same number, without the rounding
 * of large values that cancel.
 */
export function curvatureAt(t: number[], x: number[], k: number): number {
  const [t0, t1, t2] = [t[k - 2], t[k - 1], t[k]];
  const [y0, y2] = [x[k - 2] - x[k - 1], x[k] - x[k - 1]];
  return 2 * (y0 / ((t0 - t1) * (t0 - t2)) + y2 / ((t2 - t0) * (t2 - t1)));
}

/** Times of the strict local maxima (sign 1) or minima (sign -1) detected by the window's samples: sample k reveals k−1. */
function eventTimes(t: number[], x: number[], ks: number[], sign: 1 | -1): number[] {
  return ks.filter((k) => k >= 2 && sign * (x[k - 1] - x[k - 2]) > 0 && sign * (x[k - 1] - x[k]) > 0).map((k) => t[k - 1]);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const meanOf = (xs: number[]): number => (xs.length === 0 ? NaN : sum(xs) / xs.length);
const maxOf = (xs: number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
const minOf = (xs: number[]): number => (xs.length === 0 ? NaN : Math.min(...xs));

/** One variable's columns for one metric over the samples `ks` of a window. */
function metricValues(metric: SummaryMetric, t: number[], x: number[], ks: number[]): number[] {
  const xs = ks.map((k) => x[k]);
  const slopes = ks.filter((k) => k >= 1).map((k) => slopeAt(t, x, k));
  const curvatures = ks.filter((k) => k >= 2).map((k) => curvatureAt(t, x, k));
  const firstN = (times: number[], n: number): number[] => Array.from({ length: n }, (_, p) => times[p] ?? NaN);
  switch (metric.metric) {
    case 'mean': return [meanOf(xs)];
    case 'rms': return [Math.sqrt(meanOf(xs.map((v) => v * v)))];
    case 'std': {
      const mean = meanOf(xs);
      return [Math.sqrt(meanOf(xs.map((v) => (v - mean) ** 2)))];
    }
    case 'max': return [maxOf(xs)];
    case 'min': return [minOf(xs)];
    case 'extrema': return [maxOf(xs), minOf(xs)];
    case 'max_magnitude': return [maxOf(xs.map(Math.abs))];
    case 'dxdt_max': return [maxOf(slopes)];
    case 'dxdt_min': return [minOf(slopes)];
    case 'dxdt_extrema': return [maxOf(slopes), minOf(slopes)];
    case 'd2xdt2_max': return [maxOf(curvatures)];
    case 'd2xdt2_min': return [minOf(curvatures)];
    case 'd2xdt2_extrema': return [maxOf(curvatures), minOf(curvatures)];
    case 'peaks': return firstN(eventTimes(t, x, ks, 1), metric.n);
    case 'negative_peaks': return firstN(eventTimes(t, x, ks, -1), metric.n);
  }
}

/** summaries[window][column], columns in legend order (variable by variable, metric by metric). */
export function referenceSummaries(samples: Samples, metrics: readonly SummaryMetric[]): number[][] {
  const windows = Array.from({ length: windowCount(samples) }, () => [] as number[]);
  samples.times.forEach((_, k) => windows[windowOf(k, samples.perWindow)].push(k));
  return windows.map((ks) => samples.values.flatMap((x) => metrics.flatMap((metric) => {
    const values = metricValues(metric, samples.times, x, ks);
    if (values.length !== metricColumns(metric).length) throw new Error(`reference gives ${values.length} columns for ${metric.metric}`);
    return values;
  })));
}
