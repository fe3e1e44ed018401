/**
 * The C++ for a system's noise, namespace cubie_noise, emitted only for a
 * system with noise (so a system without any keeps its kernel text):
 *
 *   G[j*n_states + i] = g_ij                  diffusion(): every step
 *   c_i = 1/2 sum_j (L^j g^j)_i               drift_correction(): Stratonovich only
 *   L[k*n_states + i] = (L^a g^b)_i, a <= b   milstein_pairs(): Milstein-type methods
 *
 * with the pairs (a, b) in the order (0,0), (0,1), ..., (0,M-1), (1,1), ...
 * Like the drift, every entry is lowered and emitted through emitBody: user
 * text never reaches the output as code.
 */
import type { Expr } from '../system/expr';
import type { SystemModel } from '../system/model';
import { noiseDerivatives } from '../system/noise-derivatives';
import type { Precision } from '../system/types';
import { emitBody } from './cpp-function';
import { Lowering } from './lower';

const PARAMS = 'const real* __restrict__ y, const real* __restrict__ p, const real* __restrict__ d, real t';

export interface NoiseSourceOptions {
  precision: Precision;
  /** Emit drift_correction(): the system is Stratonovich and is solved as the equivalent Itô system. */
  stratonovich: boolean;
  /** Emit milstein_pairs(). */
  milstein: boolean;
}

/** The number of pairs a <= b of M processes. */
export function pairCount(m: number): number {
  return (m * (m + 1)) / 2;
}

export function generateNoiseSource(model: SystemModel, options: NoiseSourceOptions): string {
  const noise = model.noise;
  if (noise === undefined) return '';
  const b = model.builder;
  const n = model.stateNames.length;
  const m = noise.processNames.length;
  const derivatives = noiseDerivatives(model);
  const lowering = new Lowering(b);
  const emit = (values: readonly Expr[], target: (k: number) => string): string[] =>
    emitBody({ outputs: lowering.lower(values).map((value, k) => ({ target: target(k), value })), labels: new Map(), precision: options.precision });
  const real = options.precision === 'float32' ? 'float' : 'double';
  const sections: string[][] = [
    [
      '#include "cubie/sde.h"',
      `// The noise of the system above: ${m} Wiener process${m === 1 ? '' : 'es'}, ${noise.structure} (${noise.commutative ? 'commutative' : 'not shown commutative'}), ${noise.calculus}.`,
      'namespace cubie_noise {',
      `typedef cubie::lanes_of<${real}> real;`,
      `constexpr int n_processes = ${m};`,
    ],
    [
      '// G[j*n_states + i] = g_ij: process j\'s effect on state i (every entry written).',
      `CUBIE_FN void diffusion(${PARAMS}, real* __restrict__ G) {`,
      '  (void)y; (void)p; (void)d; (void)t;',
      ...emit(derivatives.diffusion.flat(), (k) => `G[${k}]`),
      '}',
    ],
  ];
  if (options.stratonovich) {
    const correction = Array.from({ length: n }, (_, i) =>
      derivatives.milstein.reduce<Expr>((sum, column) => b.add(sum, column[i]), b.zero));
    sections.push([
      '// Stratonovich to Ito: the Ito drift is f + c, c_i = 1/2 sum_j (L^j g^j)_i.',
      `CUBIE_FN void drift_correction(${PARAMS}, real* __restrict__ c) {`,
      '  (void)y; (void)p; (void)d; (void)t;',
      ...emit(correction.map((e) => b.mul(b.num(0.5), e)), (i) => `c[${i}]`),
      '}',
    ]);
  }
  if (options.milstein) {
    const pairs: Expr[] = [];
    for (let a = 0; a < m; a++) {
      for (let c = a; c < m; c++) pairs.push(...(a === c ? derivatives.milstein[a] : derivatives.lie(a, c)));
    }
    sections.push([
      '// L[k*n_states + i] = (L^a g^b)_i = sum_k g_ka d g_ib / d x_k for the k-th pair a <= b.',
      `CUBIE_FN void milstein_pairs(${PARAMS}, real* __restrict__ L) {`,
      '  (void)y; (void)p; (void)d; (void)t;',
      ...emit(pairs, (k) => `L[${k}]`),
      '}',
    ]);
  }
  sections.push(['} // namespace cubie_noise']);
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
