/**
 * Numbers as C++ literals of the kernel's precision.
 *
 * A float32 kernel must never see a double literal (that would promote the
 * whole expression to double), so its literals carry the `f` suffix; each
 * literal is the shortest decimal that reads back as exactly the intended
 * value (the double itself, or the float nearest to it).
 */
import { CubieError } from '../shared/errors';
import type { Precision } from '../system/types';

const FLOAT_MAX = 3.4028234663852886e38;

/**
 * The literal for a non-negative value; negative values are written by the
 * caller as a negation so that `a - -1.0` can never become `a--1.0`.
 */
export function cppLiteral(value: number, precision: Precision): string {
  if (!Number.isFinite(value)) throw new Error(`non-finite literal ${value}`);
  if (precision === 'float64') return withFraction(String(value));
  const f = Math.fround(value);
  if (!Number.isFinite(f)) {
    throw new CubieError(
      'INVALID_SYSTEM',
      `The constant ${value} is outside the float32 range (largest magnitude ${FLOAT_MAX}); use float64 precision or rescale the equations`,
      { where: 'precision', value },
    );
  }
  return `${withFraction(shortestFloat(f))}f`;
}

/** The shortest decimal (at most 9 significant digits) that rounds to the float `f`. */
function shortestFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let digits = 1; digits <= 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return canonicalNumber(text);
  }
  return canonicalNumber(f.toPrecision(9));
}

/** toPrecision output ("1.50e+5", "0.100") as a plain number string ("150000", "0.1"). */
function canonicalNumber(text: string): string {
  return String(Number(text));
}

/** "2" -> "2.0": C++ needs a '.' or an exponent to read a floating literal ("2f" is not one). */
function withFraction(text: string): string {
  return /[.e]/.test(text) ? text : `${text}.0`;
}
