/**
 * The implicit methods checked from their data alone: shapes, row sums, the
 * Runge–Kutta order conditions of DIRK and Radau tableaus and their embedded
 * solutions, Rosenbrock order conditions (Hairer & Wanner II, IV.7, Table 7.1,
 * and by rooted trees up to order 6) after undoing the J-free transformation,
 * Rosenbrock dense outputs, and Radau's decoupling transform.
 */
import { Solver } from '../../src';
import type { RadauTableau, RosenbrockTableau } from '../../src/methods/implicit/families';
import { defaultStepController, implicitMethodNames, implicitMethods, methodNames, resolveMethod } from '../../src/methods/registry';
import type { ButcherTableau } from '../../src/methods/tableau';
import { orderConditionResiduals, rootedTrees, rosenbrockConditionResiduals } from '../methods/support/rooted-trees';

const TOLERANCE = 1e-13;
const VIOLATION = 1e-6;
const trees = rootedTrees(6);

describe('the registry', () => {
  it('lists the implicit methods after the explicit ones, under names no other method uses', () => {
    expect(implicitMethodNames()).toEqual([
      'backwards-euler', 'crank-nicolson', 'implicit-midpoint', 'trapezoidal-dirk', 'sdirk-2-2',
      'kvaerno3', 'kvaerno5', 'rosenbrock23', 'ros3p', 'rodas4', 'rodas5p', 'radau',
    ]);
    const names = [...methodNames(), ...implicitMethodNames()];
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ['implicit-euler', 'backwards-euler'],
    ['Backward-Euler', 'backwards-euler'],
    ['ros23', 'rosenbrock23'],
    ['radau5', 'radau'],
    ['RADAU-IIA-5', 'radau'],
    ['Rodas5P', 'rodas5p'],
  ])('resolves %s to %s', (alias, name) => {
    expect(resolveMethod(alias).name).toBe(name);
  });

  it.each([
    ['backwards-euler', 'fixed'], ['implicit-midpoint', 'fixed'], ['trapezoidal-dirk', 'fixed'],
    ['crank-nicolson', 'pi'], ['sdirk-2-2', 'pi'], ['kvaerno3', 'pi'], ['kvaerno5', 'pi'],
    ['rosenbrock23', 'gustafsson'], ['ros3p', 'gustafsson'], ['rodas4', 'gustafsson'], ['rodas5p', 'gustafsson'], ['radau', 'gustafsson'],
    ['tsit5', 'pi'], ['rk4', 'fixed'],
  ])('%s runs under the %s controller unless told otherwise', (name, controller) => {
    expect(defaultStepController(resolveMethod(name))).toBe(controller);
    const solver = new Solver({ name: 'decay', equations: ['dx = -x'], states: { x: 1 } }, { method: name });
    expect((solver as unknown as { settings: object }).settings).toBeDefined();
  });

  it('refuses an adaptive controller for a method without an error estimate', () => {
    expect(() => new Solver({ name: 'decay', equations: ['dx = -x'], states: { x: 1 } }, { method: 'backwards-euler', stepController: 'pi' })).toThrow(
      /no error estimate/,
    );
  });
});

/** b and any embedded bHat, with the orders they claim. */
function solutions(m: ButcherTableau): Array<{ label: string; weights: readonly number[]; order: number }> {
  const out = [{ label: 'b', weights: m.b, order: m.order }];
  const e = m.errorEstimator;
  if (e.kind === 'embedded') out.push({ label: 'bHat', weights: m.b.map((bj, j) => bj - e.weights[j]), order: e.embeddedOrder });
  return out;
}

const rungeKutta = implicitMethods().filter((m) => m.family === 'dirk' || m.family === 'firk');

describe.each(rungeKutta.map((m) => [m.name, m] as const))('%s (Runge–Kutta tableau)', (_name, m) => {
  it('is shaped as its family says', () => {
    const stages = m.b.length;
    m.a.forEach((row, i) => expect(row).toHaveLength(m.family === 'dirk' ? i + 1 : stages));
    expect(m.c).toHaveLength(stages);
    m.a.forEach((row, i) => expect(Math.abs(row.reduce((s, x) => s + x, 0) - m.c[i])).toBeLessThan(TOLERANCE));
  });

  for (const s of solutions(m)) {
    it(`${s.label} has order ${s.order}: every condition up to it holds, one of the next fails`, () => {
      const residuals = orderConditionResiduals(m.a, s.weights, trees.filter((t) => t.order <= s.order + 1));
      for (const r of residuals.filter((x) => x.tree.order <= s.order)) expect(Math.abs(r.residual)).toBeLessThan(TOLERANCE * Math.max(1, r.magnitude));
      expect(residuals.filter((x) => x.tree.order === s.order + 1).some((r) => Math.abs(r.residual) > VIOLATION)).toBe(true);
    });
  }
});

