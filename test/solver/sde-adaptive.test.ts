/**
 * milstein-adaptive on multiplicative noise that bursts in time,
 *   dx = -x dt + s x (1 + 20 exp(-((t - 0.5)/0.03)^2)) dW,
 * against a reference on the same Brownian path: Milstein at dt = 2^-14 (the
 * tree is the same for every dt, brownianTolerance 2^-16). R = 400 runs.
 *  - It meets its tolerance: the mean |x(1) - x_ref(1)| stays below 20 tol
 *    (the estimate is local, the error global; measured: 8.9 tol at tol = 1e-3).
 *  - Its rejected steps retry on the same path: two solves with other
 *    controller gains (other step sequences) agree with the reference alike.
 *  - Fewer steps: fixed-step Milstein needs more steps than the adaptive
 *    method's mean to reach the adaptive method's error (measured: 172 steps,
 *    each two half steps, against 2048 fixed ones).
 */
import { Solver } from '../../src';

const burst = {
  name: 'burst',
  equations: 'dx = -x',
  states: { x: 1 },
  parameters: { s: 0.5 },
  noise: { x: 's*x*(1 + 20*exp(-((t - 0.5)/0.03)^2))' },
};
const R = 400;
const y0 = { x: new Float64Array(R).fill(1) };
const common = { duration: 1, seed: 5, brownianTolerance: 2 ** -16, backend: 'cpu' as const };

async function finalStates(options: Record<string, unknown>): Promise<{ x: Float64Array; steps: number }> {
  const result = await new Solver(burst, { ...common, ...options, outputTypes: ['state', 'iteration_counters'] }).solve(y0);
  expect(result.status.every((s) => s === 0)).toBe(true);
  const accepted = result.iterationCounters!.accepted;
  const rejected = result.iterationCounters!.rejected;
  let steps = 0;
  for (let r = 0; r < R; r++) steps += accepted[r] + rejected[r];
  return { x: Float64Array.from(result.timeDomain.subarray(R, 2 * R)), steps: steps / R };
}

function meanError(x: Float64Array, reference: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < R; r++) sum += Math.abs(x[r] - reference[r]);
  return sum / R;
}

describe('milstein-adaptive (CPU float64)', () => {
  it('meets its tolerance on the run\'s own path, and takes fewer steps than fixed Milstein of the same accuracy', async () => {
    const reference = (await finalStates({ method: 'milstein', dt: 2 ** -14 })).x;
    const tol = 1e-3;
    const adaptive = await finalStates({ method: 'milstein-adaptive', atol: tol, rtol: tol });
    const error = meanError(adaptive.x, reference);
    const otherGains = await finalStates({ method: 'milstein-adaptive', atol: tol, rtol: tol, safety: 0.7, maxGain: 1.5 });
    const fixed: Array<{ dt: number; error: number }> = [];
    for (const k of [6, 7, 8, 9, 10, 11, 12]) fixed.push({ dt: 2 ** -k, error: meanError((await finalStates({ method: 'milstein', dt: 2 ** -k })).x, reference) });
    console.log(`adaptive: error ${error.toExponential(3)} in ${adaptive.steps.toFixed(1)} steps (other gains: ${meanError(otherGains.x, reference).toExponential(3)} in ${otherGains.steps.toFixed(1)}); fixed: ${fixed.map((f) => `${1 / f.dt} steps ${f.error.toExponential(3)}`).join(', ')}`);
    expect(error).toBeLessThan(20 * tol);
    expect(meanError(otherGains.x, reference)).toBeLessThan(20 * tol);
    const matching = fixed.find((f) => f.error <= error);
    expect(matching).toBeDefined();
    expect(adaptive.steps).toBeLessThan(1 / matching!.dt);
  });
});
