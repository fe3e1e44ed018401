/**
 * The events marked on the trajectory panels: for each run drawn, the times
 * and names of its recorded events, from a batch as it runs (its chunks'
 * result.events) or from the event files of a result on disk. Only the runs
 * drawn are read, so memory is the marks, whatever the batch.
 */
import { csvRecords, parseCsvNumber } from '../files/csv';
import { readNpyElements, withNpy } from '../files/npy';
import { resolveFromSidecar, ResultSidecar } from '../files/sidecar';
import type { EventRecords } from '../solver/result';

/** Events marked per run drawn: more rules than this only blacken the panel and weigh down the SVG. */
export const MAX_EVENT_MARKS = 200;

export interface EventMark {
  run: number;
  t: number;
  event: string;
}

/** The marks of the drawn runs inside a chunk that starts at global run `firstRun`. */
export function marksFromResult(events: EventRecords, runs: readonly number[], firstRun: number): EventMark[] {
  const n = events.count.length;
  const marks: EventMark[] = [];
  for (const run of runs) {
    const r = run - firstRun;
    if (r < 0 || r >= n) continue;
    const kept = Math.min(events.count[r], events.maxRecords, MAX_EVENT_MARKS);
    for (let k = 0; k < kept; k++) marks.push({ run, t: events.time[k * n + r], event: events.names[events.which[k * n + r]] });
  }
  return marks;
}

/** From STEM.events.npy: rows 0 and 1 of each record are time and which; which is -1 past a run's last record. */
export function marksFromNpy(sidecarFile: string, sidecar: ResultSidecar, runs: readonly number[]): EventMark[] {
  const { events } = sidecar;
  const file = sidecar.output.events;
  if (!events || !file) return [];
  const n = sidecar.runs.end - sidecar.runs.first;
  const rowsPerRecord = events.legend.length;
  const marks: EventMark[] = [];
  withNpy(resolveFromSidecar(sidecarFile, file), (fd, header) => {
    for (const run of runs) {
      const k = run - sidecar.runs.first;
      for (let j = 0; j < Math.min(events.maxRecords, MAX_EVENT_MARKS); j++) {
        const which = readNpyElements(fd, header, (j * rowsPerRecord + 1) * n + k, 1)[0];
        if (!(which >= 0)) break;
        marks.push({ run, t: readNpyElements(fd, header, j * rowsPerRecord * n + k, 1)[0], event: events.names[which] });
      }
    }
  });
  return marks;
}

/** From STEM.events.csv: run, `skip` input columns, record, time, event, states. */
export async function marksFromCsv(sidecarFile: string, sidecar: ResultSidecar, runs: readonly number[], skip: number): Promise<EventMark[]> {
  const file = sidecar.output.events;
  if (!sidecar.events || !file) return [];
  const wanted = new Set(runs);
  const marks: EventMark[] = [];
  let header = true;
  for await (const record of csvRecords(resolveFromSidecar(sidecarFile, file))) {
    if (header) {
      header = false;
      continue;
    }
    const run = Number(record[0]);
    const [recordText, timeText, event] = record.slice(1 + skip);
    if (wanted.has(run) && Number(recordText) < MAX_EVENT_MARKS) marks.push({ run, t: parseCsvNumber(timeText), event });
  }
  return marks;
}

/** Events per run of a result on disk, by global run: STEM.event-counts.npy, or the `events` column of STEM.runs.csv. */
export async function eventCounts(sidecarFile: string, sidecar: ResultSidecar): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  const { first } = sidecar.runs;
  if (sidecar.output.format === 'npy') {
    const file = sidecar.output.eventCounts;
    if (!file) return counts;
    withNpy(resolveFromSidecar(sidecarFile, file), (fd, header) => {
      const n = header.shape[0];
      const values = n > 0 ? readNpyElements(fd, header, 0, n) : new Int32Array(0);
      values.forEach((c, k) => counts.set(first + k, c));
    });
    return counts;
  }
  // runs.csv: run, the inputs, status, events, counters.
  const column = sidecar.output.status.columns?.indexOf('events') ?? -1;
  if (column < 0) return counts;
  let header = true;
  for await (const record of csvRecords(resolveFromSidecar(sidecarFile, sidecar.output.status))) {
    if (header) {
      header = false;
      continue;
    }
    counts.set(Number(record[0]), Number(record[column]));
  }
  return counts;
}
