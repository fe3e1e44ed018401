/**
 * Strong order on geometric Brownian motion, dx = mu x dt + sigma x dW, whose
 * exact solution on the run's own path is x0 exp((mu - sigma^2/2) t + sigma W(t))
 * with W(1) read from the run's 'wiener' output. Every dt = 2^-4 .. 2^-8 walks
 * the same tree (brownianTolerance = 2^-8, points on every step), so the runs
 * differ only in dt. The error is the mean over R runs of |x_N - x(1)|; its
 * least-squares slope in log2(dt) is the observed strong order. Bounds: Euler–
 * Maruyama 0.5 +- 0.15, Milstein 1.0 +- 0.15 (with R = 4000 the slope's sampling
 * spread is a few hundredths).
 */
import { Solver } from '../../src';
import { slope } from '../support/fit';

const gbm = { name: 'gbm', equations: 'dx = mu*x', states: { x: 1 }, parameters: { mu: 1.5, sigma: 1 }, noise: { x: 'sigma*x' } };
const R = 4000;
const DTS = [4, 5, 6, 7, 8].map((k) => 2 ** -k);


async function strongErrors(method: string, stratonovich = false): Promise<number[]> {
  const { mu, sigma } = gbm.parameters;
  const system = stratonovich ? { ...gbm, name: 'gbm_stratonovich', calculus: 'stratonovich' as const } : gbm;
  // Stratonovich: x0 exp(mu t + sigma W(t)), no Itô correction in the exponent.
  const exponentDrift = stratonovich ? mu : mu - sigma ** 2 / 2;
  const solver = new Solver(system, { backend: 'cpu', method, outputTypes: ['state', 'wiener'] });
  const errors: number[] = [];
  for (const dt of DTS) {
    const result = await solver.solve({ x: new Float64Array(R).fill(1) }, undefined, { duration: 1, dt, brownianTolerance: 2 ** -8, seed: 7 });
    expect(result.status.every((s) => s === 0)).toBe(true);
    let sum = 0;
    for (let r = 0; r < R; r++) {
      const x = result.timeDomain[(1 * 2 + 0) * R + r];
      const w = result.timeDomain[(1 * 2 + 1) * R + r];
      sum += Math.abs(x - Math.exp(exponentDrift + sigma * w));
    }
    errors.push(sum / R);
  }
  return errors;
}

describe('strong order on geometric Brownian motion (CPU float64, R = 4000 paths, dt = 2^-4 .. 2^-8)', () => {
  it('Euler–Maruyama: about 0.5', async () => {
    const errors = await strongErrors('euler-maruyama');
    const order = slope(DTS.map(Math.log2), errors.map(Math.log2));
    console.log(`euler-maruyama strong errors ${errors.map((e) => e.toExponential(3)).join(' ')}; order ${order.toFixed(3)}`);
    expect(Math.abs(order - 0.5)).toBeLessThan(0.15);
  });

  it('Milstein: about 1', async () => {
    const errors = await strongErrors('milstein');
    const order = slope(DTS.map(Math.log2), errors.map(Math.log2));
    console.log(`milstein strong errors ${errors.map((e) => e.toExponential(3)).join(' ')}; order ${order.toFixed(3)}`);
    expect(Math.abs(order - 1)).toBeLessThan(0.15);
  });

  it('platen-w2 (weak order 2; its g(R+) - g(R-) term holds the Milstein correction): about 1', async () => {
    const errors = await strongErrors('platen-w2');
    const order = slope(DTS.map(Math.log2), errors.map(Math.log2));
    console.log(`platen-w2 strong errors ${errors.map((e) => e.toExponential(3)).join(' ')}; order ${order.toFixed(3)}`);
    expect(Math.abs(order - 1)).toBeLessThan(0.15);
  });

  it('Milstein on the Stratonovich form (solved as its Itô equivalent, drift f + 1/2 L g): about 1 toward x0 exp(mu t + sigma W)', async () => {
    const errors = await strongErrors('milstein', true);
    const order = slope(DTS.map(Math.log2), errors.map(Math.log2));
    console.log(`milstein (stratonovich) strong errors ${errors.map((e) => e.toExponential(3)).join(' ')}; order ${order.toFixed(3)}`);
    expect(Math.abs(order - 1)).toBeLessThan(0.15);
  });
});
