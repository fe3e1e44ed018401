/**
 * Run status (0 = success, else StatusBits flags) tallied chunk by chunk
 * into the sidecar's summary: counts per flag and the first failed runs.
 */
import { runFailed, StatusBits } from '../backends/kernel-abi';
import type { StatusSummary } from './sidecar';

const FIRST_FAILED = 20;

export function flagNames(status: number): string[] {
  const names = Object.entries(StatusBits)
    .filter(([, bit]) => (status & bit) !== 0)
    .map(([name]) => name);
  const known = Object.values(StatusBits).reduce((a, b) => a | b, 0);
  if ((status & ~known) !== 0) names.push(`0x${(status & ~known).toString(16)}`);
  return names;
}

export class StatusTally {
  private failed = 0;
  private terminated = 0;
  private readonly counts: Record<string, number> = {};
  private readonly first: number[] = [];

  add(status: Int32Array, firstRun: number): void {
    for (let r = 0; r < status.length; r++) {
      const s = status[r];
      if (s === 0) continue;
      if (s === StatusBits.TERMINATED) this.terminated++;
      // A terminal event's run ended as asked: its flag is counted, the run is not a failure.
      if (runFailed(s)) {
        this.failed++;
        if (this.first.length < FIRST_FAILED) this.first.push(firstRun + r);
      }
      for (const name of flagNames(s)) this.counts[name] = (this.counts[name] ?? 0) + 1;
    }
  }

  summary(): StatusSummary {
    return withTerminated({ failedRuns: this.failed, counts: { ...this.counts }, firstFailed: [...this.first] }, this.terminated);
  }
}

/** terminatedRuns is written only when some run terminated: results without events keep the summary they always had. */
function withTerminated(s: StatusSummary, terminated: number): StatusSummary {
  return terminated > 0 ? { failedRuns: s.failedRuns, terminatedRuns: terminated, counts: s.counts, firstFailed: s.firstFailed } : s;
}

/** Shards' summaries as one (their run ranges are disjoint). */
export function mergeStatus(parts: StatusSummary[]): StatusSummary {
  const counts: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.counts)) counts[k] = (counts[k] ?? 0) + v;
  const firstFailed = parts
    .flatMap((p) => p.firstFailed)
    .sort((a, b) => a - b)
    .slice(0, FIRST_FAILED);
  return withTerminated({ failedRuns: parts.reduce((n, p) => n + p.failedRuns, 0), counts, firstFailed }, parts.reduce((n, p) => n + terminatedRuns(p), 0));
}

/** Runs a terminal event ended, successfully (a run whose terminal event also tripped a failure flag is counted as failed). */
export function terminatedRuns(s: StatusSummary): number {
  // Sidecars written before events have no terminatedRuns; their runs never terminated.
  return s.terminatedRuns ?? 0;
}

/** "12 of 45 runs ended at a terminal event", or undefined when none did. */
export function describeTerminated(s: StatusSummary, nRuns: number): string | undefined {
  const n = terminatedRuns(s);
  return n === 0 ? undefined : `${n} of ${nRuns} run${nRuns === 1 ? '' : 's'} ended at a terminal event (a success; saves after it are NaN)`;
}

/** "3 runs failed: 2 MAX_STEPS, 1 NONFINITE (runs 4, 9, 12)" */
export function describeStatus(s: StatusSummary, nRuns: number): string {
  if (s.failedRuns === 0) return `none of ${nRuns}`;
  // TERMINATED is not a failure: the failed runs' flags are the others.
  const flags = Object.entries(s.counts)
    .filter(([k]) => k !== 'TERMINATED')
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const shown = s.firstFailed.slice(0, 8).join(', ');
  return `${s.failedRuns} of ${nRuns} (${flags}); first: run${s.firstFailed.length > 1 ? 's' : ''} ${shown}${s.failedRuns > 8 ? ', ...' : ''}`;
}
