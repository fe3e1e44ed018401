import { CubieError } from '../shared/errors';
import type { CubieSystem } from '../system';
import { nearestName } from '../shared/suggest';
import { defaultStepController, resolveMethod } from '../methods/registry';
import type { KernelLayout, ValueSource } from './kernel-source';
import { Precision, readOption, SolveOptions, StepControllerName } from '../options/solve-options';
import { parseSummaryOutputs, SummaryRequest } from './summary-outputs';
import { type ChosenLinearSolver, chooseLinearSolver } from './linear-solver-choice';

const PLAIN_OUTPUTS = ['state', 'observables', 'time', 'iteration_counters'];

/** Everything that shapes the generated kernel; its JSON is part of the cache key. */
export interface CompilePlan {
  method: string;
  methodOrder: number;
  adaptive: boolean;
  controller: StepControllerName;
  precision: Precision;
  savedVariables: string[];
  summarisedVariables: string[];
  summaries: SummaryRequest;
  iterationCounters: boolean;
  /** Implicit methods' linear solver, as chosen (the option, or 'auto''s rule); 'none' for explicit ones. */
  linearSolver: ChosenLinearSolver;
  layout: KernelLayout;
}

function sourceOf(system: CubieSystem, name: string, option: string): ValueSource {
  const s = system.states.indexOf(name);
  if (s >= 0) return { kind: 'state', index: s };
  const o = system.observables.indexOf(name);
  if (o >= 0) return { kind: 'observable', index: o };
  const known = [...system.states, ...system.observables];
  const hint = nearestName(name, known);
  throw new CubieError('INVALID_OPTION', `Option '${option}' names '${name}', which is neither a state nor an observable${hint ? `; did you mean '${hint}'?` : ''} (known: ${known.join(', ')})`, {
    where: option,
  });
}

/** Resolves the compile-time options against a system: method, controller, outputs. */
export function compilePlan(system: CubieSystem, options: SolveOptions): CompilePlan {
  const tableau = resolveMethod(readOption(options, 'method', 'tsit5'));
  const interpolateSaves = readOption(options, 'saveMode', 'step') === 'interpolate';
  const methodInterpolates = interpolateSaves && tableau.family === 'explicit' && tableau.denseOutput !== undefined;
  const adaptive = tableau.errorOrder > 0;
  const defaultController: StepControllerName = defaultStepController(tableau);
  const controller = readOption(options, 'stepController', defaultController);
  if (controller !== 'fixed' && !adaptive) {
    throw new CubieError(
      'INVALID_OPTION',
      `Option 'stepController' is '${controller}', but method '${tableau.name}' has no error estimate to adapt the step with; use stepController 'fixed' (and set dt) or an embedded method such as 'tsit5'`,
      { where: 'stepController' },
    );
  }
  const precision = readOption(options, 'precision', 'float64');
  const linearSolver = tableau.family === 'explicit' ? 'none' : chooseLinearSolver(system, tableau.family, readOption(options, 'linearSolver', 'auto'));
  const outputTypes = [...readOption(options, 'outputTypes', ['state'])];
  const summaries = parseSummaryOutputs(outputTypes, PLAIN_OUTPUTS);
  const wantsState = outputTypes.includes('state');
  const wantsObservables = outputTypes.includes('observables');

  const givenSaved = readOption(options, 'saveVariables');
  let savedVariables = givenSaved === undefined ? undefined : [...givenSaved];
  if (savedVariables === undefined) {
    savedVariables = [...(wantsState ? system.states : []), ...(wantsObservables ? system.observables : [])];
  } else if (!wantsState && !wantsObservables) {
    savedVariables = [];
  }
  const saved = savedVariables.map((n) => sourceOf(system, n, 'saveVariables'));
  const summarisedVariables = summaries.metrics.length ? [...(readOption(options, 'summariseVariables') ?? system.states)] : [];
  const summarised = summarisedVariables.map((n) => sourceOf(system, n, 'summariseVariables'));
  return {
    method: tableau.name,
    methodOrder: tableau.order,
    adaptive,
    controller,
    precision,
    savedVariables,
    summarisedVariables,
    summaries,
    iterationCounters: outputTypes.includes('iteration_counters'),
    linearSolver,
    layout: { precision, controller, saved, summarised, stepperMemory: tableau.family !== 'explicit' || methodInterpolates, interpolateSaves, methodInterpolates },
  };
}

