/**
 * The Jacobian's sparsity pattern, known when the kernel is generated, and
 * the static structure of an LU factorisation of sigma*I - J on it: a
 * fill-reducing elimination order and the positions of L and U after fill.
 * The numeric code is emitted from this (sparse-lu-source.ts), so nothing
 * about the pattern is decided at run time.
 */
import type { CubieSystem } from '../system';
import { isConstant } from '../system/expr';
import { systemDerivatives } from '../system/differentiate';
import { jacobianMayOverflow } from './jacobian-overflow';

/** Nonzero positions of J, row-major: the order `jacobian_values` writes them in. */
export interface JacobianPattern {
  n: number;
  rows: number[];
  cols: number[];
  /** Whether J may be non-finite where f is finite (jacobian-overflow.ts): SparseJacobian then gets its column fallback. */
  mayOverflow?: boolean;
  /** Whether the system reads delay() slots as inputs after its drivers (system/delays.ts). */
  delays?: boolean;
}

const patterns = new WeakMap<object, JacobianPattern>();
const structures = new WeakMap<JacobianPattern, LuStructure>();

/** Memoized per system: compile plans and the generator both ask. */
export function jacobianPattern(system: CubieSystem): JacobianPattern {
  const known = patterns.get(system.model);
  if (known !== undefined) return known;
  const jacobian = systemDerivatives(system.model).jacobian;
  const rows: number[] = [];
  const cols: number[] = [];
  jacobian.forEach((row, i) =>
    row.forEach((e, j) => {
      if (!isConstant(e, 0)) {
        rows.push(i);
        cols.push(j);
      }
    }),
  );
  const pattern = { n: jacobian.length, rows, cols, ...(jacobianMayOverflow(system.model) ? { mayOverflow: true } : {}), ...(system.model.delays !== undefined ? { delays: true } : {}) };
  patterns.set(system.model, pattern);
  return pattern;
}

/**
 * The structure of P (sigma I - J) P^T = L U with the pivots on the diagonal
 * in the order `order` (order[k]: the state eliminated k-th). rowEntries[k]
 * lists the filled row k in permuted column indices, ascending, diagonal
 * included; L is the part left of the diagonal, U the rest.
 */
export interface LuStructure {
  n: number;
  order: number[];
  rowEntries: number[][];
  /** Nonzeros of L + U (diagonal included). */
  nnz: number;
  /** Multiply-adds of one factorisation. */
  flops: number;
}

/** Row sets of the pattern plus the diagonal (sigma*I), in original indices. */
function rowSets(pattern: JacobianPattern): Set<number>[] {
  const sets = Array.from({ length: pattern.n }, (_, i) => new Set<number>([i]));
  pattern.rows.forEach((i, k) => sets[i].add(pattern.cols[k]));
  return sets;
}

/**
 * Minimum degree on the symmetrised pattern (A + A^T): eliminate the vertex
 * with fewest neighbours, join its neighbours into a clique, repeat; ties by
 * index, so the order is deterministic. Explicit elimination graphs cost
 * O(sum of degree^2), a few milliseconds for the chains and grids of a
 * thousand states this is for; a quotient-graph AMD would only be faster.
 */
export function minimumDegreeOrder(pattern: JacobianPattern): number[] {
  const n = pattern.n;
  const adjacency = Array.from({ length: n }, () => new Set<number>());
  pattern.rows.forEach((i, k) => {
    const j = pattern.cols[k];
    if (i !== j) {
      adjacency[i].add(j);
      adjacency[j].add(i);
    }
  });
  const done = new Array<boolean>(n).fill(false);
  const order: number[] = [];
  for (let step = 0; step < n; step++) {
    let best = -1;
    for (let v = 0; v < n; v++) if (!done[v] && (best < 0 || adjacency[v].size < adjacency[best].size)) best = v;
    done[best] = true;
    order.push(best);
    const neighbours = [...adjacency[best]];
    for (const u of neighbours) {
      adjacency[u].delete(best);
      for (const w of neighbours) if (w !== u) adjacency[u].add(w);
    }
    adjacency[best].clear();
  }
  return order;
}

export function naturalOrder(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Symbolic LU in the given order: row k of the filled matrix is row k of A
 * plus, for each j < k in its L part (ascending, fill included), U's row j
 * right of j. With `fill` false the structure is A's own (ILU(0)).
 */
export function luStructure(pattern: JacobianPattern, order: number[], fill = true): LuStructure {
  const n = pattern.n;
  const position = new Array<number>(n);
  order.forEach((state, k) => (position[state] = k));
  const original = rowSets(pattern);
  const rowEntries: number[][] = [];
  let flops = 0;
  for (let k = 0; k < n; k++) {
    const row = new Set([...original[order[k]]].map((c) => position[c]));
    if (fill) {
      // Ascending L indices, including fill created on the way (it is always right of the current one).
      for (let j = 0; j < k; j++) {
        if (!row.has(j)) continue;
        for (const c of rowEntries[j]) if (c > j) row.add(c);
      }
    }
    const sorted = [...row].sort((a, b) => a - b);
    rowEntries.push(sorted);
  }
  // Work: each L entry (k, j) costs one multiply and one multiply-add per U entry of row j it can reach.
  for (let k = 0; k < n; k++) {
    const here = new Set(rowEntries[k]);
    for (const j of rowEntries[k]) {
      if (j >= k) break;
      flops += 1 + rowEntries[j].filter((c) => c > j && here.has(c)).length;
    }
  }
  return { n, order, rowEntries, nnz: rowEntries.reduce((s, r) => s + r.length, 0), flops };
}

/** The factorisation cubie emits for a sparse LU: minimum degree, with fill. */
export function sparseLuStructure(pattern: JacobianPattern): LuStructure {
  let structure = structures.get(pattern);
  if (structure === undefined) {
    structure = luStructure(pattern, minimumDegreeOrder(pattern));
    structures.set(pattern, structure);
  }
  return structure;
}
