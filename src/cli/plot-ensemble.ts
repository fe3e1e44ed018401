/**
 * The picture of an ensemble result (replicates + ensembleOutputs): one
 * panel per variable, the mean over time and a band around it, one colour
 * per input combination drawn. The band is mean ± std where the result has
 * std or var; the replicates' range (min to max) is drawn fainter behind it
 * where it has both. The same EnsemblePlotData comes from a batch as it runs
 * (each chunk's statistics) or from the ensemble file afterwards, keeping
 * only the combinations drawn.
 */
import { csvRecords, parseCsvNumber } from '../files/csv';
import { readNpyElements, withNpy } from '../files/npy';
import { resolveFromSidecar, ResultSidecar } from '../files/sidecar';
import type { RunRange } from '../files/shard';
import { inputColumnNames } from '../files/result-writer';
import { RunInputs } from '../files/run-inputs';
import type { EnsembleResult } from '../solver/ensemble-result';
import { ensembleLegendParts } from '../summaries/ensemble';
import { CubieError } from '../shared/errors';
import { describeBatch, inputsLabel, MAX_VARIABLES, type PlotChoices, spreadOver } from './plot-data';

/** Combinations drawn: more colours cannot be told apart. */
const MAX_COMBINATIONS = 6;
const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 200;

type Statistic = 'mean' | 'std' | 'var' | 'min' | 'max';

export interface EnsembleBand {
  combination: number;
  label: string;
  /** [nTimes][variables][statistics kept], time-major. */
  values: Float64Array;
}

export interface EnsemblePlotData {
  title: string;
  subtitle: string;
  time: Float64Array;
  variables: string[];
  replicates: number;
  /** What the band around the mean is: 'std' (from std or the square root of var), or null (the mean alone). */
  spread: 'std' | null;
  /** Whether the replicates' min..max range is drawn behind. */
  range: boolean;
  bands: EnsembleBand[];
  /** Said under the panels when combinations were left out. */
  note?: string;
}

/** Which legend columns the picture reads, for the combinations it draws. */
export interface EnsemblePlotPlan {
  data: Omit<EnsemblePlotData, 'bands'>;
  combinations: number[];
  labels: Map<number, string>;
  /** Legend column per (variable, statistic kept), variable-major; -1 where absent. */
  columns: number[];
  statistics: Statistic[];
}

export interface EnsemblePlanInput {
  title: string;
  subtitle: string;
  time: Float64Array;
  legend: string[];
  replicates: number;
  inputs: RunInputs;
  /** The combinations the result holds (a shard's, or all). */
  combinations: RunRange;
}

export function planEnsemblePlot(input: EnsemblePlanInput, choices: PlotChoices = {}): EnsemblePlotPlan {
  const { legend, inputs } = input;
  const saved = ensembleLegendParts(legend).variables;
  const column = (variable: string, statistic: Statistic): number => legend.indexOf(`${variable}.${statistic}`);
  const variables = choices.variables ?? saved.slice(0, MAX_VARIABLES);
  for (const v of variables) {
    if (!saved.includes(v)) throw new CubieError('INVALID_OPTION', `--variables: '${v}' has no ensemble statistics in this result (variables: ${saved.join(', ')})`, { where: '--variables', usage: true });
    if (column(v, 'mean') < 0) throw new CubieError('UNSUPPORTED', `the ensemble picture draws the mean over time, and this result has no ${v}.mean (legend: ${legend.join(', ')}); add 'mean' to ensembleOutputs`, { where: 'ensembleOutputs' });
  }
  if (choices.summary !== undefined) throw new CubieError('INVALID_OPTION', '--summary: an ensemble result has no per-run summaries to draw against the inputs', { where: '--summary', usage: true });
  const has = (s: Statistic): boolean => variables.every((v) => column(v, s) >= 0);
  const spread = has('std') || has('var') ? 'std' : null;
  const range = has('min') && has('max');
  const statistics: Statistic[] = ['mean', ...(spread ? [has('std') ? 'std' as const : 'var' as const] : []), ...(range ? ['min' as const, 'max' as const] : [])];
  const columns = variables.flatMap((v) => statistics.map((s) => column(v, s)));

  const { first, end } = input.combinations;
  const n = end - first;
  const combinations = spreadOver(first, n, MAX_COMBINATIONS);
  const labels = new Map(combinations.map((c) => [c, inputsLabel(inputs, c) || `combination ${c}`]));
  return {
    data: {
      title: input.title,
      subtitle: input.subtitle,
      time: input.time,
      variables,
      replicates: input.replicates,
      spread,
      range,
      ...(combinations.length < n ? { note: `${combinations.length} of ${n} input combinations shown, spread over the batch` } : {}),
    },
    combinations,
    labels,
    columns,
    statistics,
  };
}

/** Gathers the drawn combinations' statistics from a batch chunk by chunk, or from a file. */
export class EnsemblePlotCollector {
  private readonly values = new Map<number, Float64Array>();

  constructor(private readonly plan: EnsemblePlotPlan) {}

  /** A chunk's statistics for combinations firstCombination .. firstCombination + shape[2] - 1. */
  add(ensemble: EnsembleResult, firstCombination: number): void {
    const [nTimes, nLegend, n] = ensemble.shape;
    for (const c of this.plan.combinations) {
      const i = c - firstCombination;
      if (i < 0 || i >= n) continue;
      this.set(c, (k, column) => ensemble.values[(k * nLegend + column) * n + i], nTimes);
    }
  }

