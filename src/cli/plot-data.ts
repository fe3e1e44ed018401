/**
 * What a result's first picture shows, and gathering it with bounded memory:
 * a few trajectories (runs spread over the batch, all saved variables) and,
 * for a sweep of one or two inputs, one summary number per run against the
 * inputs. The same PlotData comes from a batch as it runs (chunk by chunk)
 * or from result files afterwards (reading only the values shown).
 */
import { csvRecords, parseCsvNumber } from '../files/csv';
import { readNpyElements, withNpy } from '../files/npy';
import { ArrayFile, readSidecar, resolveFromSidecar, ResultSidecar } from '../files/sidecar';
import type { RunRange } from '../files/shard';
import { inputColumnNames } from '../files/result-writer';
import { InputColumn, RunInputs } from '../files/run-inputs';
import type { SolveResult } from '../solver/result';
import { CubieError } from '../shared/errors';
import { eventCounts, EventMark, marksFromCsv, marksFromNpy, marksFromResult } from './plot-events';

/** Runs drawn over time. */
const TRAJECTORIES = 5;
/** Variables drawn over time (one panel each). */
export const MAX_VARIABLES = 4;
/** Points in the summary panel: a 1-D sweep keeps at most this many values, a 2-D sweep this many per axis squared. */
const MAX_LINE_POINTS = 2000;
const MAX_AXIS_CELLS = 200;

export interface Trajectory {
  run: number;
  label: string;
  /** [nTimes][variables shown], time-major. */
  values: Float64Array;
}

export interface SweepPanel {
  /** 'line' (one input), 'heatmap' (two inputs, every combination), 'scatter' (two inputs paired). */
  kind: 'line' | 'heatmap' | 'scatter';
  axes: string[];
  /** Each axis's values in the order the grid lists them (for cell edges). */
  axisValues: Float64Array[];
  points: Array<{ coords: number[]; value: number }>;
  summaryLabel: string;
  /** Said under the panel when values were left out. */
  note?: string;
}

export interface PlotData {
  title: string;
  subtitle: string;
  time: Float64Array;
  variables: string[];
  trajectories: Trajectory[];
  /** Recorded events of the runs drawn (empty when the result has no event records), by the run's label. */
  events: Array<{ label: string; t: number; event: string }>;
  sweep: SweepPanel | null;
}

export interface PlotChoices {
  /** Variables to draw over time (default: the first four saved). */
  variables?: string[];
  /** Summary column to draw against the inputs, e.g. 'z.max' (default: the first). */
  summary?: string;
}

/** How the summary number of a run is obtained. */
type SummarySource = { kind: 'column'; column: number; window: number; label: string } | { kind: 'max'; variable: number; label: string } | { kind: 'events'; label: string };

export interface PlotPlan {
  title: string;
  subtitle: string;
  time: Float64Array;
  /** Indices into the saved variables. */
  shownVariables: number[];
  variableNames: string[];
  trajectoryRuns: number[];
  runLabels: Map<number, string>;
  sweep: { axes: InputColumn[]; kind: SweepPanel['kind']; keep: (run: number) => boolean; source: SummarySource; note?: string } | null;
}

/** Up to `count` indices first .. first + n - 1, evenly spread, first and last included. */
export function spreadOver(first: number, n: number, count: number): number[] {
  const k = Math.min(count, n);
  return [...new Set(Array.from({ length: k }, (_, i) => first + (k === 1 ? 0 : Math.round((i * (n - 1)) / (k - 1)))))];
}

/** `rho=2, x(0)=1`: the swept inputs of run (or combination) `index`; empty when none is swept. */
export function inputsLabel(inputs: RunInputs, index: number): string {
  return inputs.swept.map((c) => `${c.role === 'y0' ? `${c.name}(0)` : c.name}=${shortNumber(inputs.value(index, c))}`).join(', ');
}

export function shortNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function pickVariables(variables: readonly string[], wanted: string[] | undefined): number[] {
  if (wanted === undefined) return variables.slice(0, MAX_VARIABLES).map((_, i) => i);
  return wanted.map((name) => {
    const i = variables.indexOf(name);
    if (i < 0) throw new CubieError('INVALID_OPTION', `--variables: '${name}' was not saved (saved: ${variables.join(', ') || 'none'})`, { where: '--variables', usage: true });
    return i;
  });
}

