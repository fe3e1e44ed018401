/**
 * One explicit Runge–Kutta step straight from the tableau, in double
 * precision: what the generated C++ must agree with.
 */
import type { ButcherTableau } from '../../../src/methods/tableau';

export type Rhs = (t: number, y: readonly number[]) => number[];

export interface StepResult {
  yNew: number[];
  /** f(t + h, yNew) for FSAL methods. */
  f1?: number[];
  /** The scaled error norm, 0 without an estimate. */
  norm: number;
}

export function referenceStep(
  m: ButcherTableau,
  f: Rhs,
  t: number,
  h: number,
  y: readonly number[],
  atol: readonly number[],
  rtol: readonly number[],
): StepResult {
  const n = y.length;
  const combine = (weights: readonly number[], k: number[][]): number[] =>
    Array.from({ length: n }, (_, i) => h * weights.reduce((sum, w, j) => sum + w * k[j][i], 0));
  const k: number[][] = [f(t, y)];
  for (let s = 1; s < m.b.length; s++) {
    const increment = combine(m.a[s], k);
    k.push(f(t + m.c[s] * h, y.map((yi, i) => yi + increment[i])));
  }
  const increment = combine(m.b, k);
  const yNew = y.map((yi, i) => yi + increment[i]);
  const rms = (err: number[]): number =>
    Math.sqrt(err.reduce((sum, e, i) => sum + (e / (atol[i] + rtol[i] * Math.max(Math.abs(y[i]), Math.abs(yNew[i])))) ** 2, 0) / n);
  const e = m.errorEstimator;
  let norm = 0;
  if (e.kind === 'embedded') norm = rms(combine(e.weights, k));
  if (e.kind === 'combined-5-3') {
    const err5 = rms(combine(e.fifth, k));
    const err3 = rms(combine(e.third, k));
    const denominator = err5 * err5 + 0.01 * err3 * err3;
    norm = denominator > 0 ? (err5 * err5) / Math.sqrt(denominator) : 0;
  }
  return { yNew, f1: m.fsal ? k[k.length - 1] : undefined, norm };
}
