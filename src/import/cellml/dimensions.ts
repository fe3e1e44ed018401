/**
 * The physical dimensions of an expression, inferred from the declared units
 * of the variables it reads, where that can be done without guessing: used
 * to tell whether a stimulus current's equation is in the units its
 * variable declares (stimulus-protocol.ts). A bare number is taken to have
 * whatever dimensions its sum or branch needs ('any'); a number in a
 * product, or a function other than abs/floor/ceiling, makes the result
 * 'unknown' (CellML numbers carry units cubie's math tree does not keep),
 * so only an expression built from variables can be found 'inconsistent'.
 */
import type { MathNode } from '../mathml';
import type { UnitValue } from './units';

export type Dims = Readonly<Record<string, number>>;
export type Inferred = { readonly dims: Dims } | 'any' | 'unknown' | 'inconsistent';

const same = (a: Dims, b: Dims): boolean => {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (Math.abs((a[k] ?? 0) - (b[k] ?? 0)) > 1e-12) return false;
  return true;
};

function combine(a: Dims, b: Dims, sign: number): Dims {
  const out: Record<string, number> = { ...a };
  for (const [k, e] of Object.entries(b)) out[k] = (out[k] ?? 0) + sign * e;
  for (const k of Object.keys(out)) if (Math.abs(out[k]) < 1e-12) delete out[k];
  return out;
}

/** Terms of a sum or branches of a piecewise: all of one dimension (bare numbers fit any). */
function agree(parts: readonly Inferred[]): Inferred {
  if (parts.includes('inconsistent')) return 'inconsistent';
  if (parts.includes('unknown')) return 'unknown';
  const known = parts.filter((p): p is { dims: Dims } => typeof p === 'object');
  if (known.length === 0) return 'any';
  return known.every((p) => same(p.dims, known[0].dims)) ? known[0] : 'inconsistent';
}

export function inferDimensions(node: MathNode, unitsOf: (id: string) => UnitValue | undefined, time: UnitValue): Inferred {
  const rec = (n: MathNode): Inferred => inferDimensions(n, unitsOf, time);
  switch (node.k) {
    case 'num': return 'any';
    case 'sym': {
      const u = unitsOf(node.id);
      return u === undefined ? 'unknown' : { dims: u.dims };
    }
    case 'time': return { dims: time.dims };
    case 'piecewise': return agree([...node.pieces.map(([value]) => rec(value)), ...(node.otherwise ? [rec(node.otherwise)] : [])]);
    case 'op': {
      const args = node.args.map(rec);
      switch (node.op) {
        case 'plus': case 'minus': case 'abs': case 'floor': case 'ceiling': case 'min': case 'max':
          return agree(args);
        case 'times': case 'divide': {
          if (args.includes('inconsistent')) return 'inconsistent';
          if (!args.every((a) => typeof a === 'object')) return 'unknown';
          const dims = args as { dims: Dims }[];
          return { dims: dims.slice(1).reduce((acc, a) => combine(acc, a.dims, node.op === 'times' ? 1 : -1), dims[0].dims) };
        }
        case 'power': {
          const exponent = node.args[1];
          const b = args[0];
          if (b === 'inconsistent') return b;
          if (exponent.k !== 'num' || typeof b !== 'object') return b === 'any' && exponent.k === 'num' ? 'any' : 'unknown';
          return { dims: Object.fromEntries(Object.entries(b.dims).map(([k, e]) => [k, e * exponent.v])) };
        }
        default:
          return 'unknown';
      }
    }
    default:
      return 'unknown';
  }
}

export function sameDims(a: Dims, b: Dims): boolean {
  return same(a, b);
}
