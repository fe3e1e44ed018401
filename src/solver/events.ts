/** The arrays a batch's event records are written into (see EventRecords). */
import type { CompilePlan } from '../codegen/compile-plan';
import type { CubieSystem } from '../system';
import type { EventRecords } from './result';

export function eventRecords(system: CubieSystem, plan: CompilePlan, maxRecords: number, nRuns: number): EventRecords {
  const nStates = system.states.length;
  const records = maxRecords * nRuns;
  return {
    names: system.model.events.map((e) => e.name),
    states: [...system.states],
    maxRecords,
    count: new Int32Array(nRuns),
    time: new Float64Array(records),
    which: new Int32Array(records),
    state: plan.precision === 'float32' ? new Float32Array(records * nStates) : new Float64Array(records * nStates),
  };
}
