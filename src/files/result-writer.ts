/**
 * Writes a result chunk by chunk as the batch proceeds: NumPy arrays filled
 * in place (each chunk is a block of runs, the fastest axis, so it lands as
 * one slab per row), or long CSV tables appended in run order. Files are
 * written under temporary names and renamed when the batch completes, the
 * sidecar last: a half-finished batch never looks like a result.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunInputs } from './run-inputs';
import type { EventRecords, SolveResult } from '../solver/result';
import { csvField, CsvFileWriter, formatFloat64, numberFormatter } from './csv';
import { NpyFileWriter, NpyKind, npyKindForPrecision } from './npy';
import type { ArrayFile, OutputPaths, ResultSidecar } from './sidecar';
import { writeSidecar } from './sidecar';
import type { RunRange } from './shard';
import type { OutputDescription } from '../solver/describe';
import { chunkEvents, describeEvents, eventCsvColumns, eventRows, recordsKept } from './event-files';

/** What the files hold: the solve's output description (Solver.describe) and where the files go. */
export interface ResultLayout extends Pick<OutputDescription, 'precision' | 'time' | 'variables' | 'summaryLegend' | 'nWindows' | 'counterLegend' | 'events'> {
  paths: OutputPaths;
  /** The global runs these files hold. */
  runs: RunRange;
  inputs: RunInputs;
}

export interface ResultWriter {
  /** What the sidecar's `output` describes. */
  readonly output: ResultSidecar['output'];
  /** What the sidecar's `events` says (undefined without event records). */
  readonly events: ResultSidecar['events'];
  /** Writes a chunk whose first run is global run `firstRun`. */
  writeChunk(result: SolveResult, firstRun: number): void;
  /**
   * Another file of the result (the ensemble statistics), written by the
   * caller under the partial name returned: finish() calls `close` and moves
   * it into place with the rest, abort() calls `close` and removes it.
   */
  besideFile(file: string, close: () => void): string;
  /** Closes the arrays, moves them into place and writes the sidecar. */
  finish(sidecar: ResultSidecar): string[];
  /** Closes and deletes everything written so far. */
  abort(): void;
}

/** Partial files sit beside their final names (same folder, so the rename is atomic). */
function partialName(file: string): string {
  return `${file}.partial-${process.pid}`;
}

class PartialFiles {
  private readonly moves: Array<[string, string]> = [];

  track(file: string): string {
    const partial = partialName(file);
    this.moves.push([partial, file]);
    return partial;
  }

  commit(): string[] {
    for (const [from, to] of this.moves) fs.renameSync(from, to);
    return this.moves.map(([, to]) => to);
  }

  remove(): void {
    for (const [from] of this.moves) fs.rmSync(from, { force: true });
  }
}

const base = (file: string): string => path.basename(file);

/** What the NumPy and CSV writers share: their files sit under partial names until finish() moves them all into place. */
abstract class PartialResultWriter implements ResultWriter {
  abstract readonly output: ResultSidecar['output'];
  readonly events: ResultSidecar['events'];
  protected readonly files = new PartialFiles();

  constructor(protected readonly layout: ResultLayout) {
    this.events = layout.events ? describeEvents(layout.events) : undefined;
  }

  abstract writeChunk(result: SolveResult, firstRun: number): void;

  /** The writers to close: null for an array not written, undefined for one not opened yet. */
  protected abstract writers(): Array<{ close(): void } | null | undefined>;

  private readonly besides: Array<() => void> = [];

  besideFile(file: string, close: () => void): string {
    this.besides.push(close);
    return this.files.track(file);
  }

  finish(sidecar: ResultSidecar): string[] {
    this.close();
    const written = this.files.commit();
    writeSidecar(this.layout.paths.sidecar, sidecar);
    return [...written, this.layout.paths.sidecar];
  }

  private close(): void {
    for (const w of this.writers()) w?.close();
    for (const close of this.besides) close();
  }

  abort(): void {
    try {
      this.close();
    } finally {
      this.files.remove();
    }
  }
}

class NpyResultWriter extends PartialResultWriter {
  readonly output: ResultSidecar['output'];
  private readonly timeDomain: NpyFileWriter;
  private readonly summaries: NpyFileWriter | null;
  private readonly status: NpyFileWriter;
  private readonly counters: NpyFileWriter | null;
  private readonly eventRecords: NpyFileWriter | null;
  private readonly eventCounts: NpyFileWriter | null;
  private readonly nRuns: number;

