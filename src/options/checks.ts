/**
 * Context-free checks of one option's value, shared by the table of options
 * and the readers that apply defaults. Each throws INVALID_OPTION naming the
 * option; checks that need the system (variable names, tolerances by state,
 * driver names) live with the code that has it.
 */
import { CubieError } from '../shared/errors';
import { nearestName } from '../shared/suggest';

export type OptionCheck = (value: unknown, name: string) => void;

export function optionError(option: string, message: string): never {
  throw new CubieError('INVALID_OPTION', `Option '${option}' ${message}`, { where: option });
}

export const positive: OptionCheck = (value, name) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) optionError(name, `must be a positive finite number (got ${String(value)})`);
};

export const nonNegative: OptionCheck = (value, name) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) optionError(name, `must be a finite number >= 0 (got ${String(value)})`);
};

export const finite: OptionCheck = (value, name) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) optionError(name, `must be a finite number (got ${String(value)})`);
};

export function oneOfValues(allowed: readonly string[]): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      const hint = typeof value === 'string' ? nearestName(value, allowed) : undefined;
      optionError(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${JSON.stringify(value)})${hint ? `; did you mean '${hint}'?` : ''}`);
    }
  };
}

export const stringArray: OptionCheck = (value, name) => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) optionError(name, 'must be an array of strings');
};

export function positiveInteger(max = Number.MAX_SAFE_INTEGER): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      optionError(name, `must be a whole number from 1 to ${max} (got ${String(value)})`);
    }
  };
}

/** A whole number from min to max (int32 counts in the kernel). */
export function wholeNumber(min: number, max = 2 ** 31 - 1): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      optionError(name, `must be a whole number from ${min} to ${max} (got ${String(value)})`);
    }
  };
}

export const text: OptionCheck = (value, name) => {
  if (typeof value !== 'string') optionError(name, `must be a string (got ${JSON.stringify(value)})`);
};

export const callback: OptionCheck = (value, name) => {
  if (typeof value !== 'function') optionError(name, `must be a function (got ${typeof value})`);
};

export const abortSignal: OptionCheck = (value, name) => {
  if (typeof value !== 'object' || value === null || typeof (value as AbortSignal).aborted !== 'boolean') optionError(name, 'must be an AbortSignal');
};

export const numberList: OptionCheck = (value, name) => {
  const isList = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isList || Array.prototype.some.call(value, (v: unknown) => typeof v !== 'number' || !Number.isFinite(v))) {
    optionError(name, 'must be an array of finite numbers');
  }
};

/** Checked where the system is known (names, tolerances by state, driver samples); here anything passes. */
export const inContext: OptionCheck = () => undefined;
