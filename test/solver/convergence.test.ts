import { Solver } from '../../src';
import { methodNames, resolveMethod } from '../../src/methods/registry';

// The harmonic oscillator over ~3 periods: x(t) = cos t, v(t) = -sin t.
const oscillator = { name: 'convergence', equations: ['dx = v', 'dv = -x'], states: { x: 1, v: 0 } };
const T = 20;

/** Two step sizes inside each order's asymptotic regime and above roundoff (measured; see the note in the test). */
function stepSizes(order: number): [number, number] {
  if (order >= 8) return [0.8, 0.4];
  if (order >= 6) return [0.4, 0.2];
  if (order >= 2) return [0.1, 0.05];
  return [0.005, 0.0025];
}

describe('observed order of every method through the whole engine (fixed steps, float64)', () => {
  for (const name of methodNames()) {
    const { order } = resolveMethod(name);
    it(`${name} converges with order ${order} (within 0.3)`, async () => {
      const solver = new Solver(oscillator, { method: name, stepController: 'fixed', duration: T });
      const errors: number[] = [];
      for (const dt of stepSizes(order)) {
        const result = await solver.solve({ x: 1, v: 0 }, {}, { dt });
        expect(result.status[0]).toBe(0);
        const [x, v] = [result.timeDomain[2], result.timeDomain[3]];
        errors.push(Math.hypot(x - Math.cos(T), v + Math.sin(T)));
      }
      const observed = Math.log2(errors[0] / errors[1]);
      expect(Math.abs(observed - order)).toBeLessThan(0.3);
      solver.close();
    });
  }
});
