/**
 * `cubie run` with replicates, per-run outputs and ensembleOutputs: the
 * statistics written beside the per-run files (run-batch.ts), gathered from
 * each chunk's saves. Chunks come in run order, so a combination is complete
 * once a chunk reaches its last run (in this shard): each chunk's complete
 * combinations are written at once and only the one it ends inside is
 * carried over. Memory is one chunk's combinations, whatever the batch.
 * A whole batch writes the final statistics (NAME.ensemble.*); a shard,
 * which cuts by runs, the moments of the combinations it touches
 * (NAME.moments.npy, which cubie merge folds).
 */
import { ensembleFileDescription, ensemblePath, EnsembleValuesWriter } from '../files/ensemble-writer';
import { momentsFileDescription, MomentsFileWriter, momentsPath } from '../files/ensemble-moments';
import type { ResultWriter } from '../files/result-writer';
import type { OutputPaths, ResultSidecar } from '../files/sidecar';
import type { RunRange } from '../files/shard';
import { EnsembleAccumulator } from '../solver/ensemble-result';
import type { SolveResult } from '../solver/result';
import { ensembleLegend, type EnsembleOutput } from '../summaries/ensemble';
import type { OutputLayout, RunRequest } from './run-sidecar';

export class StatisticsBeside {
  /** The combinations the runs touch (all of them for a whole batch). */
  private readonly combinations: RunRange;
  private readonly sink?: { kind: 'values'; writer: EnsembleValuesWriter } | { kind: 'moments'; writer: MomentsFileWriter };
  private readonly file?: string;
  /** The combination the last chunk ended inside, and its moments so far. */
  private carry?: { combination: number; accumulator: EnsembleAccumulator };

  constructor(
    private readonly request: RunRequest,
    private readonly layout: OutputLayout,
    private readonly range: RunRange,
    private readonly outputs: EnsembleOutput[],
    writer: ResultWriter | undefined,
    paths: OutputPaths | undefined,
  ) {
    const { inputs } = request.model;
    this.combinations = range.end === range.first ? { first: 0, end: 0 } : { first: inputs.combinationOf(range.first), end: inputs.combinationOf(range.end - 1) + 1 };
    if (writer === undefined || paths === undefined) return;
    const nTimes = layout.times.length;
    if (request.shard) {
      this.file = momentsPath(paths);
      const sink: MomentsFileWriter = new MomentsFileWriter(writer.besideFile(this.file, () => sink.close()), nTimes, layout.variables.length, this.combinations.end - this.combinations.first);
      this.sink = { kind: 'moments', writer: sink };
    } else {
      this.file = ensemblePath(paths);
      const legend = ensembleLegend(layout.variables, outputs);
      const sink: EnsembleValuesWriter = new EnsembleValuesWriter(writer.besideFile(this.file, () => sink.close()), paths.format, nTimes, legend, inputs.withReplicates(1), layout.times);
      this.sink = { kind: 'values', writer: sink };
    }
  }

  /** A chunk's saves, runs firstRun .. firstRun + nRuns - 1 (following the last chunk's). */
  add(result: SolveResult, firstRun: number): void {
    const { inputs } = this.request.model;
    const R = inputs.replicates;
    const end = firstRun + result.nRuns;
    if (end === firstRun) return;
    const first = inputs.combinationOf(firstRun);
    const last = inputs.combinationOf(end - 1);
    const n = last - first + 1;
    const accumulator = new EnsembleAccumulator(this.layout.times.length, this.layout.variables, this.outputs, n, R);
    accumulator.add(result.timeDomain, result.nRuns, firstRun - first * R);
    if (this.carry !== undefined && this.carry.combination === first) accumulator.mergeCombination(this.carry.accumulator, 0, 0);
    this.carry = undefined;
    // The last combination is complete when this chunk reaches its last run in the range.
    const complete = end >= Math.min(this.range.end, (last + 1) * R) ? n : n - 1;
    if (complete < n) {
      const carried = new EnsembleAccumulator(this.layout.times.length, this.layout.variables, this.outputs, 1, R);
      carried.mergeCombination(accumulator, n - 1, 0);
      this.carry = { combination: last, accumulator: carried };
    }
    if (complete === 0 || this.sink === undefined) return;
    if (this.sink.kind === 'values') this.sink.writer.write(accumulator.result(), first, complete);
    else this.sink.writer.write(accumulator.moments(), n, first - this.combinations.first, complete);
  }

  /** The sidecar's `ensemble` for what was written. */
  sidecarEntry(paths: OutputPaths): NonNullable<ResultSidecar['ensemble']> {
    const { inputs } = this.request.model;
    const nTimes = this.layout.times.length;
    const legend = ensembleLegend(this.layout.variables, this.outputs);
    const n = this.combinations.end - this.combinations.first;
    const file = this.file ?? ensemblePath(paths);
    if (this.request.shard) {
      return { legend, replicates: inputs.replicates, nCombinations: n, file: momentsFileDescription(file, nTimes, this.layout.variables.length, n), partial: { combinations: { ...this.combinations } } };
    }
    return { legend, replicates: inputs.replicates, nCombinations: n, file: ensembleFileDescription(file, paths.format, nTimes, legend, inputs.withReplicates(1)) };
  }
}
