/**
 * The derivatives of the noise a Milstein-type stepper needs, computed once
 * per system (like systemDerivatives for the drift):
 *
 *   diffusion[j][i] = g_ij                       (process j's column)
 *   milstein[j][i]  = (L^j g^j)_i = sum_k g_kj * d g_ij / d x_k
 *
 * With commutative noise (model.noise.commutative) these are all a
 * Milstein step needs: x += f dt + sum_j g_j dW_j
 *   + 1/2 sum_j L^j g^j (dW_j^2 - dt)     (Itô; Stratonovich drops the -dt)
 *   + 1/2 sum_{a != b} L^a g^b dW_a dW_b,
 * and the cross terms L^a g^b come from `lie` on demand.
 * For a system without noise both lists are empty.
 */
import { Differentiator } from './differentiate';
import type { Expr, VarExpr } from './expr';
import type { SystemModel } from './model';
import { lieDerivative, noiseColumns } from './noise-model';

export interface NoiseDerivatives {
  /** diffusion[j][i] = g_ij, dense (zero where process j does not drive state i). */
  readonly diffusion: readonly (readonly Expr[])[];
  /** milstein[j][i] = (L^j g^j)_i. */
  readonly milstein: readonly (readonly Expr[])[];
  /** lie(a, b)[i] = (L^a g^b)_i = sum_k g_ka d g_ib / d x_k. */
  lie(a: number, b: number): readonly Expr[];
}

const cache = new WeakMap<SystemModel, NoiseDerivatives>();

export function noiseDerivatives(model: SystemModel): NoiseDerivatives {
  const cached = cache.get(model);
  if (cached !== undefined) return cached;
  const b = model.builder;
  const noise = model.noise;
  const n = model.stateNames.length;
  const m = noise?.processNames.length ?? 0;
  const columns = noiseColumns(noise?.terms ?? [], m);
  const differentiator = new Differentiator(b);
  const stateVars: VarExpr[] = model.stateNames.map((_, k) => b.variable('state', k));
  const lie = (a: number, c: number): Expr[] => {
    if (!(a >= 0 && a < m && c >= 0 && c < m)) throw new RangeError(`process index out of range: ${a}, ${c} (the system has ${m})`);
    return Array.from({ length: n }, (_, i) => lieDerivative(b, differentiator, columns[a], columns[c].get(i) ?? b.zero, stateVars));
  };
  const result: NoiseDerivatives = Object.freeze({
    diffusion: Object.freeze(columns.map((column) => Object.freeze(Array.from({ length: n }, (_, i) => column.get(i) ?? b.zero)))),
    milstein: Object.freeze(columns.map((_, j) => Object.freeze(lie(j, j)))),
    lie: (a: number, c: number) => Object.freeze(lie(a, c)),
  });
  cache.set(model, result);
  return result;
}
