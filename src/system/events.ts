/**
 * Events: part of the system definition, checked like equations.
 *
 * An event has exactly one trigger:
 *   - `when: EXPR`: continuous, fires where EXPR crosses zero; `direction`
 *     'rising' (- to +), 'falling' (+ to -) or 'both' (default); scipy's
 *     1, -1 and 0 mean the same. EXPR may read t, states, parameters,
 *     constants, drivers and auxiliaries, and is one line (a `#` comment may
 *     follow). It is a number, not a condition: 'y', not 'y < 0'.
 *   - `every: DT` (> 0, finite), optionally `start` (finite; default the run's
 *     t0): discrete, at start, start + DT, ...
 *   - `at: [t1, t2, ...]`: discrete, at these times (finite, strictly ascending,
 *     at least one, at most MAX_EVENT_TIMES).
 * `then` (optional): assignments `state = EXPR`, one per line (a string with
 * line breaks, or a list of strings) or several on a line separated by ';';
 * `#` starts a comment. Every target is a state, each state at most once per
 * event; right sides read what `when` may read, and all of them are
 * evaluated before any state is assigned (so their order does not matter).
 * `terminal` (optional): true ends the run at the event's first firing, a
 * positive integer N at its Nth; false (default) never.
 * `name` (optional, default `event<N>` by 1-based position): an identifier,
 * unique among events and not the name of a state, parameter, constant,
 * driver or auxiliary.
 *
 * Text goes through the same parser, limits and allow-list as equations, and
 * errors name the event and the line: "Unknown symbol 'q' in event 'bounce',
 * then line 1 ('v = -q*v')", details { where: 'events[0].then', event, thenLine }.
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';
import { symbolsOf } from './ast';
import { checkExpression } from './check';
import type { Classification, EquationLine } from './classify';
import { declaredRoles } from './classify';
import { canonicalKeys, isPlainObject, typeName } from './fields';
import { isAssignmentNode, isBlockNode, isFunctionAssignmentNode, isOperatorNode, isRelationalNode, isSymbolNode } from './mathjs';
import { capitalized, lineDetails, lineLabel, showText, where } from './messages';
import type { EquationLocation, EventTextSource } from './messages';
import type { MathNode } from './mathjs';
import { checkDeclaredName } from './names';
import { MAX_EQUATION_LINES, MAX_LINE_LENGTH, parseText, splitLines, stripComment } from './parse';
import { ROLE_WORDS } from './roles';
import type { EventDirection, EventTrigger, NormalizedDefinition, NormalizedEvent } from './types';

export const MAX_EVENTS = 1000;
export const MAX_EVENT_TIMES = 100_000;
/** Counts of firings are int32 in the kernel. */
const MAX_TERMINAL = 2 ** 31 - 1;

const EVENT_KEYS = ['name', 'when', 'direction', 'then', 'terminal', 'every', 'start', 'at'] as const;
type EventKey = (typeof EVENT_KEYS)[number];
const TRIGGER_KEYS = ['when', 'every', 'at'] as const;

const DIRECTIONS: ReadonlyMap<unknown, EventDirection> = new Map<unknown, EventDirection>([
  ['rising', 'rising'], ['falling', 'falling'], ['both', 'both'], [1, 'rising'], [-1, 'falling'], [0, 'both'],
]);

/** An event whose text has passed the parser and the allow-list (symbols are not resolved yet). */
export interface CheckedEvent {
  readonly name: string;
  readonly index: number;
  readonly trigger: EventTrigger<EquationLine>;
  /** In the order written; `target` is the assigned name. */
  readonly assignments: readonly EquationLine[];
  readonly terminal: number;
}

// ---------------------------------------------------------------- fields

/** The `events` field: a list of event objects, each field checked (text is checked later, by checkEventTexts). */
export function normalizeEvents(value: unknown): readonly NormalizedEvent[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    throw new CubieError('INVALID_SYSTEM', `'events' must be a list of events, got ${typeName(value)}`, { where: 'events' });
  }
  if (value.length > MAX_EVENTS) {
    throw new CubieError('INVALID_SYSTEM', `'events' has ${value.length} events; the limit is ${MAX_EVENTS}`, { where: 'events' });
  }
  const events = value.map((entry: unknown, i) => normalizeEvent(entry, i));
  const firstIndex = new Map<string, number>();
  events.forEach((event, i) => {
    const earlier = firstIndex.get(event.name);
    if (earlier !== undefined) {
      throw new CubieError('DUPLICATE_NAME', `Event name '${event.name}' is used twice: events[${earlier}] and events[${i}]; each event needs its own name`, {
        where: `events[${i}].name`, event: event.name, symbol: event.name,
      });
    }
    firstIndex.set(event.name, i);
  });
  return Object.freeze(events);
}

