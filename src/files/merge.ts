/**
 * Joins shard results into the result an unsharded run writes: the shards
 * must come from one model and settings (same model hash and layout) and
 * cover every run exactly once. NumPy arrays are copied slab by slab into
 * place (byte-identical to an unsharded run's); CSV tables are concatenated
 * in run order. Memory is bounded by a copy block, whatever the batch size.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { EnsembleAccumulator, type EnsembleResult } from '../solver/ensemble-result';
import { ensembleLegendParts } from '../summaries/ensemble';
import { readMoments } from './ensemble-moments';
import { ensembleFileDescription, ensemblePath, writeEnsembleFile } from './ensemble-writer';
import { RunInputs } from './run-inputs';
import { canonicalJson } from './model-hash';
import { NpyFileWriter, npyElementCount, readNpyElements, withNpy } from './npy';
import { ArrayFile, cubieVersion, outputFormatOf, outputPaths, OutputPaths, readSidecar, resolveFromSidecar, ResultSidecar, sidecarPathFor, writeSidecar } from './sidecar';
import { mergeStatus } from './status';

/** Bytes read from a shard at a time. */
const COPY_BLOCK_BYTES = 16 * 2 ** 20;

interface ShardFiles {
  file: string;
  sidecar: ResultSidecar;
}

/** Sidecar fields that must agree between shards (everything that shapes the arrays and their meaning). */
const MUST_AGREE = ['system', 'settings', 'precision', 'nRuns', 'time', 'variables', 'summaryLegend', 'nWindows', 'counterLegend', 'events', 'inputs'] as const;

function mismatch(message: string, where: string): CubieError {
  return new CubieError('SHARD_MISMATCH', message, { where });
}

/** Checks the shards belong together and tile 0..nRuns-1; returns them in run order. */
export function checkShards(files: string[]): ShardFiles[] {
  if (files.length === 0) throw new CubieError('INVALID_OPTION', 'name the shard files to merge', { where: 'merge', usage: true });
  // A shell glob such as out/run.shard-*.npy also matches each shard's .status.npy and
  // .summaries.npy: every file names its result's sidecar, and each sidecar counts once.
  const sidecars = new Map<string, string>();
  for (const file of files) {
    const sidecar = sidecarPathFor(file);
    if (!sidecars.has(path.resolve(sidecar))) sidecars.set(path.resolve(sidecar), sidecar);
  }
  const shards = [...sidecars.values()].map((file) => ({ file, sidecar: readSidecar(file) }));
  // Ensemble shards hold whole combinations (cli/run-ensemble.ts): joined, not merged statistically. All or none.
  const ensemble = shards.filter((s) => s.sidecar.ensemble !== undefined);
  if (ensemble.length > 0 && ensemble.length < shards.length) {
    throw mismatch(`${ensemble[0].file} holds ensemble statistics and ${shards.find((s) => s.sidecar.ensemble === undefined)!.file} per-run results`, ensemble[0].file);
  }
  const partial = ensemble.filter((s) => s.sidecar.ensemble!.partial !== undefined);
  if (partial.length > 0 && partial.length < ensemble.length) {
    throw mismatch(`${partial[0].file} holds moments of a shard inside combinations and ${ensemble.find((s) => s.sidecar.ensemble!.partial === undefined)!.file} final statistics of whole ones: merge shards of one --shard count`, partial[0].file);
  }
  const [first] = shards;
  for (const s of shards.slice(1)) {
    if (s.sidecar.model.hash !== first.sidecar.model.hash) {
      throw mismatch(
        `${s.file} comes from a different model or settings than ${first.file} (model hash ${s.sidecar.model.hash.slice(0, 12)} vs ${first.sidecar.model.hash.slice(0, 12)}); ` +
          'shards merge only when the model file, its inputs and its options were the same',
        s.file,
      );
    }
    if (s.sidecar.output.format !== first.sidecar.output.format) throw mismatch(`${s.file} is a ${s.sidecar.output.format} result but ${first.file} is ${first.sidecar.output.format}`, s.file);
    for (const key of MUST_AGREE) {
      if (canonicalJson(s.sidecar[key]) !== canonicalJson(first.sidecar[key])) throw mismatch(`${s.file} and ${first.file} differ in '${key}'`, s.file);
    }
  }
  shards.sort((a, b) => a.sidecar.runs.first - b.sidecar.runs.first || a.sidecar.runs.end - b.sidecar.runs.end);
  const nRuns = first.sidecar.nRuns;
  const count = first.sidecar.shard?.count;
  const given = new Set(shards.map((s) => s.sidecar.shard?.index));
  const notGiven = count === undefined ? [] : Array.from({ length: count }, (_, i) => i).filter((i) => !given.has(i));
  const missingHint = notGiven.length ? ` (not given: shard${notGiven.length > 1 ? 's' : ''} ${notGiven.map((i) => `${i}/${count}`).join(', ')})` : '';
  const name = (s: ShardFiles): string => (s.sidecar.shard ? `shard ${s.sidecar.shard.index}/${s.sidecar.shard.count} (${s.file})` : s.file);
  let next = 0;
  for (const s of shards) {
    const { first: a, end: b } = s.sidecar.runs;
    if (a < next) {
      const earlier = shards.find((o) => o !== s && o.sidecar.runs.first <= a && a < o.sidecar.runs.end) ?? s;
      throw mismatch(`runs ${a}..${Math.min(b, next) - 1} are in both ${name(earlier)} and ${name(s)}`, s.file);
    }
    if (a > next) throw mismatch(`runs ${next}..${a - 1} of ${nRuns} are missing${missingHint}`, 'merge');
    next = b;
  }
  if (next < nRuns) throw mismatch(`runs ${next}..${nRuns - 1} of ${nRuns} are missing${missingHint}`, 'merge');
  return shards;
}

