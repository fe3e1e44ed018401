/**
 * The explicit methods' continuous extensions, from their data alone: one
 * step in plain arithmetic (the extension's extra stages included) on a
 * nonlinear, non-autonomous problem with a known solution, y' = y cos(t),
 * z' = -z^2 (y = exp(sin t), z = 1 / (1 + t)). The extension must give y_n
 * at theta = 0 and the step's y_n+1 at theta = 1, and its error inside the
 * step must scale as dt^(order + 1).
 */
import { nestedToPowers } from '../../src/methods/nested-dense-output';
import { parseCoefficient, toDouble } from '../../src/methods/rational';
import { methodNames, resolveMethod } from '../../src/methods/registry';
import type { ExplicitTableau } from '../../src/methods/tableau';

const f = (t: number, v: readonly number[]): number[] => [Math.cos(t) * v[0], -v[1] * v[1]];
const exact = (t: number): number[] => [Math.exp(Math.sin(t)), 1 / (1 + t)];
const distance = (x: readonly number[], y: readonly number[]): number => Math.hypot(...x.map((v, k) => v - y[k]));

/** One step of size h from (t, y): y_new and the extension y(t + theta h). */
function step(m: ExplicitTableau, t: number, y: readonly number[], h: number): { yNew: number[]; at: (theta: number) => number[] } {
  const combine = (weights: readonly number[], k: readonly number[][]): number[] => y.map((yi, i) => yi + h * weights.reduce((sum, w, j) => sum + w * k[j][i], 0));
  const k: number[][] = [];
  m.c.forEach((c, s) => k.push(f(t + c * h, combine(m.a[s], k))));
  const yNew = combine(m.b, k);
  const dense = m.denseOutput!;
  // Past the step's stages: f(t + h, y_new) for a method that is not FSAL, then the extra stages.
  if (dense.coefficients.length > m.b.length && !m.fsal) k.push(f(t + h, yNew));
  dense.extraStages?.a.forEach((row, i) => k.push(f(t + dense.extraStages!.c[i] * h, combine(row, k))));
  const at = (theta: number): number[] =>
    combine(
      dense.coefficients.map((row) => row.reduce((sum, x, p) => sum + x * theta ** (p + 1), 0)),
      k,
    );
  return { yNew, at };
}

const withExtension = methodNames()
  .map(resolveMethod)
  .filter((m): m is ExplicitTableau => m.family === 'explicit' && m.denseOutput !== undefined);

describe.each(withExtension.map((m) => [m.name, m] as const))('%s continuous extension', (_name, m) => {
  const dense = m.denseOutput!;

  it('returns y_n at theta = 0 and the step\'s y_n+1 at theta = 1', () => {
    const { yNew, at } = step(m, 0.3, exact(0.3), 0.1);
    expect(distance(at(0), exact(0.3))).toBe(0);
    // vern7's published weights are doubles with terms up to 1.2e3 that sum to b_j, so theta = 1
    // gives y_n+1 to about 1e-13 (2.6e-14 here); the others to rounding.
    expect(distance(at(1), yNew)).toBeLessThan(1e-13);
  });

  it(`is of order ${dense.order}: inside a step its error scales as dt^${dense.order + 1}`, () => {
    const t0 = 0.3;
    // Long enough steps that the order-7 errors stay far above rounding (2e-12 and 3e-13 at dt = 0.1),
    // short enough to be near the asymptote: from dt = 0.8 dop853's log2 ratios are 6.8, 7.3, 7.6, 7.8,
    // vern7's 8.3, 8.7, 8.7 (its step's own error here falls alike: 8.1, 8.6, 8.7; a small leading term).
    const errors = [0.2, 0.1].map((h) => {
      const { at } = step(m, t0, exact(t0), h);
      return Math.max(...[0.2, 0.4, 0.5, 0.6, 0.8].map((theta) => distance(at(theta), exact(t0 + theta * h))));
    });
    expect(Math.abs(Math.log2(errors[0] / errors[1]) - (dense.order + 1))).toBeLessThan(0.75);
  });
});

describe('nestedToPowers (Hairer\'s nested form as power-form weights)', () => {
  it('expands theta (F0 + (1 - theta) (F1 + theta F2)) exactly', () => {
    // theta (a + (1 - theta)(b + theta c)) = (a + b) theta + (c - b) theta^2 - c theta^3
    const [row] = nestedToPowers([['1/3'], ['2/7'], ['5']]);
    expect(row.map((x) => toDouble(parseCoefficient(x)))).toEqual([1 / 3 + 2 / 7, 5 - 2 / 7, -5]);
  });
});
