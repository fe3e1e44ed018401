/**
 * `cubie run --shard I/N` with `ensembleOutputs` and fewer input combinations
 * than shards: shards of whole combinations would leave most of them empty
 * (one combination of 10^7 replicates over 64 array tasks would run in one),
 * so the shard takes runs (shardRange over combinations x replicates) and
 * writes the moments of the replicates it ran (files/ensemble-moments.ts);
 * `cubie merge` folds them into the final statistics. Each piece is one
 * combination's replicates k0..k1-1, solved with run index offset c*R + k0,
 * so every replicate draws the path it draws in an unsharded run.
 */
import { MOMENT_OUTPUTS, momentsOf, MomentsShardWriter } from '../files/ensemble-moments';
import { outputPaths, type ResultSidecar } from '../files/sidecar';
import { RunRange, shardRange, type Shard } from '../files/shard';
import { StatusTally } from '../files/status';
import { CubieError } from '../shared/errors';
import type { Solver } from '../solver/solver';
import { EnsembleAccumulator } from '../solver/ensemble-result';
import { ensembleLegend, ensembleLegendParts, type EnsembleOutput } from '../summaries/ensemble';
import { finishEnsembleBatch } from './ensemble-finish';
import type { RunRequest } from './run-sidecar';
import { abandonBatch, kernelText, onInterrupt } from './run-sidecar';

/** Replicates solved at a time when --runs-per-chunk does not say: the library reduces them in pieces of this size too. */
const PIECE_RUNS = 65_536;

/** Whether this shard cuts inside combinations: the rule depends on nothing but the combinations and the shard count. */
export function shardCutsCombinations(nCombinations: number, shard: Shard | undefined): boolean {
  return shard !== undefined && nCombinations < shard.count;
}

export async function solveEnsembleShard(request: RunRequest, solver: Solver, ensembleOutputs: EnsembleOutput[]): Promise<number> {
  const { model, options, reporter } = request;
  const shard = request.shard!;
  if (request.plotFile !== undefined) {
    throw new CubieError('UNSUPPORTED', `--plot: shard ${shard.index}/${shard.count} cuts inside input combinations (${model.inputs.nRuns} combinations, ${shard.count} shards) and holds partial moments; draw the merged result (cubie plot after cubie merge)`, { where: '--plot' });
  }
  const replicates = Number(options.replicates ?? 1);
  const nCombinations = model.inputs.nRuns;
  const nRuns = nCombinations * replicates;
  const runs = shardRange(nRuns, shard);
  const shardRuns = runs.end - runs.first;
  const combinations: RunRange = shardRuns === 0 ? { first: 0, end: 0 } : { first: Math.floor(runs.first / replicates), end: Math.floor((runs.end - 1) / replicates) + 1 };
  const out = solver.describe({ ensembleOutputs: MOMENT_OUTPUTS });
  const { variables } = ensembleLegendParts(out.ensembleLegend!);
  const legend = ensembleLegend(variables, ensembleOutputs);
  const piece = request.runsPerChunk ?? PIECE_RUNS;
  const compileStarted = process.hrtime.bigint();
  const kernel = await solver.compile();
  const compileMs = Number(process.hrtime.bigint() - compileStarted) / 1e6;
  const pieces: Array<{ combination: number; first: number; end: number }> = [];
  for (let c = combinations.first; c < combinations.end; c++) {
    const from = Math.max(runs.first, c * replicates);
    const to = Math.min(runs.end, (c + 1) * replicates);
    for (let first = from; first < to; first += piece) pieces.push({ combination: c, first, end: Math.min(to, first + piece) });
  }
  reporter.line('model', `${model.file}: system ${model.system.name}, model hash ${model.hash.slice(0, 12)}`);
  reporter.line('runs', `${nRuns} = ${nCombinations} combination${nCombinations === 1 ? '' : 's'} x ${replicates} replicates; statistics ${ensembleOutputs.join(', ')}`);
  reporter.line('kernel', kernelText(kernel, compileMs));
  reporter.line('shard', `${shard.index}/${shard.count} (from ${shard.source}): runs ${runs.first}..${runs.end - 1} of ${nRuns}, inside ${combinations.end - combinations.first} combination${combinations.end - combinations.first === 1 ? '' : 's'} (fewer combinations than shards: this shard writes moments for cubie merge); ${pieces.length} chunk${pieces.length === 1 ? '' : 's'}`);
  reporter.event({ event: 'start', model: model.file, modelHash: model.hash, system: model.system.name, nRuns, nCombinations, replicates, runs, combinations, chunks: pieces.length, shard: { index: shard.index, count: shard.count, source: shard.source } });

  const paths = request.out !== undefined ? outputPaths(request.out, shard) : undefined;
  let writer: MomentsShardWriter | undefined;
  try {
    return await onInterrupt(async (signal) => {
      writer = paths ? new MomentsShardWriter({ paths, legend, replicates, nTimes: out.time.length, nVariables: variables.length, runs, combinations }) : undefined;
      const nTouched = combinations.end - combinations.first;
      const accumulator = new EnsembleAccumulator(out.time.length, variables, ensembleOutputs, nTouched, replicates);
      const tally = new StatusTally();
      let runMs = 0;
      const started = process.hrtime.bigint();
      for (const { combination, first, end } of pieces) {
        const { y0, parameters } = model.inputs.slice(combination, combination + 1);
        const result = await solver.solve(y0, parameters, {
          gridType: 'verbatim',
          replicates: end - first,
          ensembleOutputs: MOMENT_OUTPUTS,
          ...(model.system.model.noise !== undefined ? { runIndexOffset: first } : {}),
          signal,
        });
        accumulator.addMoments(momentsOf(result.ensemble!, variables.length, combination - combinations.first, nTouched));
        writer?.writeStatus(result.status, first);
        tally.add(result.status, first);
        runMs += result.timings.runMs;
        reporter.event({ event: 'progress', done: end - runs.first, total: shardRuns });
      }
      const done = writer;
      writer = undefined;
      const finishing = done && { output: done.output, events: undefined, ensemble: done.ensemble, finish: (sidecar: ResultSidecar) => done.finish(accumulator.moments(), sidecar) };
      return finishEnsembleBatch({ request, kernel, out, started, runMs, tally, nRuns, range: runs, chunks: pieces.length, runsPerChunk: piece }, finishing);
    });
  } catch (e) {
    return abandonBatch(e, writer);
  }
}
