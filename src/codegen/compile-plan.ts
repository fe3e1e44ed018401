import { CubieError } from '../shared/errors';
import type { CubieSystem } from '../system';
import { nearestName } from '../shared/suggest';
import { defaultStepController, resolveMethod } from '../methods/registry';
import type { ButcherTableau } from '../methods/tableau';
import type { KernelLayout, ValueSource } from './kernel-source';
import { Precision, readOption, SolveOptions, StepControllerName } from '../options/solve-options';
import { parseSummaryOutputs, SummaryRequest } from './summary-outputs';
import { EnsembleOutput, parseEnsembleOutputs } from '../summaries/ensemble';
import { refuseDenseStochastic, StochasticPlan, stochasticPlan, wienerOutputs } from './stochastic-plan';
import { type ChosenLinearSolver, chooseLinearSolver } from './linear-solver-choice';
import { DEFAULT_DELAY_HISTORY } from './system-source';

const PLAIN_OUTPUTS = ['state', 'observables', 'time', 'iteration_counters', 'events', 'wiener'];

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
  /** 'events' in outputTypes: each run records its events (time, which, state) and their count. */
  recordEvents: boolean;
  /** Implicit methods' linear solver, as chosen (the option, or 'auto''s rule); 'none' for explicit ones. */
  linearSolver: ChosenLinearSolver;
  layout: KernelLayout;
  /** Only for a system with noise (absent otherwise, so an ODE plan's JSON is as before noise). */
  stochastic?: StochasticPlan;
  /**
   * Only with ensembleOutputs: the statistics, and whether the per-run saves are
   * kept in the result (false when outputTypes asked for no saved values: the
   * kernel saves states for the statistics alone, and the batch runs in chunks).
   */
  ensemble?: { outputs: EnsembleOutput[]; keepRuns: boolean };
  /** Only for a system with delay(): the points of its past each run keeps (the delayHistory option). */
  delayHistory?: number;
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

/**
 * Whether the method has its own continuous extension (else the engine's cubic Hermite):
 * explicit ones with published dense output, Rosenbrock ones with their CONTRO
 * coefficients, and Radau IIA's collocation polynomial. DIRKs have none.
 */
export function hasContinuousExtension(tableau: ButcherTableau): boolean {
  switch (tableau.family) {
    case 'explicit':
    case 'rosenbrock':
      return tableau.denseOutput !== undefined;
    case 'firk':
      return true;
    case 'dirk':
      return false;
  }
}

/** Resolves the compile-time options against a system: method, controller, outputs. */
export function compilePlan(system: CubieSystem, options: SolveOptions): CompilePlan {
  const stochastic = stochasticPlan(system, readOption(options, 'method'));
  const tableau = stochastic === undefined ? resolveMethod(readOption(options, 'method', 'tsit5')) : undefined;
  // Issue 13: saves come from the method's own extension where it has one and it costs no extra stage
  // (no step is shortened for them). DOP853's and Verner's need 3 and 5 more stages and keep up to 16
  // stages per state, which spills an 8-state float64 kernel on sm_70, so they land their steps on
  // saves unless asked; so do methods with only the engine's cubic Hermite, and stochastic ones.
  const ownExtension = tableau !== undefined && hasContinuousExtension(tableau);
  const freeExtension = ownExtension && !(tableau.family === 'explicit' && tableau.denseOutput?.extraStages !== undefined);
  const interpolateSaves = readOption(options, 'saveMode', freeExtension ? 'interpolate' : 'step') === 'interpolate';
  if (stochastic !== undefined) refuseDenseStochastic(system, interpolateSaves);
  const facts = stochastic === undefined ? tableau! : { name: stochastic.method.name, order: stochastic.method.strongOrder, errorOrder: stochastic.method.errorOrder, family: 'stochastic' as const };
  // A crossing is located on the continuous extension of its step, as interpolated saves are.
  const dense = interpolateSaves || system.model.events.some((e) => e.trigger.kind === 'crossing');
  const methodInterpolates = dense && ownExtension;
  const adaptive = facts.errorOrder > 0;
  // A stochastic estimate is noisy from step to step: the I controller, without the PI's memory of it.
  const defaultController: StepControllerName = tableau !== undefined ? defaultStepController(tableau) : adaptive ? 'i' : 'fixed';
  const controller = readOption(options, 'stepController', defaultController);
  if (controller !== 'fixed' && !adaptive) {
    throw new CubieError(
      'INVALID_OPTION',
      `Option 'stepController' is '${controller}', but method '${facts.name}' has no error estimate to adapt the step with; use stepController 'fixed' (and set dt) or ${stochastic === undefined ? "an embedded method such as 'tsit5'" : "'milstein-adaptive'"}`,
      { where: 'stepController' },
    );
  }
  const precision = readOption(options, 'precision', 'float64');
  const linearSolver = tableau === undefined || tableau.family === 'explicit' ? 'none' : chooseLinearSolver(system, tableau.family, readOption(options, 'linearSolver', 'auto'));
  const outputTypes = [...readOption(options, 'outputTypes', ['state'])];
  const summaries = parseSummaryOutputs(outputTypes, PLAIN_OUTPUTS);
  const wantsState = outputTypes.includes('state');
  const wantsObservables = outputTypes.includes('observables');
  const recordEvents = outputTypes.includes('events');
  if (recordEvents && system.model.events.length === 0) {
    throw new CubieError('INVALID_OPTION', `Option 'outputTypes' asks for 'events', but system '${system.name}' has none; add 'events' to its definition or leave 'events' out`, { where: 'outputTypes' });
  }

  const givenSaved = readOption(options, 'saveVariables');
  let savedVariables = givenSaved === undefined ? undefined : [...givenSaved];
  if (savedVariables === undefined) {
    savedVariables = [...(wantsState ? system.states : []), ...(wantsObservables ? system.observables : [])];
  } else if (!wantsState && !wantsObservables) {
    savedVariables = [];
  }
  const ensembleOutputs = parseEnsembleOutputs(readOption(options, 'ensembleOutputs') ?? []);
  const ensembleOnly = ensembleOutputs.length > 0 && savedVariables.length === 0 && !outputTypes.includes('wiener');
  if (ensembleOnly) savedVariables = [...(givenSaved ?? system.states)];
  const saved = savedVariables.map((n) => sourceOf(system, n, 'saveVariables'));
  const wiener = wienerOutputs(system, outputTypes.includes('wiener'));
  savedVariables.push(...wiener.names);
  saved.push(...wiener.sources);
  const summarisedVariables = summaries.metrics.length ? [...(readOption(options, 'summariseVariables') ?? system.states)] : [];
  const summarised = summarisedVariables.map((n) => sourceOf(system, n, 'summariseVariables'));
  return {
    method: facts.name,
    methodOrder: facts.order,
    adaptive,
    controller,
    precision,
    savedVariables,
    summarisedVariables,
    summaries,
    iterationCounters: outputTypes.includes('iteration_counters'),
    recordEvents,
    linearSolver,
    layout: { precision, controller, saved, summarised, stepperMemory: facts.family !== 'explicit' || methodInterpolates, interpolateSaves, methodInterpolates },
    ...(stochastic === undefined ? {} : { stochastic: stochastic.plan }),
    ...(ensembleOutputs.length === 0 ? {} : { ensemble: { outputs: ensembleOutputs, keepRuns: !ensembleOnly } }),
    ...(system.model.delays === undefined ? {} : { delayHistory: readOption(options, 'delayHistory', DEFAULT_DELAY_HISTORY) }),
  };
}

