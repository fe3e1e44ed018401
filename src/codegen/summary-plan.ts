/**
 * What the summary State must accumulate for a set of metrics. The State
 * lives in registers or local memory of every GPU thread, so each
 * accumulator exists only when a requested metric reads it, and metrics
 * share accumulators where one determines another (extrema and min/max,
 * max_magnitude from min and max, mean from std's shifted sums).
 */
import type { SummaryMetric, SummaryMetricName } from '../summaries/metrics';
import type { Precision } from '../system/types';

export interface Plan {
  /** Sum of x, for mean when std is not requested. */
  readonly sum: boolean;
  /** The window's first sample and the sums of x − it and its square (std, and mean with it). */
  readonly shifted: boolean;
  /** Sum of x², for rms. */
  readonly sumSquares: boolean;
  readonly max: boolean;
  readonly min: boolean;
  /** max |x| tracked on its own (when max_magnitude cannot come from max and min). */
  readonly maxAbs: boolean;
  /** Whether the window's sample count is read (everything but peaks and derivatives). */
  readonly count: boolean;
  readonly slopeMax: boolean;
  readonly slopeMin: boolean;
  readonly curvatureMax: boolean;
  readonly curvatureMin: boolean;
  /** Slots per variable for peak times (0 when not requested). */
  readonly peaks: number;
  readonly negativePeaks: number;
  /** Earlier samples kept: 1 for dxdt, 2 for d2xdt2 and peaks. */
  readonly history: 0 | 1 | 2;
  /** C++ spelling of the precision's type, literals and math functions. */
  readonly real: 'float' | 'double';
  readonly zero: string;
  readonly two: string;
  readonly abs: string;
  readonly sqrt: string;
  readonly fmax: string;
  /** A quiet NaN; nanf("") is folded to a constant by NVRTC and g++ alike (NVRTC has no <limits>). */
  readonly nan: string;
}

export function planSummaries(metrics: readonly SummaryMetric[], precision: Precision): Plan {
  const wants = (...names: SummaryMetricName[]): boolean => metrics.some((m) => names.includes(m.metric));
  const countOf = (name: 'peaks' | 'negative_peaks'): number => {
    const found = metrics.find((m) => m.metric === name);
    return found !== undefined && 'n' in found ? found.n : 0;
  };
  const max = wants('max', 'extrema');
  const min = wants('min', 'extrema');
  const slopeMax = wants('dxdt_max', 'dxdt_extrema');
  const slopeMin = wants('dxdt_min', 'dxdt_extrema');
  const curvatureMax = wants('d2xdt2_max', 'd2xdt2_extrema');
  const curvatureMin = wants('d2xdt2_min', 'd2xdt2_extrema');
  const peaks = countOf('peaks');
  const negativePeaks = countOf('negative_peaks');
  const float = precision === 'float32';
  return {
    sum: wants('mean') && !wants('std'),
    shifted: wants('std'),
    sumSquares: wants('rms'),
    max,
    min,
    maxAbs: wants('max_magnitude') && !(max && min),
    count: wants('mean', 'std', 'rms', 'min', 'max', 'extrema', 'max_magnitude'),
    slopeMax,
    slopeMin,
    curvatureMax,
    curvatureMin,
    peaks,
    negativePeaks,
    history: curvatureMax || curvatureMin || peaks > 0 || negativePeaks > 0 ? 2 : slopeMax || slopeMin ? 1 : 0,
    real: float ? 'float' : 'double',
    zero: float ? '0.0f' : '0.0',
    two: float ? '2.0f' : '2.0',
    abs: float ? 'fabsf' : 'fabs',
    sqrt: float ? 'sqrtf' : 'sqrt',
    fmax: float ? 'fmaxf' : 'fmax',
    nan: float ? 'nanf("")' : 'nan("")',
  };
}

/** Whether a dxdt column is written (and so dxdt is counted per window). */
export function tracksSlopes(plan: Plan): boolean {
  return plan.slopeMax || plan.slopeMin;
}

/** Whether dxdt is computed at all: for its own columns or on the way to d2xdt2. */
export function usesSlopes(plan: Plan): boolean {
  return tracksSlopes(plan) || usesCurvatures(plan);
}

export function usesCurvatures(plan: Plan): boolean {
  return plan.curvatureMax || plan.curvatureMin;
}