  /** The values of one drawn combination, by (time index, legend column). */
  set(combination: number, value: (k: number, column: number) => number, nTimes = this.plan.data.time.length): void {
    const { columns, statistics } = this.plan;
    // The band's half-width is kept as std whichever of std and var the result has.
    const asKept = statistics.map((s) => (s === 'var' ? Math.sqrt : (x: number) => x));
    const out = new Float64Array(nTimes * columns.length);
    for (let k = 0; k < nTimes; k++) columns.forEach((column, j) => (out[k * columns.length + j] = asKept[j % statistics.length](value(k, column))));
    this.values.set(combination, out);
  }

  data(): EnsemblePlotData {
    const bands = this.plan.combinations
      .filter((c) => this.values.has(c))
      .map((c) => ({ combination: c, label: this.plan.labels.get(c)!, values: this.values.get(c)! }));
    return { ...this.plan.data, bands };
  }
}

/** The plan for an ensemble result on disk, from its sidecar. */
export function planFromEnsembleSidecar(sidecar: ResultSidecar, choices: PlotChoices): EnsemblePlotPlan {
  const ensemble = sidecar.ensemble!;
  const inputs = RunInputs.fromJSON(sidecar.inputs).withReplicates(1);
  const R = ensemble.replicates;
  const combinations = { first: sidecar.runs.first / R, end: sidecar.runs.end / R };
  const { title, subtitle } = describeBatch(sidecar.system.name, sidecar.model.file, inputs, combinations, sidecar.settings, 'combinations');
  return planEnsemblePlot(
    {
      title,
      subtitle,
      time: Float64Array.from(sidecar.time),
      legend: ensemble.legend,
      replicates: R,
      inputs,
      combinations,
    },
    choices,
  );
}

/** EnsemblePlotData for an ensemble result on disk (npy or csv), reading only the combinations drawn. */
export async function loadEnsemblePlotData(file: string, sidecar: ResultSidecar, choices: PlotChoices = {}): Promise<EnsemblePlotData> {
  const ensemble = sidecar.ensemble!;
  const plan = planFromEnsembleSidecar(sidecar, choices);
  const collector = new EnsemblePlotCollector(plan);
  const first = sidecar.runs.first / ensemble.replicates;
  const values = resolveFromSidecar(file, ensemble.file);
  const nTimes = sidecar.time.length;
  const nLegend = ensemble.legend.length;
  if (sidecar.output.format === 'npy') {
    withNpy(values, (fd, header) => {
      const n = header.shape[2];
      for (const c of plan.combinations) collector.set(c, (k, column) => Number(readNpyElements(fd, header, (k * nLegend + column) * n + (c - first), 1)[0]));
    });
    return collector.data();
  }
  // CSV: one row per (combination, time), the legend after time, combination and the swept inputs.
  const skip = 2 + inputColumnNames(RunInputs.fromJSON(sidecar.inputs).withReplicates(1)).length;
  const wanted = new Map(plan.combinations.map((c) => [c, new Float64Array(nTimes * nLegend)]));
  const filled = new Map(plan.combinations.map((c) => [c, 0]));
  let header = true;
  for await (const record of csvRecords(values)) {
    if (header) {
      header = false;
      continue;
    }
    const c = Number(record[1]);
    const rows = wanted.get(c);
    if (rows === undefined) continue;
    const k = filled.get(c)!;
    for (let j = 0; j < nLegend; j++) rows[k * nLegend + j] = parseCsvNumber(record[skip + j]);
    filled.set(c, k + 1);
  }
  for (const [c, rows] of wanted) collector.set(c, (k, column) => rows[k * nLegend + column]);
  return collector.data();
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function ensembleSpec(data: EnsemblePlotData): Record<string, unknown> {
  // Per variable the collector keeps mean, then std (with a spread), then min and max (with a range).
  const kept = 1 + (data.spread ? 1 : 0) + (data.range ? 2 : 0);
  const rows: Array<Record<string, unknown>> = [];
  for (const band of data.bands) {
    for (let k = 0; k < data.time.length; k++) {
      data.variables.forEach((variable, v) => {
        const at = (j: number): number => band.values[(k * data.variables.length + v) * kept + j];
        const mean = at(0);
        const row: Record<string, unknown> = { t: data.time[k], variable, combination: band.label, mean: finite(mean) };
        if (data.spread) {
          row.lo = finite(mean - at(1));
          row.hi = finite(mean + at(1));
        }
        if (data.range) {
          const j = data.spread ? 2 : 1;
          row.min = finite(at(j));
          row.max = finite(at(j + 1));
        }
        rows.push(row);
      });
    }
  }
  const x = { field: 't', type: 'quantitative', title: 'time' };
  const color = { field: 'combination', type: 'nominal', sort: null, legend: { title: null, orient: 'top', direction: 'horizontal' } };
  const layers: Array<Record<string, unknown>> = [];
  if (data.range) layers.push({ mark: { type: 'area', opacity: 0.1 }, encoding: { x, y: { field: 'min', type: 'quantitative', title: null }, y2: { field: 'max' }, color } });
  if (data.spread) layers.push({ mark: { type: 'area', opacity: 0.3 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: null }, y2: { field: 'hi' }, color } });
  layers.push({ mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: null }, color } });
  const band = [data.spread ? 'mean ± std' : 'mean', ...(data.range ? ['min…max'] : [])].join(', ');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: data.title, subtitle: [`${data.subtitle}`, `${band} over ${data.replicates} replicates${data.note ? ` · ${data.note}` : ''}`] },
    data: { values: rows },
    facet: { column: { field: 'variable', type: 'nominal', title: null, sort: data.variables } },
    resolve: { scale: { y: 'independent' } },
    spec: { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers },
  };
}