  constructor(layout: ResultLayout) {
    super(layout);
    const { paths } = layout;
    const kind: NpyKind = npyKindForPrecision(layout.precision);
    const nRuns = layout.runs.end - layout.runs.first;
    this.nRuns = nRuns;
    const open = (file: string, k: NpyKind, shape: number[]): NpyFileWriter => new NpyFileWriter(this.files.track(file), k, shape);
    const describe = (w: NpyFileWriter, file: string): ArrayFile => ({ path: base(file), shape: [...w.shape], dtype: w.descr });
    try {
      this.timeDomain = open(paths.timeDomain, kind, [layout.time.length, layout.variables.length, nRuns]);
      this.summaries = layout.summaryLegend.length ? open(paths.summaries, kind, [layout.nWindows, layout.summaryLegend.length, nRuns]) : null;
      this.status = open(paths.status, 'i4', [nRuns]);
      this.counters = layout.counterLegend.length ? open(paths.counters, 'i4', [layout.counterLegend.length, nRuns]) : null;
      const ev = layout.events;
      this.eventRecords = ev ? open(paths.events, 'f8', [ev.maxRecords, 2 + ev.states.length, nRuns]) : null;
      this.eventCounts = ev ? open(paths.eventCounts, 'i4', [nRuns]) : null;
    } catch (e) {
      this.abort();
      throw e;
    }
    this.output = {
      format: 'npy',
      timeDomain: describe(this.timeDomain, paths.timeDomain),
      summaries: this.summaries ? describe(this.summaries, paths.summaries) : null,
      status: describe(this.status, paths.status),
      counters: this.counters ? describe(this.counters, paths.counters) : null,
      ...(this.eventRecords && this.eventCounts ? { events: describe(this.eventRecords, paths.events), eventCounts: describe(this.eventCounts, paths.eventCounts) } : {}),
    };
  }

  writeChunk(result: SolveResult, firstRun: number): void {
    const offset = firstRun - this.layout.runs.first;
    const n = result.nRuns;
    // Row k of the chunk ([..., n]) is the slab at row k of the file ([..., nRuns]), from column `offset`.
    const rows = (writer: NpyFileWriter, data: Float32Array | Float64Array | Int32Array): void => {
      for (let row = 0; row * n < data.length; row++) writer.write(row * this.nRuns + offset, data.subarray(row * n, (row + 1) * n));
    };
    rows(this.timeDomain, result.timeDomain);
    if (this.summaries) rows(this.summaries, result.summaries);
    this.status.write(offset, result.status);
    if (this.counters) {
      this.layout.counterLegend.forEach((name, c) => this.counters!.write(c * this.nRuns + offset, result.iterationCounters![name]));
    }
    if (this.eventRecords && this.eventCounts) {
      const events = chunkEvents(result.events, this.layout.events!);
      let row = 0;
      for (const slab of eventRows(events, n)) this.eventRecords.write(row++ * this.nRuns + offset, slab);
      this.eventCounts.write(offset, events.count);
    }
  }

  protected override writers(): Array<NpyFileWriter | null | undefined> {
    return [this.timeDomain, this.summaries, this.status, this.counters, this.eventRecords, this.eventCounts];
  }
}

/** Column names in CSV tables that inputs must not take. */
const CSV_RESERVED = new Set(['run', 'time', 'variable', 'value', 'window', 'summary', 'status', 'events', 'record', 'event', 'replicate', 'combination']);

/** The swept inputs' CSV columns (`rho`, or `y0.x` for an initial value), then `replicate` when each combination runs several times. */
export function inputColumnNames(inputs: RunInputs): string[] {
  const swept = inputs.swept.map((c) => (c.role === 'y0' ? `y0.${c.name}` : CSV_RESERVED.has(c.name) ? `parameters.${c.name}` : c.name));
  return inputs.replicates > 1 ? [...swept, 'replicate'] : swept;
}

class CsvResultWriter extends PartialResultWriter {
  readonly output: ResultSidecar['output'];
  private readonly timeDomain: CsvFileWriter;
  private readonly summaries: CsvFileWriter | null;
  private readonly runs: CsvFileWriter;
  private readonly eventTable: CsvFileWriter | null;
  private readonly eventNames: string[];
  private readonly format: (value: number) => string;
  private readonly timeText: string[];
  private readonly summaryParts: string[];

