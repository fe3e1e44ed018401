/**
 * `cubie run` with replicates, per-run outputs and ensembleOutputs: the
 * statistics written beside the per-run files (run-batch.ts).
 */
import { ensembleFileDescription, ensemblePath, writeEnsembleFile } from '../files/ensemble-writer';
import { momentsFileDescription, momentsPath, writeMoments } from '../files/ensemble-moments';
import type { ResultWriter } from '../files/result-writer';
import type { OutputPaths, ResultSidecar } from '../files/sidecar';
import type { RunRange } from '../files/shard';
import { EnsembleAccumulator } from '../solver/ensemble-result';
import type { SolveResult } from '../solver/result';
import { ensembleLegend, type EnsembleOutput } from '../summaries/ensemble';
import type { OutputLayout, RunRequest } from './run-sidecar';

/**
 * The statistics beside per-run files, gathered chunk by chunk from the
 * saves: final for a whole batch (NAME.ensemble.*); for a shard, which cuts
 * by runs, the moments of the combinations it touches (NAME.moments.npy,
 * folded by cubie merge).
 */
export class StatisticsBeside {
  private readonly accumulator: EnsembleAccumulator;
  private readonly combinations: RunRange;

  constructor(private readonly request: RunRequest, private readonly layout: OutputLayout, range: RunRange, private readonly outputs: EnsembleOutput[]) {
    const { inputs } = request.model;
    const R = inputs.replicates;
    this.combinations = range.end === range.first ? { first: 0, end: 0 } : request.shard
      ? { first: inputs.combinationOf(range.first), end: inputs.combinationOf(range.end - 1) + 1 }
      : { first: 0, end: inputs.combinations };
    this.accumulator = new EnsembleAccumulator(layout.times.length, layout.variables, outputs, this.combinations.end - this.combinations.first, R);
  }

  add(result: SolveResult, firstRun: number): void {
    this.accumulator.add(result.timeDomain, result.nRuns, firstRun - this.combinations.first * this.request.model.inputs.replicates);
  }

  /** Writes the statistics (or the shard's moments) beside the per-run files; the sidecar's `ensemble`. */
  write(writer: ResultWriter, paths: OutputPaths): NonNullable<ResultSidecar['ensemble']> {
    const { inputs } = this.request.model;
    const nTimes = this.layout.times.length;
    const legend = ensembleLegend(this.layout.variables, this.outputs);
    const n = this.combinations.end - this.combinations.first;
    if (this.request.shard) {
      const file = momentsPath(paths);
      writer.alsoWrite(file, (partial) => writeMoments(partial, this.accumulator.moments(), nTimes, this.layout.variables.length, n));
      return { legend, replicates: inputs.replicates, nCombinations: n, file: momentsFileDescription(file, nTimes, this.layout.variables.length, n), partial: { combinations: { ...this.combinations } } };
    }
    const file = ensemblePath(paths);
    const combinations = inputs.withReplicates(1);
    writer.alsoWrite(file, (partial) => writeEnsembleFile(partial, paths.format, this.accumulator.result(), combinations, this.layout.times));
    return { legend, replicates: inputs.replicates, nCombinations: n, file: ensembleFileDescription(file, paths.format, nTimes, legend, combinations) };
  }
}