function normalizeEvent(entry: unknown, index: number): NormalizedEvent {
  const path = `events[${index}]`;
  if (!isPlainObject(entry)) {
    throw new CubieError('INVALID_SYSTEM', `${path} must be an object with 'when', 'every' or 'at' (and 'then', ...), got ${typeName(entry)}`, { where: path });
  }
  const fields = canonicalKeys<EventKey>(entry, EVENT_KEYS, path, path);
  const name = eventName(fields.get('name'), index);
  const fail = (key: EventKey, message: string, code: 'INVALID_SYSTEM' | 'PARSE_ERROR' = 'INVALID_SYSTEM'): never => {
    throw new CubieError(code, `Event '${name}': ${message}`, { where: `${path}.${key}`, event: name });
  };
  const given = (key: EventKey): boolean => fields.get(key) !== undefined;

  const triggers = TRIGGER_KEYS.filter(given);
  if (triggers.length === 0) {
    throw new CubieError('INVALID_SYSTEM', `Event '${name}' has no trigger: give 'when' (an expression that crosses zero), 'every' (a period) or 'at' (a list of times)`, { where: path, event: name });
  }
  if (triggers.length > 1) {
    fail(triggers[1], `give exactly one of 'when', 'every' and 'at', not both '${triggers[0]}' and '${triggers[1]}'`);
  }
  if (triggers[0] !== 'when' && given('direction')) fail('direction', "'direction' applies to 'when' events only");
  if (triggers[0] !== 'every' && given('start')) fail('start', "'start' applies to 'every' events only (the first time; default t0)");

  let trigger: EventTrigger<string>;
  if (triggers[0] === 'when') {
    const when = fields.get('when');
    if (typeof when !== 'string') return fail('when', `'when' must be an expression as text, got ${typeName(when)}`);
    if (/[\r\n]/.test(when)) fail('when', "'when' is one expression on one line", 'PARSE_ERROR');
    const direction = fields.get('direction') ?? 'both';
    const normalized = DIRECTIONS.get(direction);
    if (normalized === undefined) {
      const hint = typeof direction === 'string' ? didYouMean(direction, ['rising', 'falling', 'both']) : '';
      fail('direction', `'direction' must be 'rising', 'falling' or 'both' (or scipy's 1, -1, 0), got ${typeName(direction)}${hint}`);
    }
    trigger = { kind: 'crossing', when, direction: normalized ?? 'both' };
  } else if (triggers[0] === 'every') {
    const every = fields.get('every');
    if (typeof every !== 'number' || !Number.isFinite(every) || every <= 0) fail('every', `'every' must be a positive finite number, got ${typeName(every)}`);
    const start = fields.get('start');
    if (start !== undefined && (typeof start !== 'number' || !Number.isFinite(start))) fail('start', `'start' must be a finite number, got ${typeName(start)}`);
    trigger = { kind: 'every', every: every as number, start: start as number | undefined };
  } else {
    trigger = { kind: 'at', at: eventTimes(fields.get('at'), (message) => fail('at', message)) };
  }

  return Object.freeze({
    name,
    trigger: Object.freeze(trigger),
    then: Object.freeze(thenLines(fields.get('then'), (message) => fail('then', message))),
    terminal: terminalCount(fields.get('terminal'), (message) => fail('terminal', message)),
  });
}

function eventName(value: unknown, index: number): string {
  const where = `events[${index}].name`;
  if (value === undefined) return `event${index + 1}`;
  if (typeof value !== 'string') {
    throw new CubieError('INVALID_SYSTEM', `${where} must be a name (a string), got ${typeName(value)}`, { where });
  }
  checkDeclaredName(value, where, { where });
  return value;
}

