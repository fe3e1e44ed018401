/**
 * Weak order on geometric Brownian motion, dx = mu x dt + sigma x dW, by the
 * second moment: E x(1)^2 = x0^2 e^{2 mu + sigma^2}. The Monte Carlo error is
 * cut by a control variate with known mean: the exact solution on the run's
 * own path, X = x0 exp((mu - sigma^2/2) + sigma W(1)) from the 'wiener'
 * output, so the weak error E[x_N^2] - E[X^2] is estimated as the mean of
 * x_N^2 - X^2 over R runs, whose standard error is small against the error.
 * dt = 2^-2 .. 2^-5, least-squares slope of log2 |error|. Bounds: Euler–
 * Maruyama and Milstein 1 +- 0.3, platen-w2 2 +- 0.3; each error is also checked to be at
 * least 5 standard errors from zero, so the slope is not fitted to noise.
 */
import { Solver } from '../../src';
import { slope } from '../support/fit';

const gbm = { name: 'gbm_weak', equations: 'dx = mu*x', states: { x: 1 }, parameters: { mu: 1, sigma: 0.5 }, noise: { x: 'sigma*x' } };
const R = Number(process.env.CUBIE_WEAK_RUNS ?? 200_000);
const DTS = [2, 3, 4, 5].map((k) => 2 ** -k);


async function weakErrors(method: string): Promise<Array<{ error: number; se: number }>> {
  const { mu, sigma } = gbm.parameters;
  const solver = new Solver(gbm, { backend: 'cpu', method, outputTypes: ['state', 'wiener'] });
  const out: Array<{ error: number; se: number }> = [];
  for (const dt of DTS) {
    const result = await solver.solve({ x: new Float64Array(R).fill(1) }, undefined, { duration: 1, dt, brownianTolerance: 2 ** -5, seed: 3 });
    let sum = 0, sum2 = 0;
    for (let r = 0; r < R; r++) {
      const x = result.timeDomain[2 * R + r];
      const exact = Math.exp(mu - sigma ** 2 / 2 + sigma * result.timeDomain[3 * R + r]);
      const d = x * x - exact * exact;
      sum += d;
      sum2 += d * d;
    }
    const mean = sum / R;
    out.push({ error: mean, se: Math.sqrt((sum2 / R - mean * mean) / (R - 1)) });
  }
  return out;
}

describe(`weak order on GBM's second moment (CPU float64, R = ${R}, dt = 2^-2 .. 2^-5, control variate from the run's own W)`, () => {
  for (const [method, order] of [['euler-maruyama', 1], ['milstein', 1], ['platen-w2', 2]] as const) {
    it(`${method}: about ${order}`, async () => {
      const errors = await weakErrors(method);
      const fitted = slope(DTS.map(Math.log2), errors.map((e) => Math.log2(Math.abs(e.error))));
      console.log(`${method} weak errors ${errors.map((e) => `${e.error.toExponential(3)} (se ${e.se.toExponential(1)})`).join(', ')}; order ${fitted.toFixed(3)}`);
      for (const e of errors) expect(Math.abs(e.error)).toBeGreaterThan(5 * e.se);
      expect(Math.abs(fitted - order)).toBeLessThan(0.3);
    });
  }
});
