/**
 * Writes a batch's ensemble statistics (`replicates` and `ensembleOutputs` in
 * `cubie run`) chunk by chunk: each chunk holds whole input combinations, so
 * its statistics are final and land in place. Memory holds one chunk's
 * statistics, never the replicates.
 *   npy: STEM.ensemble.npy float64 [nTimes, legend.length, nCombinations] (a shard: its combinations),
 *        STEM.status.npy int32 [nCombinations * replicates] (run c*R + k is replicate k of combination c)
 *   csv: STEM.ensemble.csv (time, combination, inputs, one column per legend entry),
 *        STEM.runs.csv (run, combination, replicate, status)
 * Files sit under partial names until finish() moves them into place and
 * writes the sidecar last, as the per-run writers do (result-writer.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CsvFileWriter, formatFloat64 } from './csv';
import { NpyFileWriter } from './npy';
import type { EnsembleResult } from '../solver/ensemble-result';
import type { RunInputs } from './run-inputs';
import type { ArrayFile, OutputPaths, ResultSidecar } from './sidecar';
import type { RunRange } from './shard';
import { writeSidecar } from './sidecar';
import { inputColumnNames } from './result-writer';

export interface EnsembleLayout {
  paths: OutputPaths;
  time: Float64Array;
  legend: string[];
  replicates: number;
  /** The input combinations (the model's runs before replication). */
  inputs: RunInputs;
  /** The combinations these files hold (a shard's, or all). */
  combinations: { first: number; end: number };
}

/** STEM.ensemble.npy or STEM.ensemble.csv beside the other outputs. */
export function ensemblePath(paths: OutputPaths): string {
  return path.join(paths.dir, `${paths.stem}.ensemble.${paths.format}`);
}

/** The columns of STEM.ensemble.csv. */
export function ensembleCsvHeader(inputs: RunInputs, legend: readonly string[]): string[] {
  return ['time', 'combination', ...inputColumnNames(inputs), ...legend];
}

/** STEM.ensemble.csv's rows for the first `count` combinations of `ensemble` (all by default), numbered from `firstCombination`: one per (combination, time). */
export function ensembleCsvLines(ensemble: EnsembleResult, firstCombination: number, inputs: RunInputs, time: ArrayLike<number>, emit: (line: string) => void, count = ensemble.shape[2]): void {
  const [nTimes, nLegend, n] = ensemble.shape;
  for (let c = 0; c < count; c++) {
    const combination = firstCombination + c;
    let prefix = String(combination);
    for (const col of inputs.swept) prefix += `,${formatFloat64(inputs.value(combination, col))}`;
    for (let k = 0; k < nTimes; k++) {
      let line = `${formatFloat64(time[k])},${prefix}`;
      for (let j = 0; j < nLegend; j++) line += `,${formatFloat64(ensemble.values[(k * nLegend + j) * n + c])}`;
      emit(line);
    }
  }
}

/** The sidecar's description of a whole batch's statistics file. */
export function ensembleFileDescription(file: string, format: 'npy' | 'csv', nTimes: number, legend: readonly string[], inputs: RunInputs): ArrayFile {
  return format === 'npy'
    ? { path: path.basename(file), shape: [nTimes, legend.length, inputs.combinations], dtype: '<f8' }
    : { path: path.basename(file), columns: ensembleCsvHeader(inputs, legend) };
}

/**
 * A statistics file filled as combinations complete, in order: npy
 * [nTimes, legend.length, combinations held] in place, csv appended. It holds
 * `held` (a shard's combinations), all of `inputs`' by default.
 */
export class EnsembleValuesWriter {
  private readonly npy?: NpyFileWriter;
  private readonly csv?: CsvFileWriter;
  private readonly held: RunRange;

  constructor(file: string, format: 'npy' | 'csv', private readonly nTimes: number, legend: readonly string[], private readonly inputs: RunInputs, private readonly time: ArrayLike<number>, held?: RunRange) {
    this.held = held ?? { first: 0, end: inputs.combinations };
    if (format === 'npy') this.npy = new NpyFileWriter(file, 'f8', [nTimes, legend.length, this.held.end - this.held.first]);
    else this.csv = new CsvFileWriter(file, ensembleCsvHeader(inputs, legend));
  }

  /** npy: the array's shape and dtype; undefined for csv. */
  get npyShape(): { shape: number[]; dtype: string } | undefined {
    return this.npy ? { shape: [...this.npy.shape], dtype: this.npy.descr } : undefined;
  }

