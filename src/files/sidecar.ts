/**
 * The JSON sidecar written beside every result: what the arrays hold (legends,
 * times, shapes), where the numbers came from (model hash, system, inputs,
 * settings), which runs the files hold (a shard's range), and how the run
 * went. `cubie merge` and `cubie plot` read results through it.
 *
 * Files are named from the --out path's stem, in the sidecar's folder:
 *   npy: STEM.npy [nTimes, nVariables, nRuns], STEM.summaries.npy [nWindows, nColumns, nRuns],
 *        STEM.status.npy [nRuns] int32, STEM.counters.npy [nCounters, nRuns] int32,
 *        STEM.events.npy [maxRecords, 2 + nStates, nRuns] float64 (time, which, states),
 *        STEM.event-counts.npy [nRuns] int32
 *   csv: STEM.csv (run, inputs, time, variable, value), STEM.summaries.csv (run, inputs, window,
 *        variable, summary, value), STEM.runs.csv (run, inputs, status, events, counters),
 *        STEM.events.csv (run, inputs, record, time, event, states)
 *   both: STEM.json (this sidecar)
 *   with ensembleOutputs: STEM.ensemble.npy / .csv and the runs' status only (files/ensemble-writer.ts)
 * A shard's stem ends in `.shard-I-of-N`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import type { RunInputsJson } from './run-inputs';
import type { KernelInfo } from '../solver/result';
import type { RunRange } from './shard';
import { shardSuffix } from './shard';

export const SIDECAR_FORMAT = 'cubie-result';
export const SIDECAR_VERSION = 1;

export type OutputFormat = 'npy' | 'csv';

export interface ArrayFile {
  /** File name, relative to the sidecar's folder. */
  path: string;
  /** npy: the array's shape and dtype; csv: the columns. */
  shape?: number[];
  dtype?: string;
  columns?: string[];
}

export interface StatusSummary {
  /** Runs whose status is not 0. */
  failedRuns: number;
  /** Runs that a terminal event ended and that did not fail (status exactly TERMINATED); absent in sidecars from before events. */
  terminatedRuns?: number;
  /** Runs with each flag set (a run may have several). */
  counts: Record<string, number>;
  /** The first failed runs (global indices), at most 20. */
  firstFailed: number[];
}

export interface ExecutionRecord {
  backend: 'cpu' | 'cuda';
  kernel: KernelInfo;
  runsPerChunk: number;
  chunks: number;
  wallMs: number;
  /** Time in kernels, summed over chunks. */
  runMs: number;
  /** Peak resident memory of the process, bytes. */
  maxRssBytes: number;
  host: string;
}

/**
 * What the event files hold (absent when the result records no events, as in
 * every sidecar written before events existed): the names `which` indexes,
 * the states of each record, records kept per run, and the legend of the
 * .npy file's second axis: ['time', 'which', ...states].
 */
export interface EventsDescription {
  names: string[];
  states: string[];
  maxRecords: number;
  legend: string[];
}

export interface ResultSidecar {
  format: typeof SIDECAR_FORMAT;
  version: typeof SIDECAR_VERSION;
  cubieVersion: string;
  createdAt: string;
  model: { file: string; hash: string; description?: string };
  system: { name: string; hash: string; states: string[]; parameters: string[]; constants: Record<string, number>; observables: string[]; drivers: string[] };
  /** Every option that shapes the numbers (see src/model/hash.ts), camelCase. */
  settings: Record<string, unknown>;
  precision: 'float32' | 'float64';
  /** Runs in the whole batch. */
  nRuns: number;
  /** Runs in these files: global run `runs.first + k` is index k along the run axis. */
  runs: RunRange;
  shard: { index: number; count: number } | null;
  time: number[];
  variables: string[];
  summaryLegend: string[];
  nWindows: number;
  counterLegend: string[];
  events?: EventsDescription;
  inputs: RunInputsJson;
  output: {
    format: OutputFormat;
    /** null for an ensemble-only result (`ensemble` below), which keeps no per-run series. */
    timeDomain: ArrayFile | null;
    summaries: ArrayFile | null;
    status: ArrayFile;
    counters: ArrayFile | null;
    /** With events recorded: the records (npy or csv). */
    events?: ArrayFile;
    /** With events recorded, npy only: events per run (CSV keeps them in the runs table's `events` column). */
    eventCounts?: ArrayFile;
  };
  /**
   * With `ensembleOutputs` (cubie run): the statistics over each input
   * combination's replicates. Run c*R + k of the status file is replicate k
   * of combination c; `inputs` lists the combinations.
   */
  ensemble?: {
    legend: string[];
    replicates: number;
    nCombinations: number;
    file: ArrayFile;
    /**
     * A shard that cut inside combinations (fewer combinations than shards):
     * `file` holds the moments of its replicates of these combinations
     * (files/ensemble-moments.ts), final only once `cubie merge` folds the shards.
     */
    partial?: { combinations: RunRange };
  };
  status: StatusSummary;
  /** How this file set was computed; null for a merge, whose parts are in mergedFrom. */
  execution: ExecutionRecord | null;
  mergedFrom?: Array<{ sidecar: string; runs: RunRange; shard: { index: number; count: number } | null; execution: ExecutionRecord | null }>;
}

