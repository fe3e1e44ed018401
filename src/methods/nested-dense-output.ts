/**
 * Hairer's form of a continuous extension (dop853.f's CONTD8, dopri5.f's
 * CONTD5) rewritten as cubie's, per-stage weight polynomials b_j(theta).
 *
 * Hairer stores vectors F_0..F_m (each h times a combination of the stages)
 * and evaluates
 *   y(t + theta h) = y + theta (F_0 + (1 - theta) (F_1 + theta (F_2 + (1 - theta) (F_3 + ...))))
 * so with F_r = h sum_j w_rj k_j the extension is y + h sum_j b_j(theta) k_j,
 * b_j(theta) = theta q_0, q_r = w_rj + m_r q_(r+1), m_r = 1 - theta for even r
 * and theta for odd r. The expansion is done in exact rationals, so the
 * result is the source's coefficients, rounded once.
 */
import { add, type Coefficient, formatRational, multiply, parseCoefficient, type Rational, subtract } from './rational';

const ZERO: Rational = { num: 0n, den: 1n };
const ONE: Rational = { num: 1n, den: 1n };

/** p(theta) * (1 - theta) or p(theta) * theta, coefficients lowest power first. */
function times(p: readonly Rational[], byTheta: boolean): Rational[] {
  const shifted = [ZERO, ...p];
  return byTheta ? shifted : [...p, ZERO].map((x, k) => subtract(x, shifted[k]));
}

/**
 * The power-form rows (coefficients of theta, theta^2, ...) of each stage's b_j(theta),
 * from the weights w_r of F_0..F_m (one row per F_r, one entry per stage).
 */
export function nestedToPowers(weights: readonly (readonly Coefficient[])[]): Coefficient[][] {
  const w = weights.map((row) => row.map(parseCoefficient));
  const stages = w[0].length;
  if (w.some((row) => row.length !== stages)) throw new Error('every F_r needs one weight per stage');
  return Array.from({ length: stages }, (_, j) => {
    let q: Rational[] = [w[w.length - 1][j]];
    for (let r = w.length - 2; r >= 0; r--) {
      const inner = times(q, r % 2 === 1);
      q = inner.map((x, k) => (k === 0 ? add(x, w[r][j]) : x));
    }
    // b_j(theta) = theta q_0: q_0's coefficients are those of theta^1, theta^2, ...
    return q.map(formatRational);
  });
}

/**
 * Hairer's first three F of a non-FSAL method with s stages, over its stages, f(t + h, y_new)
 * (stage s) and any stages after it: F_0 = y_new - y = h sum b_j k_j, F_1 = h f_old - F_0,
 * F_2 = 2 F_0 - h (f_new + f_old); the rest are the method's own (dop853.f's D rows).
 */
export function hermiteLeadingRows(b: readonly Coefficient[], stages: number): Coefficient[][] {
  const bExtended = Array.from({ length: stages }, (_, j) => (j < b.length ? parseCoefficient(b[j]) : ZERO));
  const unit = (i: number): Rational[] => Array.from({ length: stages }, (_, j) => (j === i ? ONE : ZERO));
  const [fOld, fNew] = [unit(0), unit(b.length)];
  const two: Rational = { num: 2n, den: 1n };
  return [
    bExtended,
    bExtended.map((x, j) => subtract(fOld[j], x)),
    bExtended.map((x, j) => subtract(subtract(multiply(two, x), fNew[j]), fOld[j])),
  ].map((row) => row.map(formatRational));
}
