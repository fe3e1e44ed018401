import { CubieError } from '../shared/errors';
import type { EnsembleResult } from './ensemble-result';
import type { RealArray } from './grid';

import type { KernelInfo } from '../backends/kernel';

export type { KernelInfo };

export interface SolveTimings {
  totalMs: number;
  compileMs: number;
  runMs: number;
  transferMs: number;
}

export interface SolveResultInit {
  timeDomain: RealArray;
  variables: string[];
  time: Float64Array;
  summaries: RealArray;
  summaryLegend: string[];
  status: Int32Array;
  nRuns: number;
  kernel: KernelInfo;
  timings: SolveTimings;
  iterationCounters?: Record<string, Int32Array>;
  events?: EventRecords;
  seed?: number;
  ensemble?: EnsembleResult;
}

/**
 * What each run's events were ('events' in outputTypes), run index fastest:
 * `count[r]` events occurred in run r (it may exceed the records kept);
 * record k of run r is `time[k*nRuns + r]`, `which[k*nRuns + r]` (an index
 * into `names`; -1 and NaN past the last) and the state just before the
 * event's assignments, `state[(k*nStates + i)*nRuns + r]`.
 */
export interface EventRecords {
  readonly names: string[];
  /** The system's states, in the order of `state`'s second axis. */
  readonly states: string[];
  readonly maxRecords: number;
  readonly count: Int32Array;
  readonly time: Float64Array;
  readonly which: Int32Array;
  readonly state: RealArray;
}

/** A batch's outputs: arrays laid out with the run index fastest, as the kernel wrote them. */
export class SolveResult {
  readonly timeDomain: RealArray;
  readonly shape: [number, number, number];
  readonly variables: string[];
  readonly time: Float64Array;
  readonly summaries: RealArray;
  readonly summaryLegend: string[];
  readonly status: Int32Array;
  readonly nRuns: number;
  readonly kernel: KernelInfo;
  readonly timings: SolveTimings;
  /** Per-run totals ('accepted', 'rejected', 'rhsEvaluations') when outputTypes has 'iteration_counters'. */
  readonly iterationCounters?: Record<string, Int32Array>;
  /** Per-run event records, when outputTypes has 'events'. */
  readonly events?: EventRecords;
  /** A system with noise: the seed its Brownian paths came from (given, or drawn for this solve). */
  readonly seed?: number;
  /** With ensembleOutputs: statistics over each input combination's replicates at every save time. */
  readonly ensemble?: EnsembleResult;

  constructor(init: SolveResultInit) {
    this.timeDomain = init.timeDomain;
    this.variables = init.variables;
    this.time = init.time;
    this.shape = [init.time.length, init.variables.length, init.nRuns];
    this.summaries = init.summaries;
    this.summaryLegend = init.summaryLegend;
    this.status = init.status;
    this.nRuns = init.nRuns;
    this.kernel = init.kernel;
    this.timings = init.timings;
    this.iterationCounters = init.iterationCounters;
    this.events = init.events;
    if (init.seed !== undefined) this.seed = init.seed;
    if (init.ensemble !== undefined) this.ensemble = init.ensemble;
  }

  /** One variable of one run over time (a copy). */
  trajectory(variable: string, run: number): RealArray {
    const v = this.variables.indexOf(variable);
    if (v < 0) {
      throw new CubieError('INVALID_INPUT', `'${variable}' was not saved; saved variables: ${this.variables.join(', ') || 'none'}`, { where: 'variable' });
    }
    if (!Number.isInteger(run) || run < 0 || run >= this.nRuns) {
      throw new CubieError('INVALID_INPUT', `run ${run} is out of range 0..${this.nRuns - 1}`, { where: 'run' });
    }
    const [nTimes, nVariables, nRuns] = this.shape;
    const out = new (this.timeDomain.constructor as Float64ArrayConstructor)(nTimes);
    for (let k = 0; k < nTimes; k++) out[k] = this.timeDomain[(k * nVariables + v) * nRuns + run];
    return out;
  }

  /** One summary column of one run over the windows (a copy). */
  summary(column: string, run: number): RealArray {
    const c = this.summaryLegend.indexOf(column);
    if (c < 0) throw new CubieError('INVALID_INPUT', `no summary column '${column}'; columns: ${this.summaryLegend.join(', ') || 'none'}`, { where: 'column' });
    const nColumns = this.summaryLegend.length;
    const nWindows = nColumns ? this.summaries.length / (nColumns * this.nRuns) : 0;
    const out = new (this.summaries.constructor as Float64ArrayConstructor)(nWindows);
    for (let w = 0; w < nWindows; w++) out[w] = this.summaries[(w * nColumns + c) * this.nRuns + run];
    return out;
  }
}
