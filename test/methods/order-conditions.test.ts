/**
 * Every tableau checked from its data alone: row sums give c, and the
 * weights satisfy the rooted-tree order conditions up to the claimed order
 * (and violate some at the next one, so a wrong claimed order fails).
 */
import { allMethods } from '../../src/methods/registry';
import type { ButcherTableau } from '../../src/methods/tableau';
import { orderConditionResiduals, rootedTrees } from './support/rooted-trees';

// The largest residual seen is 1.0e-14 (tsit5, whose coefficients reach 13 and whose
// decimals are exact far beyond double): rounding, not the method.
const TOLERANCE = 4e-14;
// A condition counts as violated when it misses by more than this.
const VIOLATION = 1e-6;

const trees = rootedTrees(9);

/** A solution of the method to check: b itself, or an embedded bHat = b - weights. */
interface Solution {
  label: string;
  weights: readonly number[];
  order: number;
}

function solutionsOf(m: ButcherTableau): Solution[] {
  const minus = (w: readonly number[]): number[] => m.b.map((bj, j) => bj - w[j]);
  const e = m.errorEstimator;
  const solutions: Solution[] = [{ label: 'b', weights: m.b, order: m.order }];
  if (e.kind === 'embedded') solutions.push({ label: 'embedded bHat', weights: minus(e.weights), order: e.embeddedOrder });
  if (e.kind === 'combined-5-3') {
    solutions.push({ label: 'fifth-order bHat', weights: minus(e.fifth), order: 5 });
    solutions.push({ label: 'third-order bHat', weights: minus(e.third), order: 3 });
  }
  return solutions;
}

describe('rooted trees', () => {
  it('are counted as in OEIS A000081 (1, 1, 2, 4, 9, 20, 48, 115, 286)', () => {
    const counts = Array.from({ length: 9 }, (_, k) => trees.filter((t) => t.order === k + 1).length);
    expect(counts).toEqual([1, 1, 2, 4, 9, 20, 48, 115, 286]);
  });

  it('have the densities of the order-4 trees (4, 8, 12, 24)', () => {
    expect(trees.filter((t) => t.order === 4).map((t) => t.density).sort((x, y) => x - y)).toEqual([4, 8, 12, 24]);
  });
});

describe.each(allMethods().map((m) => [m.name, m] as const))('%s', (_name, m) => {
  const stages = m.b.length;

  it('is explicit and well shaped: c1 = 0, row i has i - 1 entries, every weight vector has one per stage', () => {
    expect(m.c[0]).toBe(0);
    expect(m.c).toHaveLength(stages);
    m.a.forEach((row, i) => expect(row).toHaveLength(i));
    for (const s of solutionsOf(m)) expect(s.weights).toHaveLength(stages);
  });

  it('has c_i = sum_j a_ij', () => {
    m.a.forEach((row, i) => expect(Math.abs(row.reduce((sum, x) => sum + x, 0) - m.c[i])).toBeLessThan(TOLERANCE));
  });

  if (m.fsal) {
    it('is FSAL: its last stage is at t + dt with the weights b, and b_s = 0', () => {
      expect(m.c[stages - 1]).toBe(1);
      expect(m.a[stages - 1]).toEqual(m.b.slice(0, stages - 1));
      expect(m.b[stages - 1]).toBe(0);
    });
  }

  it('has an error order consistent with its estimator', () => {
    const e = m.errorEstimator;
    if (e.kind === 'none') expect(m.errorOrder).toBe(0);
    if (e.kind === 'embedded') expect(m.errorOrder).toBe(e.embeddedOrder);
    // err5^2 / sqrt(err5^2 + 0.01 err3^2) ~ (dt^6)^2 / dt^4 = dt^8.
    if (e.kind === 'combined-5-3') expect(m.errorOrder).toBe(7);
  });

  for (const s of solutionsOf(m)) {
    const residuals = orderConditionResiduals(m.a, s.weights, trees);
    const upTo = residuals.filter((r) => r.tree.order <= s.order);

    it(`${s.label} satisfies all ${upTo.length} order conditions up to order ${s.order}`, () => {
      expect(Math.max(...upTo.map((r) => Math.abs(r.residual)))).toBeLessThan(TOLERANCE);
    });

    it(`${s.label} violates an order-${s.order + 1} condition`, () => {
      const next = residuals.filter((r) => r.tree.order === s.order + 1);
      expect(Math.max(...next.map((r) => Math.abs(r.residual)))).toBeGreaterThan(VIOLATION);
    });
  }
});
