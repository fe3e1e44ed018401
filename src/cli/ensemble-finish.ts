/**
 * The end of an ensemble batch, shared by whole combinations
 * (cli/run-ensemble.ts) and shards inside them (cli/run-ensemble-shard.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import type { KernelInfo } from '../backends/kernel';
import type { ExecutionRecord, ResultSidecar } from '../files/sidecar';
import type { RunRange } from '../files/shard';
import { describeStatus, StatusTally } from '../files/status';
import type { OutputDescription } from '../solver/describe';
import { displayPath, formatBytes, formatMs } from './report';
import type { RunRequest } from './run-sidecar';
import { sidecarFor } from './run-sidecar';

export interface EnsembleBatchEnd {
  request: RunRequest;
  kernel: KernelInfo;
  out: OutputDescription;
  started: bigint;
  runMs: number;
  tally: StatusTally;
  /** Runs in the whole batch, and this batch's (or shard's). */
  nRuns: number;
  range: RunRange;
  chunks: number;
  runsPerChunk: number;
}

/** An ensemble batch's files, ready to be moved into place with their sidecar. */
export interface FinishingWriter {
  output: ResultSidecar['output'];
  events: undefined;
  ensemble: NonNullable<ResultSidecar['ensemble']>;
  finish(sidecar: ResultSidecar): string[];
}

/**
 * The end of an ensemble batch, whole combinations or a shard inside them:
 * the summary lines, the files moved into place with the sidecar last,
 * `also` (the picture), and the 'done' event. Resolves to the exit code.
 */
export async function finishEnsembleBatch(end: EnsembleBatchEnd, writer: FinishingWriter | undefined, also: (written: string[]) => Promise<void> = async () => undefined): Promise<number> {
  const { request, kernel, out, runMs, tally, range } = end;
  const { reporter } = request;
  const runs = range.end - range.first;
  const solveMs = Number(process.hrtime.bigint() - end.started) / 1e6;
  const wallMs = Number(process.hrtime.bigint() - request.started) / 1e6;
  const status = tally.summary();
  reporter.line('solved', `${runs} runs in ${formatMs(solveMs)} (kernels ${formatMs(runMs)}); wall time ${formatMs(wallMs)}`);
  reporter.line('failed', describeStatus(status, runs));
  if (status.failedRuns > 0) reporter.warn(`${describeStatus(status, runs)}; NaN saves enter the statistics of their combination`);
  const written: string[] = [];
  if (writer) {
    const execution: ExecutionRecord = { backend: kernel.backend, kernel, runsPerChunk: end.runsPerChunk, chunks: end.chunks, wallMs, runMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, host: os.hostname() };
    const plan = { range, layout: { precision: out.precision, times: out.time, variables: [], legend: [], nWindows: 0, counters: [] } };
    const sidecar = { ...sidecarFor(request, plan, writer, status, execution), nRuns: end.nRuns, ensemble: writer.ensemble };
    written.push(...writer.finish(sidecar));
    written.forEach((file, i) => reporter.line(i === 0 ? 'wrote' : '', `${displayPath(file)} (${formatBytes(fs.statSync(file).size)})`));
  }
  await also(written);
  reporter.event({ event: 'done', nRuns: runs, failedRuns: status.failedRuns, status, wallMs, solveMs, runMs, kernel, chunks: end.chunks, outputs: written, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
  return 0;
}
