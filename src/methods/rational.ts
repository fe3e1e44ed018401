/**
 * Tableau coefficients as the literature writes them, read exactly.
 *
 * A coefficient is a string: an integer ('-8'), a ratio of integers
 * ('44/45', '-2090453318815827627666994432/1096684189897834170412307919')
 * or a decimal ('0.161', '-.8480655492356988544426874250230774675121e-2').
 * Each is read as an exact rational, so derived data such as the error
 * weights b - bHat are formed without rounding, and only the final value is
 * rounded, once, to the nearest double.
 */

/** A coefficient as written in a paper or a reference code. */
export type Coefficient = string;

/** num/den exactly; den > 0. Not reduced: only ever converted or compared. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const RATIO = /^([+-]?\d+)\/(\d+)$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

export function parseCoefficient(text: Coefficient): Rational {
  const trimmed = text.trim();
  const ratio = RATIO.exec(trimmed);
  if (ratio) {
    const den = BigInt(ratio[2]);
    if (den === 0n) throw new Error(`coefficient '${text}' divides by zero`);
    return { num: BigInt(ratio[1]), den };
  }
  const decimal = DECIMAL.exec(trimmed);
  if (!decimal || (decimal[2] === '' && (decimal[3] ?? '') === '')) {
    throw new Error(`'${text}' is not a coefficient (an integer, p/q, or a decimal)`);
  }
  const [, sign, whole, fraction = '', exponent = '0'] = decimal;
  const digits = BigInt(`${whole}${fraction}` || '0');
  const scale = Number(exponent) - fraction.length; // value = digits * 10^scale
  const num = scale >= 0 ? digits * 10n ** BigInt(scale) : digits;
  const den = scale >= 0 ? 1n : 10n ** BigInt(-scale);
  return { num: sign === '-' ? -num : num, den };
}

export function subtract(x: Rational, y: Rational): Rational {
  return reduce({ num: x.num * y.den - y.num * x.den, den: x.den * y.den });
}

export function add(x: Rational, y: Rational): Rational {
  return reduce({ num: x.num * y.den + y.num * x.den, den: x.den * y.den });
}

export function multiply(x: Rational, y: Rational): Rational {
  return reduce({ num: x.num * y.num, den: x.den * y.den });
}

/** As a coefficient string ('num/den'), which parseCoefficient reads back exactly. */
export function formatRational({ num, den }: Rational): Coefficient {
  return `${num}/${den}`;
}

/** Lowest terms: sums of products (polynomial expansions) would otherwise grow without bound. */
function reduce({ num, den }: Rational): Rational {
  let [a, b] = [num < 0n ? -num : num, den];
  while (b !== 0n) [a, b] = [b, a % b];
  return a <= 1n ? { num, den } : { num: num / a, den: den / a };
}

export function isZero(x: Rational): boolean {
  return x.num === 0n;
}

export function equal(x: Rational, y: Rational): boolean {
  return x.num * y.den === y.num * x.den;
}

/** The double nearest to num/den (ties to even), whatever the size of num and den. */
export function toDouble({ num, den }: Rational): number {
  if (num === 0n) return 0;
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  // Scale so that the integer quotient carries 64 or 65 significant bits:
  // 53 for the result, the rest (and the remainder) decide the rounding.
  const shift = 64 - (bitLength(magnitude) - bitLength(den));
  const scaledNum = shift >= 0 ? magnitude << BigInt(shift) : magnitude;
  const scaledDen = shift >= 0 ? den : den << BigInt(-shift);
  const quotient = scaledNum / scaledDen;
  const inexact = quotient * scaledDen !== scaledNum;
  const dropped = bitLength(quotient) - 53;
  let mantissa = quotient >> BigInt(dropped);
  const rest = quotient & ((1n << BigInt(dropped)) - 1n);
  const half = 1n << BigInt(dropped - 1);
  if (rest > half || (rest === half && (inexact || (mantissa & 1n) === 1n))) mantissa += 1n;
  const exponent = dropped - shift;
  if (exponent < -1000 || exponent > 900) {
    throw new Error(`coefficient ${num}/${den} is outside the range a tableau coefficient can have`);
  }
  // mantissa <= 2^53 and the power of two is exact, so the product is exact.
  const value = Number(mantissa) * 2 ** exponent;
  return negative ? -value : value;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}
