/**
 * The body of write_window: each metric's columns, in legend order, from
 * the accumulators the Plan keeps. A column with nothing to report is NaN.
 */
import { metricColumns } from '../summaries/legend';
import type { SummaryMetric } from '../summaries/metrics';
import type { Plan } from './summary-plan';
import { tracksSlopes, usesCurvatures } from './summary-plan';
import { loop } from './summary-update';

/** One assignment per column, or a loop for event times; `offset` is the metric's first column within the variable. */
type ColumnWriter = (offset: number) => string[];

export function writeBody(metrics: readonly SummaryMetric[], plan: Plan): string[] {
  if (metrics.length === 0) return [];
  const averages = metrics.some((m) => m.metric === 'mean' || m.metric === 'std' || m.metric === 'rms');
  const head = [
    `const real missing = ${plan.nan};`,
    // An empty window's quotients are never written; dividing by 1 keeps them finite all the same.
    ...(averages ? ['const real n = static_cast<real>(s.count > 0 ? s.count : 1);'] : []),
    ...(plan.count ? ['const bool has_samples = s.count > 0;'] : []),
    ...(tracksSlopes(plan) ? ['const bool has_slopes = s.slope_count > 0;'] : []),
    ...(usesCurvatures(plan) ? ['const bool has_curvatures = s.curvature_count > 0;'] : []),
  ];
  const perVariable = ['real* __restrict__ o = out + static_cast<long long>(i) * columns_per_variable * stride;'];
  let offset = 0;
  for (const metric of metrics) {
    perVariable.push(...columnWriter(metric, plan)(offset));
    offset += metricColumns(metric).length;
  }
  return [...head, ...loop(perVariable)];
}

function columnWriter(metric: SummaryMetric, plan: Plan): ColumnWriter {
  const values = (guard: string, ...expressions: string[]): ColumnWriter => (offset) =>
    expressions.map((e, c) => `o[${offset + c} * stride] = ${guard} ? ${e} : missing;`);
  const { abs, sqrt, fmax } = plan;
  switch (metric.metric) {
    case 'mean':
      return values('has_samples', plan.shifted ? 's.shift[i] + s.sum_shifted[i] / n' : 's.sum[i] / n');
    case 'std':
      // Population variance of the shifted values; rounding can leave it a hair below zero.
      return (offset) => [
        'const real shifted_mean = s.sum_shifted[i] / n;',
        'const real variance = s.sum_shifted_sq[i] / n - shifted_mean * shifted_mean;',
        ...values('has_samples', `${sqrt}(${fmax}(variance, ${plan.zero}))`)(offset),
      ];
    case 'rms':
      return values('has_samples', `${sqrt}(s.sum_sq[i] / n)`);
    case 'max':
      return values('has_samples', 's.max_value[i]');
    case 'min':
      return values('has_samples', 's.min_value[i]');
    case 'extrema':
      return values('has_samples', 's.max_value[i]', 's.min_value[i]');
    case 'max_magnitude':
      return values('has_samples', plan.maxAbs ? 's.max_abs[i]' : `${fmax}(${abs}(s.max_value[i]), ${abs}(s.min_value[i]))`);
    case 'dxdt_max':
      return values('has_slopes', 's.dxdt_max[i]');
    case 'dxdt_min':
      return values('has_slopes', 's.dxdt_min[i]');
    case 'dxdt_extrema':
      return values('has_slopes', 's.dxdt_max[i]', 's.dxdt_min[i]');
    case 'd2xdt2_max':
      return values('has_curvatures', 's.d2xdt2_max[i]');
    case 'd2xdt2_min':
      return values('has_curvatures', 's.d2xdt2_min[i]');
    case 'd2xdt2_extrema':
      return values('has_curvatures', 's.d2xdt2_max[i]', 's.d2xdt2_min[i]');
    case 'peaks':
      return eventTimes('peaks_found', 'peak_times', 'n_peaks');
    case 'negative_peaks':
      return eventTimes('negative_peaks_found', 'negative_peak_times', 'n_negative_peaks');
  }
}

/** The recorded times, then NaN in the slots no event filled. */
function eventTimes(found: string, times: string, slots: string): ColumnWriter {
  return (offset) => [
    `for (int p = 0; p < ${slots}; ++p) o[(${offset} + p) * stride] = p < s.${found}[i] ? s.${times}[i][p] : missing;`,
  ];
}
