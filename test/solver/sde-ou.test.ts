/**
 * Ornstein–Uhlenbeck by Euler–Maruyama against the exact moments at t = 1:
 *   dx = theta (mu - x) dt + sigma dW,  x(0) = x0
 *   E x(t) = mu + (x0 - mu) e^{-theta t},  Var x(t) = sigma^2 / (2 theta) (1 - e^{-2 theta t}).
 * 10^5 replicates (one run each, run index = stream), dt = 2^-8: Euler–Maruyama's
 * bias at this dt is about 0.35 standard errors in the mean and 0.3% in the
 * variance, well inside the bounds (5 standard errors; 3% and 5 standard errors
 * of the sample variance, sd = Var sqrt(2 / (n - 1)) for a normal sample).
 * The Brownian tree's points fall on the steps (brownianTolerance = dt), so
 * each increment is exactly N(0, dt).
 */
import { Solver } from '../../src';

const ou = {
  name: 'ou',
  equations: 'dx = theta*(mu - x)',
  states: { x: 1 },
  parameters: { theta: 1, mu: 0.5, sigma: 0.8 },
  noise: { x: 'sigma' },
};
const N = 100_000;

function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return { mean, variance: ss / (values.length - 1) };
}

describe('Ornstein–Uhlenbeck, Euler–Maruyama, CPU float64', () => {
  it(`mean and variance at t = 1 over ${N} replicates, and the saved Wiener path`, async () => {
    const { theta, mu, sigma } = ou.parameters;
    const x0 = 2;
    const solver = new Solver(ou, { backend: 'cpu', method: 'em', outputTypes: ['state', 'wiener'] });
    const dt = 2 ** -8;
    const result = await solver.solve({ x: new Float64Array(N).fill(x0) }, undefined, { duration: 1, saveEvery: 0.5, dt, brownianTolerance: dt, seed: 20261205 });
    expect(result.seed).toBe(20261205);
    expect(result.variables).toEqual(['x', 'W.x']);
    expect(result.shape).toEqual([3, 2, N]);
    expect(result.status.every((s) => s === 0)).toBe(true);

    const at = (k: number, v: number) => result.timeDomain.subarray((k * 2 + v) * N, (k * 2 + v + 1) * N);
    const x1 = moments(at(2, 0));
    const exactMean = mu + (x0 - mu) * Math.exp(-theta);
    const exactVar = (sigma ** 2 / (2 * theta)) * (1 - Math.exp(-2 * theta));
    const seMean = Math.sqrt(exactVar / N);
    const seVar = exactVar * Math.sqrt(2 / (N - 1));
    console.log(`OU t = 1 over ${N}: mean ${x1.mean.toFixed(5)} (exact ${exactMean.toFixed(5)}, ${((x1.mean - exactMean) / seMean).toFixed(2)} se), variance ${x1.variance.toFixed(5)} (exact ${exactVar.toFixed(5)}, ${(100 * (x1.variance / exactVar - 1)).toFixed(2)}%)`);
    expect(Math.abs(x1.mean - exactMean)).toBeLessThan(5 * seMean);
    expect(Math.abs(x1.variance - exactVar)).toBeLessThan(Math.min(5 * seVar, 0.03 * exactVar));

    // W.x: 0 at t0, then N(0, t) with Cov(W(0.5), W(1)) = 0.5.
    expect(at(0, 1).every((w) => w === 0)).toBe(true);
    const w1 = moments(at(2, 1));
    expect(Math.abs(w1.mean)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(w1.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / (N - 1)));
    const wHalf = at(1, 1), wOne = at(2, 1);
    let cov = 0;
    for (let i = 0; i < N; i++) cov += wHalf[i] * wOne[i];
    expect(Math.abs(cov / N - 0.5)).toBeLessThan(5 * Math.sqrt(0.75 / N)); // Var(W(.5) W(1)) = 0.5*1 + 0.5^2 = 0.75
  });

  it('a drawn seed is reported, and solving again with it repeats the batch bit for bit; another seed differs', async () => {
    const solver = new Solver(ou, { backend: 'cpu', method: 'euler-maruyama', dt: 2 ** -6 });
    const y0 = { x: new Float64Array(64).fill(1) };
    const drawn = await solver.solve(y0);
    expect(Number.isSafeInteger(drawn.seed)).toBe(true);
    const again = await solver.solve(y0, undefined, { seed: drawn.seed });
    expect(Array.from(again.timeDomain)).toEqual(Array.from(drawn.timeDomain));
    const other = await solver.solve(y0, undefined, { seed: drawn.seed! + 1 });
    const differing = other.timeDomain.filter((v, i) => v !== drawn.timeDomain[i]).length;
    expect(differing).toBe(64); // every run's final state (the starts agree)
  });
});
