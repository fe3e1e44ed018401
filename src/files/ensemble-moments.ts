/**
 * Ensemble shards that cut inside input combinations. With fewer input
 * combinations than shards (one combination and 10^7 replicates over 64
 * array tasks, say), shards take runs, not whole combinations, so a shard
 * holds some replicates of one or two combinations and cannot write their
 * final statistics. It writes their moments instead, and `cubie merge`
 * folds the shards' moments in run order (Chan et al., summaries/ensemble.ts)
 * into the statistics an unsharded run writes, equal to rounding.
 *   STEM.moments.npy  float64 [5, nTimes, nVariables, nTouched]: count, mean,
 *                     M2, min, max per (time, variable, combination touched)
 *   STEM.status.npy / STEM.runs.csv  the shard's runs, as for whole shards
 * The moments file is npy for either output format: only merge reads it,
 * and it must carry the float64 moments exactly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { EnsembleMoments } from '../summaries/ensemble';
import type { EnsembleOutput } from '../summaries/ensemble';
import type { EnsembleResult } from '../solver/ensemble-result';
import { CsvFileWriter } from './csv';
import { NpyFileWriter, readNpy } from './npy';
import type { RunRange } from './shard';
import { writeSidecar } from './sidecar';
import type { ArrayFile, OutputPaths, ResultSidecar } from './sidecar';

/** What a piece of a shard is solved for: the statistics its moments are rebuilt from. */
export const MOMENT_OUTPUTS: EnsembleOutput[] = ['mean', 'var', 'min', 'max'];
const FIELDS = 5;

export function momentsPath(paths: OutputPaths): string {
  return path.join(paths.dir, `${paths.stem}.moments.npy`);
}

/**
 * The moments of one solve's replicates of one combination, from its
 * MOMENT_OUTPUTS statistics (M2 = var (n - 1), exact to rounding; with one
 * replicate var is NaN and M2 is 0, and a NaN sample keeps every moment
 * NaN), placed as combination `c` of `n` in EnsembleAccumulator's layout:
 * slot (k * nVariables + v) * n + c.
 */
export function momentsOf(ensemble: EnsembleResult, nVariables: number, c: number, n: number): EnsembleMoments {
  const [nTimes, nLegend, nCombinations] = ensemble.shape;
  if (nCombinations !== 1 || nLegend !== nVariables * MOMENT_OUTPUTS.length) throw new CubieError('INTERNAL', `moments need one combination's ${MOMENT_OUTPUTS.join(', ')} (got shape ${ensemble.shape.join('x')})`);
  const count = ensemble.replicates;
  const moments = new EnsembleMoments(nTimes * nVariables * n);
  for (let k = 0; k < nTimes; k++) {
    for (let v = 0; v < nVariables; v++) {
      const slot = (k * nVariables + v) * n + c;
      const at = (o: number): number => ensemble.values[k * nLegend + v * MOMENT_OUTPUTS.length + o];
      const [mean, variance, min, max] = [0, 1, 2, 3].map(at);
      moments.count[slot] = count;
      moments.mean[slot] = mean;
      moments.m2[slot] = count < 2 ? (Number.isNaN(mean) ? NaN : 0) : variance * (count - 1);
      moments.min[slot] = min;
      moments.max[slot] = max;
    }
  }
  return moments;
}

/** The sidecar's description of a moments file. */
export function momentsFileDescription(file: string, nTimes: number, nVariables: number, n: number): ArrayFile {
  return { path: path.basename(file), shape: [FIELDS, nTimes, nVariables, n], dtype: '<f8' };
}

/** A [5, nTimes, nVariables, n] moments file filled as combinations complete. */
export class MomentsFileWriter {
  private readonly npy: NpyFileWriter;

  constructor(file: string, private readonly nTimes: number, private readonly nVariables: number, private readonly n: number) {
    this.npy = new NpyFileWriter(file, 'f8', [FIELDS, nTimes, nVariables, n]);
  }

  /**
   * The first `count` combinations of moments laid out as EnsembleAccumulator's
   * over `m` combinations (slot (k * nVariables + v) * m + c), as the file's
   * combinations first .. first + count - 1.
   */
  write(moments: EnsembleMoments, m: number, first: number, count = m): void {
    const slots = this.nTimes * this.nVariables;
    [moments.count, moments.mean, moments.m2, moments.min, moments.max].forEach((field, f) => {
      for (let s = 0; s < slots; s++) this.npy.write((f * slots + s) * this.n + first, field.subarray(s * m, s * m + count));
    });
  }

  close(): void {
    this.npy.close();
  }
}

/** Moments in EnsembleAccumulator's layout (slot (k * nVariables + v) * n + c) as a [5, nTimes, nVariables, n] npy file. */
export function writeMoments(file: string, moments: EnsembleMoments, nTimes: number, nVariables: number, n: number): void {
  const writer = new MomentsFileWriter(file, nTimes, nVariables, n);
  try {
    writer.write(moments, n, 0);
  } finally {
    writer.close();
  }
}

