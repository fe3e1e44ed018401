/**
 * The system's math in resolved form: one expression per derivative and per
 * observable, with auxiliaries substituted (shared, not copied: the graph
 * is hash-consed) and constants inlined as numbers.
 */
import type { Ast } from './ast';
import type { Classification } from './classify';
import type { CheckedEvent } from './events';
import type { CheckedNoiseTerm } from './noise';
import { CubieError } from '../shared/errors';
import { DelayCollector } from './delays';
import type { ModelDelays } from './delays';
import type { EquationLine } from './classify';
import { where } from './messages';
import { buildNoise } from './noise-model';
import type { ModelNoise } from './noise-model';
import { ExprBuilder } from './expr';
import type { Expr } from './expr';
import { mathConstant, TIME } from './names';
import type { EventTrigger, NormalizedDefinition } from './types';

export interface SystemModel {
  readonly builder: ExprBuilder;
  readonly stateNames: readonly string[];
  readonly parameterNames: readonly string[];
  readonly driverNames: readonly string[];
  readonly observableNames: readonly string[];
  /** f_i, in state order. */
  readonly derivatives: readonly Expr[];
  /** In observable order. */
  readonly observables: readonly Expr[];
  /** Auxiliary values in evaluation order, to label the generated code. */
  readonly auxiliaries: ReadonlyMap<string, Expr>;
  /** In definition order (an event's index is its position here); empty when there are none. */
  readonly events: readonly ModelEvent[];
  /** The diffusion term of a stochastic system (noise-model.ts); undefined for an ODE. */
  readonly noise: ModelNoise | undefined;
  /** What delay() reads (delays.ts); undefined when the system has no delay, which then costs nothing. */
  readonly delays: ModelDelays | undefined;
}

/** An event in resolved form: expressions in the same graph as the derivatives. */
export interface ModelEvent {
  readonly name: string;
  /** `when` (crossing): the expression whose zero crossings fire the event. */
  readonly trigger: EventTrigger<Expr>;
  /**
   * New state values, by state index (ascending, each state once). Every
   * value reads the state before the event: evaluate all, then assign.
   */
  readonly assignments: readonly EventAssignment[];
  /** 0: not terminal; N: the run ends at the event's Nth firing. */
  readonly terminal: number;
}

export interface EventAssignment {
  readonly state: number;
  readonly value: Expr;
}

export interface ModelInput {
  readonly definition: NormalizedDefinition;
  readonly classification: Classification;
  readonly parameters: readonly string[];
  readonly auxiliaryOrder: readonly string[];
  readonly events?: readonly CheckedEvent[];
  readonly noise?: readonly CheckedNoiseTerm[];
}

