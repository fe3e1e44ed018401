/**
 * What a solve will produce, without solving: the shapes, legends and dtypes
 * of every output array. The CLI sizes chunks and writes headers from it.
 */
import { COUNTER_NAMES } from '../backends/kernel-abi';
import { compilePlan } from '../codegen/compile-plan';
import { summaryLegend } from '../codegen/summary-outputs';
import type { SolveOptions } from '../options/solve-options';
import type { CubieSystem } from '../system';
import { runPlan } from './run-plan';
import { ensembleLegend } from '../summaries/ensemble';

export interface OutputDescription {
  /** The dtype of timeDomain and summaries. */
  precision: 'float32' | 'float64';
  /** Save times: timeDomain's first axis. */
  time: Float64Array;
  /** Saved variables: timeDomain's second axis (runs are the third). */
  variables: string[];
  /** Summary columns: the summaries' second axis, after the windows. */
  summaryLegend: string[];
  nWindows: number;
  /** Names of iteration_counters (int32, one value per run each); empty unless asked for. */
  counterLegend: string[];
  /** timeDomain's shape for one run, [times, variables]; a batch adds nRuns. */
  timeDomainShape: [number, number];
  /** summaries' shape for one run, [windows, columns]. */
  summaryShape: [number, number];
  /** With 'events' in outputTypes: event names (`which` indexes them), the states of each record, and records per run. */
  events?: { names: string[]; states: string[]; maxRecords: number };
  /** Output bytes one run adds: saved values, summaries, status, counters and event records. */
  bytesPerRun: number;
  /** With ensembleOutputs: `result.ensemble.legend` ('x.mean', 'x.var', ...). */
  ensembleLegend?: string[];
}

export function describeOutput(system: CubieSystem, options: SolveOptions): OutputDescription {
  const plan = compilePlan(system, options);
  const run = runPlan(plan, options);
  const legend = summaryLegend(plan);
  const counterLegend = plan.iterationCounters ? [...COUNTER_NAMES] : [];
  const item = plan.precision === 'float32' ? 4 : 8;
  // Ensemble statistics alone: the kernel saves values for them, but the result keeps no per-run series.
  const variables = plan.ensemble?.keepRuns === false ? [] : plan.savedVariables;
  const values = run.nSaves * variables.length + run.nWindows * legend.length;
  const events = plan.recordEvents ? { names: system.model.events.map((e) => e.name), states: [...system.states], maxRecords: run.maxEventRecords } : undefined;
  // A record: its time (float64), which (int32) and the state; plus the run's count (int32).
  const eventBytes = events ? 4 + events.maxRecords * (8 + 4 + item * system.states.length) : 0;
  return {
    precision: plan.precision,
    time: run.times,
    variables,
    summaryLegend: legend,
    nWindows: run.nWindows,
    counterLegend,
    timeDomainShape: [run.nSaves, variables.length],
    summaryShape: [run.nWindows, legend.length],
    ...(events ? { events } : {}),
    bytesPerRun: values * item + 4 * (1 + counterLegend.length) + eventBytes,
    ...(plan.ensemble ? { ensembleLegend: ensembleLegend(plan.savedVariables, plan.ensemble.outputs) } : {}),
  };
}
