/**
 * The summary columns, named: `x.mean`, `x.extrema.max`, `x.peaks[0]`.
 * Ordered variable by variable, and within a variable metric by metric in
 * the order requested. The kernel writes its columns in this same order
 * (the code generator builds its column offsets from metricColumns).
 */
import type { SummaryMetric } from './metrics';

/** The column suffixes one metric contributes per variable, in order. */
export function metricColumns(metric: SummaryMetric): string[] {
  if ('n' in metric) return Array.from({ length: metric.n }, (_, p) => `${metric.metric}[${p}]`);
  switch (metric.metric) {
    case 'extrema':
    case 'dxdt_extrema':
    case 'd2xdt2_extrema':
      return [`${metric.metric}.max`, `${metric.metric}.min`];
    default:
      return [metric.metric];
  }
}

/** Columns per summarised variable. */
export function columnsPerVariable(metrics: readonly SummaryMetric[]): number {
  return metrics.reduce((sum, metric) => sum + metricColumns(metric).length, 0);
}

/** `summaryLegend` of a solve: one name per column of `SolveResult.summaries`. */
export function summaryLegend(metrics: readonly SummaryMetric[], variables: readonly string[]): string[] {
  const suffixes = metrics.flatMap(metricColumns);
  return variables.flatMap((variable) => suffixes.map((suffix) => `${variable}.${suffix}`));
}