/** Undoes the J-free form: Gamma = (diag(1/gamma) - C)^-1, alpha = a Gamma, b = m Gamma. */
function untransform(m: RosenbrockTableau): { alpha: number[][]; gammaMatrix: number[][]; b: number[] } {
  const s = m.b.length;
  const inverse = Array.from({ length: s }, (_, i) => Array.from({ length: s }, (_, j) => (i === j ? 1 / m.gamma : j < i ? -m.coupling[i][j] : 0)));
  // Gamma is lower triangular: forward substitution, column by column.
  const gammaMatrix = Array.from({ length: s }, () => new Array<number>(s).fill(0));
  for (let j = 0; j < s; j++) {
    for (let i = j; i < s; i++) {
      let sum = i === j ? 1 : 0;
      for (let k = j; k < i; k++) sum -= inverse[i][k] * gammaMatrix[k][j];
      gammaMatrix[i][j] = sum / inverse[i][i];
    }
  }
  const times = (row: readonly number[]): number[] => Array.from({ length: s }, (_, j) => row.reduce((sum, x, k) => sum + x * gammaMatrix[k][j], 0));
  return { alpha: m.a.map((row) => times([...row, ...new Array<number>(s - row.length).fill(0)])), gammaMatrix, b: times(m.b) };
}

/** Residuals of Hairer & Wanner's Table 7.1 conditions of order <= 4 for weights w. */
function rosenbrockConditions(alpha: number[][], gammaMatrix: number[][], w: readonly number[], gamma: number): Array<{ order: number; residual: number }> {
  const s = w.length;
  const beta = alpha.map((row, i) => row.map((x, j) => (j < i ? x + gammaMatrix[i][j] : 0)));
  const a = alpha.map((row) => row.reduce((sum, x) => sum + x, 0)); // alpha_i
  const bp = beta.map((row) => row.reduce((sum, x) => sum + x, 0)); // beta'_i
  const sum = (f: (i: number) => number): number => Array.from({ length: s }, (_, i) => f(i)).reduce((x, y) => x + y, 0);
  const betaTimes = (v: number[]): number[] => beta.map((row) => row.reduce((acc, x, k) => acc + x * v[k], 0));
  const bbp = betaTimes(bp);
  return [
    { order: 1, residual: sum((i) => w[i]) - 1 },
    { order: 2, residual: sum((i) => w[i] * bp[i]) - (0.5 - gamma) },
    { order: 3, residual: sum((i) => w[i] * a[i] ** 2) - 1 / 3 },
    { order: 3, residual: sum((i) => w[i] * bbp[i]) - (1 / 6 - gamma + gamma ** 2) },
    { order: 4, residual: sum((i) => w[i] * a[i] ** 3) - 1 / 4 },
    { order: 4, residual: sum((i) => w[i] * a[i] * alpha[i].reduce((acc, x, k) => acc + x * bp[k], 0)) - (1 / 8 - gamma / 3) },
    { order: 4, residual: sum((i) => w[i] * betaTimes(a.map((x) => x ** 2))[i]) - (1 / 12 - gamma / 3) },
    { order: 4, residual: sum((i) => w[i] * betaTimes(bbp)[i]) - (1 / 24 - gamma / 2 + 1.5 * gamma ** 2 - gamma ** 3) },
  ];
}

const rosenbrock = implicitMethods().filter((m): m is RosenbrockTableau => m.family === 'rosenbrock');

describe.each(rosenbrock.map((m) => [m.name, m] as const))('%s (Rosenbrock)', (_name, m) => {
  const { alpha, gammaMatrix, b } = untransform(m);

  it('has stage times c_i = sum_j alpha_ij and df/dt weights gamma_i = sum_j gamma_ij', () => {
    alpha.forEach((row, i) => expect(Math.abs(row.reduce((s, x) => s + x, 0) - m.c[i])).toBeLessThan(1e-12));
    gammaMatrix.forEach((row, i) => expect(Math.abs(row.reduce((s, x) => s + x, 0) - m.timeWeights[i])).toBeLessThan(1e-12));
  });

  const e = m.errorEstimator;
  const embedded = e.kind === 'embedded' ? e : undefined;
  const bHat = untransform({ ...m, b: m.b.map((bj, j) => bj - embedded!.weights[j]) }).b;
  for (const [label, weights, order] of [['b', b, m.order], ['bHat', bHat, embedded!.embeddedOrder]] as const) {
    it(`${label} satisfies the conditions of order ${Math.min(order, 4)}${order < 4 ? ' and misses one of the next' : ''}`, () => {
      const residuals = rosenbrockConditions(alpha, gammaMatrix, weights, m.gamma);
      for (const r of residuals.filter((x) => x.order <= order)) expect(Math.abs(r.residual)).toBeLessThan(1e-12);
      if (order < 4) expect(residuals.filter((x) => x.order === order + 1).some((r) => Math.abs(r.residual) > VIOLATION)).toBe(true);
    });
  }

  // beta = alpha + Gamma, Gamma's diagonal (gamma) included.
  const beta = alpha.map((row, i) => row.map((x, j) => x + gammaMatrix[i][j]));
  for (const [label, weights, order] of [['b', b, m.order], ['bHat', bHat, embedded!.embeddedOrder]] as const) {
    it(`${label} has order ${order} by the rooted-tree conditions: every tree up to ${order} holds, one of order ${order + 1} fails`, () => {
      const residuals = rosenbrockConditionResiduals(alpha, beta, weights, trees.filter((t) => t.order <= order + 1));
      const failing = residuals.filter((r) => r.tree.order <= order && !(Math.abs(r.residual) < TOLERANCE * Math.max(1, r.magnitude)));
      expect(failing.map((r) => ({ tree: r.tree.id, residual: r.residual }))).toEqual([]);
      expect(residuals.filter((x) => x.tree.order === order + 1).some((r) => Math.abs(r.residual) > VIOLATION)).toBe(true);
    });
  }
});

