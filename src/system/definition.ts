/**
 * Checks the fields of a system definition (it may come from untyped
 * JavaScript, JSON or YAML) and fills in the optional ones.
 */
import { CubieError } from '../shared/errors';
import type { NormalizedDefinition } from './types';
import { normalizeEvents } from './events';
import { normalizeNoise } from './noise';
import { canonicalKeys, isPlainObject, typeName } from './fields';
import { checkDeclaredName } from './names';
import { ROLE_WORDS } from './roles';
import { splitLines } from './parse';

// The helpers moved to fields.ts (events use them too); these names stay importable from here.
export { camelCase, canonicalKeys, isPlainObject, typeName } from './fields';

const KEYS = ['name', 'equations', 'states', 'parameters', 'constants', 'observables', 'drivers', 'strict', 'events', 'noise', 'calculus'] as const;
type Key = (typeof KEYS)[number];

/** Each declaration list and the role it gives its names. */
const LIST_ROLES = { states: 'state', parameters: 'parameter', constants: 'constant', drivers: 'driver' } as const;
type DeclarationList = keyof typeof LIST_ROLES;

export function normalizeDefinition(input: unknown): NormalizedDefinition {
  if (!isPlainObject(input)) {
    throw new CubieError('INVALID_SYSTEM', `A system definition must be an object with an 'equations' field, got ${typeName(input)}`, { where: 'definition' });
  }
  const fields = canonicalKeys<Key>(input, KEYS, 'the system definition');
  const name = optionalName(fields.get('name'));
  const equations = equationLines(fields.get('equations'));
  const states = namesOrValues(fields.get('states'), 'states');
  const parameters = namesOrValues(fields.get('parameters'), 'parameters');
  const constants = namedValues(fields.get('constants'), 'constants');
  const observables = nameList(fields.get('observables'), 'observables');
  const drivers = nameList(fields.get('drivers'), 'drivers');
  const strict = fields.get('strict') ?? true;
  if (typeof strict !== 'boolean') {
    throw new CubieError('INVALID_SYSTEM', `'strict' must be true or false, got ${typeName(strict)}`, { where: 'strict' });
  }

  checkRolesDistinct({
    states: states?.order ?? [],
    parameters: parameters?.order ?? [],
    constants: [...constants.keys()],
    drivers,
  });
  const events = normalizeEvents(fields.get('events'));
  const noise = normalizeNoise(fields.get('noise'), fields.get('calculus'));

  return Object.freeze({
    name,
    equations: Object.freeze(equations),
    states: states === undefined ? undefined : Object.freeze(toRecord(states.order, (n) => states.values.get(n) ?? 0)),
    parameters: Object.freeze(toRecord(parameters?.order ?? [], (n) => parameters?.values.get(n))),
    constants: Object.freeze(toRecord([...constants.keys()], (n) => constants.get(n) ?? 0)),
    observables: Object.freeze(observables),
    drivers: Object.freeze(drivers),
    strict,
    events,
    noise,
  });
}

function optionalName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new CubieError('INVALID_SYSTEM', `'name' must be a string, got ${typeName(value)}`, { where: 'name' });
  }
  checkDeclaredName(value, "the system's name", { where: 'name' });
  return value;
}

function equationLines(value: unknown): string[] {
  if (value === undefined) {
    throw new CubieError('INVALID_SYSTEM', "A system definition needs 'equations': one assignment per line, e.g. 'dx = -k*x'", { where: 'equations' });
  }
  if (typeof value === 'string') return splitLines(value);
  if (Array.isArray(value)) {
    value.forEach((entry, i) => {
      if (typeof entry !== 'string') {
        throw new CubieError('INVALID_SYSTEM', `equations[${i}] must be a string, got ${typeName(entry)}`, { where: `equations[${i}]` });
      }
    });
    return splitLines(value as string[]);
  }
  throw new CubieError('INVALID_SYSTEM', `'equations' must be a string or an array of strings, got ${typeName(value)}`, { where: 'equations' });
}

interface NamesWithValues {
  order: string[];
  values: Map<string, number>;
}

/** `['x', 'y']` or `{ x: 1, y: 0 }`; undefined when absent. */
function namesOrValues(value: unknown, list: 'states' | 'parameters'): NamesWithValues | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return { order: nameList(value, list), values: new Map() };
  if (isPlainObject(value)) {
    const values = namedValues(value, list);
    return { order: [...values.keys()], values };
  }
  throw new CubieError('INVALID_SYSTEM', `'${list}' must be a list of names or an object of name: value, got ${typeName(value)}`, { where: list });
}

function namedValues(value: unknown, list: string): Map<string, number> {
  const result = new Map<string, number>();
  if (value === undefined) return result;
  if (!isPlainObject(value)) {
    throw new CubieError('INVALID_SYSTEM', `'${list}' must be an object of name: value, got ${typeName(value)}`, { where: list });
  }
  for (const key of Object.keys(value)) {
    checkDeclaredName(key, list, { where: `${list}.${key}` });
    const v = value[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new CubieError('INVALID_SYSTEM', `${list}.${key} must be a finite number, got ${typeName(v)}`, { where: `${list}.${key}`, symbol: key });
    }
    result.set(key, v);
  }
  return result;
}

function nameList(value: unknown, list: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new CubieError('INVALID_SYSTEM', `'${list}' must be a list of names, got ${typeName(value)}`, { where: list });
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, i) => {
    if (typeof entry !== 'string') {
      throw new CubieError('INVALID_SYSTEM', `${list}[${i}] must be a name (a string), got ${typeName(entry)}`, { where: `${list}[${i}]` });
    }
    checkDeclaredName(entry, list, { where: `${list}[${i}]` });
    if (seen.has(entry)) {
      throw new CubieError('DUPLICATE_NAME', `'${entry}' is listed twice in ${list}`, { where: `${list}[${i}]`, symbol: entry });
    }
    seen.add(entry);
    return entry;
  });
}

function checkRolesDistinct(lists: Record<DeclarationList, readonly string[]>): void {
  const roleOf = new Map<string, DeclarationList>();
  for (const list of Object.keys(lists) as DeclarationList[]) {
    for (const name of lists[list]) {
      const earlier = roleOf.get(name);
      if (earlier !== undefined) {
        throw new CubieError('DUPLICATE_NAME', `'${name}' is declared both as ${ROLE_WORDS[LIST_ROLES[earlier]]} (in ${earlier}) and as ${ROLE_WORDS[LIST_ROLES[list]]} (in ${list}); a name has one role`, { where: list, symbol: name });
      }
      roleOf.set(name, list);
    }
  }
}

function toRecord<T>(names: readonly string[], value: (name: string) => T): Record<string, T> {
  const record: Record<string, T> = {};
  for (const name of names) record[name] = value(name);
  return record;
}