  constructor(layout: ResultLayout) {
    super(layout);
    const { paths } = layout;
    const inputs = inputColumnNames(layout.inputs);
    const columns = {
      timeDomain: ['run', ...inputs, 'time', 'variable', 'value'],
      summaries: ['run', ...inputs, 'window', 'variable', 'summary', 'value'],
      runs: ['run', ...inputs, 'status', ...(layout.events ? ['events'] : []), ...layout.counterLegend],
      events: layout.events ? eventCsvColumns(inputs, layout.events.states) : [],
    };
    this.eventNames = layout.events ? layout.events.names.map(csvField) : [];
    this.format = numberFormatter(layout.precision);
    this.timeText = Array.from(layout.time, formatFloat64);
    // 'x.peaks[3]' -> variable 'x', summary 'peaks[3]' (names have no dots).
    this.summaryParts = layout.summaryLegend.map((l) => {
      const dot = l.indexOf('.');
      return `${csvField(l.slice(0, dot))},${csvField(l.slice(dot + 1))}`;
    });
    try {
      this.timeDomain = new CsvFileWriter(this.files.track(paths.timeDomain), columns.timeDomain);
      this.summaries = layout.summaryLegend.length ? new CsvFileWriter(this.files.track(paths.summaries), columns.summaries) : null;
      this.runs = new CsvFileWriter(this.files.track(paths.status), columns.runs);
      this.eventTable = layout.events ? new CsvFileWriter(this.files.track(paths.events), columns.events) : null;
    } catch (e) {
      this.abort();
      throw e;
    }
    this.output = {
      format: 'csv',
      timeDomain: { path: base(paths.timeDomain), columns: columns.timeDomain },
      summaries: this.summaries ? { path: base(paths.summaries), columns: columns.summaries } : null,
      status: { path: base(paths.status), columns: columns.runs },
      counters: null,
      ...(this.eventTable ? { events: { path: base(paths.events), columns: columns.events } } : {}),
    };
  }

  private runPrefix(run: number): string {
    const { inputs } = this.layout;
    let text = String(run);
    for (const c of inputs.swept) text += `,${formatFloat64(inputs.value(run, c))}`;
    if (inputs.replicates > 1) text += `,${run % inputs.replicates}`;
    return text;
  }

  writeChunk(result: SolveResult, firstRun: number): void {
    const n = result.nRuns;
    const nVariables = this.layout.variables.length;
    const nColumns = this.layout.summaryLegend.length;
    const variables = this.layout.variables.map(csvField);
    const events = this.eventTable ? chunkEvents(result.events, this.layout.events!) : undefined;
    for (let r = 0; r < n; r++) {
      const prefix = this.runPrefix(firstRun + r);
      for (let t = 0; t < this.timeText.length; t++) {
        for (let v = 0; v < nVariables; v++) {
          this.timeDomain.line(`${prefix},${this.timeText[t]},${variables[v]},${this.format(result.timeDomain[(t * nVariables + v) * n + r])}`);
        }
      }
      if (this.summaries) {
        for (let w = 0; w < this.layout.nWindows; w++) {
          for (let c = 0; c < nColumns; c++) {
            this.summaries.line(`${prefix},${w},${this.summaryParts[c]},${this.format(result.summaries[(w * nColumns + c) * n + r])}`);
          }
        }
      }
      if (events) this.writeEvents(events, prefix, r, n);
      let runLine = `${prefix},${result.status[r]}`;
      if (events) runLine += `,${events.count[r]}`;
      for (const name of this.layout.counterLegend) runLine += `,${result.iterationCounters![name][r]}`;
      this.runs.line(runLine);
    }
  }

  /** Run r's records, one line each; the slots it did not fill are left out. */
  private writeEvents(events: EventRecords, prefix: string, r: number, n: number): void {
    const nStates = events.states.length;
    for (let k = 0; k < recordsKept(events, r); k++) {
      let line = `${prefix},${k},${formatFloat64(events.time[k * n + r])},${this.eventNames[events.which[k * n + r]]}`;
      for (let i = 0; i < nStates; i++) line += `,${this.format(events.state[(k * nStates + i) * n + r])}`;
      this.eventTable!.line(line);
    }
  }

  protected override writers(): Array<CsvFileWriter | null | undefined> {
    return [this.timeDomain, this.summaries, this.runs, this.eventTable];
  }
}

export function createResultWriter(layout: ResultLayout): ResultWriter {
  fs.mkdirSync(layout.paths.dir, { recursive: true });
  return layout.paths.format === 'npy' ? new NpyResultWriter(layout) : new CsvResultWriter(layout);
}
