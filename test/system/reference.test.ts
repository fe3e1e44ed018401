/**
 * Generated C++ built with g++ and run, against independent numbers:
 *  - test/fixtures/system/reference.json, written by the committed script
 *    scripts/reference/system_reference.py (hand-written numpy f, analytic
 *    Jacobians checked there against scipy.differentiate),
 *  - mathjs evaluating the original equation text,
 *  - central finite differences of that mathjs evaluation.
 * Both precisions: float64 to tight tolerances, float32 to float tolerances.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem } from '../../src/system';
import type { CubieSystem, SystemDefinition } from '../../src/system';
import { systemDerivatives } from '../../src/system/differentiate';
import { evaluateExprs } from './support/evaluate-expr';
import { REPO_ROOT, tempDir } from './support/gxx';
import type { Harness, HarnessOutput, HarnessPoint } from './support/harness';
import { buildHarness } from './support/harness';
import { oracle } from './support/oracle';
import { Random } from './support/random';

interface FixturePoint {
  y: number[]; p: number[]; d: number[]; ddot: number[]; t: number;
  f: number[]; jacobian: number[][]; observables: number[]; dfdt: number[];
}
interface FixtureSystem {
  name: string;
  definition: SystemDefinition;
  jacobian_source: 'analytic' | 'scipy';
  points: FixturePoint[];
}
const fixture = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/system/reference.json'), 'utf8')) as { systems: FixtureSystem[] };

/** Non-smooth functions and conditionals; checked against mathjs, the symbolic Jacobian evaluated in JS, and finite differences away from kinks. */
const PIECEWISE: SystemDefinition = {
  name: 'piecewise',
  equations: [
    'ramp = t > 1 and not (a < 0 or b == 3) ? a - b : b != 2 ? 2*a*b : 0',
    'da = abs(a - 0.3)*b + min(a, b, c) - max(a, 2*c) + sign(b - a)*c^2',
    'db = floor(3*a)*b + ceil(2*b)*a + ramp + (0 < c <= 1 ? c^3 : -c)',
    'dc = a > 0 ? sqrt(a) * c : c/(1 + a^2) - u*b',
  ],
  states: ['a', 'b', 'c'],
  drivers: ['u'],
  observables: ['ramp'],
};

const random = new Random(7);
const systems: CubieSystem[] = [...fixture.systems.map((s) => createSystem(s.definition)), createSystem(PIECEWISE)];
const harnesses: Partial<Record<'float32' | 'float64', Harness>> = {};
let dir = '';

