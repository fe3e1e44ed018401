/**
 * Noise: the diffusion term of a stochastic system, part of its definition.
 *
 *   dx_i = f_i dt + sum_j g_ij dW_j
 *
 * `noise` has two forms:
 *   - diagonal, `{ x: 'sigma*x' }`: every value is text; each listed state
 *     gets its own Wiener process, named after the state (`W.x` in messages
 *     and outputs);
 *   - general, `{ x: { W1: 'a*x', W2: 'b' }, y: { W2: 'c' } }`: named Wiener
 *     processes, shared by every state that lists them. Process order is the
 *     order of first appearance; it fixes which random stream a process draws.
 * The two forms are not mixed in one system: one string among objects is
 * more likely a slip than an intent, and the structure (diagonal or not)
 * must be unambiguous for the methods that depend on it.
 * `calculus`: 'ito' (default) or 'stratonovich'; only with `noise`.
 *
 * Keys must be states; process names are identifiers that are not the name
 * of a state, parameter, constant, driver, auxiliary or event. Noise text
 * is one expression per entry, through the same parser, limits and
 * allow-list as equations; it may read t, states, parameters, constants,
 * drivers and auxiliaries. Errors name the state and the process:
 * "Unknown symbol 'q' in noise for state 'x', process 'W1' ('q*x')",
 * details { where: 'noise.x.W1', state, process }.
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';
import { symbolsOf } from './ast';
import { checkExpression } from './check';
import type { Classification, EquationLine } from './classify';
import { declaredRoles } from './classify';
import type { CheckedEvent } from './events';
import { isPlainObject, typeName } from './fields';
import { isAssignmentNode, isBlockNode, isFunctionAssignmentNode } from './mathjs';
import type { MathNode } from './mathjs';
import { capitalized, lineDetails, showText, where } from './messages';
import type { EquationLocation } from './messages';
import { checkDeclaredName } from './names';
import { parseText, stripComment } from './parse';
import { ROLE_WORDS } from './roles';
import type { Calculus, NoiseEntry, NormalizedDefinition, NormalizedNoise } from './types';

/** Bounds on untrusted input: the noise matrix is n x m, and both sizes reach the kernel. */
export const MAX_NOISE_ENTRIES = 100_000;
export const MAX_NOISE_PROCESSES = 10_000;

const CALCULI: readonly Calculus[] = ['ito', 'stratonovich'];

/** One noise entry whose text passed the parser and the allow-list (symbols not resolved yet). */
export interface CheckedNoiseTerm {
  readonly state: string;
  readonly process: string;
  readonly line: EquationLine;
}

// ---------------------------------------------------------------- fields

/** The `noise` and `calculus` fields, shape only (text is checked by checkNoiseTexts). */
export function normalizeNoise(value: unknown, calculusValue: unknown): NormalizedNoise | undefined {
  if (value === undefined) {
    if (calculusValue !== undefined) {
      throw new CubieError('INVALID_SYSTEM', "'calculus' applies only to a system with 'noise' (it says how the noise terms are read)", { where: 'calculus' });
    }
    return undefined;
  }
  const calculus = normalizeCalculus(calculusValue);
  if (!isPlainObject(value)) {
    throw new CubieError('INVALID_SYSTEM', `'noise' must be an object of state: expression (diagonal) or state: { process: expression } (general), got ${typeName(value)}`, { where: 'noise' });
  }
  const states = Object.keys(value);
  if (states.length === 0) throw new CubieError('INVALID_SYSTEM', "'noise' is empty; list at least one state, or leave 'noise' out for an ODE", { where: 'noise' });
  // Names first: every later message may quote them.
  for (const state of states) checkDeclaredName(state, 'noise', { where: `noise.${state}`, state });
  // Any object value makes the form general; then every value must be one (checked below).
  const form = states.some((s) => isPlainObject(value[s])) ? 'general' : 'diagonal';
  const textual = states.filter((s) => typeof value[s] === 'string');
  if (form === 'general' && textual.length > 0) {
    const other = states.find((s) => isPlainObject(value[s])) ?? states[0];
    throw new CubieError('INVALID_SYSTEM', `'noise' mixes the diagonal form (noise.${textual[0]} is an expression) with the general form (noise.${other} is ${typeName(value[other])}); write every state as { process: expression } for shared processes`, { where: `noise.${textual[0]}`, state: textual[0] });
  }

  const entries: NoiseEntry[] = [];
  const processes: string[] = [];
  const known = new Set<string>();
  for (const state of states) {
    const row = value[state];
    if (form === 'diagonal') {
      entries.push(entry(state, state, row, `noise.${state}`));
      processes.push(state);
      continue;
    }
    if (!isPlainObject(row)) {
      throw new CubieError('INVALID_SYSTEM', `noise.${state} must be an object of process: expression, got ${typeName(row)}`, { where: `noise.${state}`, state });
    }
    const names = Object.keys(row);
    if (names.length === 0) throw new CubieError('INVALID_SYSTEM', `noise.${state} is empty; list at least one process (W1: 'sigma'), or leave the state out`, { where: `noise.${state}`, state });
    for (const process of names) {
      const path = `noise.${state}.${process}`;
      // The context names the state only: the process name is what is being checked, and may be hostile.
      checkDeclaredName(process, `noise.${state} (a Wiener process name)`, { where: path, state, process });
      entries.push(entry(state, process, row[process], path));
      if (!known.has(process)) {
        known.add(process);
        processes.push(process);
      }
    }
  }
  if (entries.length > MAX_NOISE_ENTRIES) {
    throw new CubieError('INVALID_SYSTEM', `'noise' has ${entries.length} entries; the limit is ${MAX_NOISE_ENTRIES}`, { where: 'noise' });
  }
  if (processes.length > MAX_NOISE_PROCESSES) {
    throw new CubieError('INVALID_SYSTEM', `'noise' has ${processes.length} Wiener processes; the limit is ${MAX_NOISE_PROCESSES}`, { where: 'noise' });
  }
  return Object.freeze({ form, processes: Object.freeze(processes), entries: Object.freeze(entries), calculus });
}

