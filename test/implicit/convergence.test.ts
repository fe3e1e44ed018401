import { Solver } from '../../src';
import { implicitMethodNames, resolveMethod } from '../../src/methods/registry';

// A smooth, non-stiff, nonlinear and non-autonomous problem (a forced Van der Pol
// oscillator with mu = 1/2), so that Newton iterates, the Jacobian varies, and
// Rosenbrock methods need their df/dt terms; stiff problems, where stiffly accurate
// methods may show a different order, are tested in stiff.test.ts.
const forced = { name: 'forced_vdp', equations: ['dx = v + 0.3*sin(t)', 'dv = -x + 0.5*(1 - x^2)*v'], states: { x: 1, v: 0.5 } };
const T = 2;

// Fixed steps per method: both errors in the asymptotic range (checked against a
// reference implementation of each method in numpy) and far above the Newton tolerance.
const STEPS: Record<string, number> = {
  'backwards-euler': 200,
  'crank-nicolson': 40,
  'implicit-midpoint': 40,
  'trapezoidal-dirk': 40,
  'sdirk-2-2': 40,
  kvaerno3: 20,
  kvaerno5: 10,
  rosenbrock23: 40,
  ros3p: 20,
  rodas4: 40,
  rodas5p: 20,
  radau: 5,
};

let reference: [number, number];

beforeAll(async () => {
  const solver = new Solver(forced, { method: 'dop853' });
  const r = await solver.solve(forced.states, {}, { duration: T, rtol: 1e-13, atol: 1e-13 });
  reference = [r.trajectory('x', 0)[1], r.trajectory('v', 0)[1]];
});

describe('observed order of every implicit method through the whole engine (fixed steps, float64)', () => {
  it('covers every implicit method', () => {
    expect(Object.keys(STEPS).sort()).toEqual([...implicitMethodNames()].sort());
  });

  for (const name of implicitMethodNames()) {
    const { order } = resolveMethod(name);
    it(`${name} converges with order ${order} (within 0.3)`, async () => {
      const solver = new Solver(forced, { method: name, stepController: 'fixed', duration: T });
      const errors: number[] = [];
      for (const n of [STEPS[name], 2 * STEPS[name]]) {
        // Tight tolerances make Newton converge far below the truncation error.
        const result = await solver.solve(forced.states, {}, { dt: T / n, atol: 1e-10, rtol: 1e-10 });
        expect(result.status[0]).toBe(0);
        errors.push(Math.hypot(result.timeDomain[2] - reference[0], result.timeDomain[3] - reference[1]));
      }
      const observed = Math.log2(errors[0] / errors[1]);
      expect(Math.abs(observed - order)).toBeLessThan(0.3);
      solver.close();
    });
  }
});
