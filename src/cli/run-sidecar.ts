/**
 * What the per-run and the ensemble paths of `cubie run` share: the request,
 * the chunk size default, the kernel's report line and the sidecar record
 * (run-batch.ts, run-ensemble.ts).
 */
import { isCubieError } from '../shared/errors';
import type { Model } from '../files/model-file';
import { resultSettings } from '../files/model-hash';
import type { ResultWriter } from '../files/result-writer';
import { cubieVersion, ExecutionRecord, ResultSidecar, SIDECAR_FORMAT, SIDECAR_VERSION, StatusSummary } from '../files/sidecar';
import type { RunRange, Shard } from '../files/shard';
import type { SolveOptions } from '../options/solve-options';
import type { OutputDescription } from '../solver/describe';
import type { KernelInfo } from '../solver/result';
import { formatMs, Reporter } from './report';

/** A chunk's output is about this size unless told otherwise: large enough to keep every core (or a GPU) busy, small next to memory. */
export const DEFAULT_CHUNK_BYTES = 64 * 2 ** 20;

/** The arrays a run fills, and the bytes of output one run adds to a chunk. */
export interface OutputLayout {
  bytes: number;
  precision: 'float32' | 'float64';
  times: Float64Array;
  nWindows: number;
  variables: string[];
  legend: string[];
  counters: string[];
  events: OutputDescription['events'];
}

export function kernelText(info: KernelInfo, elapsedMs: number): string {
  const key = info.key.slice(0, 12);
  switch (info.cache) {
    case 'compiled':
      return `${info.backend}, compiled in ${formatMs(info.compileMs)} (key ${key}, now cached)`;
    case 'disabled':
      return `${info.backend}, compiled in ${formatMs(info.compileMs)} (key ${key}, cache disabled)`;
    case 'disk':
      return `${info.backend}, loaded from the disk cache in ${formatMs(elapsedMs)} (key ${key})`;
    default:
      return `${info.backend}, from the in-memory cache (key ${key})`;
  }
}

export interface RunRequest {
  model: Model;
  options: SolveOptions;
  shard: Shard | undefined;
  out: string | undefined;
  plotFile: string | undefined;
  /** Runs per chunk, or undefined for about chunkBytes (default DEFAULT_CHUNK_BYTES) of output per chunk. */
  runsPerChunk: number | undefined;
  chunkBytes: number | undefined;
  reporter: Reporter;
  json: boolean;
  quiet: boolean;
  started: bigint;
}

/** The sidecar of a per-run result; run-ensemble.ts adds its statistics to the same record. */
export function sidecarFor(request: RunRequest, plan: { range: RunRange; layout: Pick<OutputLayout, 'precision' | 'times' | 'variables' | 'legend' | 'nWindows' | 'counters'> }, writer: Pick<ResultWriter, 'output' | 'events'>, status: StatusSummary, execution: ExecutionRecord): ResultSidecar {
  const { model, options, shard } = request;
  const { system } = model;
  return {
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    cubieVersion: cubieVersion(),
    createdAt: new Date().toISOString(),
    model: { file: model.file, hash: model.hash, ...(model.description ? { description: model.description } : {}) },
    system: {
      name: system.name,
      hash: system.hash,
      states: [...system.states],
      parameters: [...system.parameters],
      constants: { ...system.constants },
      observables: [...system.observables],
      drivers: [...system.drivers],
    },
    settings: resultSettings(options),
    precision: plan.layout.precision,
    nRuns: model.inputs.nRuns,
    runs: plan.range,
    shard: shard ? { index: shard.index, count: shard.count } : null,
    time: Array.from(plan.layout.times),
    variables: plan.layout.variables,
    summaryLegend: plan.layout.legend,
    nWindows: plan.layout.nWindows,
    counterLegend: plan.layout.counters,
    ...(writer.events ? { events: writer.events } : {}),
    inputs: model.inputs.toJSON(),
    output: writer.output,
    status,
    execution,
  };
}


/** SIGINT and SIGTERM abort `signal` while `body` runs: the solves stop between chunks with ABORTED. */
export async function onInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * A batch that threw: its partial files are removed; an interrupt (ABORTED)
 * exits 130 with a line saying so, anything else is rethrown.
 */
export function abandonBatch(e: unknown, writer: { abort(): void } | undefined): number {
  writer?.abort();
  if (isCubieError(e, 'ABORTED')) {
    process.stderr.write('cubie run: interrupted; partial output files were removed\n');
    return 130;
  }
  throw e;
}