/** Every file a result's sidecar names. */
function outputFiles(s: ResultSidecar): ArrayFile[] {
  const o = s.output;
  return [o.timeDomain, o.summaries, o.status, o.counters, o.events, o.eventCounts, s.ensemble?.file].filter((f): f is ArrayFile => f !== null && f !== undefined);
}

/** Where a shard's block lies along the last axis: from `first`, `n` long, of `total`. */
interface Span {
  first: number;
  n: number;
  total: number;
}
const runSpan = (s: ResultSidecar): Span => ({ first: s.runs.first, n: s.runs.end - s.runs.first, total: s.nRuns });
/** An ensemble file's last axis is the combinations: a shard's runs are whole combinations of R replicates. */
const combinationSpan = (s: ResultSidecar): Span => {
  const R = s.ensemble!.replicates;
  return { first: s.runs.first / R, n: (s.runs.end - s.runs.first) / R, total: s.nRuns / R };
};

/** Copies each shard's [..., nShardRuns] array into [..., nRuns] at the shard's run offset. */
function mergeNpy(shards: ShardFiles[], pick: (s: ResultSidecar) => ArrayFile | null, target: string, span: (s: ResultSidecar) => Span = runSpan): void {
  const described = shards.map((s) => ({ s, file: pick(s.sidecar) }));
  if (described.every((d) => d.file === null)) return;
  const nRuns = span(shards[0].sidecar).total;
  let writer: NpyFileWriter | undefined;
  try {
    for (const { s, file } of described) {
      if (file === null) throw mismatch(`${s.file} lacks an array the other shards have`, s.file);
      const source = resolveFromSidecar(s.file, file);
      withNpy(source, (fd, header) => {
        const { first: offset, n } = span(s.sidecar);
        const rowShape = header.shape.slice(0, -1);
        if (header.shape[header.shape.length - 1] !== n) throw mismatch(`${source} holds ${header.shape[header.shape.length - 1]} runs but its sidecar says ${n}`, source);
        writer ??= new NpyFileWriter(target, header.kind, [...rowShape, nRuns]);
        if (writer.kind !== header.kind || canonicalJson(writer.shape.slice(0, -1)) !== canonicalJson(rowShape)) {
          throw mismatch(`${source} has dtype ${header.descr} and shape (${header.shape.join(', ')}), unlike the other shards`, source);
        }
        if (n === 0) return;
        const rows = npyElementCount(rowShape);
        const rowsPerBlock = Math.max(1, Math.floor(COPY_BLOCK_BYTES / (n * header.itemSize)));
        for (let row = 0; row < rows; row += rowsPerBlock) {
          const count = Math.min(rowsPerBlock, rows - row);
          const block = readNpyElements(fd, header, row * n, count * n);
          for (let k = 0; k < count; k++) writer.write((row + k) * nRuns + offset, block.subarray(k * n, (k + 1) * n));
        }
      });
    }
  } finally {
    (writer as NpyFileWriter | undefined)?.close();
  }
}