export interface OutputPaths {
  format: OutputFormat;
  dir: string;
  stem: string;
  sidecar: string;
  timeDomain: string;
  summaries: string;
  status: string;
  counters: string;
  events: string;
  eventCounts: string;
}

export function outputFormatOf(file: string, where = '--out'): OutputFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.csv') return 'csv';
  throw new CubieError('INVALID_OPTION', `${where} ${file}: the file name must end in .npy (NumPy array) or .csv (long table)`, { where, usage: true });
}

/** Every file a result writes, from the --out path (and the shard, whose files get a suffix). */
export function outputPaths(out: string, shard?: { index: number; count: number }): OutputPaths {
  const format = outputFormatOf(out);
  const dir = path.dirname(out);
  const stem = path.basename(out, path.extname(out)) + (shard ? shardSuffix(shard) : '');
  const at = (suffix: string): string => path.join(dir, `${stem}${suffix}`);
  return {
    format,
    dir,
    stem,
    sidecar: at('.json'),
    timeDomain: at(`.${format}`),
    summaries: at(`.summaries.${format}`),
    status: at(format === 'npy' ? '.status.npy' : '.runs.csv'),
    counters: at('.counters.npy'),
    events: at(`.events.${format}`),
    eventCounts: at('.event-counts.npy'),
  };
}

/** The sidecar of a result named by any of its files (or the sidecar itself). */
export function sidecarPathFor(file: string): string {
  if (file.toLowerCase().endsWith('.json')) return file;
  const base = file.replace(/\.(ensemble\.npy|ensemble\.csv|summaries\.npy|summaries\.csv|status\.npy|counters\.npy|events\.npy|events\.csv|event-counts\.npy|runs\.csv|npy|csv)$/i, '');
  return `${base}.json`;
}

let version: string | undefined;

/** This package's version, recorded in every sidecar. */
export function cubieVersion(): string {
  if (version === undefined) {
    try {
      version = String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

function invalid(file: string, why: string): never {
  throw new CubieError('INVALID_INPUT', `${file}: not a cubie result sidecar (${why})`, { where: file, file });
}

export function readSidecar(file: string): ResultSidecar {
  const sidecar = sidecarPathFor(file);
  let text: string;
  try {
    text = fs.readFileSync(sidecar, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CubieError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT', `cannot read result sidecar '${sidecar}'${sidecar !== file ? ` (for ${file})` : ''}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      where: sidecar,
      file: sidecar,
    });
  }
  let value: ResultSidecar;
  try {
    value = JSON.parse(text) as ResultSidecar;
  } catch (e) {
    throw new CubieError('PARSE_ERROR', `${sidecar}: not valid JSON: ${(e as Error).message}`, { where: sidecar, file: sidecar });
  }
  if (typeof value !== 'object' || value === null || value.format !== SIDECAR_FORMAT) invalid(sidecar, `"format" is not "${SIDECAR_FORMAT}"`);
  if (value.version !== SIDECAR_VERSION) invalid(sidecar, `version ${String(value.version)}; this cubie reads version ${SIDECAR_VERSION}`);
  for (const key of ['model', 'runs', 'time', 'variables', 'inputs', 'output', 'status'] as const) {
    if (typeof value[key] !== 'object' || value[key] === null) invalid(sidecar, `missing "${key}"`);
  }
  return value;
}

/** A file named in a sidecar, as a path usable from here. */
export function resolveFromSidecar(sidecar: string, file: ArrayFile): string {
  return path.join(path.dirname(sidecarPathFor(sidecar)), file.path);
}

/** A typed array of numbers (not a DataView, nor a BigInt64Array or BigUint64Array). */
function isNumberArrayView(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** Indented JSON, except that a list of numbers or strings stays on one line (times, sweeps, legends). */
export function formatJson(value: unknown, indent = ''): string {
  // Typed arrays (driver samples read from files) are lists, not {"0": ...} objects.
  if (isNumberArrayView(value)) value = Array.from(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** Written last, after every array is in place: a sidecar means a complete result. */
export function writeSidecar(file: string, sidecar: ResultSidecar): void {
  fs.writeFileSync(file, formatJson(sidecar) + '\n');
}