export function buildModel({ definition, classification, parameters, auxiliaryOrder, events = [], noise = [] }: ModelInput): SystemModel {
  const b = new ExprBuilder();
  const values = new Map<string, Expr>();
  classification.states.forEach((name, i) => values.set(name, b.variable('state', i)));
  parameters.forEach((name, i) => values.set(name, b.variable('parameter', i)));
  definition.drivers.forEach((name, i) => values.set(name, b.variable('driver', i)));
  for (const [name, value] of Object.entries(definition.constants)) values.set(name, b.num(value));
  values.set(TIME, b.variable('time', 0));

  const delays = new DelayCollector(b, definition.drivers.length);
  const toExpr = (line: Pick<EquationLine, 'ast' | 'location'>): Expr => astToExpr(line.ast, b, lookup, (value, lag) => delays.delayed(value, lag, where(line.location)));
  const lookup = (name: string): Expr => {
    const value = values.get(name) ?? constantValue(b, name);
    // Unreachable after resolveSymbols; a failure here is a bug, not a user error.
    if (value === undefined) throw new Error(`unresolved symbol '${name}'`);
    return value;
  };

  const auxiliaries = new Map<string, Expr>();
  for (const name of auxiliaryOrder) {
    const line = classification.auxiliaries.get(name);
    if (line === undefined) throw new Error(`no line for auxiliary '${name}'`);
    const value = toExpr(line);
    values.set(name, value);
    auxiliaries.set(name, value);
  }
  const derivatives = classification.states.map((state) => {
    const line = classification.derivatives.get(state);
    if (line === undefined) throw new Error(`no derivative line for '${state}'`);
    return toExpr(line);
  });
  const observables = definition.observables.map(lookup);
  const stateIndex = new Map(classification.states.map((name, i) => [name, i]));
  const modelEvents = events.map((event): ModelEvent => {
    const { trigger } = event;
    const resolved: EventTrigger<Expr> = trigger.kind === 'crossing'
      ? { kind: 'crossing', when: toExpr(trigger.when), direction: trigger.direction }
      : trigger;
    const assignments = event.assignments.map((line): EventAssignment => {
      const state = stateIndex.get(line.target);
      if (state === undefined) throw new Error(`event target '${line.target}' is not a state`);
      return Object.freeze({ state, value: toExpr(line) });
    }).sort((x, y) => x.state - y.state);
    return Object.freeze({ name: event.name, trigger: Object.freeze(resolved), assignments: Object.freeze(assignments), terminal: event.terminal });
  });

  const modelNoise = definition.noise === undefined
    ? undefined
    : buildNoise(b, definition.noise, noise, classification.states, (term) => toExpr(term.line));

  const modelDelays = delays.result();
  if (modelDelays !== undefined && modelNoise !== undefined) {
    throw new CubieError('INVALID_SYSTEM', 'A system with noise cannot use delay(): stochastic delay equations are not supported');
  }
  return Object.freeze({
    builder: b,
    stateNames: Object.freeze([...classification.states]),
    parameterNames: Object.freeze([...parameters]),
    driverNames: Object.freeze([...definition.drivers]),
    observableNames: Object.freeze([...definition.observables]),
    derivatives: Object.freeze(derivatives),
    observables: Object.freeze(observables),
    auxiliaries,
    events: Object.freeze(modelEvents),
    noise: modelNoise,
    delays: modelDelays,
  });
}

function constantValue(b: ExprBuilder, name: string): Expr | undefined {
  const value = mathConstant(name);
  return value === undefined ? undefined : b.num(value);
}

type Delayed = (value: Expr, lag: Expr) => Expr;

function astToExpr(ast: Ast, b: ExprBuilder, lookup: (name: string) => Expr, delayed: Delayed): Expr {
  const go = (node: Ast): Expr => {
    switch (node.kind) {
      case 'num':
        return b.num(node.value);
      case 'sym':
        return lookup(node.name);
      case 'neg':
        return b.neg(go(node.arg));
      case 'binary': {
        // e^u is exp(u): the same value, and exp is faster and more accurate than pow(e, u).
        if (node.op === 'pow' && node.left.kind === 'sym' && node.left.name === 'e') return b.call('exp', [go(node.right)]);
        const left = go(node.left);
        const right = go(node.right);
        return b[node.op](left, right);
      }
      case 'call': {
        const args = node.args.map(go);
        if (node.fn === 'min' || node.fn === 'max') {
          // Variadic in the equations, binary in C: min(a, b, c) = min(min(a, b), c).
          return args.slice(1).reduce((acc, arg) => b.call(node.fn, [acc, arg]), args[0]);
        }
        return b.call(node.fn, args);
      }
      case 'cond':
        return b.cond(go(node.condition), go(node.ifTrue), go(node.ifFalse));
      case 'compare':
        return b.compare(node.op, go(node.left), go(node.right));
      case 'logic':
        if (node.op === 'not') return b.not(go(node.args[0]));
        return b[node.op](go(node.args[0]), go(node.args[1]));
      case 'delay':
        return delayed(go(node.value), go(node.lag));
    }
  };
  return go(ast);
}
