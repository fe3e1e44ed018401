/**
 * Decides what each equation line defines: the derivative of a state or an
 * auxiliary, and which names are states.
 *
 * The rule for a line `dX = ...`:
 * - states declared: it is the derivative of X when X is a declared state;
 *   otherwise `dX` is an auxiliary, unless X is a parameter, constant,
 *   driver or t and `dX` is never used (then it is a NOT_A_STATE error).
 * - states omitted: X is inferred to be a state unless `dX` is used as a
 *   value (in another equation or in observables), in which case `dX` is an
 *   auxiliary (so `dist = ...` used elsewhere is an auxiliary, not the
 *   derivative of 'ist'). X must not be declared in another role or assigned.
 */
import { CubieError } from '../shared/errors';
import type { Ast } from './ast';
import type { EquationLocation } from './messages';
import { lineDetails, where } from './messages';
import { TIME, invalidNameReason, reservedReason } from './names';
import { nearestName } from '../shared/suggest';
import { ROLE_WORDS } from './roles';
import type { DeclaredRole } from './roles';
import type { NormalizedDefinition } from './types';

export interface EquationLine {
  readonly location: EquationLocation;
  readonly target: string;
  readonly ast: Ast;
  /** Symbols read by the right-hand side, in order of first appearance. */
  readonly symbols: readonly string[];
}

export interface Classification {
  readonly states: readonly string[];
  /** The line giving each state's derivative. */
  readonly derivatives: ReadonlyMap<string, EquationLine>;
  /** Auxiliary name -> its line, in line order. */
  readonly auxiliaries: ReadonlyMap<string, EquationLine>;
}

export function declaredRoles(def: NormalizedDefinition): Map<string, DeclaredRole> {
  const roles = new Map<string, DeclaredRole>();
  for (const name of Object.keys(def.parameters)) roles.set(name, 'parameter');
  for (const name of Object.keys(def.constants)) roles.set(name, 'constant');
  for (const name of def.drivers) roles.set(name, 'driver');
  return roles;
}

/** `alsoRead`: names read outside the equations (by events): they count as used as values. */
export function classify(lines: readonly EquationLine[], def: NormalizedDefinition, alsoRead: readonly string[] = []): Classification {
  const roles = declaredRoles(def);
  const declaredStates = def.states === undefined ? undefined : new Set(Object.keys(def.states));
  const usedAsValue = new Set<string>([...def.observables, ...alsoRead]);
  for (const line of lines) for (const s of line.symbols) usedAsValue.add(s);
  const assigned = new Set(lines.map((l) => l.target));

  const derivatives = new Map<string, EquationLine>();
  const auxiliaries = new Map<string, EquationLine>();
  const inferredStates: string[] = [];

  for (const line of lines) {
    const { target, location } = line;
    const details = { ...lineDetails(location), symbol: target };
    const role = roles.get(target);
    if (role !== undefined) {
      throw new CubieError('DUPLICATE_NAME', `'${target}' is declared as ${ROLE_WORDS[role]} and cannot also be assigned (${where(location)})`, details);
    }
    // Before the check below: with states 'd' and 'dd', 'dd = ...' is the derivative of 'd'.
    const state = derivativeTarget(line, declaredStates, roles, usedAsValue, assigned);
    if (state === undefined && declaredStates?.has(target)) {
      throw new CubieError('DUPLICATE_NAME', `'${target}' is a state and cannot also be assigned (${where(location)}); write its derivative as 'd${target} = ...'`, details);
    }
    if (state !== undefined) {
      const earlier = derivatives.get(state);
      if (earlier !== undefined) {
        throw new CubieError('DUPLICATE_NAME', `The derivative of '${state}' is given twice: equation lines ${earlier.location.line} and ${location.line}`, { ...details, symbol: state });
      }
      derivatives.set(state, line);
      if (declaredStates === undefined) inferredStates.push(state);
      continue;
    }
    const earlier = auxiliaries.get(target);
    if (earlier !== undefined) {
      throw new CubieError('DUPLICATE_NAME', `'${target}' is assigned twice: equation lines ${earlier.location.line} and ${location.line}`, details);
    }
    auxiliaries.set(target, line);
  }

  const states = declaredStates === undefined ? inferredStates : [...declaredStates];
  if (states.length === 0) {
    const message = declaredStates === undefined
      ? "The system has no states: give each state a derivative line such as 'dx = -k*x'"
      : "'states' is empty: a system needs at least one state";
    throw new CubieError('INVALID_SYSTEM', message, { where: declaredStates === undefined ? 'equations' : 'states' });
  }
  for (const state of states) {
    if (!derivatives.has(state)) throw missingDerivative(state, auxiliaries, usedAsValue);
  }
  return { states, derivatives, auxiliaries };
}

/** The state whose derivative `line` defines, or undefined when the line is an auxiliary. */
function derivativeTarget(
  line: EquationLine,
  declaredStates: ReadonlySet<string> | undefined,
  roles: ReadonlyMap<string, DeclaredRole>,
  usedAsValue: ReadonlySet<string>,
  assigned: ReadonlySet<string>,
): string | undefined {
  const { target, location } = line;
  if (target.length < 2 || target[0] !== 'd') return undefined;
  const x = target.slice(1);
  if (declaredStates?.has(x)) return x;
  if (usedAsValue.has(target)) return undefined;
  const notAState = (what: string): never => {
    throw new CubieError(
      'NOT_A_STATE',
      `'${target}' in ${where(location)} would be the derivative of '${x}', but ${what}`,
      { ...lineDetails(location), symbol: target, state: x },
    );
  };
  const role = roles.get(x);
  if (role !== undefined) notAState(`'${x}' is ${ROLE_WORDS[role]}, not a state`);
  if (x === TIME) notAState("'t' is time, not a state");
  if (declaredStates !== undefined) return undefined;
  if (invalidNameReason(x) !== undefined || reservedReason(x) !== undefined) return undefined;
  if (assigned.has(x)) notAState(`'${x}' is an auxiliary (assigned in another line), not a state`);
  return x;
}

function missingDerivative(state: string, auxiliaries: ReadonlyMap<string, EquationLine>, usedAsValue: ReadonlySet<string>): CubieError {
  // A typo in a derivative line ('dz' for 'dy') makes an unused auxiliary: point at it.
  const unusedDerivativeLike = [...auxiliaries.keys()].filter((a) => a.length > 1 && a[0] === 'd' && !usedAsValue.has(a));
  const guess = nearestName(`d${state}`, unusedDerivativeLike) ?? (unusedDerivativeLike.length === 1 ? unusedDerivativeLike[0] : undefined);
  const guessLine = guess === undefined ? undefined : auxiliaries.get(guess);
  const hint = guess === undefined || guessLine === undefined
    ? ''
    : `; ${where(guessLine.location)} assigns '${guess}', which is not the derivative of a state — did you mean 'd${state}'?`;
  return new CubieError('MISSING_DERIVATIVE', `State '${state}' has no derivative: add a line 'd${state} = ...'${hint}`, {
    where: 'states',
    symbol: state,
    ...(guessLine === undefined ? {} : { line: guessLine.location.line }),
  });
}
