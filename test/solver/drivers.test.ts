import { solveIvp } from '../../src';

// x' = -x + u(t): forced by a sampled u must match the same system forced by
// u's closed form, within the interpolation error of the samples.
const forced = { name: 'forced', equations: ['dx = -x + u'], states: { x: 0 }, drivers: ['u'] };
const closedForm = { name: 'closed', equations: ['dx = -x + sin(2*pi*t) + 0.5*cos(6*pi*t)'], states: { x: 0 } };
const u = (t: number): number => Math.sin(2 * Math.PI * t) + 0.5 * Math.cos(6 * Math.PI * t);
const options = { duration: 3, saveEvery: 0.05, atol: 1e-11, rtol: 1e-11, dtMax: 0.01 };

describe('sampled drivers', () => {
  let reference: Float64Array;
  beforeAll(async () => {
    reference = (await solveIvp(closedForm, {}, {}, options)).trajectory('x', 0) as Float64Array;
  });

  // Cubic interpolation error is about (5/384) h^4 max|u''''| = 8e-6 for h = 0.01 (u'''' reaches 0.5*(6 pi)^4);
  // linear, h^2/8 max|u''| = 3e-3. x inherits errors of that size, damped by x' = -x.
  it('a cubic spline of samples every 0.01 matches the closed form within its interpolation error (1e-5)', async () => {
    const dt = 0.01;
    const samples = Array.from({ length: 301 }, (_, i) => u(i * dt));
    const x = (await solveIvp(forced, {}, {}, { ...options, drivers: { u: samples, dt } })).trajectory('x', 0);
    const worst = Math.max(...x.map((v, k) => Math.abs(v - reference[k])));
    expect(worst).toBeLessThan(1e-5);
    // Linear interpolation of the same samples is measurably worse: the order option is honoured.
    const linear = (await solveIvp(forced, {}, {}, { ...options, drivers: { u: samples, dt, order: 1 } })).trajectory('x', 0);
    const worstLinear = Math.max(...linear.map((v, k) => Math.abs(v - reference[k])));
    expect(worstLinear).toBeGreaterThan(10 * worst);
    expect(worstLinear).toBeLessThan(1e-3);
  });

  it('uneven sample times work through the search path', async () => {
    const time = Array.from({ length: 401 }, (_, i) => 3 * (i / 400) ** 1.2);
    const samples = time.map(u);
    const x = (await solveIvp(forced, {}, {}, { ...options, drivers: { u: samples, time } })).trajectory('x', 0);
    x.forEach((v, k) => expect(Math.abs(v - reference[k])).toBeLessThan(1e-5));
  });

  it('a periodic driver given over one period wraps around for three periods', async () => {
    const dt = 0.01;
    const samples = Array.from({ length: 101 }, (_, i) => u(i * dt)); // t in [0, 1], last repeats first
    const x = (await solveIvp(forced, {}, {}, { ...options, drivers: { u: samples, dt, periodic: true } })).trajectory('x', 0);
    x.forEach((v, k) => expect(Math.abs(v - reference[k])).toBeLessThan(1e-5));
  });

  it('missing or mismatched driver samples are errors that name the driver', async () => {
    await expect(solveIvp(forced, {}, {}, options)).rejects.toThrow(/has drivers \(u\); give their samples/);
    await expect(solveIvp(forced, {}, {}, { ...options, drivers: { v: [1, 2], dt: 1 } })).rejects.toThrow(/drivers.v is not a driver/);
    await expect(solveIvp(forced, {}, {}, { ...options, drivers: { u: [1, 2, 3], dt: 0.1, periodic: true } })).rejects.toThrow(/last sample must repeat the first/);
  });
});
