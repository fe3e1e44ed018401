/**
 * The functions an equation may call: the allow-list, their arity, the C
 * names the generated code uses, and their derivative rules.
 *
 * The derivative rules are ours rather than mathjs's `derivative`: mathjs
 * writes d tan = sec^2 and d tanh = sech^2 (functions outside this list and
 * outside CUDA's math library), d|x| = |x|/x (NaN at 0), and does not know
 * min, max, sign, floor, ceil, hypot, atan2, cbrt or conditionals. One table
 * keeps one code path; the tests check these rules against mathjs's
 * `derivative` wherever mathjs has one.
 */
import type { Expr, ExprBuilder } from './expr';

export type FunctionName =
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh'
  | 'exp' | 'expm1' | 'log' | 'log10' | 'log2' | 'log1p'
  | 'sqrt' | 'cbrt' | 'abs' | 'floor' | 'ceil' | 'sign'
  | 'min' | 'max' | 'hypot' | 'atan2' | 'pow';

/**
 * d f(args) = sum_k (partial f / partial args[k]) * dargs[k], written with the builder.
 * `self` is the call node itself (exp and cbrt reuse it).
 */
type DerivativeRule = (b: ExprBuilder, args: readonly Expr[], dargs: readonly Expr[], self: Expr) => Expr;

export interface FunctionSpec {
  readonly name: FunctionName;
  /** Exact argument count; 'variadic' means 2 to VARIADIC_MAX_ARGS (min, max). */
  readonly arity: number | 'variadic';
  /** The C math function in double precision (float: `${c}f`); undefined where code generation lowers the call. */
  readonly c: string | undefined;
  readonly derivative: DerivativeRule;
}

const unary = (rule: (b: ExprBuilder, u: Expr, self: Expr) => Expr): DerivativeRule =>
  (b, [u], [du], self) => b.mul(rule(b, u, self), du);

const square = (b: ExprBuilder, u: Expr): Expr => b.mul(u, u);