beforeAll(async () => {
  dir = tempDir('reference');
  const [f64, f32] = await Promise.all([buildHarness(dir, systems, 'float64'), buildHarness(dir, systems, 'float32')]);
  harnesses.float64 = f64;
  harnesses.float32 = f32;
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function harness(precision: 'float32' | 'float64'): Harness {
  const h = harnesses[precision];
  if (h === undefined) throw new Error('harness not built');
  return h;
}

function withDirection(point: Omit<HarnessPoint, 'v'>, n: number): HarnessPoint {
  return { ...point, v: Array.from({ length: n }, () => random.uniform(-1, 1)) };
}

/** max |a - b| / scale over the entries (scale >= tiny). */
function relativeError(actual: readonly number[], expected: readonly number[], scale?: number): number {
  expect(actual).toHaveLength(expected.length);
  const s = scale ?? Math.max(1e-300, ...expected.map(Math.abs));
  return Math.max(0, ...actual.map((a, i) => Math.abs(a - expected[i]) / s));
}

function matVec(J: readonly number[], v: readonly number[]): number[] {
  const n = v.length;
  return v.map((_, i) => v.reduce((sum, vj, j) => sum + J[i * n + j] * vj, 0));
}

/** Central finite differences of the mathjs evaluation: J[i][j] and df/dt along d(t) = d0 + ddot*t. */
function finiteDifferences(system: CubieSystem, point: HarnessPoint): { J: number[]; ft: number[] } {
  const n = point.y.length;
  const J = new Array<number>(n * n).fill(0);
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(point.y[j]));
    const plus = [...point.y];
    const minus = [...point.y];
    plus[j] += h;
    minus[j] -= h;
    const fp = oracle(system, { ...point, y: plus }).f;
    const fm = oracle(system, { ...point, y: minus }).f;
    for (let i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (2 * h);
  }
  const h = 1e-6 * Math.max(1, Math.abs(point.t));
  const at = (dt: number): number[] =>
    oracle(system, { ...point, t: point.t + dt, d: point.d.map((d0, k) => d0 + point.ddot[k] * dt) }).f;
  const fp = at(h);
  const fm = at(-h);
  return { J, ft: fp.map((v, i) => (v - fm[i]) / (2 * h)) };
}

describe.each(fixture.systems.map((s, index) => [s.name, index] as const))('%s (fixture from scripts/reference/system_reference.py)', (_name, index) => {
  const reference = fixture.systems[index];
  const system = systems[index];
  const n = reference.points[0].y.length;
  const points = reference.points.map((p) => withDirection(p, n));

  let f64: HarnessOutput[] = [];
  let f32: HarnessOutput[] = [];
  beforeAll(async () => {
    const requests = points.map((point) => ({ system: index, point }));
    [f64, f32] = await Promise.all([harness('float64').evaluate(requests), harness('float32').evaluate(requests)]);
  });

  it('float64 dxdt matches numpy and mathjs to 1e-13 (relative to the largest component)', () => {
    reference.points.forEach((ref, k) => {
      expect(relativeError(f64[k].dy, ref.f)).toBeLessThan(1e-13);
      expect(relativeError(f64[k].dy, oracle(system, points[k]).f)).toBeLessThan(1e-13);
    });
  });

  it(`float64 Jacobian matches the fixture (${reference.jacobian_source}) and central finite differences`, () => {
    const tolerance = reference.jacobian_source === 'analytic' ? 1e-13 : 1e-8;
    reference.points.forEach((ref, k) => {
      expect(relativeError(f64[k].J, ref.jacobian.flat())).toBeLessThan(tolerance);
      // FD error ~ h^2 f''' + eps|f|/h with h = 1e-6|y|: 1e-6 of the largest entry is ample.
      expect(relativeError(f64[k].J, finiteDifferences(system, points[k]).J)).toBeLessThan(1e-6);
    });
  });

  it('float64 Jv equals J·v and df/dt matches the fixture and a finite difference in t with drivers d0 + ddot*t', () => {
    reference.points.forEach((ref, k) => {
      expect(relativeError(f64[k].Jv, matVec(f64[k].J, points[k].v), 1 + Math.max(...f64[k].J.map(Math.abs)))).toBeLessThan(1e-14);
      const scale = 1 + Math.max(...ref.dfdt.map(Math.abs));
      expect(relativeError(f64[k].ft, ref.dfdt, scale)).toBeLessThan(1e-13);
      expect(relativeError(f64[k].ft, finiteDifferences(system, points[k]).ft, scale)).toBeLessThan(1e-6);
    });
  });

  it('float64 observables match numpy and mathjs', () => {
    reference.points.forEach((ref, k) => {
      expect(f64[k].obs).toHaveLength(system.observables.length);
      if (ref.observables.length === 0) return;
      expect(relativeError(f64[k].obs, ref.observables)).toBeLessThan(1e-13);
      expect(relativeError(f64[k].obs, oracle(system, points[k]).observables)).toBeLessThan(1e-13);
    });
  });

  it('float32 agrees with the fixture to float precision (1e-4 of the size of the terms)', () => {
    reference.points.forEach((ref, k) => {
      const J = ref.jacobian.flat();
      // Terms of f_i are of the order of |J_ij y_j|; float32 rounding is relative to them, not to f_i after cancellation.
      const termScale = Math.max(1, ...ref.f.map(Math.abs), ...J.map((Jij, idx) => Math.abs(Jij * ref.y[idx % n])));
      expect(relativeError(f32[k].dy, ref.f, termScale)).toBeLessThan(1e-4);
      expect(relativeError(f32[k].J, J, Math.max(1, ...J.map(Math.abs)))).toBeLessThan(1e-4);
      if (ref.observables.length > 0) expect(relativeError(f32[k].obs, ref.observables, termScale)).toBeLessThan(1e-4);
    });
  });
});

describe('piecewise system (conditionals, abs, min, max, sign, floor, ceil)', () => {
  const index = systems.length - 1;
  const system = systems[index];
  const sample = (): HarnessPoint => withDirection({
    y: [random.uniform(-1.5, 1.5), random.uniform(-1.5, 3.5), random.uniform(-1.5, 1.5)],
    p: [], d: [random.uniform(-1, 1)], ddot: [random.uniform(-1, 1)], t: random.uniform(0, 2),
  }, 3);
  const points = Array.from({ length: 200 }, sample);
  // Points that hit exact branch equalities, where the piecewise cases meet.
  points.push(withDirection({ y: [0.3, 3, 0.5], p: [], d: [0.2], ddot: [0.1], t: 1.5 }, 3));
  points.push(withDirection({ y: [0.5, 2, 1], p: [], d: [0.2], ddot: [0.1], t: 0.5 }, 3));
  let out: HarnessOutput[] = [];
  beforeAll(async () => {
    out = await harness('float64').evaluate(points.map((point) => ({ system: index, point })));
  });

  it('dxdt and the observable equal mathjs evaluation of the equations', () => {
    points.forEach((point, k) => {
      const expected = oracle(system, point);
      expect(relativeError(out[k].dy, expected.f, 1 + Math.max(...expected.f.map(Math.abs)))).toBeLessThan(1e-14);
      expect(relativeError(out[k].obs, expected.observables, 1 + Math.abs(expected.observables[0]))).toBeLessThan(1e-14);
    });
  });

  it('the C++ Jacobian equals the symbolic Jacobian evaluated in JavaScript', () => {
    const jacobian = systemDerivatives(system.model).jacobian.flat();
    points.forEach((point, k) => {
      const expected = evaluateExprs(jacobian, { state: point.y, driver: point.d, time: point.t });
      expect(relativeError(out[k].J, expected, 1 + Math.max(...expected.map(Math.abs)))).toBeLessThan(1e-14);
    });
  });

  it('the Jacobian matches finite differences wherever two step sizes agree (i.e. away from kinks)', () => {
    let compared = 0;
    points.forEach((point, k) => {
      const coarse = finiteDifferences(system, point).J;
      const halfStep = halfStepDifferences(system, point);
      coarse.forEach((value, idx) => {
        if (Math.abs(value - halfStep[idx]) > 1e-6 * (1 + Math.abs(value))) return;
        compared++;
        expect(Math.abs(out[k].J[idx] - value)).toBeLessThan(1e-5 * (1 + Math.abs(value)));
      });
    });
    // Kinks are rare: nearly every entry must have been compared.
    expect(compared).toBeGreaterThan(0.95 * points.length * 9);
  });

  it('Jv = J·v', () => {
    points.forEach((point, k) => {
      expect(relativeError(out[k].Jv, matVec(out[k].J, point.v), 1 + Math.max(...out[k].J.map(Math.abs)))).toBeLessThan(1e-14);
    });
  });
});

/** Central differences with half the step of finiteDifferences: where they disagree, a kink is within reach. */
function halfStepDifferences(system: CubieSystem, point: HarnessPoint): number[] {
  const n = point.y.length;
  const J = new Array<number>(n * n).fill(0);
  for (let j = 0; j < n; j++) {
    const h = 0.5e-6 * Math.max(1, Math.abs(point.y[j]));
    const plus = [...point.y];
    const minus = [...point.y];
    plus[j] += h;
    minus[j] -= h;
    const fp = oracle(system, { ...point, y: plus }).f;
    const fm = oracle(system, { ...point, y: minus }).f;
    for (let i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (2 * h);
  }
  return J;
}
