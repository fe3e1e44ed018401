/**
 * The system's math in resolved form: one expression per derivative and per
 * observable, with auxiliaries substituted (shared, not copied: the graph
 * is hash-consed) and constants inlined as numbers.
 */
import type { Ast } from './ast';
import type { Classification } from './classify';
import { ExprBuilder } from './expr';
import type { Expr } from './expr';
import { mathConstant, TIME } from './names';
import type { NormalizedDefinition } from './types';

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
}

export interface ModelInput {
  readonly definition: NormalizedDefinition;
  readonly classification: Classification;
  readonly parameters: readonly string[];
  readonly auxiliaryOrder: readonly string[];
}

export function buildModel({ definition, classification, parameters, auxiliaryOrder }: ModelInput): SystemModel {
  const b = new ExprBuilder();
  const values = new Map<string, Expr>();
  classification.states.forEach((name, i) => values.set(name, b.variable('state', i)));
  parameters.forEach((name, i) => values.set(name, b.variable('parameter', i)));
  definition.drivers.forEach((name, i) => values.set(name, b.variable('driver', i)));
  for (const [name, value] of Object.entries(definition.constants)) values.set(name, b.num(value));
  values.set(TIME, b.variable('time', 0));

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
    const value = toExpr(line.ast, b, lookup);
    values.set(name, value);
    auxiliaries.set(name, value);
  }
  const derivatives = classification.states.map((state) => {
    const line = classification.derivatives.get(state);
    if (line === undefined) throw new Error(`no derivative line for '${state}'`);
    return toExpr(line.ast, b, lookup);
  });
  const observables = definition.observables.map(lookup);

  return Object.freeze({
    builder: b,
    stateNames: Object.freeze([...classification.states]),
    parameterNames: Object.freeze([...parameters]),
    driverNames: Object.freeze([...definition.drivers]),
    observableNames: Object.freeze([...definition.observables]),
    derivatives: Object.freeze(derivatives),
    observables: Object.freeze(observables),
    auxiliaries,
  });
}

function constantValue(b: ExprBuilder, name: string): Expr | undefined {
  const value = mathConstant(name);
  return value === undefined ? undefined : b.num(value);
}

function toExpr(ast: Ast, b: ExprBuilder, lookup: (name: string) => Expr): Expr {
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
    }
  };
  return go(ast);
}
