/**
 * How closely the kernel's summaries must match the reference, column by
 * column. Errors are measured against the size of the quantity over the
 * whole signal, not against the window's own value (a mean near zero of a
 * wave of amplitude 1 carries the rounding of numbers of size 1):
 *
 *   |kernel − reference| ≤ tolerance × scale,   NaN only where NaN is expected,
 *
 * with tolerance 1e-12 for float64 and 1e-5 for float32 (about 80 float
 * ulps), and scale, per variable:
 *   - mean, rms, min, max, extrema, max_magnitude: max |x|;
 *   - std: the range max x − min x (so that losing it to cancellation
 *     against a large offset would fail);
 *   - dxdt_*: max |dxdt|;
 *   - d2xdt2_*: max(max |d2xdt2|, max |dxdt| / h_min), since a second
 *     difference of rounded slopes carries an error of order eps·|dxdt|/h;
 *   - peaks, negative_peaks (times): max |t|.
 * The reference is fed the same values as the kernel (rounded to float for
 * float32), so the comparison measures the kernel's arithmetic only.
 */
import { metricColumns } from '../../src/summaries/legend';
import type { SummaryMetric } from '../../src/summaries/metrics';
import type { Precision } from '../../src/system/types';
import type { Samples } from './reference';
import { curvatureAt, slopeAt } from './reference';

export const TOLERANCE: Record<Precision, number> = { float64: 1e-12, float32: 1e-5 };

function maxAbs(xs: number[]): number {
  return xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function scaleOf(metric: SummaryMetric, samples: Samples, x: number[]): number {
  const { times } = samples;
  const slopes = x.slice(1).map((_, j) => slopeAt(times, x, j + 1));
  switch (metric.metric) {
    case 'std':
      return Math.max(...x) - Math.min(...x);
    case 'dxdt_max': case 'dxdt_min': case 'dxdt_extrema':
      return maxAbs(slopes);
    case 'd2xdt2_max': case 'd2xdt2_min': case 'd2xdt2_extrema': {
      const curvatures = x.slice(2).map((_, j) => curvatureAt(times, x, j + 2));
      const hMin = Math.min(...times.slice(1).map((t, k) => t - times[k]));
      return Math.max(maxAbs(curvatures), maxAbs(slopes) / hMin);
    }
    case 'peaks': case 'negative_peaks':
      return maxAbs(times);
    default:
      return maxAbs(x);
  }
}

/** The allowed error of each column, in legend order. */
export function columnTolerances(metrics: readonly SummaryMetric[], samples: Samples, precision: Precision): number[] {
  return samples.values.flatMap((x) => metrics.flatMap((metric) => {
    const allowed = TOLERANCE[precision] * scaleOf(metric, samples, x);
    return metricColumns(metric).map(() => allowed);
  }));
}

/** One line per column outside its tolerance (or NaN where a number is due, or the reverse); empty when all match. */
export function mismatches(got: number[][], want: number[][], allowed: number[], legend: string[], label: string): string[] {
  const problems: string[] = [];
  if (got.length !== want.length) problems.push(`${label}: ${got.length} windows written, ${want.length} expected`);
  want.forEach((row, w) => {
    const written = got[w] ?? [];
    if (written.length !== row.length) problems.push(`${label}: window ${w} has ${written.length} columns, ${row.length} expected`);
    row.forEach((expected, j) => {
      const value = written[j];
      const ok = Number.isNaN(expected) ? Number.isNaN(value) : Math.abs(value - expected) <= allowed[j];
      if (!ok) problems.push(`${label}: window ${w} ${legend[j]}: got ${value}, expected ${expected} (±${allowed[j]})`);
    });
  });
  return problems;
}
