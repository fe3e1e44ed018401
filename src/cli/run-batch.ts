/**
 * A model's batch solved chunk by chunk, each chunk streamed to the output
 * files (and the plot's few values) before the next one starts, so that
 * memory is bounded by the chunk whatever the batch size. Each chunk is a
 * contiguous block of the grid's runs, expanded on its own and solved as a
 * verbatim batch: a shard (any sub-range of the grid) runs the same way, and
 * the inputs of runs outside the chunk are never materialised.
 */
import * as fs from 'fs';
import * as os from 'os';
import { CubieError } from '../shared/errors';
import type { Model } from '../files/model-file';
import { createResultWriter, ResultWriter } from '../files/result-writer';
import { ExecutionRecord, OutputPaths, outputPaths } from '../files/sidecar';
import type { EnsembleOutput } from '../summaries/ensemble';
import { StatisticsBeside } from './statistics-beside';
import { RunRange, shardRange } from '../files/shard';
import { describeStatus, describeTerminated, StatusTally, terminatedRuns } from '../files/status';
import { describeEventSummary, EventTally } from '../files/event-files';
import { batchSeed } from '../solver/seed';
import { Solver } from '../solver/solver';
import { describeBatch, planPlot, PlotCollector } from './plot-data';
import { writePlot } from './plot';
import { abandonBatch, DEFAULT_CHUNK_BYTES, kernelText, OutputLayout, RunRequest, sidecarFor } from './run-sidecar';
import { solveEnsemble } from './run-ensemble';
import { ProgressBar } from './progress';
import { displayPath, formatBytes, formatMs } from './report';

function outputLayout(model: Model, solver: Solver): OutputLayout {
  const out = solver.describe();
  // Each swept input is written beside the outputs, one float64 per run.
  const bytes = out.bytesPerRun + 8 * model.inputs.swept.length;
  return { bytes, precision: out.precision, times: out.time, nWindows: out.nWindows, variables: out.variables, legend: out.summaryLegend, counters: out.counterLegend, events: out.events };
}

/** How a batch (or shard) is cut and where it goes, decided before anything runs. */
interface BatchPlan {
  range: RunRange;
  layout: OutputLayout;
  runsPerChunk: number;
  chunks: number;
  paths: OutputPaths | undefined;
}

function planBatch(request: RunRequest, solver: Solver): BatchPlan {
  const { model, shard } = request;
  const range: RunRange = shard ? shardRange(model.inputs.nRuns, shard) : { first: 0, end: model.inputs.nRuns };
  const runs = range.end - range.first;
  const layout = outputLayout(model, solver);
  const wanted = request.runsPerChunk ?? Math.floor((request.chunkBytes ?? DEFAULT_CHUNK_BYTES) / layout.bytes);
  const runsPerChunk = Math.max(1, Math.min(Math.max(runs, 1), wanted));
  return { range, layout, runsPerChunk, chunks: Math.ceil(runs / runsPerChunk), paths: request.out !== undefined ? outputPaths(request.out, shard) : undefined };
}

function reportStart(request: RunRequest, plan: BatchPlan): void {
  const { model, shard, reporter } = request;
  const { range, runsPerChunk, chunks, layout } = plan;
  const nRuns = model.inputs.nRuns;
  const swept = model.inputs.swept.map((c) => `${c.role === 'y0' ? `${c.name}(0)` : c.name} (${c.values.length})`).join(' x ');
  reporter.line('model', `${model.file}: system ${model.system.name} (${model.system.states.length} states, ${model.system.parameters.length} parameters), model hash ${model.hash.slice(0, 12)}`);
  const R = model.inputs.replicates;
  const grid = swept ? `${swept}, ${model.gridType}` : '';
  const makeup = R > 1 ? ` = ${grid ? `(${grid})` : '1 combination'} x ${R} replicates` : grid ? ` = ${grid}` : '';
  reporter.line('runs', `${nRuns}${makeup}; ${chunks} chunk${chunks === 1 ? '' : 's'} of up to ${runsPerChunk} runs (${formatBytes(runsPerChunk * layout.bytes)} each)`);
  if (shard) {
    const runs = range.end > range.first ? `runs ${range.first}..${range.end - 1}` : 'no runs (more shards than runs)';
    reporter.line('shard', `${shard.index}/${shard.count} (from ${shard.source}): ${runs} (${range.end - range.first} of ${nRuns})`);
  }
  reporter.event({
    event: 'start',
    model: model.file,
    modelHash: model.hash,
    system: model.system.name,
    nRuns,
    runs: range,
    shard: shard ? { index: shard.index, count: shard.count, source: shard.source } : null,
    runsPerChunk,
    chunks,
    chunkBytes: runsPerChunk * layout.bytes,
  });
}

