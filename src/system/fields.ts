/**
 * Helpers for checking untyped objects (JavaScript, JSON, YAML) field by
 * field: key spelling, plain objects, and how a wrong value is described.
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';
import { showText } from './messages';

/** snake_case -> camelCase ("initial_values" -> "initialValues"). */
export function camelCase(key: string): string {
  return key.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The object's own keys mapped to their camelCase spelling; an unknown key,
 * or one given in both spellings, is an error. `path` prefixes the key in
 * details.where ("events[0]" -> "events[0].whem").
 */
export function canonicalKeys<K extends string>(object: Record<string, unknown>, known: readonly K[], context: string, path = ''): Map<K, unknown> {
  const at = (key: string): string => (path === '' ? key : `${path}.${key}`);
  const result = new Map<K, unknown>();
  const spelled = new Map<K, string>();
  for (const key of Object.keys(object)) {
    const canonical = camelCase(key);
    if (!(known as readonly string[]).includes(canonical)) {
      throw new CubieError('INVALID_SYSTEM', `Unknown key '${showText(key, 40)}' in ${context}${didYouMean(canonical, known)} (known keys: ${known.join(', ')})`, { where: at(key) });
    }
    const k = canonical as K;
    const earlier = spelled.get(k);
    if (earlier !== undefined) {
      throw new CubieError('INVALID_SYSTEM', `'${earlier}' and '${key}' in ${context} are the same key; give it once`, { where: at(key) });
    }
    spelled.set(k, key);
    result.set(k, object[key]);
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text '${showText(value, 30)}'`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