function eventTimes(value: unknown, fail: (message: string) => never): readonly number[] {
  if (!Array.isArray(value)) return fail(`'at' must be a list of times, got ${typeName(value)}`);
  if (value.length === 0) fail("'at' is empty; give at least one time");
  if (value.length > MAX_EVENT_TIMES) fail(`'at' has ${value.length} times; the limit is ${MAX_EVENT_TIMES} (use 'every' for a regular schedule)`);
  value.forEach((time: unknown, i) => {
    if (typeof time !== 'number' || !Number.isFinite(time)) fail(`at[${i}] must be a finite number, got ${typeName(time)}`);
    if (i > 0 && !((time as number) > (value[i - 1] as number))) fail(`'at' must be strictly ascending, but at[${i}] = ${String(time)} follows at[${i - 1}] = ${String(value[i - 1])}`);
  });
  return Object.freeze([...(value as number[])]);
}

function thenLines(value: unknown, fail: (message: string) => never): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return limitedLines(splitLines(value), fail);
  if (Array.isArray(value)) {
    value.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string') fail(`then[${i}] must be an assignment as text, got ${typeName(entry)}`);
    });
    return limitedLines(splitLines(value as string[]), fail);
  }
  return fail(`'then' must be assignments as text ('v = -k*v') or a list of them, got ${typeName(value)}`);
}

function limitedLines(lines: string[], fail: (message: string) => never): string[] {
  if (lines.length > MAX_EQUATION_LINES) fail(`'then' has ${lines.length} lines; the limit is ${MAX_EQUATION_LINES}`);
  return lines;
}

function terminalCount(value: unknown, fail: (message: string) => never): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TERMINAL) return value;
  return fail(`'terminal' must be true, false or a positive whole number (end the run at that firing), got ${typeName(value)}`);
}

// ---------------------------------------------------------------- text

/**
 * Each event's `when` and `then` parsed and put through the allow-list;
 * `describeSymbol` is the one equations use (for "x is a state, not a function").
 */
export function checkEventTexts(def: NormalizedDefinition, describeSymbol: (name: string) => string | undefined): CheckedEvent[] {
  return def.events.map((event, index) => {
    const source = (field: 'when' | 'then'): EventTextSource => ({ name: event.name, index, field });
    const check = (location: EquationLocation, node: MathNode) => {
      const ast = checkExpression(node, { location, describeSymbol });
      return { ast, symbols: symbolsOf(ast) };
    };
    const { trigger } = event;
    let checkedTrigger: EventTrigger<EquationLine>;
    if (trigger.kind === 'crossing') {
      const location: EquationLocation = { line: 1, text: stripComment(trigger.when), event: source('when') };
      checkedTrigger = { kind: 'crossing', when: { location, target: '', ...check(location, whenNode(location)) }, direction: trigger.direction };
    } else {
      checkedTrigger = trigger;
    }
    const assignments = thenStatements(event.then, source('then')).map((location) => {
      const { target, value } = assignmentParts(location);
      checkDeclaredName(target, where(location), lineDetails(location));
      return { location, target, ...check(location, value) };
    });
    return { name: event.name, index, trigger: checkedTrigger, assignments, terminal: event.terminal };
  });
}

/** The `then` text as statements: each line without its comment, split at ';', blank ones left out. */
function thenStatements(lines: readonly string[], source: EventTextSource): EquationLocation[] {
  const statements: EquationLocation[] = [];
  lines.forEach((raw, i) => {
    const text = stripComment(raw);
    const location: EquationLocation = { line: i + 1, text, event: source };
    if (text.length > MAX_LINE_LENGTH) {
      throw new CubieError('PARSE_ERROR', `${capitalized(lineLabel(location))} is ${text.length} characters long; the limit is ${MAX_LINE_LENGTH}`, lineDetails(location));
    }
    for (const piece of text.split(';')) {
      if (piece.trim() !== '') statements.push({ ...location, text: piece });
    }
  });
  return statements;
}