/**
 * A shard's moments file as moments of the whole batch (slots
 * (k * nVariables + v) * nCombinations + c, as EnsembleAccumulator lays
 * them out; the other combinations empty), its combinations starting at
 * `firstCombination`. Each combination's count must be `expected(c)`, the
 * shard's runs in it: a file that disagrees is refused, not folded in.
 */
export function readMoments(file: string, firstCombination: number, nTimes: number, nVariables: number, nCombinations: number, expected: (combination: number) => number): EnsembleMoments {
  const { header, data } = readNpy(file);
  const [fields, times, variables, n] = header.shape;
  if (header.kind !== 'f8' || header.shape.length !== 4 || fields !== FIELDS || times !== nTimes || variables !== nVariables || firstCombination + n > nCombinations) {
    throw new CubieError('SHARD_MISMATCH', `${file} has shape (${header.shape.join(', ')}), not the moments of this batch's [${FIELDS}, ${nTimes}, ${nVariables}, ...] from combination ${firstCombination}`, { where: file, file });
  }
  const slots = nTimes * nVariables;
  const part = new EnsembleMoments(slots * nCombinations);
  for (let c = 0; c < n; c++) {
    const want = expected(firstCombination + c);
    for (let s = 0; s < slots; s++) {
      const to = s * nCombinations + firstCombination + c;
      const at = (f: number): number => Number(data[(f * slots + s) * n + c]);
      if (at(0) !== want) throw new CubieError('SHARD_MISMATCH', `${file} counts ${at(0)} replicates of combination ${firstCombination + c}, but its shard ran ${want}`, { where: file, file });
      part.count[to] = at(0);
      part.mean[to] = at(1);
      part.m2[to] = at(2);
      part.min[to] = at(3);
      part.max[to] = at(4);
    }
  }
  return part;
}

export interface MomentsShardLayout {
  paths: OutputPaths;
  /** The final statistics' legend, as the merged result will have it. */
  legend: string[];
  replicates: number;
  nTimes: number;
  nVariables: number;
  /** The shard's runs, and the combinations they touch. */
  runs: RunRange;
  combinations: RunRange;
}

/**
 * Writes a shard that cuts inside combinations: its runs' statuses as they
 * come, and at the end the moments of the combinations it touched. Files sit
 * under partial names until finish() moves them into place and writes the
 * sidecar last, as the other writers do.
 */
export class MomentsShardWriter {
  readonly output: ResultSidecar['output'];
  readonly events = undefined;
  readonly ensemble: NonNullable<ResultSidecar['ensemble']>;
  private readonly moves: Array<[string, string]> = [];
  private readonly status: NpyFileWriter | CsvFileWriter;
  private readonly momentsFile: string;

  constructor(private readonly layout: MomentsShardLayout) {
    const { paths, runs, combinations } = layout;
    fs.mkdirSync(paths.dir, { recursive: true });
    const partial = (final: string): string => {
      this.moves.push([`${final}.partial-${process.pid}`, final]);
      return `${final}.partial-${process.pid}`;
    };
    const columns = ['run', 'combination', 'replicate', 'status'];
    this.status = paths.format === 'npy' ? new NpyFileWriter(partial(paths.status), 'i4', [runs.end - runs.first]) : new CsvFileWriter(partial(paths.status), columns);
    this.momentsFile = momentsPath(paths);
    partial(this.momentsFile);
    const nTouched = combinations.end - combinations.first;
    const statusFile: ArrayFile = this.status instanceof NpyFileWriter
      ? { path: path.basename(paths.status), shape: [...this.status.shape], dtype: this.status.descr }
      : { path: path.basename(paths.status), columns };
    this.output = { format: paths.format, timeDomain: null, summaries: null, status: statusFile, counters: null };
    this.ensemble = {
      legend: [...layout.legend],
      replicates: layout.replicates,
      nCombinations: nTouched,
      file: momentsFileDescription(this.momentsFile, layout.nTimes, layout.nVariables, nTouched),
      partial: { combinations: { ...combinations } },
    };
  }

  /** Statuses of runs firstRun .. firstRun + status.length - 1 of the batch. */
  writeStatus(status: Int32Array, firstRun: number): void {
    if (this.status instanceof NpyFileWriter) {
      this.status.write(firstRun - this.layout.runs.first, status);
      return;
    }
    const R = this.layout.replicates;
    for (let r = 0; r < status.length; r++) {
      const run = firstRun + r;
      this.status.line(`${run},${Math.floor(run / R)},${run % R},${status[r]}`);
    }
  }

  /** Writes the touched combinations' moments (EnsembleAccumulator's layout), moves every file into place, then the sidecar. */
  finish(moments: EnsembleMoments, sidecar: ResultSidecar): string[] {
    this.status.close();
    writeMoments(`${this.momentsFile}.partial-${process.pid}`, moments, this.layout.nTimes, this.layout.nVariables, this.ensemble.nCombinations);
    for (const [from, to] of this.moves) fs.renameSync(from, to);
    writeSidecar(this.layout.paths.sidecar, sidecar);
    return [...this.moves.map(([, to]) => to), this.layout.paths.sidecar];
  }

  abort(): void {
    try {
      this.status.close();
    } finally {
      for (const [from] of this.moves) fs.rmSync(from, { force: true });
    }
  }
}
