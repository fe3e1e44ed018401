/**
 * Newton settings are run-time arguments, a failed Newton iteration shrinks
 * the step, and failure that persists (at a fixed step, or down to dtMin)
 * stops the run with STATUS_NEWTON_FAILED.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Solver, StatusBits } from '../../src';

const vdp = { name: 'van_der_pol', equations: ['dx = v', 'dv = mu*(1 - x^2)*v - x'], states: { x: 2, v: 0 }, parameters: { mu: 1000 } };
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'stiff', 'van_der_pol.json'), 'utf8')) as {
  times: number[];
  values: number[][];
};
const T = 1000;
const xAtT = reference.values[0][reference.times.indexOf(T)];
const adaptive = { duration: T, rtol: 1e-6, atol: 1e-9, dtMax: 1e3 };
const outputs = ['state', 'iteration_counters'];

describe.each(['kvaerno5', 'radau'])('%s', (method) => {
  it('takes Newton settings at run time: same kernel, different work', async () => {
    const solver = new Solver(vdp, { method, outputTypes: outputs });
    const loose = await solver.solve(vdp.states, {}, adaptive);
    // CuBIE's snake_case spellings reach the same settings.
    const tight = await solver.solve(vdp.states, {}, { ...adaptive, newton_tolerance: 1e-6 } as never);
    expect(tight.kernel.key).toBe(loose.kernel.key);
    expect(tight.kernel.cache).toBe('memory');
    expect(tight.iterationCounters!.newtonIterations[0]).toBeGreaterThan(loose.iterationCounters!.newtonIterations[0]);
    for (const r of [loose, tight]) {
      expect(r.status[0]).toBe(0);
      expect(Math.abs(r.trajectory('x', 0)[1] - xAtT)).toBeLessThan(10 * (1e-9 + 1e-6 * Math.abs(xAtT)));
    }
  });

  it('shrinks the step when Newton fails, and still meets the tolerance', async () => {
    const solver = new Solver(vdp, { method, outputTypes: outputs });
    const plenty = await solver.solve(vdp.states, {}, adaptive);
    const two = await solver.solve(vdp.states, {}, { ...adaptive, max_newton_iters: 2 } as never);
    expect(two.status[0]).toBe(0);
    // Two iterations are too few for the steps the error allows: many are rejected and retried smaller.
    expect(two.iterationCounters!.rejected[0]).toBeGreaterThan(2 * plenty.iterationCounters!.rejected[0]);
    expect(two.iterationCounters!.accepted[0]).toBeGreaterThan(plenty.iterationCounters!.accepted[0]);
    expect(Math.abs(two.trajectory('x', 0)[1] - xAtT)).toBeLessThan(10 * (1e-9 + 1e-6 * Math.abs(xAtT)));
  });

  it('flags NEWTON_FAILED when Newton fails at dtMin', async () => {
    const solver = new Solver(vdp, { method, outputTypes: outputs });
    const r = await solver.solve(vdp.states, {}, { ...adaptive, dtMin: 1e-2, newtonMaxIters: 1 });
    expect(r.status[0]).toBe(StatusBits.NEWTON_FAILED);
    expect(r.iterationCounters!.accepted[0]).toBe(0);
    expect(Number.isNaN(r.trajectory('x', 0)[1])).toBe(true);
  });
});

describe('fixed steps', () => {
  it.each(['backwards-euler', 'kvaerno5', 'radau'])('%s: a Newton failure stops the run with NEWTON_FAILED', async (method) => {
    const solver = new Solver(vdp, { method, stepController: 'fixed', outputTypes: outputs });
    const r = await solver.solve(vdp.states, {}, { dt: 100, duration: T, newtonMaxIters: 1 });
    expect(r.status[0]).toBe(StatusBits.NEWTON_FAILED);
    expect(r.iterationCounters!.rejected[0]).toBe(1);
    // With a step small enough for Newton, the same kernel runs through.
    const small = await solver.solve(vdp.states, {}, { dt: 1e-3, duration: 1, newtonMaxIters: 4 });
    expect(small.status[0]).toBe(0);
  });
});

describe('fixed steps: a fresh Jacobian before giving up', () => {
  const robertson = {
    name: 'robertson_refresh',
    equations: ['dy1 = -k1*y1 + k3*y2*y3', 'dy2 = k1*y1 - k3*y2*y3 - k2*y2^2', 'dy3 = k2*y2^2'],
    states: { y1: 1, y2: 0, y3: 0 },
    parameters: { k1: 0.04, k2: 3e7, k3: 1e4 },
  };
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'stiff', 'robertson.json'), 'utf8')) as {
    times: number[];
    values: number[][];
  };
  // y2 = 0 at t = 0, so J(t0, y0) has no fast reaction and simplified Newton
  // with it diverges in the first step; the stage retries with the Jacobian
  // where the iteration got to (newton.h, solve_stage_refreshing).
  it('implicit midpoint runs through Robertson at dt = 1e-3 and meets the reference at t = 40', async () => {
    const solver = new Solver(robertson, { method: 'implicit-midpoint', outputTypes: outputs });
    const r = await solver.solve({}, {}, { dt: 1e-3, duration: 40, saveEvery: 40, atol: 1e-10, rtol: 1e-6 });
    expect(r.status[0]).toBe(0);
    expect(r.iterationCounters!.accepted[0]).toBe(40000);
    // One J per step and more: the refreshes where Newton failed; one LU per J (sigma is fixed).
    const counters = r.iterationCounters!;
    expect(counters.jacobianEvaluations[0]).toBeGreaterThan(40000);
    expect(counters.factorizations[0]).toBe(counters.jacobianEvaluations[0]);
    const at40 = fixture.times.indexOf(40);
    // Within the tolerance (atol + rtol |y|): second order at dt = 1e-3 does far better here.
    for (const [k, name] of ['y1', 'y2', 'y3'].entries()) {
      const expected = fixture.values[k][at40];
      const within = Math.abs(r.trajectory(name, 0)[1] - expected) <= 1e-10 + 1e-6 * Math.abs(expected);
      expect({ name, within }).toEqual({ name, within: true });
    }
  });
});

describe('Rosenbrock, matrix-free', () => {
  it('flags NEWTON_FAILED when the linear solves cannot converge, down to dtMin', async () => {
    const n = 16;
    const equations = Array.from({ length: n }, (_, j) => {
      const i = j + 1;
      return `du${i} = d*(${i === 1 ? '1' : `u${i - 1}`} - 2*u${i} + ${i === n ? '0' : `u${i + 1}`})`;
    });
    const states = Object.fromEntries(Array.from({ length: n }, (_, j) => [`u${j + 1}`, 0]));
    const solver = new Solver({ name: 'diffusion16', equations, states, parameters: { d: 1e4 } }, { method: 'rodas4', linearSolver: 'gmres', outputTypes: outputs });
    const r = await solver.solve({}, {}, { duration: 1, dtMin: 1e-3, linearMaxIters: 1 });
    expect(r.status[0]).toBe(StatusBits.NEWTON_FAILED);
    const ok = await solver.solve({}, {}, { duration: 1 });
    expect(ok.status[0]).toBe(0);
    expect(ok.iterationCounters!.linearIterations[0]).toBeGreaterThan(0);
  });
});