/** Concatenates the shards' CSV bodies (after one shared header) in run order. */
function mergeCsv(shards: ShardFiles[], pick: (s: ResultSidecar) => ArrayFile | null, target: string): void {
  if (shards.every((s) => pick(s.sidecar) === null)) return;
  const out = fs.openSync(target, 'w');
  try {
    let header: Buffer | undefined;
    for (const s of shards) {
      const file = pick(s.sidecar);
      if (file === null) throw mismatch(`${s.file} lacks a table the other shards have`, s.file);
      const source = resolveFromSidecar(s.file, file);
      const fd = fs.openSync(source, 'r');
      try {
        const buffer = Buffer.alloc(COPY_BLOCK_BYTES);
        let position = 0;
        let got = fs.readSync(fd, buffer, 0, buffer.length, 0);
        const newline = buffer.subarray(0, got).indexOf(0x0a);
        if (newline < 0) throw mismatch(`${source} has no header line`, source);
        const own = Buffer.from(buffer.subarray(0, newline + 1));
        if (header === undefined) {
          header = own;
          fs.writeSync(out, header);
        } else if (!own.equals(header)) throw mismatch(`${source} has columns unlike the other shards`, source);
        let start = newline + 1;
        while (got > 0) {
          if (got > start) fs.writeSync(out, buffer, start, got - start);
          position += got;
          start = 0;
          got = fs.readSync(fd, buffer, 0, buffer.length, position);
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  } finally {
    fs.closeSync(out);
  }
}

export interface MergeReport {
  paths: OutputPaths;
  files: string[];
  nRuns: number;
  shards: number;
  sidecar: ResultSidecar;
}

/** The merged result's `ensemble`: the final statistics of every combination. */
function mergedEnsemble(first: ResultSidecar, target: string): NonNullable<ResultSidecar['ensemble']> {
  const { legend, replicates } = first.ensemble!;
  const combinations = RunInputs.fromJSON(first.inputs).withReplicates(1);
  return { legend: [...legend], replicates, nCombinations: first.nRuns / replicates, file: ensembleFileDescription(target, first.output.format, first.time.length, legend, combinations) };
}

/**
 * The statistics of shards that cut inside combinations: their moments
 * folded in run order (Chan et al.), every slot checked to count R replicates.
 */
function foldShardMoments(shards: ShardFiles[]): EnsembleResult {
  const first = shards[0].sidecar;
  const { legend, replicates } = first.ensemble!;
  const { variables, outputs } = ensembleLegendParts(legend);
  const nCombinations = first.nRuns / replicates;
  const nTimes = first.time.length;
  const accumulator = new EnsembleAccumulator(nTimes, variables, outputs, nCombinations, replicates);
  for (const s of shards) {
    const { first: a, end: b } = s.sidecar.runs;
    const inShard = (c: number): number => Math.max(0, Math.min(b, (c + 1) * replicates) - Math.max(a, c * replicates));
    const file = resolveFromSidecar(s.file, s.sidecar.ensemble!.file);
    accumulator.addMoments(readMoments(file, s.sidecar.ensemble!.partial!.combinations.first, nTimes, variables.length, nCombinations, inShard));
  }
  return accumulator.result();
}

/** Merges shard results into `out` (its extension must match the shards' format). */
export function mergeShards(files: string[], out: string): MergeReport {
  const shards = checkShards(files);
  const first = shards[0].sidecar;
  const format = outputFormatOf(out);
  if (format !== first.output.format) throw new CubieError('INVALID_OPTION', `--out ${out}: the shards are ${first.output.format} results; merge them into a .${first.output.format} file`, { where: '--out', usage: true });
  const paths = outputPaths(out);
  fs.mkdirSync(paths.dir, { recursive: true });
  const inputs = new Set(shards.flatMap((s) => outputFiles(s.sidecar).map((f) => path.resolve(resolveFromSidecar(s.file, f)))));
  for (const target of [paths.timeDomain, paths.summaries, paths.status, paths.counters, paths.events, paths.eventCounts, ensemblePath(paths), paths.sidecar]) {
    if (inputs.has(path.resolve(target)) || shards.some((s) => path.resolve(s.file) === path.resolve(target))) throw new CubieError('INVALID_OPTION', `--out ${out} would overwrite the shard file ${target}`, { where: '--out', usage: true });
  }
  const ensembleTarget = ensemblePath(paths);
  const jobs: Array<[(s: ResultSidecar) => ArrayFile | null, string, ((s: ResultSidecar) => Span)?]> = [
    [(s) => s.output.timeDomain, paths.timeDomain],
    [(s) => s.output.summaries, paths.summaries],
    [(s) => s.output.status, paths.status],
    [(s) => s.output.counters, paths.counters],
    // Event records and counts have the run axis last (npy) or rows in run order (csv), like the rest.
    [(s) => s.output.events ?? null, paths.events],
    [(s) => s.output.eventCounts ?? null, paths.eventCounts],
    // Moments (shards inside combinations) are folded below, not copied.
    [(s) => (s.ensemble?.partial ? null : s.ensemble?.file ?? null), ensembleTarget, combinationSpan],
  ];
  const written: string[] = [];
  const partial = (file: string): string => `${file}.partial-${process.pid}`;
  try {
    for (const [pick, target, span] of jobs) {
      if (pick(first) === null) continue;
      if (format === 'npy') mergeNpy(shards, pick, partial(target), span);
      else mergeCsv(shards, pick, partial(target));
      written.push(target);
    }
    if (first.ensemble?.partial) {
      const merged = foldShardMoments(shards);
      writeEnsembleFile(partial(ensembleTarget), format, merged, RunInputs.fromJSON(first.inputs).withReplicates(1), first.time);
      written.push(ensembleTarget);
    }
  } catch (e) {
    for (const [, target] of jobs) fs.rmSync(partial(target), { force: true });
    throw e;
  }
  for (const target of written) fs.renameSync(partial(target), target);
  const rename = (f: ArrayFile | null, target: string): ArrayFile | null => (f === null ? null : { ...f, path: path.basename(target), ...(f.shape ? { shape: [...f.shape.slice(0, -1), first.nRuns] } : {}) });
  const sidecar: ResultSidecar = {
    ...first,
    cubieVersion: cubieVersion(),
    createdAt: new Date().toISOString(),
    runs: { first: 0, end: first.nRuns },
    shard: null,
    output: {
      format,
      timeDomain: rename(first.output.timeDomain, paths.timeDomain),
      summaries: rename(first.output.summaries, paths.summaries),
      status: rename(first.output.status, paths.status)!,
      counters: rename(first.output.counters, paths.counters),
      ...(first.output.events ? { events: rename(first.output.events, paths.events)! } : {}),
      ...(first.output.eventCounts ? { eventCounts: rename(first.output.eventCounts, paths.eventCounts)! } : {}),
    },
    ...(first.ensemble ? { ensemble: mergedEnsemble(first, ensembleTarget) } : {}),
    status: mergeStatus(shards.map((s) => s.sidecar.status)),
    execution: null,
    mergedFrom: shards.map((s) => ({ sidecar: s.file, runs: s.sidecar.runs, shard: s.sidecar.shard, execution: s.sidecar.execution })),
  };
  writeSidecar(paths.sidecar, sidecar);
  return { paths, files: [...written, paths.sidecar], nRuns: first.nRuns, shards: shards.length, sidecar };
}
