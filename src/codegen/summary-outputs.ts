import { generateSummarySource } from './summary-source';
import { noSummarySource } from './kernel-source';
import { summaryLegend as legendFor } from '../summaries/legend';
import { parseSummaryMetrics, SummaryMetric } from '../summaries/metrics';
import type { CompilePlan } from './compile-plan';

export interface SummaryRequest {
  metrics: SummaryMetric[];
}

/** The summary metrics among outputTypes (entries that are not plain output kinds). */
export function parseSummaryOutputs(outputTypes: readonly string[], plainOutputs: readonly string[]): SummaryRequest {
  return { metrics: parseSummaryMetrics(outputTypes, plainOutputs) };
}

export function generateSummaryNamespace(plan: CompilePlan): string {
  if (plan.summaries.metrics.length === 0) return noSummarySource(plan.precision);
  return generateSummarySource({
    precision: plan.precision,
    metrics: plan.summaries.metrics,
    nSummarised: plan.summarisedVariables.length,
  });
}

export function summaryLegend(plan: CompilePlan): string[] {
  if (plan.summaries.metrics.length === 0) return [];
  return legendFor(plan.summaries.metrics, plan.summarisedVariables);
}