function normalizeCalculus(value: unknown): Calculus {
  if (value === undefined) return 'ito';
  const found = CALCULI.find((c) => c === value);
  if (found !== undefined) return found;
  const hint = typeof value === 'string' ? didYouMean(value.toLowerCase(), CALCULI) : '';
  throw new CubieError('INVALID_SYSTEM', `'calculus' must be 'ito' or 'stratonovich', got ${typeName(value)}${hint}`, { where: 'calculus' });
}

function entry(state: string, process: string, text: unknown, path: string): NoiseEntry {
  if (typeof text !== 'string') {
    throw new CubieError('INVALID_SYSTEM', `${path} must be an expression as text ('sigma*${state}'), got ${typeName(text)}`, { where: path, state, process });
  }
  if (/[\r\n]/.test(text)) {
    throw new CubieError('PARSE_ERROR', `${path} is one expression on one line`, { where: path, state, process });
  }
  return Object.freeze({ state, process, text });
}

// ---------------------------------------------------------------- text

/** Each noise entry parsed and put through the allow-list; `describeSymbol` is the equations' one. */
export function checkNoiseTexts(def: NormalizedDefinition, describeSymbol: (name: string) => string | undefined): CheckedNoiseTerm[] {
  const noise = def.noise;
  if (noise === undefined) return [];
  const diagonal = noise.form === 'diagonal';
  return noise.entries.map(({ state, process, text }) => {
    const location: EquationLocation = { line: 1, text: stripComment(text), noise: { state, process, diagonal } };
    const ast = checkExpression(expressionNode(location), { location, describeSymbol });
    return { state, process, line: { location, target: '', ast, symbols: symbolsOf(ast) } };
  });
}

function expressionNode(location: EquationLocation): MathNode {
  const fail = (message: string): never => {
    throw new CubieError('PARSE_ERROR', message, lineDetails(location));
  };
  if (location.text.trim() === '') fail(`${capitalized(where(location))} is empty; write the noise amplitude, such as 'sigma*x' (or leave the entry out)`);
  const node = parseText(location);
  if (isAssignmentNode(node) || isFunctionAssignmentNode(node)) {
    fail(`${capitalized(where(location))} is an assignment; a noise entry is the expression multiplying dW ('sigma*x', not 'dx = sigma*x')`);
  }
  if (isBlockNode(node)) fail(`${capitalized(where(location))} has more than one statement; a noise entry is one expression`);
  return node;
}

/** Every checked noise text, in order (for classification and symbol resolution). */
export function noiseLines(terms: readonly CheckedNoiseTerm[]): EquationLine[] {
  return terms.map((term) => term.line);
}

// ---------------------------------------------------------------- roles

/** After classification: noise keys are states, and process names are not names of the system or its events. */
export function checkNoiseRoles(terms: readonly CheckedNoiseTerm[], def: NormalizedDefinition, classes: Classification, parameters: readonly string[], events: readonly CheckedEvent[]): void {
  const noise = def.noise;
  if (noise === undefined) return;
  const roles = declaredRoles(def);
  for (const p of parameters) if (!roles.has(p)) roles.set(p, 'parameter');
  const states = new Set(classes.states);
  const eventNames = new Set(events.map((e) => e.name));
  const roleOf = (name: string): string | undefined => {
    if (states.has(name)) return ROLE_WORDS.state;
    const role = roles.get(name);
    if (role !== undefined) return ROLE_WORDS[role];
    if (classes.auxiliaries.has(name)) return ROLE_WORDS.auxiliary;
    return eventNames.has(name) ? 'an event' : undefined;
  };

  const checkedStates = new Set<string>();
  for (const { state } of terms) {
    if (checkedStates.has(state)) continue;
    checkedStates.add(state);
    if (states.has(state)) continue;
    const path = `noise.${state}`;
    const role = roleOf(state);
    if (role !== undefined) {
      throw new CubieError('NOT_A_STATE', `'${state}' in 'noise' is ${role}, not a state; noise is keyed by the state it drives`, { where: path, state, symbol: state });
    }
    throw new CubieError('UNKNOWN_SYMBOL', `Unknown state '${showText(state, 40)}' in 'noise': noise is keyed by states${didYouMean(state, classes.states)}`, { where: path, state, symbol: state });
  }
  if (noise.form === 'diagonal') return;
  for (const process of noise.processes) {
    const role = roleOf(process);
    if (role === undefined) continue;
    const first = terms.find((term) => term.process === process);
    const state = first?.state ?? '';
    throw new CubieError('DUPLICATE_NAME', `Wiener process name '${process}' (noise.${state}.${process}) is already ${role} of the system; give the process another name`, {
      where: `noise.${state}.${process}`, state, process, symbol: process,
    });
  }
}
