/**
 * Rooted trees and the Runge–Kutta order conditions they stand for
 * (Butcher; Hairer, Norsett & Wanner I, II.2): a method with weights w has
 * order p when, for every rooted tree t with at most p vertices,
 *   Phi(t) = sum_i w_i phi_i(t) = 1 / gamma(t),
 * where phi_i(leaf) = 1, phi_i([t1..tm]) = prod_k sum_j a_ij phi_j(tk), and
 * gamma([t1..tm]) = |t| * prod_k gamma(tk).
 */

export interface RootedTree {
  readonly id: number;
  /** Number of vertices. */
  readonly order: number;
  /** Ids of the subtrees hanging from the root, non-increasing: one canonical form per tree. */
  readonly children: readonly number[];
  readonly density: number;
}

/** All rooted trees with 1..maxOrder vertices, by increasing order; children precede parents. */
export function rootedTrees(maxOrder: number): RootedTree[] {
  const trees: RootedTree[] = [];
  // Multisets of existing trees (ids non-increasing, none above maxId) whose orders sum to `total`.
  const forests = (total: number, maxId: number): number[][] => {
    if (total === 0) return [[]];
    const out: number[][] = [];
    for (let id = maxId; id >= 0; id--) {
      if (trees[id].order > total) continue;
      for (const rest of forests(total - trees[id].order, id)) out.push([id, ...rest]);
    }
    return out;
  };
  for (let order = 1; order <= maxOrder; order++) {
    for (const children of forests(order - 1, trees.length - 1)) {
      const density = children.reduce((g, id) => g * trees[id].density, order);
      trees.push({ id: trees.length, order, children, density });
    }
  }
  return trees;
}

export interface ConditionResidual {
  tree: RootedTree;
  /** Phi(t) - 1/gamma(t). */
  residual: number;
  /** Phi(t) with every coefficient replaced by its magnitude: bounds the rounding in `residual`. */
  magnitude: number;
}

/** Phi(t) - 1/gamma(t) for each tree, for the method (a, weights). */
export function orderConditionResiduals(
  a: readonly (readonly number[])[],
  weights: readonly number[],
  trees: readonly RootedTree[],
): ConditionResidual[] {
  const stages = weights.length;
  const absA = a.map((row) => row.map(Math.abs));
  // A * phi(t), memoised by tree id, for the signed and the absolute tableau.
  const aTimes = (m: readonly (readonly number[])[], phi: number[]): number[] =>
    Array.from({ length: stages }, (_, i) => m[i].reduce((sum, aij, j) => sum + aij * phi[j], 0));
  const phi: number[][] = [];
  const absPhi: number[][] = [];
  const aPhi: number[][] = [];
  const absAPhi: number[][] = [];
  return trees.map((tree) => {
    phi[tree.id] = Array.from({ length: stages }, (_, i) => tree.children.reduce((p, id) => p * aPhi[id][i], 1));
    absPhi[tree.id] = Array.from({ length: stages }, (_, i) => tree.children.reduce((p, id) => p * absAPhi[id][i], 1));
    aPhi[tree.id] = aTimes(a, phi[tree.id]);
    absAPhi[tree.id] = aTimes(absA, absPhi[tree.id]);
    const value = weights.reduce((sum, w, i) => sum + w * phi[tree.id][i], 0);
    const magnitude = weights.reduce((sum, w, i) => sum + Math.abs(w) * absPhi[tree.id][i], 0);
    return { tree, residual: value - 1 / tree.density, magnitude };
  });
}

/**
 * Phi(t) - 1/gamma(t) for each tree, for a Rosenbrock method written with
 * alpha_ij (the stage inputs) and gamma_ij (the coupling through J), the
 * untransformed form of Hairer & Wanner II, IV.7 (7.4). Its conditions are
 * the Runge–Kutta ones with one change: a vertex with exactly one child
 * reaches it through beta = alpha + Gamma (J f' terms), diagonal gamma_ii
 * included, and a vertex with several children through alpha (f'' and
 * higher). With beta's diagonal in, the right-hand sides are 1/gamma(t), as
 * for Runge–Kutta methods; Table 7.1's forms, with gamma polynomials on the
 * right, are the same conditions with the diagonal moved across.
 */
export function rosenbrockConditionResiduals(
  alpha: readonly (readonly number[])[],
  beta: readonly (readonly number[])[],
  weights: readonly number[],
  trees: readonly RootedTree[],
): ConditionResidual[] {
  const stages = weights.length;
  const times = (m: readonly (readonly number[])[], phi: readonly number[]): number[] =>
    Array.from({ length: stages }, (_, i) => m[i].reduce((sum, x, j) => sum + x * phi[j], 0));
  const abs = (m: readonly (readonly number[])[]): number[][] => m.map((row) => row.map(Math.abs));
  const [absAlpha, absBeta] = [abs(alpha), abs(beta)];
  const phi: number[][] = [];
  const absPhi: number[][] = [];
  return trees.map((tree) => {
    const single = tree.children.length === 1;
    const [m, absM] = single ? [beta, absBeta] : [alpha, absAlpha];
    const factors = tree.children.map((id) => times(m, phi[id]));
    const absFactors = tree.children.map((id) => times(absM, absPhi[id]));
    phi[tree.id] = Array.from({ length: stages }, (_, i) => factors.reduce((p, f) => p * f[i], 1));
    absPhi[tree.id] = Array.from({ length: stages }, (_, i) => absFactors.reduce((p, f) => p * f[i], 1));
    const value = weights.reduce((sum, w, i) => sum + w * phi[tree.id][i], 0);
    const magnitude = weights.reduce((sum, w, i) => sum + Math.abs(w) * absPhi[tree.id][i], 0);
    return { tree, residual: value - 1 / tree.density, magnitude };
  });
}
