/**
 * When each stage derivative k_j is last needed. A generated stepper keeps
 * k_j in its own array only until then and hands the storage to a later
 * stage, so a step holds no more stage arrays than its tableau requires.
 */
import type { ButcherTableau } from './tableau';

/**
 * For each stage j (0-based), the last stage i whose input y + dt * sum a_ij k_j
 * reads k_j; `stages` when the new solution or the error estimate reads it;
 * -1 when nothing does.
 */
export function lastReads(tableau: ButcherTableau): number[] {
  const stages = tableau.b.length;
  const estimator = tableau.errorEstimator;
  const errorWeights: (readonly number[])[] =
    estimator.kind === 'embedded' ? [estimator.weights] : estimator.kind === 'combined-5-3' ? [estimator.fifth, estimator.third] : [];
  return Array.from({ length: stages }, (_, j) => {
    if (tableau.b[j] !== 0 || errorWeights.some((w) => w[j] !== 0)) return stages;
    for (let i = stages - 1; i > j; i--) if (tableau.a[i][j] !== 0) return i;
    return -1;
  });
}
