/**
 * An SBML event trigger (a truth value) as what cubie can watch.
 *
 * SBML fires an event where its trigger goes from false to true. cubie's
 * continuous events fire where a number crosses zero, so a trigger becomes a
 * "gap" G with trigger true ⇔ G > 0, watched with direction 'rising':
 *   a > b, a >= b → a - b;   a < b, a <= b → b - a;
 *   and → min(G1, G2, ...);  or → max(...);  not(c) → -G;  implies(a, b) → max(-Ga, Gb).
 * Strict and non-strict comparisons give the same G: they differ only on the
 * instant G = 0, where the crossing is found either way (the strictness is
 * kept where it matters, in the guard of a t0 firing, which reads the
 * trigger itself).
 *
 * A trigger that is exactly `time >= c` or `time > c` (or `c <= time`, ...)
 * is a time: cubie lands discrete event times exactly (`at`), where a root
 * finder would place the firing within a tolerance, so such triggers become
 * times. Constant triggers (true, false, and(), not(or()) in L3v2 math) are
 * constants. Equality, xor of two or more, piecewise and numbers used as
 * truth values have no such G (an equality is true on a set of measure zero
 * a crossing never lands on) and are refused by the caller.
 */
import type { MathNode } from '../mathml';

export type TriggerForm =
  | { readonly kind: 'time'; readonly time: number }
  | { readonly kind: 'gap'; readonly gap: MathNode }
  | { readonly kind: 'constant'; readonly value: boolean };

/** Why a trigger has no gap form (for the refusal's message), or the form. */
export type TriggerResult = TriggerForm | { readonly kind: 'refused'; readonly why: string };

type Gap = { readonly gap: MathNode } | { readonly constant: boolean } | { readonly refused: string };

const minus = (a: MathNode, b: MathNode): MathNode => ({ k: 'op', op: 'minus', args: [a, b] });

export function triggerForm(math: MathNode): TriggerResult {
  const time = timeOf(math);
  if (time !== undefined) return { kind: 'time', time };
  const g = gapOf(math);
  if ('refused' in g) return { kind: 'refused', why: g.refused };
  if ('constant' in g) return { kind: 'constant', value: g.constant };
  return { kind: 'gap', gap: g.gap };
}

/** `time >= c`, `time > c`, `c <= time`, `c < time` with a number c. */
function timeOf(n: MathNode): number | undefined {
  if (n.k !== 'op' || n.args.length !== 2) return undefined;
  const [a, b] = n.args;
  if ((n.op === 'gt' || n.op === 'geq') && a.k === 'time' && b.k === 'num') return b.v;
  if ((n.op === 'lt' || n.op === 'leq') && a.k === 'num' && b.k === 'time') return a.v;
  return undefined;
}

function gapOf(n: MathNode): Gap {
  if (n.k === 'bool') return { constant: n.v };
  if (n.k !== 'op') return { refused: n.k === 'piecewise' ? 'a piecewise trigger' : 'a number used as a trigger' };
  const a = n.args;
  switch (n.op) {
    case 'gt': case 'geq': case 'lt': case 'leq': {
      // a chain a > b > c is (a > b) and (b > c); one argument is true (MathML)
      const parts: Gap[] = [];
      for (let i = 0; i + 1 < a.length; i++) parts.push({ gap: n.op === 'gt' || n.op === 'geq' ? minus(a[i], a[i + 1]) : minus(a[i + 1], a[i]) });
      return combine('min', parts);
    }
    case 'and': return combine('min', a.map(gapOf));
    case 'or': return combine('max', a.map(gapOf));
    case 'not': return negate(gapOf(a[0]));
    case 'implies': return combine('max', [negate(gapOf(a[0])), gapOf(a[1])]);
    case 'xor': {
      if (a.length === 0) return { constant: false };
      if (a.length === 1) return gapOf(a[0]);
      return { refused: 'xor of several conditions' };
    }
    case 'eq': case 'neq': return { refused: `an ${n.op === 'eq' ? 'equality' : 'inequality (neq)'}` };
    default: return { refused: `<${n.op}> used as a trigger` };
  }
}

function negate(g: Gap): Gap {
  if ('gap' in g) return { gap: { k: 'op', op: 'minus', args: [g.gap] } };
  if ('constant' in g) return { constant: !g.constant };
  return g;
}

/** min (and) or max (or) of parts; a constant that decides the result decides it, one that does not is left out. */
function combine(fn: 'min' | 'max', parts: Gap[]): Gap {
  const refused = parts.find((p): p is { refused: string } => 'refused' in p);
  if (refused !== undefined) return refused;
  const deciding = fn === 'min' ? false : true;
  if (parts.some((p) => 'constant' in p && p.constant === deciding)) return { constant: deciding };
  const gaps = parts.flatMap((p) => ('gap' in p ? [p.gap] : []));
  if (gaps.length === 0) return { constant: !deciding };
  return { gap: gaps.length === 1 ? gaps[0] : { k: 'op', op: fn, args: gaps } };
}
