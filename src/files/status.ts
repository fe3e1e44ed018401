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
  private readonly counts: Record<string, number> = {};
  private readonly first: number[] = [];

  add(status: Int32Array, firstRun: number): void {
    for (let r = 0; r < status.length; r++) {
      const s = status[r];
      if (s === 0) continue;
      // A terminal event's run ended as asked: its flag is counted, the run is not a failure.
      if (runFailed(s)) {
        this.failed++;
        if (this.first.length < FIRST_FAILED) this.first.push(firstRun + r);
      }
      for (const name of flagNames(s)) this.counts[name] = (this.counts[name] ?? 0) + 1;
    }
  }

  summary(): StatusSummary {
    return { failedRuns: this.failed, counts: { ...this.counts }, firstFailed: [...this.first] };
  }
}

/** Shards' summaries as one (their run ranges are disjoint). */
export function mergeStatus(parts: StatusSummary[]): StatusSummary {
  const counts: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.counts)) counts[k] = (counts[k] ?? 0) + v;
  const firstFailed = parts
    .flatMap((p) => p.firstFailed)
    .sort((a, b) => a - b)
    .slice(0, FIRST_FAILED);
  return { failedRuns: parts.reduce((n, p) => n + p.failedRuns, 0), counts, firstFailed };
}

/** "3 runs failed: 2 MAX_STEPS, 1 NONFINITE (runs 4, 9, 12)" */
export function describeStatus(s: StatusSummary, nRuns: number): string {
  if (s.failedRuns === 0) return `none of ${nRuns}`;
  const flags = Object.entries(s.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const shown = s.firstFailed.slice(0, 8).join(', ');
  return `${s.failedRuns} of ${nRuns} (${flags}); first: run${s.firstFailed.length > 1 ? 's' : ''} ${shown}${s.failedRuns > 8 ? ', ...' : ''}`;
}