  /** The first `count` combinations of `ensemble`, which are combinations first .. first + count - 1 of the batch. */
  write(ensemble: EnsembleResult, firstCombination: number, count = ensemble.shape[2]): void {
    const [, nLegend, n] = ensemble.shape;
    if (this.npy) {
      const total = this.held.end - this.held.first;
      const offset = firstCombination - this.held.first;
      for (let row = 0; row < this.nTimes * nLegend; row++) this.npy.write(row * total + offset, ensemble.values.subarray(row * n, row * n + count));
      return;
    }
    ensembleCsvLines(ensemble, firstCombination, this.inputs, this.time, (line) => this.csv!.line(line), count);
  }

  close(): void {
    this.npy?.close();
    this.csv?.close();
  }
}

/** A whole batch's statistics in one file (cubie merge of shards that cut inside combinations). */
export function writeEnsembleFile(file: string, format: 'npy' | 'csv', ensemble: EnsembleResult, inputs: RunInputs, time: ArrayLike<number>): void {
  const writer = new EnsembleValuesWriter(file, format, ensemble.shape[0], ensemble.legend, inputs, time);
  try {
    writer.write(ensemble, 0);
  } finally {
    writer.close();
  }
}

export class EnsembleWriter {
  readonly output: ResultSidecar['output'];
  /** No event records: they are per run. */
  readonly events = undefined;
  readonly ensemble: NonNullable<ResultSidecar['ensemble']>;
  private readonly moves: Array<[string, string]> = [];
  private readonly values: EnsembleValuesWriter;
  private readonly status: NpyFileWriter | CsvFileWriter;
  private readonly nCombinations: number;

  constructor(private readonly layout: EnsembleLayout) {
    const { paths, legend, replicates, inputs } = layout;
    this.nCombinations = layout.combinations.end - layout.combinations.first;
    fs.mkdirSync(paths.dir, { recursive: true });
    const file = ensemblePath(paths);
    const track = (final: string): string => {
      const partial = `${final}.partial-${process.pid}`;
      this.moves.push([partial, final]);
      return partial;
    };
    const runColumns = ['run', 'combination', 'replicate', 'status'];
    const values = new EnsembleValuesWriter(track(file), paths.format, layout.time.length, legend, inputs, layout.time, layout.combinations);
    this.values = values;
    try {
      this.status = paths.format === 'npy' ? new NpyFileWriter(track(paths.status), 'i4', [this.nCombinations * replicates]) : new CsvFileWriter(track(paths.status), runColumns);
    } catch (e) {
      values.close();
      for (const [from] of this.moves) fs.rmSync(from, { force: true });
      throw e;
    }
    const npy = values.npyShape;
    const status: ArrayFile = this.status instanceof NpyFileWriter ? { path: path.basename(paths.status), shape: [...this.status.shape], dtype: this.status.descr } : { path: path.basename(paths.status), columns: runColumns };
    this.output = { format: paths.format, timeDomain: null, summaries: null, status, counters: null };
    this.ensemble = { legend: [...legend], replicates, nCombinations: this.nCombinations, file: npy ? { path: path.basename(file), ...npy } : { path: path.basename(file), columns: ensembleCsvHeader(inputs, legend) } };
  }

  /** A chunk's statistics for combinations first .. first + ensemble.shape[2] - 1, and its runs' statuses. */
  writeChunk(ensemble: EnsembleResult, status: Int32Array, firstCombination: number): void {
    const R = this.layout.replicates;
    this.values.write(ensemble, firstCombination);
    if (this.status instanceof NpyFileWriter) {
      this.status.write((firstCombination - this.layout.combinations.first) * R, status);
      return;
    }
    for (let r = 0; r < status.length; r++) {
      const run = firstCombination * R + r;
      this.status.line(`${run},${Math.floor(run / R)},${run % R},${status[r]}`);
    }
  }

  finish(sidecar: ResultSidecar): string[] {
    this.close();
    for (const [from, to] of this.moves) fs.renameSync(from, to);
    writeSidecar(this.layout.paths.sidecar, sidecar);
    return [...this.moves.map(([, to]) => to), this.layout.paths.sidecar];
  }

  abort(): void {
    try {
      this.close();
    } finally {
      for (const [from] of this.moves) fs.rmSync(from, { force: true });
    }
  }

  private close(): void {
    this.values.close();
    this.status.close();
  }
}