const SPECS: readonly FunctionSpec[] = [
  { name: 'sin', arity: 1, c: 'sin', derivative: unary((b, u) => b.call('cos', [u])) },
  { name: 'cos', arity: 1, c: 'cos', derivative: unary((b, u) => b.neg(b.call('sin', [u]))) },
  { name: 'tan', arity: 1, c: 'tan', derivative: unary((b, u) => b.div(b.one, square(b, b.call('cos', [u])))) },
  { name: 'asin', arity: 1, c: 'asin', derivative: unary((b, u) => b.div(b.one, b.call('sqrt', [b.sub(b.one, square(b, u))]))) },
  { name: 'acos', arity: 1, c: 'acos', derivative: unary((b, u) => b.neg(b.div(b.one, b.call('sqrt', [b.sub(b.one, square(b, u))])))) },
  { name: 'atan', arity: 1, c: 'atan', derivative: unary((b, u) => b.div(b.one, b.add(b.one, square(b, u)))) },
  { name: 'sinh', arity: 1, c: 'sinh', derivative: unary((b, u) => b.call('cosh', [u])) },
  { name: 'cosh', arity: 1, c: 'cosh', derivative: unary((b, u) => b.call('sinh', [u])) },
  { name: 'tanh', arity: 1, c: 'tanh', derivative: unary((b, _u, self) => b.sub(b.one, square(b, self))) },
  { name: 'asinh', arity: 1, c: 'asinh', derivative: unary((b, u) => b.div(b.one, b.call('sqrt', [b.add(square(b, u), b.one)]))) },
  { name: 'acosh', arity: 1, c: 'acosh', derivative: unary((b, u) => b.div(b.one, b.call('sqrt', [b.sub(square(b, u), b.one)]))) },
  { name: 'atanh', arity: 1, c: 'atanh', derivative: unary((b, u) => b.div(b.one, b.sub(b.one, square(b, u)))) },
  { name: 'exp', arity: 1, c: 'exp', derivative: unary((_b, _u, self) => self) },
  { name: 'expm1', arity: 1, c: 'expm1', derivative: unary((b, u) => b.call('exp', [u])) },
  { name: 'log', arity: 1, c: 'log', derivative: unary((b, u) => b.div(b.one, u)) },
  { name: 'log10', arity: 1, c: 'log10', derivative: unary((b, u) => b.div(b.one, b.mul(u, b.num(Math.LN10)))) },
  { name: 'log2', arity: 1, c: 'log2', derivative: unary((b, u) => b.div(b.one, b.mul(u, b.num(Math.LN2)))) },
  { name: 'log1p', arity: 1, c: 'log1p', derivative: unary((b, u) => b.div(b.one, b.add(b.one, u))) },
  { name: 'sqrt', arity: 1, c: 'sqrt', derivative: unary((b, _u, self) => b.div(b.one, b.mul(b.num(2), self))) },
  { name: 'cbrt', arity: 1, c: 'cbrt', derivative: unary((b, _u, self) => b.div(b.one, b.mul(b.num(3), square(b, self)))) },
  // d|u| = sign(u) du: 0 at u = 0 (a subgradient) rather than mathjs's |u|/u, which is NaN there.
  { name: 'abs', arity: 1, c: 'fabs', derivative: unary((b, u) => b.call('sign', [u])) },
  // Piecewise constant: derivative 0 almost everywhere.
  { name: 'floor', arity: 1, c: 'floor', derivative: (b) => b.zero },
  { name: 'ceil', arity: 1, c: 'ceil', derivative: (b) => b.zero },
  { name: 'sign', arity: 1, c: undefined, derivative: (b) => b.zero },
  // The builder makes min/max binary (min(a, b, c) = min(min(a, b), c)); the branch taken decides the derivative.
  {
    name: 'min', arity: 'variadic', c: 'fmin',
    derivative: (b, [x, y], [dx, dy]) => b.cond(b.compare('le', x, y), dx, dy),
  },
  {
    name: 'max', arity: 'variadic', c: 'fmax',
    derivative: (b, [x, y], [dx, dy]) => b.cond(b.compare('ge', x, y), dx, dy),
  },
  {
    name: 'hypot', arity: 2, c: 'hypot',
    derivative: (b, [x, y], [dx, dy], self) => b.div(b.add(b.mul(x, dx), b.mul(y, dy)), self),
  },
  {
    // atan2(y, x): d = (x dy - y dx) / (x^2 + y^2)
    name: 'atan2', arity: 2, c: 'atan2',
    derivative: (b, [y, x], [dy, dx]) => b.div(b.sub(b.mul(x, dy), b.mul(y, dx)), b.add(square(b, x), square(b, y))),
  },
  // pow(a, b) becomes the operator node a^b when parsed, so this rule is never
  // reached; differentiate.ts has the rule for ^.
  {
    name: 'pow', arity: 2, c: 'pow',
    derivative: () => {
      throw new Error('pow(a, b) is an operator node; differentiate.ts handles it');
    },
  },
];

const BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(SPECS.map((s) => [s.name, s]));

/** The spec of an allowed function, or undefined. */
export function functionSpec(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name);
}

export function allowedFunctionNames(): string[] {
  return SPECS.map((s) => s.name);
}

/** The C names the generated code may call, both precisions. */
export function cFunctionNames(): string[] {
  const names = new Set<string>();
  for (const s of SPECS) {
    if (s.c === undefined) continue;
    names.add(s.c);
    names.add(`${s.c}f`);
  }
  return [...names];
}

/** mathjs's min and max take any number of arguments; we accept up to this many. */
export const VARIADIC_MAX_ARGS = 16;

export function acceptsArgCount(spec: FunctionSpec, count: number): boolean {
  return spec.arity === 'variadic' ? count >= 2 && count <= VARIADIC_MAX_ARGS : count === spec.arity;
}

export function describeArity(spec: FunctionSpec): string {
  if (spec.arity === 'variadic') return `2 to ${VARIADIC_MAX_ARGS} arguments`;
  return spec.arity === 1 ? '1 argument' : `${spec.arity} arguments`;
}
