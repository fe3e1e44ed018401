/**
 * What a user may call a symbol.
 *
 * User names never reach C++ as identifiers (states become y[i], parameters
 * p[i], auxiliaries a0, ...), so no name can collide with generated code.
 * Names are still restricted to plain ASCII identifiers because they appear
 * in comments of the generated source and in file and folder labels, and
 * C/C++ keywords and function names are refused as a second line of defence
 * and because `sin = ...` or `double = ...` is far more likely a mistake
 * than an intent.
 */
import { CubieError } from '../shared/errors';
import { allowedFunctionNames, cFunctionNames } from './functions';
import { codePointName, showText } from './messages';

export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
export const MAX_NAME_LENGTH = 64;

/** The time symbol. */
export const TIME = 't';

/** Symbols that mean a number in every equation; they cannot be declared. */
const MATH_CONSTANTS: ReadonlyMap<string, number> = new Map([['pi', Math.PI], ['e', Math.E]]);

/** The value of `pi` or `e`, else undefined. */
export function mathConstant(name: string): number | undefined {
  return MATH_CONSTANTS.get(name);
}

const CPP_KEYWORDS = [
  'alignas', 'alignof', 'and', 'and_eq', 'asm', 'auto', 'bitand', 'bitor', 'bool', 'break', 'case', 'catch',
  'char', 'char8_t', 'char16_t', 'char32_t', 'class', 'compl', 'concept', 'const', 'consteval', 'constexpr',
  'constinit', 'const_cast', 'continue', 'co_await', 'co_return', 'co_yield', 'decltype', 'default', 'delete',
  'do', 'double', 'dynamic_cast', 'else', 'enum', 'explicit', 'export', 'extern', 'false', 'final', 'float',
  'for', 'friend', 'goto', 'if', 'import', 'inline', 'int', 'long', 'module', 'mutable', 'namespace', 'new',
  'noexcept', 'not', 'not_eq', 'nullptr', 'operator', 'or', 'or_eq', 'override', 'private', 'protected',
  'public', 'register', 'reinterpret_cast', 'requires', 'restrict', 'return', 'short', 'signed', 'sizeof',
  'static', 'static_assert', 'static_cast', 'struct', 'switch', 'template', 'this', 'thread_local', 'throw',
  'true', 'try', 'typedef', 'typeid', 'typename', 'union', 'unsigned', 'using', 'virtual', 'void',
  'volatile', 'wchar_t', 'while', 'xor', 'xor_eq',
];

/** Words mathjs's parser treats as literals or operators: as names they could not be parsed back. */
const MATHJS_WORDS = ['mod', 'to', 'in', 'and', 'or', 'not', 'xor', 'true', 'false', 'null', 'undefined', 'Infinity', 'NaN'];

const FUNCTION_NAMES = new Set([...allowedFunctionNames(), ...cFunctionNames()]);
const KEYWORDS = new Set(CPP_KEYWORDS);
const MATHJS = new Set(MATHJS_WORDS);

/** Why `name` cannot be declared, or undefined when it can. */
export function reservedReason(name: string): string | undefined {
  if (name === TIME) return `'t' is the time symbol`;
  if (MATH_CONSTANTS.has(name)) return `'${name}' is the mathematical constant ${name === 'pi' ? 'π' : 'e'}`;
  if (FUNCTION_NAMES.has(name)) return `'${name}' is a function name`;
  if (KEYWORDS.has(name)) return `'${name}' is a C++ keyword`;
  if (MATHJS.has(name)) return `'${name}' is a reserved word in equations`;
  return undefined;
}

/** Why `name` is not a valid identifier, or undefined when it is one. */
export function invalidNameReason(name: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  if ([...name].length > MAX_NAME_LENGTH) return `names are at most ${MAX_NAME_LENGTH} characters (this one has ${[...name].length})`;
  if (IDENTIFIER.test(name)) return undefined;
  const chars = [...name];
  const badIndex = chars.findIndex((c, i) => !(i === 0 ? /[A-Za-z]/ : /[A-Za-z0-9_]/).test(c));
  const bad = chars[badIndex];
  if (badIndex === 0 && /[0-9_]/.test(bad)) return 'names must start with an ASCII letter';
  const shown = /\p{L}|\p{N}/u.test(bad) ? `'${bad}' (${codePointName(bad)}), which is not an ASCII letter or digit` : `${codePointName(bad)}`;
  return `names may only use ASCII letters, digits and '_' (pattern [A-Za-z][A-Za-z0-9_]*), and this one contains ${shown}`;
}

/**
 * Checks a name a user declares or assigns; throws INVALID_NAME or
 * RESERVED_NAME. `context` says where it came from ("states", "equation line 3 (...)").
 */
export function checkDeclaredName(name: string, context: string, details: Record<string, unknown>): void {
  const invalid = invalidNameReason(name);
  if (invalid !== undefined) {
    throw new CubieError('INVALID_NAME', `Invalid name '${showText(name, 40)}' in ${context}: ${invalid}`, { ...details, symbol: name });
  }
  const reserved = reservedReason(name);
  if (reserved !== undefined) {
    throw new CubieError('RESERVED_NAME', `Reserved name '${name}' in ${context}: ${reserved} and cannot be used as a name`, { ...details, symbol: name });
  }
}