/** Every k-th index of n so that at most `max` remain, or undefined when all fit. */
function strideFor(n: number, max: number): number {
  return Math.max(1, Math.ceil(n / max));
}

export interface PlotPlanInput {
  title: string;
  subtitle: string;
  time: Float64Array;
  variables: string[];
  summaryLegend: string[];
  nWindows: number;
  inputs: RunInputs;
  runs: RunRange;
  /** The event names, when the result records events. */
  eventNames?: string[];
}

/**
 * The number per run the sweep panel draws: a summary column (the first by
 * default), the event count (`--summary events`, and the default for an
 * event model without summaries: a terminal event leaves NaN saves, which
 * would blank the maximum over the saved times), or the maximum of the first
 * variable shown.
 */
function summarySource(input: PlotPlanInput, choices: PlotChoices, shownVariables: number[]): SummarySource {
  const names = input.eventNames;
  if (names && (choices.summary === 'events' || (choices.summary === undefined && input.summaryLegend.length === 0))) {
    return { kind: 'events', label: names.length === 1 ? `${names[0]} events per run` : `events per run (${names.join(', ')})` };
  }
  if (input.summaryLegend.length > 0) {
    const label = choices.summary ?? input.summaryLegend[0];
    const column = input.summaryLegend.indexOf(label);
    const known = [...input.summaryLegend, ...(names ? ['events'] : [])];
    if (column < 0) throw new CubieError('INVALID_OPTION', `--summary: no summary '${label}' in this result (summaries: ${known.join(', ')})`, { where: '--summary', usage: true });
    const window = input.nWindows - 1;
    return { kind: 'column', column, window, label: input.nWindows > 1 ? `${label} (last window)` : label };
  }
  if (choices.summary !== undefined) throw new CubieError('INVALID_OPTION', '--summary: this result has no summaries (add summary names such as max or mean to outputTypes)', { where: '--summary', usage: true });
  const variable = shownVariables[0] ?? 0;
  return { kind: 'max', variable, label: `max of ${input.variables[variable]} over the saved times` };
}

export function planPlot(input: PlotPlanInput, choices: PlotChoices = {}): PlotPlan {
  const { inputs, runs } = input;
  const shownVariables = pickVariables(input.variables, choices.variables);
  const n = runs.end - runs.first;
  const trajectoryRuns = spreadOver(runs.first, n, TRAJECTORIES);
  const runLabels = new Map<number, string>();
  for (const run of trajectoryRuns) {
    const label = inputsLabel(inputs, run);
    // Replicates share their inputs: the replicate number tells their runs apart.
    const replicate = inputs.replicates > 1 && label ? ` #${run % inputs.replicates}` : '';
    runLabels.set(run, label ? label + replicate : `run ${run}`);
  }

  // With replicates a summary against the inputs would stack R values on each point: their statistics are the ensemble file's.
  let sweep: PlotPlan['sweep'] = null;
  if ((inputs.swept.length === 1 || inputs.swept.length === 2) && inputs.replicates === 1 && n > 1 && (input.summaryLegend.length > 0 || input.variables.length > 0)) {
    const source = summarySource(input, choices, shownVariables);
    const axes = [...inputs.swept];
    let keep: (run: number) => boolean = () => true;
    let note: string | undefined;
    if (axes.length === 1 && axes[0].values.length > MAX_LINE_POINTS) {
      const stride = strideFor(axes[0].values.length, MAX_LINE_POINTS);
      keep = (run) => inputs.valueIndex(run, axes[0]) % stride === 0;
      note = `every ${stride}th value of ${axes[0].name} shown`;
    } else if (axes.length === 2 && axes.some((a) => a.values.length > MAX_AXIS_CELLS)) {
      const strides = axes.map((a) => strideFor(a.values.length, MAX_AXIS_CELLS));
      keep = (run) => axes.every((a, i) => inputs.valueIndex(run, a) % strides[i] === 0);
      note = `every ${strides.join(' x ')}th value shown`;
    }
    const kind: SweepPanel['kind'] = axes.length === 1 ? 'line' : inputs.gridType === 'combinatorial' ? 'heatmap' : 'scatter';
    sweep = { axes, kind, keep, source, note };
  }
  return {
    title: input.title,
    subtitle: input.subtitle,
    time: input.time,
    shownVariables,
    variableNames: shownVariables.map((i) => input.variables[i]),
    trajectoryRuns,
    runLabels,
    sweep,
  };
}

