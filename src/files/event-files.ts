/**
 * How a result's event records (SolveResult.events) are laid out in files.
 *
 * npy: STEM.events.npy, float64 [maxRecords, 2 + nStates, nRuns]: along the
 * second axis the event's time, `which` (the index into the event names, -1
 * past a run's last record) and the state just before the event's
 * assignments; NaN past the last record. One float64 array, not three files,
 * so that one np.load gives everything about a record; float64 holds every
 * `which` and every float32 state exactly. STEM.event-counts.npy, int32
 * [nRuns]: events per run, which may exceed the records kept, so it cannot
 * be read off the records and is kept as the integer it is.
 *
 * csv: STEM.events.csv, one line per recorded event (slots past a run's last
 * record are left out): run, the swept inputs, record, time, event (its
 * name), then one column per state. The counts go in STEM.runs.csv's
 * `events` column.
 */
import type { EventRecords } from '../solver/result';
import type { OutputDescription } from '../solver/describe';
import { CubieError } from '../shared/errors';
import type { EventsDescription } from './sidecar';

export type EventLayout = NonNullable<OutputDescription['events']>;

/** Names of the events file's second axis. */
export function eventLegend(states: readonly string[]): string[] {
  return ['time', 'which', ...states];
}

export function describeEvents(events: EventLayout): EventsDescription {
  return { names: [...events.names], states: [...events.states], maxRecords: events.maxRecords, legend: eventLegend(events.states) };
}

/** Columns of the events table before the states; a state with one of these names gets a `state.` prefix. */
const EVENT_CSV_FIXED = new Set(['run', 'record', 'time', 'event']);

export function eventCsvColumns(inputColumns: string[], states: readonly string[]): string[] {
  return ['run', ...inputColumns, 'record', 'time', 'event', ...states.map((s) => (EVENT_CSV_FIXED.has(s) ? `state.${s}` : s))];
}

/** The chunk's records, or an internal error: the solver was asked for them. */
export function chunkEvents(events: EventRecords | undefined, layout: EventLayout): EventRecords {
  if (events === undefined || events.maxRecords !== layout.maxRecords || events.states.length !== layout.states.length) {
    throw new CubieError('INTERNAL', "a chunk's result lacks the event records its output description promised");
  }
  return events;
}

/**
 * The events file's rows for a chunk of n runs, as float64 slabs of n values
 * each, in C order of [maxRecords, 2 + nStates] (row r lands at r*nRuns + offset).
 */
export function* eventRows(events: EventRecords, n: number): Generator<Float64Array> {
  const nStates = events.states.length;
  for (let k = 0; k < events.maxRecords; k++) {
    yield events.time.subarray(k * n, (k + 1) * n);
    yield Float64Array.from(events.which.subarray(k * n, (k + 1) * n));
    for (let i = 0; i < nStates; i++) {
      const slab = events.state.subarray((k * nStates + i) * n, (k * nStates + i + 1) * n);
      yield slab instanceof Float64Array ? slab : Float64Array.from(slab);
    }
  }
}

/** Records run r (within the chunk) kept: its count, up to maxRecords. */
export function recordsKept(events: EventRecords, r: number): number {
  return Math.min(events.count[r], events.maxRecords);
}

export interface EventSummary {
  /** Events that occurred, over all runs (recorded or not). */
  total: number;
  runsWithEvents: number;
  /** Runs with more events than records kept (their later events are counted, not recorded). */
  runsPastRecords: number;
  maxRecords: number;
}

/** Event counts tallied chunk by chunk for the run's report. */
export class EventTally {
  private total = 0;
  private withEvents = 0;
  private pastRecords = 0;

  constructor(private readonly maxRecords: number) {}

  add(events: EventRecords): void {
    for (const c of events.count) {
      this.total += c;
      if (c > 0) this.withEvents++;
      if (c > this.maxRecords) this.pastRecords++;
    }
  }

  summary(): EventSummary {
    return { total: this.total, runsWithEvents: this.withEvents, runsPastRecords: this.pastRecords, maxRecords: this.maxRecords };
  }
}

/** "312 in 45 runs; up to 12 recorded per run (3 runs had more)" */
export function describeEventSummary(s: EventSummary): string {
  const past = s.runsPastRecords ? ` (${s.runsPastRecords} run${s.runsPastRecords === 1 ? '' : 's'} had more: counted, not recorded)` : '';
  return `${s.total} in ${s.runsWithEvents} run${s.runsWithEvents === 1 ? '' : 's'}; up to ${s.maxRecords} recorded per run${past}`;
}
