/**
 * Command-line arguments: `--flag`, `--name value` and `--name=value`, checked
 * against each command's table so that a typo is an error naming the nearest
 * flag, never silently ignored.
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';

/** 'switch': takes no value; 'value': takes one (the last one given wins). */
export type FlagKind = 'switch' | 'value';

export interface ParsedArgs {
  positional: string[];
  switches: Set<string>;
  values: Map<string, string>;
}

/** A mistake on the command line: main() prints it with the command's usage and exits 2. */
export function usageError(command: string, message: string, where?: string): CubieError {
  return new CubieError('INVALID_OPTION', message, { where: where ?? command, usage: true, command });
}

export function parseArgs(command: string, args: readonly string[], flags: Readonly<Record<string, FlagKind>>): ParsedArgs {
  const out: ParsedArgs = { positional: [], switches: new Set(), values: new Map() };
  let onlyPositional = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPositional || !arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositional = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = flags[name];
    if (kind === undefined) {
      throw usageError(command, `unknown option '${name}' for 'cubie ${command}'${didYouMean(name, Object.keys(flags))}`, name);
    }
    if (kind === 'switch') {
      if (eq > 0) throw usageError(command, `${name} takes no value`, name);
      out.switches.add(name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw usageError(command, `${name} needs a value`, name);
    out.values.set(name, value);
  }
  return out;
}

/** A whole number >= min from a flag, or undefined when the flag is absent. */
export function wholeNumberFlag(command: string, parsed: ParsedArgs, name: string, min: number): number | undefined {
  const text = parsed.values.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw usageError(command, `${name} must be a whole number >= ${min}, got '${text}'`, name);
  }
  return value;
}

/** A whole-number flag with K/M/G suffixes (powers of 1024), for sizes. */
export function byteSizeFlag(command: string, parsed: ParsedArgs, name: string): number | undefined {
  const text = parsed.values.get(name);
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?)?$/i.exec(text.trim());
  const scale: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };
  if (match === null) throw usageError(command, `${name} must be a size such as 64M or 1G, got '${text}'`, name);
  const bytes = Math.floor(Number(match[1]) * (match[2] ? scale[match[2][0].toLowerCase()] : 1));
  if (!(bytes >= 1)) throw usageError(command, `${name} must be at least 1 byte, got '${text}'`, name);
  return bytes;
}
