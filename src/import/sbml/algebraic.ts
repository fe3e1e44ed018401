/**
 * SBML algebraic rules (0 = f(...)) that can be written as assignment rules.
 *
 * Why this is enough for many models: an algebraic rule determines one
 * variable that nothing else determines (not constant, not set by another
 * rule, an event or reactions). Where the rule is affine in that variable,
 * f = a*v + b with a and b free of v, the rule is the assignment v = -b/a,
 * which holds at t0 and at every instant after, exactly as the DAE does.
 * Which variable each rule determines is a matching between rules and the
 * free variables they are affine in (SBML's own overdetermination check is
 * the same matching). A rule that is not affine in any free variable, or
 * rules that cannot all be matched, stay refused: solving them needs a DAE
 * solver, which cubie does not have.
 */
import { symbolsOf, type MathNode } from '../mathml';

type Linear = { readonly a: MathNode | undefined; readonly b: MathNode | undefined };

const ZERO: MathNode = { k: 'num', v: 0 };
const ONE: MathNode = { k: 'num', v: 1 };

const op = (name: string, ...args: MathNode[]): MathNode => ({ k: 'op', op: name, args });
const sum = (x: MathNode | undefined, y: MathNode | undefined): MathNode | undefined => (x === undefined ? y : y === undefined ? x : op('plus', x, y));
const negated = (x: MathNode | undefined): MathNode | undefined => (x === undefined ? undefined : op('minus', x));
const mentions = (n: MathNode, v: string): boolean => {
  switch (n.k) {
    case 'sym': return n.id === v;
    case 'rateOf': return n.id === v;
    case 'op':
    case 'call': return n.args.some((a) => mentions(a, v));
    case 'piecewise': return n.pieces.some(([x, c]) => mentions(x, v) || mentions(c, v)) || (n.otherwise !== undefined && mentions(n.otherwise, v));
    default: return false;
  }
};

/** f as a*v + b (undefined parts are 0), or undefined where f is not affine in v. */
function linear(f: MathNode, v: string): Linear | undefined {
  if (!mentions(f, v)) return { a: undefined, b: f };
  if (f.k === 'sym') return { a: ONE, b: undefined };
  if (f.k !== 'op') return undefined;
  const parts = f.args.map((x) => linear(x, v));
  if (parts.some((p) => p === undefined)) return undefined;
  const ps = parts as Linear[];
  switch (f.op) {
    case 'plus':
      return ps.reduce<Linear>((acc, p) => ({ a: sum(acc.a, p.a), b: sum(acc.b, p.b) }), { a: undefined, b: undefined });
    case 'minus':
      if (ps.length === 1) return { a: negated(ps[0].a), b: negated(ps[0].b) };
      return { a: sum(ps[0].a, negated(ps[1].a)), b: sum(ps[0].b, negated(ps[1].b)) };
    case 'times': {
      // (a*v + b) * c1 * c2 ...: one factor holds v; two would make it a product of v's
      if (ps.filter((p) => p.a !== undefined).length !== 1) return undefined;
      const others = f.args.filter((_, i) => ps[i].a === undefined);
      const k = ps.findIndex((p) => p.a !== undefined);
      const scale = (x: MathNode | undefined): MathNode | undefined => (x === undefined ? undefined : others.length === 0 ? x : op('times', x, ...others));
      return { a: scale(ps[k].a), b: scale(ps[k].b) };
    }
    case 'divide':
      if (ps[1].a !== undefined) return undefined;
      return { a: ps[0].a === undefined ? undefined : op('divide', ps[0].a, f.args[1]), b: ps[0].b === undefined ? undefined : op('divide', ps[0].b, f.args[1]) };
    default:
      return undefined;
  }
}

/** v such that f = 0, where f is affine in v with a coefficient that is not the literal 0; else undefined. */
export function solveAffine(f: MathNode, v: string): MathNode | undefined {
  const lin = linear(f, v);
  if (lin === undefined || lin.a === undefined) return undefined;
  if (lin.a.k === 'num' && lin.a.v === 0) return undefined;
  return op('divide', negated(lin.b) ?? ZERO, lin.a);
}

export interface AlgebraicRule {
  /** Where the rule is, for messages: its metaid or id, else its position. */
  readonly label: string;
  readonly math: MathNode;
}

/**
 * For each rule, the variable it determines and its value as math, from a
 * matching of rules to the free variables each is affine in; undefined for
 * the rules left unmatched (the caller refuses them).
 */
export function assignAlgebraicRules(rules: readonly AlgebraicRule[], free: ReadonlySet<string>): ({ variable: string; math: MathNode } | undefined)[] {
  const options = rules.map((r) => [...symbolsOf(r.math)].filter((id) => free.has(id) && solveAffine(r.math, id) !== undefined).sort());
  const owner = new Map<string, number>();
  const augment = (i: number, seen: Set<string>): boolean => {
    for (const v of options[i]) {
      if (seen.has(v)) continue;
      seen.add(v);
      const j = owner.get(v);
      if (j === undefined || augment(j, seen)) {
        owner.set(v, i);
        return true;
      }
    }
    return false;
  };
  rules.forEach((_, i) => augment(i, new Set()));
  const out: ({ variable: string; math: MathNode } | undefined)[] = rules.map(() => undefined);
  for (const [v, i] of owner) out[i] = { variable: v, math: solveAffine(rules[i].math, v)! };
  return out;
}
