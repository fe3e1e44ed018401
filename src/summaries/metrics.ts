/**
 * The summary metrics a user can request in `outputTypes`, and their parsing.
 *
 * `outputTypes` mixes summaries with the outputs other parts of cubie own
 * ('state', 'observables', ...). Those names are passed in by the caller so
 * that an entry that is neither can be reported once, with a suggestion
 * drawn from everything that would have been accepted.
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';

/** Metrics that produce a fixed set of columns. */
export const PLAIN_METRICS = [
  'mean', 'std', 'rms', 'min', 'max', 'extrema', 'max_magnitude',
  'dxdt_max', 'dxdt_min', 'dxdt_extrema', 'd2xdt2_max', 'd2xdt2_min', 'd2xdt2_extrema',
] as const;

/** Metrics written `name[n]`: n columns, one per detected event. */
export const COUNTED_METRICS = ['peaks', 'negative_peaks'] as const;

export type PlainMetricName = (typeof PLAIN_METRICS)[number];
export type CountedMetricName = (typeof COUNTED_METRICS)[number];
export type SummaryMetricName = PlainMetricName | CountedMetricName;

export type SummaryMetric = { readonly metric: PlainMetricName } | { readonly metric: CountedMetricName; readonly n: number };

/** The largest n in `peaks[n]`: each one costs a slot per variable in every GPU thread's state. */
export const MAX_COUNT = 64;

const PLAIN: ReadonlySet<string> = new Set(PLAIN_METRICS);
const COUNTED: ReadonlySet<string> = new Set(COUNTED_METRICS);
/** `name[count]`, with anything between the brackets (the count is checked separately for a precise message). */
const BRACKETED = /^([A-Za-z_0-9]+)\[(.*)\]$/s;

/**
 * The summary metrics among `outputTypes`, in the order given.
 *
 * @param outputTypes the user's option, unchecked
 * @param otherOutputTypes the non-summary output names the caller accepts ('state', ...); they are skipped here
 * @throws CubieError INVALID_OPTION for an entry that is neither, a malformed count, or a metric listed twice
 */
export function parseSummaryMetrics(outputTypes: readonly unknown[], otherOutputTypes: readonly string[]): SummaryMetric[] {
  const others = new Set(otherOutputTypes);
  const metrics: SummaryMetric[] = [];
  const seen = new Map<SummaryMetricName, string>();
  for (const entry of outputTypes) {
    if (typeof entry !== 'string') {
      throw invalid(`outputTypes entries must be strings, got ${typeof entry} ${shown(String(entry))}`, String(entry));
    }
    if (others.has(entry)) continue;
    const metric = parseSummaryMetric(entry, otherOutputTypes);
    const earlier = seen.get(metric.metric);
    if (earlier !== undefined) {
      throw invalid(`outputTypes lists '${metric.metric}' twice ('${earlier}' and '${shown(entry)}'); request each summary once`, entry);
    }
    seen.set(metric.metric, entry);
    metrics.push(metric);
  }
  return metrics;
}

/**
 * One summary request: `mean` → { metric: 'mean' }, `peaks[3]` → { metric: 'peaks', n: 3 }.
 * `otherOutputTypes` only widens the suggestions offered for an unknown name.
 */
export function parseSummaryMetric(entry: string, otherOutputTypes: readonly string[] = []): SummaryMetric {
  const bracketed = BRACKETED.exec(entry);
  const base = bracketed?.[1] ?? entry;
  if (COUNTED.has(base)) {
    const metric = base as CountedMetricName;
    if (bracketed === null) {
      throw invalid(`outputTypes entry '${shown(entry)}' needs a count: '${metric}[n]' records the first n per window, e.g. '${metric}[3]'`, entry);
    }
    return { metric, n: parseCount(entry, metric, bracketed[2]) };
  }
  if (PLAIN.has(base)) {
    if (bracketed !== null) throw invalid(`outputTypes entry '${shown(entry)}': '${base}' takes no count; write '${base}'`, entry);
    return { metric: base as PlainMetricName };
  }
  const known = [...otherOutputTypes, ...PLAIN_METRICS, ...COUNTED_METRICS.map((m) => `${m}[n]`)];
  throw invalid(`Unknown outputTypes entry '${shown(entry)}'${suggestion(entry, bracketed, otherOutputTypes)}. Known output types: ${known.join(', ')}`, entry);
}

/** The name as a user writes it: 'mean', 'peaks[3]'. */
export function metricLabel(metric: SummaryMetric): string {
  return 'n' in metric ? `${metric.metric}[${metric.n}]` : metric.metric;
}

function parseCount(entry: string, metric: CountedMetricName, text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
    throw invalid(`outputTypes entry '${shown(entry)}': the count in '${metric}[n]' must be an integer from 1 to ${MAX_COUNT}, got '${shown(text)}'`, entry);
  }
  return n;
}

/** "; did you mean 'peaks[3]'?" — a misspelt counted metric keeps its count. */
function suggestion(entry: string, bracketed: RegExpExecArray | null, otherOutputTypes: readonly string[]): string {
  if (bracketed !== null) {
    const hint = didYouMean(bracketed[1], COUNTED_METRICS);
    return hint === '' ? '' : hint.replace(/'\?$/, `[${bracketed[2]}]'?`);
  }
  return didYouMean(entry, [...otherOutputTypes, ...PLAIN_METRICS, ...COUNTED_METRICS]);
}

/** User text in a message, cut short: an entry can be arbitrarily long. */
function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function invalid(message: string, entry: string): CubieError {
  return new CubieError('INVALID_OPTION', message, { where: 'outputTypes', entry });
}