describe('the rooted-tree Rosenbrock conditions', () => {
  it('say what Table 7.1 says up to order 4: rodas4 with any one coefficient of a or the coupling moved first fails at the same order under both', () => {
    const m = resolveMethod('rodas4') as RosenbrockTableau;
    const firstFailure = (residuals: Array<{ order: number; residual: number }>): number =>
      Math.min(5, ...residuals.filter((r) => Math.abs(r.residual) > VIOLATION).map((r) => r.order));
    const moved = (rows: readonly (readonly number[])[], i: number, j: number): number[][] => rows.map((row, k) => row.map((x, l) => (k === i && l === j ? x + 1e-3 : x)));
    const cases = ['a', 'coupling'].flatMap((which) =>
      m.a.flatMap((row, i) => row.map((_, j) => (which === 'a' ? { ...m, a: moved(m.a, i, j) } : { ...m, coupling: moved(m.coupling, i, j) }))),
    );
    const orders = cases.map((tableau) => {
      const { alpha, gammaMatrix, b } = untransform(tableau);
      const beta = alpha.map((row, i) => row.map((x, j) => x + gammaMatrix[i][j]));
      const byTrees = rosenbrockConditionResiduals(alpha, beta, b, trees.filter((t) => t.order <= 4)).map((r) => ({ order: r.tree.order, residual: r.residual }));
      return [firstFailure(rosenbrockConditions(alpha, gammaMatrix, b, m.gamma)), firstFailure(byTrees)];
    });
    for (const [table, byTrees] of orders) expect(byTrees).toBe(table);
    expect(orders.filter(([table]) => table <= 4).length).toBeGreaterThan(10);
  });
});

/**
 * One step of a Rosenbrock tableau in plain arithmetic on a two-state
 * problem, non-autonomous (so df/dt enters) and nonlinear, with exact
 * solution y = (exp(sin t), 1 / (1 + t)): the step and its dense output.
 */
function rosenbrockStep(m: RosenbrockTableau, t: number, y: readonly number[], h: number): { yNew: number[]; at: (theta: number) => number[] } {
  const f = (s: number, v: readonly number[]): number[] => [Math.cos(s) * v[0], -v[1] * v[1]];
  const dfdt = [-Math.sin(t) * y[0], 0];
  const diag = [1 / (h * m.gamma) - Math.cos(t), 1 / (h * m.gamma) + 2 * y[1]]; // sigma I - J, J diagonal here
  const u: number[][] = [];
  for (let i = 0; i < m.b.length; i++) {
    const input = y.map((yk, k) => yk + m.a[i].reduce((sum, aij, j) => sum + aij * u[j][k], 0));
    const rhs = f(t + m.c[i] * h, input).map((fk, k) => fk + m.coupling[i].reduce((sum, cij, j) => sum + (cij / h) * u[j][k], 0) + h * m.timeWeights[i] * dfdt[k]);
    u.push(rhs.map((r, k) => r / diag[k]));
  }
  const combine = (w: readonly number[], k: number): number => w.reduce((sum, wj, j) => sum + wj * u[j][k], 0);
  const yNew = y.map((yk, k) => yk + combine(m.b, k));
  const H = m.denseOutput!.H;
  const at = (theta: number): number[] =>
    y.map((yk, k) => {
      let inner = combine(H[H.length - 1], k);
      for (let r = H.length - 2; r >= 0; r--) inner = combine(H[r], k) + theta * inner;
      return (1 - theta) * yk + theta * (yNew[k] + (1 - theta) * inner);
    });
  return { yNew, at };
}

const withDenseOutput = rosenbrock.filter((m) => m.denseOutput !== undefined);