function whenNode(location: EquationLocation): MathNode {
  const fail = (message: string): never => {
    throw new CubieError('PARSE_ERROR', message, lineDetails(location));
  };
  if (location.text.trim() === '') fail(`${capitalized(where(location))} is empty; write an expression that crosses zero, such as 'y' or 'y - h'`);
  const node = parseText(location);
  if (isAssignmentNode(node) || isFunctionAssignmentNode(node)) {
    fail(`${capitalized(where(location))} is an assignment; 'when' is an expression that crosses zero ('y - h', not 'y = h')`);
  }
  if (isBlockNode(node)) fail(`${capitalized(where(location))} has more than one statement; 'when' is one expression`);
  if (isRelationalNode(node) || (isOperatorNode(node) && ['smaller', 'smallerEq', 'larger', 'largerEq', 'equal', 'unequal', 'and', 'or', 'not'].includes(node.fn))) {
    fail(`${capitalized(where(location))} is a condition; 'when' is an expression that fires where it crosses zero ('y - h', not 'y < h'; 'direction' picks rising or falling)`);
  }
  return node;
}

function assignmentParts(location: EquationLocation): { target: string; value: MathNode } {
  const fail = (message: string): never => {
    throw new CubieError('PARSE_ERROR', message, lineDetails(location));
  };
  const node = parseText(location);
  if (isFunctionAssignmentNode(node)) fail(`${capitalized(where(location))} defines a function; 'then' assigns states: 'v = -k*v'`);
  if (!isAssignmentNode(node)) return fail(`${capitalized(where(location))} is not an assignment; 'then' assigns states: 'v = -k*v'`);
  if (node.index !== null || !isSymbolNode(node.object)) fail(`${capitalized(where(location))} assigns to an indexed or dotted target; assign a state by its name`);
  return { target: node.name, value: node.value };
}

/** Symbol uses of every event, for classification (a name read by an event is used as a value). */
export function eventSymbols(events: readonly CheckedEvent[]): string[] {
  return eventLines(events).flatMap((line) => line.symbols);
}

/** Every checked text of every event (`when`, then each right side), in order. */
export function eventLines(events: readonly CheckedEvent[]): EquationLine[] {
  return events.flatMap((event) => [...(event.trigger.kind === 'crossing' ? [event.trigger.when] : []), ...event.assignments]);
}

// ---------------------------------------------------------------- roles

/**
 * After the equations' roles and symbols are known: event names are not
 * system names, and `then` assigns each state at most once and nothing else.
 */
export function checkEventRoles(events: readonly CheckedEvent[], def: NormalizedDefinition, classes: Classification, parameters: readonly string[]): void {
  const roles = declaredRoles(def);
  for (const p of parameters) if (!roles.has(p)) roles.set(p, 'parameter');
  const states = new Set(classes.states);
  const roleOf = (name: string): string | undefined => {
    if (states.has(name)) return ROLE_WORDS.state;
    const role = roles.get(name);
    if (role !== undefined) return ROLE_WORDS[role];
    return classes.auxiliaries.has(name) ? ROLE_WORDS.auxiliary : undefined;
  };

  for (const event of events) {
    const taken = roleOf(event.name);
    if (taken !== undefined) {
      throw new CubieError('DUPLICATE_NAME', `Event name '${event.name}' is already ${taken} of the system; give the event another name`, {
        where: `events[${event.index}].name`, event: event.name, symbol: event.name,
      });
    }
    const assigned = new Map<string, EquationLine>();
    for (const line of event.assignments) {
      const { target, location } = line;
      const details = { ...lineDetails(location), symbol: target };
      if (!states.has(target)) {
        const role = roleOf(target);
        const x = target.length > 1 && target[0] === 'd' ? target.slice(1) : undefined;
        if (x !== undefined && states.has(x)) {
          throw new CubieError('NOT_A_STATE', `'${target}' in ${where(location)} is not a state; an event sets the state itself: '${x} = ...'`, details);
        }
        if (role !== undefined) {
          throw new CubieError('NOT_A_STATE', `'${target}' in ${where(location)} is ${role}, not a state; an event's 'then' assigns states only`, details);
        }
        throw new CubieError('UNKNOWN_SYMBOL', `Unknown state '${showText(target, 40)}' in ${where(location)}: an event's 'then' assigns states${didYouMean(target, classes.states)}`, details);
      }
      const earlier = assigned.get(target);
      if (earlier !== undefined) {
        throw new CubieError('DUPLICATE_NAME', `State '${target}' is assigned twice in event '${event.name}' (then lines ${earlier.location.line} and ${location.line}); assign each state at most once`, details);
      }
      assigned.set(target, line);
    }
  }
}
