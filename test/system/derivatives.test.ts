/**
 * The symbolic derivative rules, in JavaScript (no C++): against central
 * finite differences for every allowed function, and against mathjs's own
 * `derivative` on random expressions built from the functions it knows.
 */
import { all, create } from 'mathjs';
import { createSystem } from '../../src/system';
import { Differentiator, systemDerivatives } from '../../src/system/differentiate';
import { isConstant } from '../../src/system/expr';
import { evaluateExprs } from './support/evaluate-expr';
import { Random } from './support/random';

const math = create(all, { predictable: true });

/** f(x, y) from `text`, and df/dx, df/dy as functions, through cubie's rules. */
function cubieDerivatives(text: string): { f: (x: number, y: number) => number; dx: (x: number, y: number) => number; dy: (x: number, y: number) => number } {
  const system = createSystem({ equations: `dx = ${text}\ndy = 0`, states: ['x', 'y'] });
  const [[dfdx, dfdy]] = systemDerivatives(system.model).jacobian;
  const at = (e: typeof dfdx) => (x: number, y: number): number => evaluateExprs([e], { state: [x, y] })[0];
  return { f: at(system.model.derivatives[0]), dx: at(dfdx), dy: at(dfdy) };
}

function centralDifference(f: (x: number) => number, x: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe('derivative of each allowed function matches central differences', () => {
  const random = new Random(11);
  // [expression in x and y, range of x, range of y]; ranges keep away from kinks and domain edges.
  const cases: [string, [number, number], [number, number]][] = [
    ['sin(x*y)', [-3, 3], [-2, 2]], ['cos(x + y)', [-3, 3], [-2, 2]], ['tan(x)*y', [-1.2, 1.2], [-2, 2]],
    ['asin(x)*y', [-0.9, 0.9], [-2, 2]], ['acos(x*y)', [-0.9, 0.9], [-0.9, 0.9]], ['atan(x/y)', [-3, 3], [0.5, 2]],
    ['sinh(x)*y', [-2, 2], [-2, 2]], ['cosh(x*y)', [-1.5, 1.5], [-1.5, 1.5]], ['tanh(x - y)', [-2, 2], [-2, 2]],
    ['asinh(x*y)', [-3, 3], [-2, 2]], ['acosh(x + y)', [1.5, 3], [0, 1]], ['atanh(x)*y', [-0.9, 0.9], [-2, 2]],
    ['exp(x*y)', [-2, 2], [-1, 1]], ['expm1(x)*y', [-2, 2], [-2, 2]], ['log(x*y)', [0.2, 3], [0.2, 3]],
    ['log10(x + y)', [0.5, 3], [0.5, 3]], ['log2(x)*y', [0.2, 3], [-2, 2]], ['log1p(x*y)', [0, 2], [0, 2]],
    ['sqrt(x*y)', [0.2, 3], [0.2, 3]], ['cbrt(x - y)', [1, 3], [-2, 0]], ['cbrt(x)', [-3, -0.5], [0, 1]],
    ['abs(x - y)', [-3, 3], [-3, 3]], ['floor(x)*y', [-3, 3], [-2, 2]], ['ceil(x*y)', [-3, 3], [-2, 2]],
    ['sign(x)*y', [-3, 3], [-2, 2]], ['min(x, y)', [-3, 3], [-3, 3]], ['max(x, y, 0.5)', [-3, 3], [-3, 3]],
    ['hypot(x, y)', [-3, 3], [-3, 3]], ['atan2(x, y)', [-3, 3], [-3, 3]], ['pow(x, y)', [0.2, 3], [-2, 2]],
    ['x^y', [0.2, 3], [-2, 2]], ['2^(x*y)', [-2, 2], [-2, 2]], ['x^3.5', [0.2, 3], [0, 1]], ['x^-3 * y^2', [0.5, 3], [-2, 2]],
    ['x > y ? x^2 : sin(y)', [-3, 3], [-3, 3]], ['x/y', [-3, 3], [0.5, 3]], ['e^(x - y) * pi', [-2, 2], [-2, 2]],
  ];

  it.each(cases)('%s', (text, xRange, yRange) => {
    const { f, dx, dy } = cubieDerivatives(text);
    let compared = 0;
    for (let k = 0; k < 60; k++) {
      const x = random.uniform(...xRange);
      const y = random.uniform(...yRange);
      const fdx = centralDifference((s) => f(s, y), x);
      const fdy = centralDifference((s) => f(x, s), y);
      const halfX = (f(x + 5e-7, y) - f(x - 5e-7, y)) / 1e-6;
      // Skip points where a kink is within a step (the two step sizes disagree).
      if (!Number.isFinite(fdx) || Math.abs(fdx - halfX) > 1e-5 * (1 + Math.abs(fdx))) continue;
      compared++;
      expect(Math.abs(dx(x, y) - fdx)).toBeLessThan(1e-5 * (1 + Math.abs(fdx)));
      expect(Math.abs(dy(x, y) - fdy)).toBeLessThan(1e-5 * (1 + Math.abs(fdy)));
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('takes the derivative of the branch taken, and 0 at the kink of abs', () => {
    const { dx } = cubieDerivatives('abs(x) + min(x, 1) + max(x, -1)*y');
    expect(dx(0, 2)).toBe(1 + 2);
    expect(dx(2, 3)).toBe(1 + 0 + 3);
    expect(dx(-2, 3)).toBe(-1 + 1 + 0);
  });
});

describe('derivative rules agree with mathjs derivative()', () => {
  const random = new Random(12);
  // Functions mathjs differentiates, written so that every point is in the domain.
  const unary = ['sin', 'cos', 'exp', 'sinh', 'cosh', 'tanh', 'atan', 'asinh'];
  const expression = (depth: number): string => {
    if (depth === 0 || random.chance(0.2)) return random.pick(['x', 'y', '2', '0.5', 'x', 'y', '3']);
    switch (random.int(8)) {
      case 0: return `${random.pick(unary)}(${expression(depth - 1)})`;
      case 1: return `log(1 + (${expression(depth - 1)})^2)`;
      case 2: return `sqrt(2 + (${expression(depth - 1)})^2)`;
      case 3: return `(${expression(depth - 1)})^${random.pick(['2', '3', '-1', '0.5', '1.5', '-2'])}`;
      case 4: return `(${expression(depth - 1)}) / (1 + (${expression(depth - 1)})^2)`;
      case 5: return `-(${expression(depth - 1)})`;
      default: return `(${expression(depth - 1)}) ${random.pick(['+', '-', '*'])} (${expression(depth - 1)})`;
    }
  };

  it('on 300 random expressions at 4 points each', () => {
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      const text = expression(4);
      const ours = cubieDerivatives(text);
      const dxNode = math.derivative(text, 'x', { simplify: false }).compile();
      const dyNode = math.derivative(text, 'y', { simplify: false }).compile();
      for (let j = 0; j < 4; j++) {
        const x = random.uniform(0.3, 2);
        const y = random.uniform(0.3, 2);
        const theirs = [dxNode.evaluate({ x, y }) as number, dyNode.evaluate({ x, y }) as number];
        const mine = [ours.dx(x, y), ours.dy(x, y)];
        mine.forEach((value, i) => {
          if (!Number.isFinite(theirs[i]) || Math.abs(theirs[i]) > 1e12) return;
          compared++;
          if (Math.abs(value - theirs[i]) > 1e-9 * (1 + Math.abs(theirs[i]))) {
            throw new Error(`d/d${i === 0 ? 'x' : 'y'} of ${text} at (${x}, ${y}): cubie ${value}, mathjs ${theirs[i]}`);
          }
        });
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});

describe('structural zeros', () => {
  it('are exact: an entry that does not depend on the variable is the constant 0', () => {
    const system = createSystem({ equations: 'dx = -a*x + floor(y)\ndy = x*z\ndz = sign(z) + sin(t)', parameters: ['a'] });
    const zeros = systemDerivatives(system.model).jacobian.map((row) => row.map((e) => isConstant(e, 0)));
    expect(zeros).toEqual([
      [false, true, true], // floor'(y) = 0
      [false, true, false],
      [true, true, true], // sign'(z) = 0, sin(t) is not a state
    ]);
  });

  it('Differentiator.dependsOn follows shared subexpressions', () => {
    const system = createSystem({ equations: 'r = x*y\ndx = r + 1\ndy = r\ndz = 2*z', states: ['x', 'y', 'z'] });
    const b = system.model.builder;
    const d = new Differentiator(b);
    const [fx, , fz] = system.model.derivatives;
    expect(d.dependsOn(fx, b.variable('state', 1))).toBe(true);
    expect(d.dependsOn(fz, b.variable('state', 0))).toBe(false);
  });

  it('derives df/dt and df/d(driver) separately', () => {
    const system = createSystem({ equations: 'dx = sin(t)*u + x', drivers: ['u'] });
    const derivatives = systemDerivatives(system.model);
    const [dt] = evaluateExprs(derivatives.time, { state: [0.3], driver: [2], time: 0.5 });
    const [du] = evaluateExprs(derivatives.drivers[0], { state: [0.3], driver: [2], time: 0.5 });
    expect(dt).toBeCloseTo(Math.cos(0.5) * 2, 14);
    expect(du).toBeCloseTo(Math.sin(0.5), 14);
  });
});