describe.each(withDenseOutput.map((m) => [m.name, m] as const))('%s dense output (rodas.f\'s CONTRO form; wired through the engine in test/solver/extensions.test.ts)', (_name, m) => {
  const dense = m.denseOutput!;
  const exact = (t: number): number[] => [Math.exp(Math.sin(t)), 1 / (1 + t)];
  const distance = (x: readonly number[], y: readonly number[]): number => Math.hypot(...x.map((v, k) => v - y[k]));

  it('has one entry per stage in each row of H', () => {
    for (const row of dense.H) expect(row).toHaveLength(m.b.length);
  });

  it('returns y_n at theta = 0 and y_n+1 at theta = 1', () => {
    const { yNew, at } = rosenbrockStep(m, 0.3, exact(0.3), 0.1);
    expect(distance(at(0), exact(0.3))).toBeLessThan(1e-15);
    expect(distance(at(1), yNew)).toBeLessThan(1e-15);
  });

  it(`interpolates with order ${dense.order} inside a step (error O(dt^${dense.order + 1})), and the step itself has order ${m.order}`, () => {
    const t0 = 0.3;
    const errors = [0.1, 0.05].map((h) => {
      const { yNew, at } = rosenbrockStep(m, t0, exact(t0), h);
      const inside = Math.max(...[0.2, 0.4, 0.5, 0.6, 0.8].map((theta) => distance(at(theta), exact(t0 + theta * h))));
      return { step: distance(yNew, exact(t0 + h)), inside };
    });
    expect(Math.abs(Math.log2(errors[0].inside / errors[1].inside) - (dense.order + 1))).toBeLessThan(0.3);
    expect(Math.log2(errors[0].step / errors[1].step)).toBeGreaterThan(m.order + 1 - 0.5);
  });
});

describe('radau', () => {
  const m = resolveMethod('radau') as RadauTableau;
  const A = m.a.slice(1).map((row) => row.slice(1));

  it('is decoupled by its transform: T^-1 A^-1 T = diag(realEigenvalue, [[re, -im], [im, re]])', () => {
    const { T, TInverse, realEigenvalue: u, complexEigenvalue: { re, im } } = m.transform;
    // A (T Lambda T^-1) = I is the same statement without inverting A.
    const lambda = [[u, 0, 0], [0, re, -im], [0, im, re]];
    const product = (x: readonly (readonly number[])[], y: readonly (readonly number[])[]): number[][] =>
      x.map((row) => y[0].map((_, j) => row.reduce((s, v, k) => s + v * y[k][j], 0)));
    const identity = product(A, product(product(T, lambda), TInverse));
    identity.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - (i === j ? 1 : 0))).toBeLessThan(1e-14)));
  });

  it('has the collocation polynomial as its extension: l_i(c_j) = delta_ij, l_i(0) = 0', () => {
    const c = m.c.slice(1);
    const l = (i: number, theta: number): number => m.denseOutput.coefficients[i].reduce((sum, x, p) => sum + x * theta ** (p + 1), 0);
    c.forEach((_, i) => {
      expect(l(i, 0)).toBe(0);
      c.forEach((cj, j) => expect(Math.abs(l(i, cj) - (i === j ? 1 : 0))).toBeLessThan(1e-13));
    });
  });

  it(`interpolates with order ${m.denseOutput.order} inside a step: on y' = cos(t), whose stage values are A's quadrature, halving dt divides the error by 2^4`, () => {
    // Z_i = dt sum_j a_ij cos(t + c_j dt) exactly (f does not depend on y), so the step is plain arithmetic.
    const t0 = 0.3;
    const errorAt = (h: number): number => {
      const z = A.map((row) => h * row.reduce((sum, aij, j) => sum + aij * Math.cos(t0 + m.c[j + 1] * h), 0));
      return Math.max(
        ...[0.2, 0.4, 0.5, 0.8].map((theta) => {
          const y = Math.sin(t0) + m.denseOutput.coefficients.reduce((sum, row, i) => sum + z[i] * row.reduce((s, x, p) => s + x * theta ** (p + 1), 0), 0);
          return Math.abs(y - Math.sin(t0 + theta * h));
        }),
      );
    };
    const [coarse, fine] = [errorAt(0.2), errorAt(0.1)];
    expect(Math.abs(Math.log2(coarse / fine) - (m.denseOutput.order + 1))).toBeLessThan(0.3);
  });

  it('weighs f(t, y) in its embedded formula by gamma0 = 1/realEigenvalue, through an explicit zeroth stage', () => {
    expect(m.c[0]).toBe(0);
    expect(m.b[0]).toBe(0);
    const e = m.errorEstimator;
    if (e.kind !== 'embedded') throw new Error('radau has an embedded estimator');
    expect(-e.weights[0] * m.transform.realEigenvalue).toBeCloseTo(1, 14);
  });
});
