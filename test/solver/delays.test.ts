/**
 * delay(value, lag): delay differential equations against their exact
 * solutions by the method of steps. y' = -y(t - tau) with y = 1 up to t = 0
 * is, on [(n - 1) tau, n tau], the polynomial sum_{k=0}^{n} (-1)^k (t - (k - 1) tau)^k / k!.
 */
import { createSystem, Solver, StatusBits } from '../../src';
import { thrown } from '../support/thrown';

/** y(t) of y' = -y(t - tau), y = 1 for t <= 0. */
function exact(t: number, tau: number): number {
  let sum = 0;
  let factorial = 1;
  for (let k = 0; k <= Math.floor(t / tau) + 1; ++k) {
    if (k > 0) factorial *= k;
    const base = t - (k - 1) * tau;
    if (base <= 0 && k > 0) break;
    sum += ((-1) ** k * base ** k) / factorial;
  }
  return sum;
}

const decay = { name: 'dde_decay', equations: 'dy = -delay(y, tau)', states: { y: 1 }, parameters: { tau: 1 } };

function worst(times: ArrayLike<number>, values: ArrayLike<number>, reference: (t: number) => number): number {
  return Math.max(...Array.from(times, (t, i) => Math.abs(values[i] - reference(t))));
}

describe('delay differential equations (CPU backend)', () => {
  it('the reference polynomials are the method of steps', () => {
    expect(exact(0.5, 1)).toBeCloseTo(0.5, 15);
    expect(exact(1.5, 1)).toBeCloseTo(1 - 1.5 + 0.125, 15);
    expect(exact(2.5, 1)).toBeCloseTo(1 - 2.5 + 1.5 ** 2 / 2 - 0.5 ** 3 / 6, 15);
  });

  it.each(['tsit5', 'dormand-prince-54', 'rodas4', 'rodas5p', 'radau', 'kvaerno5'])('%s: y\' = -y(t - 1) to t = 4 within 1e-9 of the method of steps (rtol 1e-10)', async (method) => {
    const r = await new Solver(decay, { method, backend: 'cpu', rtol: 1e-10, atol: 1e-12 }).solve({}, {}, { duration: 4, saveEvery: 0.25 });
    expect(r.status[0]).toBe(0);
    expect(worst(r.time, r.trajectory('y', 0), (t) => exact(t, 1))).toBeLessThan(1e-9);
    // each run keeps its own past: the scalar engine, also where lanes were asked for
    expect(r.kernel.lanes).toBe(1);
  });

  it('float32: within 1e-4 of the method of steps at rtol 1e-5', async () => {
    const r = await new Solver(decay, { method: 'tsit5', precision: 'float32', backend: 'cpu', rtol: 1e-5, atol: 1e-7 }).solve({}, { tau: Float64Array.of(0.4, 1) }, { duration: 4, saveEvery: 0.25 });
    expect(Array.from(r.status)).toEqual([0, 0]);
    expect(worst(r.time, r.trajectory('y', 0), (t) => exact(t, 0.4))).toBeLessThan(1e-4);
    expect(worst(r.time, r.trajectory('y', 1), (t) => exact(t, 1))).toBeLessThan(1e-4);
  });

  it('a lag per run (a parameter sweep), interpolated saves: each run against its own polynomial', async () => {
    const tau = Float64Array.of(0.3, 0.7, 1, 2.5);
    const r = await new Solver(decay, { method: 'tsit5', backend: 'cpu', rtol: 1e-10, atol: 1e-12, saveMode: 'interpolate' }).solve({}, { tau }, { duration: 3, saveEvery: 0.1 });
    tau.forEach((lag, run) => {
      expect(r.status[run]).toBe(0);
      // (a lag of 0.3 puts polynomials of degree 11 in the past: its cubic pieces are held to the tolerance by their residual)
      expect(worst(r.time, r.trajectory('y', run), (t) => exact(t, lag))).toBeLessThan(1e-9);
    });
  });

  it('a delayed expression is the expression of the delayed states, with t - lag for t; time alone needs no past', async () => {
    const direct = createSystem({ name: 'dde_expr', equations: ['dy = -delay(2*y, tau)/2', 'dz = delay(cos(t), tau)'], states: { y: 1, z: 0 }, parameters: { tau: 0.6 } });
    const viaAuxiliary = createSystem({ name: 'dde_aux', equations: ['u = 2*y', 'dy = -delay(u, tau)/2', 'dz = delay(cos(t), tau)'], states: { y: 1, z: 0 }, parameters: { tau: 0.6 } });
    const settings = { method: 'tsit5', backend: 'cpu' as const, rtol: 1e-10, atol: 1e-12 };
    const options = { duration: 3, saveEvery: 0.5 };
    const [a, b] = await Promise.all([new Solver(direct, settings).solve({}, {}, options), new Solver(viaAuxiliary, settings).solve({}, {}, options)]);
    expect(worst(a.time, a.trajectory('y', 0), (t) => exact(t, 0.6))).toBeLessThan(1e-8);
    // z' = cos(t - 0.6): z = sin(t - 0.6) + sin(0.6)
    expect(worst(a.time, a.trajectory('z', 0), (t) => Math.sin(t - 0.6) + Math.sin(0.6))).toBeLessThan(1e-8);
    expect(Array.from(b.trajectory('y', 0))).toEqual(Array.from(a.trajectory('y', 0)));
  });

  it('an event that changes the state: the past keeps both sides of the jump', async () => {
    // y = 1 before 0; y(0.5) is set to 2. On [0, 0.5] y = 1 - t; on [0.5, 1] y = 2 - (t - 0.5);
    // on [1, 1.5] y' = -(1 - (t - 1)); on [1.5, 2] y' = -(2 - (t - 1.5)).
    const kicked = { ...decay, name: 'dde_kicked', events: [{ name: 'kick', at: [0.5], then: 'y = 2' }] };
    const y1 = 1.5;
    const y15 = y1 - (0.5 - 0.125);
    const reference = (t: number): number => {
      if (t < 0.5) return 1 - t;
      if (t <= 1) return 2 - (t - 0.5);
      if (t <= 1.5) return y1 - ((t - 1) - (t - 1) ** 2 / 2);
      return y15 - (2 * (t - 1.5) - (t - 1.5) ** 2 / 2);
    };
    for (const method of ['tsit5', 'rodas4']) {
      const r = await new Solver(kicked, { method, backend: 'cpu', rtol: 1e-10, atol: 1e-12 }).solve({}, {}, { duration: 2, saveAt: [0.25, 0.75, 1.25, 1.75, 2] });
      expect(r.status[0]).toBe(0);
      expect(worst(r.time, r.trajectory('y', 0), reference)).toBeLessThan(1e-9);
    }
  });

  it('a crossing event: located on the step, the past kept at the root', async () => {
    // y falls through 0.25 at t = 0.75 (y = 1 - t there) and is set back to 1; from then, until t = 1.75, y' = -(1 - (t - 1)) on [1, 1.75].
    const reset = { ...decay, name: 'dde_reset', events: [{ name: 'reset', when: 'y - 0.25', direction: 'falling' as const, then: 'y = 1' }] };
    const r = await new Solver(reset, { method: 'tsit5', backend: 'cpu', rtol: 1e-10, atol: 1e-12, outputTypes: ['state', 'events'] }).solve({}, {}, { duration: 1.5, saveAt: [0.5, 1, 1.5] });
    expect(r.status[0]).toBe(0);
    expect(r.events!.time[0]).toBeCloseTo(0.75, 9);
    // on [0.75, 1]: y' = -y(t - 1) = -1, y = 1 - (t - 0.75); on [1, 1.5]: y' = -(1 - (t - 1)), from y(1) = 0.75
    const reference = (t: number): number => (t <= 0.75 ? 1 - t : t <= 1 ? 1 - (t - 0.75) : 0.75 - ((t - 1) - (t - 1) ** 2 / 2));
    expect(worst(r.time, r.trajectory('y', 0), reference)).toBeLessThan(1e-8);
  });

  it('a lag that is not positive, a fixed dt longer than the lag, or a past older than the history kept: that run ends with DELAY', async () => {
    const sweep = await new Solver(decay, { method: 'tsit5', backend: 'cpu' }).solve({}, { tau: Float64Array.of(1, 0, -1, 0.5) }, { duration: 2 });
    expect(Array.from(sweep.status)).toEqual([0, StatusBits.DELAY, StatusBits.DELAY, 0]);
    const fixed = await new Solver(decay, { method: 'rk4', backend: 'cpu', dt: 0.25 }).solve({}, { tau: Float64Array.of(0.2, 0.25, 0.5) }, { duration: 1 });
    expect(Array.from(fixed.status)).toEqual([StatusBits.DELAY, 0, 0]);
    // 4 points cannot cover a lag of 1 at steps of at most 0.01
    const short = await new Solver(decay, { method: 'tsit5', backend: 'cpu', delayHistory: 4 }).solve({}, {}, { duration: 2, dtMax: 0.01 });
    expect(short.status[0]).toBe(StatusBits.DELAY);
    const enough = await new Solver(decay, { method: 'tsit5', backend: 'cpu', delayHistory: 128, rtol: 1e-10, atol: 1e-12 }).solve({}, {}, { duration: 2, dtMax: 0.01 });
    expect(enough.status[0]).toBe(0);
    expect(Math.abs(enough.trajectory('y', 0)[1] - exact(2, 1))).toBeLessThan(1e-9);
  });

  it('fixed steps that divide the lag: Euler and RK4 converge at their orders', async () => {
    const errorAt = async (method: string, dt: number, duration = 3): Promise<number> => {
      const r = await new Solver(decay, { method, backend: 'cpu', dt }).solve({}, {}, { duration });
      return Math.abs(r.trajectory('y', 0)[1] - exact(duration, 1));
    };
    const eulerRatio = (await errorAt('euler', 1 / 64)) / (await errorAt('euler', 1 / 128));
    const rk4Ratio = (await errorAt('rk4', 1 / 4, 6)) / (await errorAt('rk4', 1 / 8, 6));
    expect(eulerRatio).toBeGreaterThan(1.8);
    expect(eulerRatio).toBeLessThan(2.2);
    // to t = 3 the solution is a cubic, which RK4 and the cubic Hermite past integrate exactly; to t = 6 it is not
    expect(rk4Ratio).toBeGreaterThan(12);
  });

  it('errors name the line: a lag that reads a state or t, a driver or a delay inside delay(), the argument count, noise', () => {
    const base = { name: 'dde_bad', states: { y: 1 }, parameters: { tau: 1 } };
    const cases: [object, RegExp][] = [
      [{ ...base, equations: 'dy = -delay(y, y)' }, /lag of delay\(\) in equation line 1.*reads a state/],
      [{ ...base, equations: 'dy = -delay(y, t)' }, /reads the time t/],
      [{ ...base, equations: 'dy = -delay(y, 0)' }, /lag of delay\(\).* is 0; a delay must be positive/],
      [{ ...base, equations: 'dy = -delay(delay(y, tau), tau)' }, /delay\(\) inside delay\(\)/],
      [{ ...base, equations: 'dy = -delay(u, tau)', drivers: ['u'] }, /reads a driver/],
      [{ ...base, equations: 'dy = -delay(y)' }, /'delay' takes 2 arguments .* given 1 in equation line 1/],
      [{ ...base, equations: 'dy = -delay(y, tau)', noise: { y: '0.1' } }, /noise cannot use delay\(\)/],
    ];
    for (const [definition, message] of cases) {
      const e = thrown(() => createSystem(definition as never));
      expect(e.code === 'INVALID_SYSTEM' || e.code === 'PARSE_ERROR').toBe(true);
      expect(e.message).toMatch(message);
    }
  });
});