/** Gathers the plot's values from a batch chunk by chunk: memory is the values shown, nothing more. */
export class PlotCollector {
  private readonly trajectories = new Map<number, Float64Array>();
  private readonly points: Array<{ coords: number[]; value: number }> = [];
  private readonly marks: EventMark[] = [];

  constructor(private readonly plan: PlotPlan, private readonly inputs: RunInputs, private readonly nVariables: number, private readonly nColumns: number) {}

  add(result: SolveResult, firstRun: number): void {
    const { plan } = this;
    const n = result.nRuns;
    const nTimes = plan.time.length;
    const shown = plan.shownVariables;
    for (const run of plan.trajectoryRuns) {
      const r = run - firstRun;
      if (r < 0 || r >= n) continue;
      const values = new Float64Array(nTimes * shown.length);
      for (let t = 0; t < nTimes; t++) shown.forEach((v, j) => (values[t * shown.length + j] = result.timeDomain[(t * this.nVariables + v) * n + r]));
      this.trajectories.set(run, values);
    }
    if (result.events) this.marks.push(...marksFromResult(result.events, plan.trajectoryRuns, firstRun));
    const sweep = plan.sweep;
    if (sweep === null) return;
    for (let r = 0; r < n; r++) {
      const run = firstRun + r;
      if (!sweep.keep(run)) continue;
      let value: number;
      if (sweep.source.kind === 'column') {
        value = result.summaries[(sweep.source.window * this.nColumns + sweep.source.column) * n + r];
      } else if (sweep.source.kind === 'events') {
        value = result.events ? result.events.count[r] : NaN;
      } else {
        value = -Infinity;
        for (let t = 0; t < nTimes; t++) {
          const x = result.timeDomain[(t * this.nVariables + sweep.source.variable) * n + r];
          value = Number.isNaN(x) || Number.isNaN(value) ? NaN : Math.max(value, x);
        }
      }
      this.points.push({ coords: sweep.axes.map((a) => this.inputs.value(run, a)), value });
    }
  }

  /** Values gathered elsewhere (result files) go through the same door. */
  setTrajectory(run: number, values: Float64Array): void {
    this.trajectories.set(run, values);
  }

  addEventMarks(marks: EventMark[]): void {
    this.marks.push(...marks);
  }

  addPoint(run: number, value: number): void {
    this.points.push({ coords: this.plan.sweep!.axes.map((a) => this.inputs.value(run, a)), value });
  }

  data(): PlotData {
    const { plan } = this;
    const sweep = plan.sweep;
    return {
      title: plan.title,
      subtitle: plan.subtitle,
      time: plan.time,
      variables: plan.variableNames,
      trajectories: plan.trajectoryRuns
        .filter((run) => this.trajectories.has(run))
        .map((run) => ({ run, label: plan.runLabels.get(run)!, values: this.trajectories.get(run)! })),
      events: this.marks.filter((m) => this.trajectories.has(m.run)).map((m) => ({ label: plan.runLabels.get(m.run)!, t: m.t, event: m.event })),
      sweep: sweep
        ? {
            kind: sweep.kind,
            axes: sweep.axes.map((a) => (a.role === 'y0' ? `${a.name}(0)` : a.name)),
            axisValues: sweep.axes.map((a) => a.values),
            points: this.points,
            summaryLabel: sweep.source.label,
            note: sweep.note,
          }
        : null,
    };
  }
}

/** Smallest and largest value, by a loop: spreading a large sweep into Math.min overflows the stack. */
export function range(values: ArrayLike<number>): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < low) low = values[i];
    if (values[i] > high) high = values[i];
  }
  return [low, high];
}

