/**
 * `cubie run` with `ensembleOutputs`: the batch is cut into chunks of whole
 * input combinations, each solved with all its `replicates` (run index
 * offset c*R, so every replicate has the path of one library solve with the
 * same seed), and each chunk's statistics, already final, are written in
 * place (files/ensemble-writer.ts). Inside a chunk the library reduces the
 * replicates 65,536 runs at a time, so memory is bounded by the chunk's
 * statistics and statuses, never by the saves of all replicates. A shard
 * takes whole combinations too (shardRange over the combinations), so its
 * statistics are final and `cubie merge` joins shards by concatenation,
 * giving the unsharded file bit for bit; with fewer combinations than
 * shards a shard takes runs and writes moments (cli/run-ensemble-shard.ts).
 */
import { EnsembleWriter } from '../files/ensemble-writer';
import { outputPaths } from '../files/sidecar';
import { RunRange, shardRange } from '../files/shard';
import { StatusTally } from '../files/status';
import type { Solver } from '../solver/solver';
import type { EnsembleOutput } from '../summaries/ensemble';
import { describeBatch } from './plot-data';
import { shardCutsCombinations, solveEnsembleShard } from './run-ensemble-shard';
import { EnsemblePlotCollector, planEnsemblePlot } from './plot-ensemble';
import { writePlot } from './plot';
import { displayPath } from './report';
import type { RunRequest } from './run-sidecar';
import { abandonBatch, DEFAULT_CHUNK_BYTES, kernelText, onInterrupt } from './run-sidecar';
import { finishEnsembleBatch } from './ensemble-finish';

export async function solveEnsemble(request: RunRequest, solver: Solver, ensembleOutputs: string[]): Promise<number> {
  const { model, options, plotFile, reporter } = request;
  const replicates = Number(options.replicates ?? 1);
  const nCombinations = model.inputs.nRuns;
  if (shardCutsCombinations(nCombinations, request.shard)) return solveEnsembleShard(request, solver, ensembleOutputs as EnsembleOutput[]);
  const nRuns = nCombinations * replicates;
  const { shard } = request;
  const combinations: RunRange = shard ? shardRange(nCombinations, shard) : { first: 0, end: nCombinations };
  const shardRuns = (combinations.end - combinations.first) * replicates;
  const out = solver.describe();
  const compileStarted = process.hrtime.bigint();
  const kernel = await solver.compile();
  const compileMs = Number(process.hrtime.bigint() - compileStarted) / 1e6;
  // Per combination: its statistics (float64; at most every state and observable saved) and its replicates' statuses.
  const legendLength = ensembleOutputs.length * (model.system.states.length + model.system.observables.length);
  const bytesPerCombination = 8 * out.time.length * Math.max(1, legendLength) + 4 * replicates;
  const perChunk = request.runsPerChunk !== undefined
    ? Math.max(1, Math.floor(request.runsPerChunk / replicates))
    : Math.max(1, Math.floor((request.chunkBytes ?? DEFAULT_CHUNK_BYTES) / bytesPerCombination));
  const chunks = Math.ceil((combinations.end - combinations.first) / perChunk);
  reporter.line('model', `${model.file}: system ${model.system.name}, model hash ${model.hash.slice(0, 12)}`);
  reporter.line('runs', `${nRuns} = ${nCombinations} combination${nCombinations === 1 ? '' : 's'} x ${replicates} replicates; ${chunks} chunk${chunks === 1 ? '' : 's'} of up to ${perChunk} combinations; statistics ${ensembleOutputs.join(', ')}`);
  reporter.line('kernel', kernelText(kernel, compileMs));
  if (shard) reporter.line('shard', `${shard.index}/${shard.count} (from ${shard.source}): combinations ${combinations.first}..${combinations.end - 1} (${shardRuns} runs of ${nRuns})`);
  reporter.event({ event: 'start', model: model.file, modelHash: model.hash, system: model.system.name, nRuns, nCombinations, replicates, combinations, chunks, shard: shard ? { index: shard.index, count: shard.count, source: shard.source } : null });

  const paths = request.out !== undefined ? outputPaths(request.out, shard) : undefined;
  let writer: EnsembleWriter | undefined;
  let collector: EnsemblePlotCollector | undefined;
  try {
    return await onInterrupt(async (signal) => {
      const tally = new StatusTally();
      let runMs = 0;
      const started = process.hrtime.bigint();
      for (let first = combinations.first; first < combinations.end; first += perChunk) {
        const end = Math.min(combinations.end, first + perChunk);
        const { y0, parameters } = model.inputs.slice(first, end);
        const result = await solver.solve(y0, parameters, {
          gridType: 'verbatim',
          ...(model.system.model.noise !== undefined ? { runIndexOffset: first * replicates } : {}),
          signal,
        });
        const ensemble = result.ensemble!;
        // Opened at the first chunk, when the legend is known.
        writer ??= paths ? new EnsembleWriter({ paths, time: out.time, legend: ensemble.legend, replicates, inputs: model.inputs, combinations }) : undefined;
        writer?.writeChunk(ensemble, result.status, first);
        if (plotFile) {
          if (collector === undefined) {
            const { title, subtitle } = describeBatch(model.system.name, model.file, model.inputs, combinations, options as Record<string, unknown>, 'combinations');
            collector = new EnsemblePlotCollector(planEnsemblePlot({ title, subtitle, time: out.time, legend: ensemble.legend, replicates, inputs: model.inputs, combinations }));
          }
          collector.add(ensemble, first);
        }
        tally.add(result.status, first * replicates);
        runMs += result.timings.runMs;
        reporter.event({ event: 'progress', done: (end - combinations.first) * replicates, total: shardRuns });
      }
      const range = { first: combinations.first * replicates, end: combinations.end * replicates };
      const done = writer;
      writer = undefined;
      return finishEnsembleBatch({ request, kernel, out, started, runMs, tally, nRuns, range, chunks, runsPerChunk: perChunk * replicates }, done, async (written) => {
        if (plotFile && collector) {
          await writePlot(collector.data(), plotFile);
          written.push(plotFile);
          reporter.line('plot', displayPath(plotFile));
        }
      });
    });
  } catch (e) {
    return abandonBatch(e, writer);
  }
}
