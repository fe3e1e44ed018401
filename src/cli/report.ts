/**
 * What `cubie run` tells the user: aligned lines for people (stdout; quiet
 * with --quiet) or one JSON object per line for programs (--json; stdout
 * holds nothing else). Failed runs are also a warning on stderr, even with
 * --quiet: a batch with failures must never look clean.
 */
import * as path from 'path';
export { formatBytes } from '../shared/units';

export type ReportEvent = Record<string, unknown> & { event: string };

export interface Reporter {
  /** A labelled line for people; ignored in JSON mode. */
  line(label: string, text: string): void;
  /** A machine-readable event; ignored in human mode. */
  event(event: ReportEvent): void;
  warn(text: string): void;
}

export function createReporter(mode: 'human' | 'json' | 'quiet', out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Reporter {
  return {
    line(label, text) {
      if (mode === 'human') out.write(`${label.padEnd(9)} ${text}\n`);
    },
    event(event) {
      if (mode === 'json') out.write(JSON.stringify(event) + '\n');
    },
    warn(text) {
      err.write(`cubie: warning: ${text}\n`);
    },
  };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(2)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