/** Title and subtitle for a result: system, file, runs and what was swept. */
export function describeBatch(systemName: string, file: string, inputs: RunInputs, runs: RunRange, settings: Record<string, unknown>, unit = 'runs'): { title: string; subtitle: string } {
  const swept = inputs.swept.map((c) => {
    const [low, high] = range(c.values);
    return `${c.role === 'y0' ? `${c.name}(0)` : c.name} ${shortNumber(low)}…${shortNumber(high)} (${c.values.length})`;
  });
  const n = runs.end - runs.first;
  const part = n === inputs.nRuns ? `${n} ${unit}` : `${unit} ${runs.first}–${runs.end - 1} of ${inputs.nRuns}`;
  const method = typeof settings.method === 'string' ? settings.method : 'tsit5';
  return { title: `${systemName} (${file})`, subtitle: [part, ...(swept.length ? [`sweep: ${swept.join(', ')}`] : []), `method ${method}`].join(' · ') };
}

/** The plan for a result on disk, from its sidecar. */
export function planFromSidecar(sidecar: ResultSidecar, choices: PlotChoices): { plan: PlotPlan; inputs: RunInputs } {
  const inputs = RunInputs.fromJSON(sidecar.inputs);
  const { title, subtitle } = describeBatch(sidecar.system.name, sidecar.model.file, inputs, sidecar.runs, sidecar.settings);
  const plan = planPlot(
    {
      title,
      subtitle,
      time: Float64Array.from(sidecar.time),
      variables: sidecar.variables,
      summaryLegend: sidecar.summaryLegend,
      nWindows: sidecar.nWindows,
      inputs,
      runs: sidecar.runs,
      eventNames: sidecar.events?.names,
    },
    choices,
  );
  return { plan, inputs };
}

async function fromNpy(sidecarFile: string, sidecar: ResultSidecar, plan: PlotPlan, collector: PlotCollector): Promise<void> {
  const { runs } = sidecar;
  const n = runs.end - runs.first;
  const nVariables = sidecar.variables.length;
  const nTimes = sidecar.time.length;
  withNpy(resolveFromSidecar(sidecarFile, timeDomainFile(sidecarFile, sidecar)), (fd, header) => {
    for (const run of plan.trajectoryRuns) {
      const k = run - runs.first;
      const values = new Float64Array(nTimes * plan.shownVariables.length);
      for (let t = 0; t < nTimes; t++) {
        plan.shownVariables.forEach((v, j) => (values[t * plan.shownVariables.length + j] = readNpyElements(fd, header, (t * nVariables + v) * n + k, 1)[0]));
      }
      collector.setTrajectory(run, values);
    }
    const sweep = plan.sweep;
    if (sweep?.source.kind === 'max') {
      // One row (every run at one time) at a time: memory is one row, whatever the batch.
      const max = new Float64Array(n).fill(-Infinity);
      for (let t = 0; t < nTimes; t++) {
        const row = readNpyElements(fd, header, (t * nVariables + sweep.source.variable) * n, n);
        for (let k = 0; k < n; k++) max[k] = Number.isNaN(row[k]) || Number.isNaN(max[k]) ? NaN : Math.max(max[k], row[k]);
      }
      for (let k = 0; k < n; k++) if (sweep.keep(runs.first + k)) collector.addPoint(runs.first + k, max[k]);
    }
  });
  const sweep = plan.sweep;
  if (sweep?.source.kind === 'column' && sidecar.output.summaries) {
    const { column, window } = sweep.source;
    const nColumns = sidecar.summaryLegend.length;
    withNpy(resolveFromSidecar(sidecarFile, sidecar.output.summaries), (fd, header) => {
      const row = readNpyElements(fd, header, (window * nColumns + column) * n, n);
      for (let k = 0; k < n; k++) if (sweep.keep(runs.first + k)) collector.addPoint(runs.first + k, row[k]);
    });
  }
}

