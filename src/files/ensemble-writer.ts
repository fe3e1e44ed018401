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
 * A batch's statistics file filled as combinations complete, in order:
 * npy [nTimes, legend.length, nCombinations] in place, csv appended.
 */
export class EnsembleValuesWriter {
  private readonly npy?: NpyFileWriter;
  private readonly csv?: CsvFileWriter;

  constructor(file: string, format: 'npy' | 'csv', private readonly nTimes: number, legend: readonly string[], private readonly inputs: RunInputs, private readonly time: ArrayLike<number>) {
    if (format === 'npy') this.npy = new NpyFileWriter(file, 'f8', [nTimes, legend.length, inputs.combinations]);
    else this.csv = new CsvFileWriter(file, ensembleCsvHeader(inputs, legend));
  }

  /** The first `count` combinations of `ensemble`, which are combinations first .. first + count - 1 of the batch. */
  write(ensemble: EnsembleResult, firstCombination: number, count = ensemble.shape[2]): void {
    const [, nLegend, n] = ensemble.shape;
    if (this.npy) {
      const total = this.inputs.combinations;
      for (let row = 0; row < this.nTimes * nLegend; row++) this.npy.write(row * total + firstCombination, ensemble.values.subarray(row * n, row * n + count));
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
  private readonly npy?: { values: NpyFileWriter; status: NpyFileWriter };
  private readonly csv?: { values: CsvFileWriter; runs: CsvFileWriter };
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
    try {
      if (paths.format === 'npy') {
        this.npy = {
          values: new NpyFileWriter(track(file), 'f8', [layout.time.length, legend.length, this.nCombinations]),
          status: new NpyFileWriter(track(paths.status), 'i4', [this.nCombinations * replicates]),
        };
      } else {
        this.csv = {
          values: new CsvFileWriter(track(file), ensembleCsvHeader(inputs, legend)),
          runs: new CsvFileWriter(track(paths.status), ['run', 'combination', 'replicate', 'status']),
        };
      }
    } catch (e) {
      this.abort();
      throw e;
    }
    const describe = (w: NpyFileWriter | CsvFileWriter, f: string, columns?: string[]): ArrayFile =>
      w instanceof NpyFileWriter ? { path: path.basename(f), shape: [...w.shape], dtype: w.descr } : { path: path.basename(f), columns };
    const values = this.npy ? describe(this.npy.values, file) : describe(this.csv!.values, file, ensembleCsvHeader(inputs, legend));
    const status = this.npy ? describe(this.npy.status, paths.status) : describe(this.csv!.runs, paths.status, ['run', 'combination', 'replicate', 'status']);
    this.output = { format: paths.format, timeDomain: null, summaries: null, status, counters: null };
    this.ensemble = { legend: [...legend], replicates, nCombinations: this.nCombinations, file: values };
  }

  /** A chunk's statistics for combinations first .. first + ensemble.shape[2] - 1, and its runs' statuses. */
  writeChunk(ensemble: EnsembleResult, status: Int32Array, firstCombination: number): void {
    const [nTimes, nLegend, n] = ensemble.shape;
    const R = this.layout.replicates;
    if (this.npy) {
      const offset = firstCombination - this.layout.combinations.first;
      for (let row = 0; row < nTimes * nLegend; row++) this.npy.values.write(row * this.nCombinations + offset, ensemble.values.subarray(row * n, (row + 1) * n));
      this.npy.status.write(offset * R, status);
      return;
    }
    ensembleCsvLines(ensemble, firstCombination, this.layout.inputs, this.layout.time, (line) => this.csv!.values.line(line));
    for (let r = 0; r < status.length; r++) {
      const run = firstCombination * R + r;
      this.csv!.runs.line(`${run},${Math.floor(run / R)},${run % R},${status[r]}`);
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
    for (const w of [this.npy?.values, this.npy?.status, this.csv?.values, this.csv?.runs]) w?.close();
  }
}