/**
 * A model with noise: one seed for every chunk (the one given, else one drawn
 * now, recorded in the sidecar's settings). A shard must be given one, so that
 * every shard draws from the same paths.
 */
function withNoiseSettings(request: RunRequest): RunRequest {
  const { model, options, shard } = request;
  if (model.system.model.noise === undefined || options.seed !== undefined) return request;
  if (shard) {
    throw new CubieError('INVALID_OPTION', `System '${model.system.name}' has noise and this run is shard ${shard.index}/${shard.count}: give 'seed' in the model's options, so that every shard draws its runs from the same Brownian paths`, { where: 'options.seed' });
  }
  return { ...request, options: { ...options, seed: batchSeed(undefined) } };
}

/**
 * With ensembleOutputs and no per-run outputs, cubie run writes the
 * statistics alone (run-ensemble.ts): the statistics' outputs, or undefined
 * for the per-run path (every replicate's runs, the statistics beside them
 * when asked for).
 */
function ensembleOnly(request: RunRequest, solver: Solver): string[] | undefined {
  const outputs = request.options.ensembleOutputs as string[] | undefined;
  if (outputs === undefined || outputs.length === 0) return undefined;
  return solver.describe().variables.length === 0 ? outputs : undefined;
}

/** Solves the batch (or shard) and writes what was asked for; resolves to the exit code. */
export async function solveModel(given: RunRequest): Promise<number> {
  const noisy = withNoiseSettings(given);
  const solver = new Solver(noisy.model.system, noisy.options);
  const statistics = ensembleOnly(noisy, solver);
  if (statistics) {
    try {
      return await solveEnsemble(noisy, solver, statistics);
    } finally {
      solver.close();
    }
  }
  // Every replicate's runs: run c*R + k takes combination c's inputs, and the chunks are solved with
  // those inputs expanded (replicates 1), each run keeping its batch index, so its Brownian path.
  const replicates = Number(noisy.options.replicates ?? 1);
  const request = replicates > 1 ? { ...noisy, model: { ...noisy.model, inputs: noisy.model.inputs.withReplicates(replicates) } } : noisy;
  const { model, options, plotFile, reporter } = request;
  const besideOutputs = (options.ensembleOutputs as EnsembleOutput[] | undefined) ?? [];
  const plan = planBatch(request, solver);
  const { range, layout, runsPerChunk, chunks, paths } = plan;
  const runs = range.end - range.first;
  reportStart(request, plan);

  // Ctrl-C (or a scheduler's SIGTERM) stops the batch between work items; the partial files are removed.
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let writer: ResultWriter | undefined;
  const progress = !request.json && !request.quiet && process.stderr.isTTY ? new ProgressBar(process.stderr, runs) : undefined;
  try {
    const compileStarted = process.hrtime.bigint();
    const kernel = await solver.compile();
    const compileElapsed = Number(process.hrtime.bigint() - compileStarted) / 1e6;
    reporter.line('kernel', kernelText(kernel, compileElapsed));
    reporter.event({ event: 'kernel', ...kernel, elapsedMs: compileElapsed });

    const shape = { precision: layout.precision, time: layout.times, variables: layout.variables, summaryLegend: layout.legend, nWindows: layout.nWindows };
    writer = paths ? createResultWriter({ ...shape, paths, counterLegend: layout.counters, events: layout.events, runs: range, inputs: model.inputs }) : undefined;
    let collector: PlotCollector | undefined;
    if (plotFile) {
      const { title, subtitle } = describeBatch(model.system.name, model.file, model.inputs, range, options as Record<string, unknown>);
      collector = new PlotCollector(planPlot({ ...shape, title, subtitle, inputs: model.inputs, runs: range, eventNames: layout.events?.names }), model.inputs, layout.variables.length, layout.legend.length);
    }
    const beside = besideOutputs.length > 0 ? new StatisticsBeside(request, layout, range, besideOutputs, writer, paths) : undefined;
    const tally = new StatusTally();
    const eventTally = layout.events ? new EventTally(layout.events.maxRecords) : undefined;
    let runMs = 0;
    const solveStarted = process.hrtime.bigint();
    for (let first = range.first; first < range.end; first += runsPerChunk) {
      const end = Math.min(range.end, first + runsPerChunk);
      const { y0, parameters } = model.inputs.slice(first, end);
      const before = first - range.first;
      const result = await solver.solve(y0, parameters, {
        gridType: 'verbatim',
        // The inputs are per run (replicates expanded); statistics, if any, are gathered here across chunks.
        ...(replicates > 1 ? { replicates: 1 } : {}),
        ...(beside ? { ensembleOutputs: [] } : {}),
        // Noise: each chunk's runs keep their index in the whole grid, so their paths are the batch's.
        ...(model.system.model.noise !== undefined ? { runIndexOffset: first } : {}),
        signal: abort.signal,
        onProgress: progress ? (p) => progress.update(before + p.done) : undefined,
      });
      writer?.writeChunk(result, first);
      beside?.add(result, first);
      collector?.add(result, first);
      tally.add(result.status, first);
      if (eventTally && result.events) eventTally.add(result.events);
      runMs += result.timings.runMs;
      progress?.update(end - range.first);
      reporter.event({ event: 'progress', done: end - range.first, total: runs });
    }
    progress?.clear();
    const solveMs = Number(process.hrtime.bigint() - solveStarted) / 1e6;
    const status = tally.summary();
    const wallMs = Number(process.hrtime.bigint() - request.started) / 1e6;
    reporter.line('solved', `${runs} runs in ${formatMs(solveMs)} (kernels ${formatMs(runMs)}); wall time ${formatMs(wallMs)}`);
    reporter.line('failed', describeStatus(status, runs));
    // Runs a terminal event ended are successes: said apart, and not warned about (their NaN saves after it are expected).
    const terminal = describeTerminated(status, runs);
    if (terminal) reporter.line('terminal', terminal);
    const events = eventTally?.summary();
    if (events) reporter.line('events', describeEventSummary(events));
    if (status.failedRuns > 0) reporter.warn(`${describeStatus(status, runs)}; their saves after the failure are NaN`);

    const written: string[] = [];
    if (writer) {
      const execution: ExecutionRecord = { backend: kernel.backend, kernel, runsPerChunk, chunks, wallMs, runMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, host: os.hostname() };
      const ensemble = beside?.sidecarEntry(paths!);
      written.push(...writer.finish({ ...sidecarFor(request, plan, writer, status, execution), ...(ensemble ? { ensemble } : {}) }));
      writer = undefined;
      written.forEach((file, i) => reporter.line(i === 0 ? 'wrote' : '', `${displayPath(file)} (${formatBytes(fs.statSync(file).size)})`));
    }
    if (plotFile && collector) {
      await writePlot(collector.data(), plotFile);
      written.push(plotFile);
      reporter.line('plot', displayPath(plotFile));
    }
    reporter.event({
      event: 'done',
      nRuns: runs,
      failedRuns: status.failedRuns,
      terminatedRuns: terminatedRuns(status),
      ...(events ? { events } : {}),
      status,
      wallMs,
      solveMs,
      runMs,
      kernel,
      runsPerChunk,
      chunks,
      outputs: written,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    return 0;
  } catch (e) {
    progress?.clear();
    return abandonBatch(e, writer);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    solver.close();
  }
}