async function fromCsv(sidecarFile: string, sidecar: ResultSidecar, plan: PlotPlan, collector: PlotCollector, inputs: RunInputs): Promise<void> {
  const nTimes = sidecar.time.length;
  const skip = inputColumnNames(inputs).length; // input columns between 'run' and the rest
  const shown = new Map(plan.shownVariables.map((v, j) => [sidecar.variables[v], j]));
  const wanted = new Map(plan.trajectoryRuns.map((run) => [run, new Float64Array(nTimes * plan.shownVariables.length).fill(NaN)]));
  const timeIndex = new Map(sidecar.time.map((t, i) => [String(t), i]));
  const sweep = plan.sweep;
  const maxVariable = sweep?.source.kind === 'max' ? sidecar.variables[sweep.source.variable] : undefined;
  const max = new Map<number, number>();
  let header = true;
  for await (const record of csvRecords(resolveFromSidecar(sidecarFile, timeDomainFile(sidecarFile, sidecar)))) {
    if (header) {
      header = false;
      continue;
    }
    const run = Number(record[0]);
    const [timeText, variable, valueText] = record.slice(1 + skip);
    const series = wanted.get(run);
    const j = shown.get(variable);
    if (series !== undefined && j !== undefined) series[timeIndex.get(String(parseCsvNumber(timeText)))! * plan.shownVariables.length + j] = parseCsvNumber(valueText);
    if (variable === maxVariable && sweep!.keep(run)) {
      const x = parseCsvNumber(valueText);
      const m = max.get(run) ?? -Infinity;
      max.set(run, Number.isNaN(x) || Number.isNaN(m) ? NaN : Math.max(m, x));
    }
  }
  for (const [run, values] of wanted) collector.setTrajectory(run, values);
  for (const [run, value] of max) collector.addPoint(run, value);
  if (sweep?.source.kind === 'column' && sidecar.output.summaries) {
    const label = sidecar.summaryLegend[sweep.source.column];
    const dot = label.indexOf('.');
    const [variable, summary] = [label.slice(0, dot), label.slice(dot + 1)];
    const window = String(sweep.source.window);
    header = true;
    for await (const record of csvRecords(resolveFromSidecar(sidecarFile, sidecar.output.summaries))) {
      if (header) {
        header = false;
        continue;
      }
      const [w, v, s, valueText] = record.slice(1 + skip);
      const run = Number(record[0]);
      if (w === window && v === variable && s === summary && sweep.keep(run)) collector.addPoint(run, parseCsvNumber(valueText));
    }
  }
}

/** The per-run series file; an ensemble-only result (cubie run with ensembleOutputs) has none. */
function timeDomainFile(file: string, sidecar: ResultSidecar): ArrayFile {
  if (sidecar.output.timeDomain === null) {
    throw new CubieError('UNSUPPORTED', `${file} holds ensemble statistics only (${sidecar.ensemble?.file.path ?? 'no per-run series'}), no per-run series; cubie plot draws the statistics`, { where: file, file });
  }
  return sidecar.output.timeDomain;
}

/** PlotData for a result on disk (any of its files, or its sidecar). */
export async function loadPlotData(file: string, choices: PlotChoices = {}): Promise<PlotData> {
  const sidecar = readSidecar(file);
  timeDomainFile(file, sidecar); // an ensemble-only result has no runs to draw: say so before planning
  const { plan, inputs } = planFromSidecar(sidecar, choices);
  const collector = new PlotCollector(plan, inputs, sidecar.variables.length, sidecar.summaryLegend.length);
  if (sidecar.output.format === 'npy') {
    await fromNpy(file, sidecar, plan, collector);
    collector.addEventMarks(marksFromNpy(file, sidecar, plan.trajectoryRuns));
  } else {
    await fromCsv(file, sidecar, plan, collector, inputs);
    collector.addEventMarks(await marksFromCsv(file, sidecar, plan.trajectoryRuns, inputColumnNames(inputs).length));
  }
  const sweep = plan.sweep;
  if (sweep?.source.kind === 'events') {
    for (const [run, count] of await eventCounts(file, sidecar)) if (sweep.keep(run)) collector.addPoint(run, count);
  }
  return collector.data();
}
