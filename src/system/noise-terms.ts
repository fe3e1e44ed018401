/**
 * A small normal form for proving two expressions equal: a sum of products
 * with numeric coefficients, where the factors are the graph's other nodes
 * (calls, quotients, powers, variables) identified by their hash-consed ids.
 *
 * It only ever answers "equal" when the two are equal as real functions
 * (commutativity, associativity and distributivity of + and * are exact in
 * the reals); "not shown equal" is not "different". That direction is what
 * the commutativity check needs: a wrong "commutative" would let a method
 * drop terms it needs, a wrong "not commutative" only costs speed.
 */
import type { Expr } from './expr';

/** Products of more terms than this are not expanded (the answer becomes "unknown"). */
const MAX_TERMS = 512;

/** term key (factor ids, sorted, joined by '*'; '' for the constant term) -> coefficient. */
type SumOfProducts = Map<string, number>;

/** Whether `a` and `b` are shown equal as real functions (false: not shown). */
export function shownEqual(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  const memo = new Map<number, SumOfProducts | undefined>();
  const fa = normalForm(a, memo);
  const fb = normalForm(b, memo);
  if (fa === undefined || fb === undefined) return false;
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  for (const key of keys) if ((fa.get(key) ?? 0) !== (fb.get(key) ?? 0)) return false;
  return true;
}

function normalForm(e: Expr, memo: Map<number, SumOfProducts | undefined>): SumOfProducts | undefined {
  if (memo.has(e.id)) return memo.get(e.id);
  const form = computeForm(e, memo);
  memo.set(e.id, form);
  return form;
}

function computeForm(e: Expr, memo: Map<number, SumOfProducts | undefined>): SumOfProducts | undefined {
  if (e.kind === 'num') return e.value === 0 ? new Map() : new Map([['', e.value]]);
  if (e.kind !== 'op' || !['neg', 'add', 'sub', 'mul'].includes(e.op)) return new Map([[String(e.id), 1]]);
  const args = e.args.map((arg) => normalForm(arg, memo));
  if (args.some((arg) => arg === undefined)) return undefined;
  const [x, y] = args as SumOfProducts[];
  switch (e.op) {
    case 'neg':
      return scaled(x, -1);
    case 'add':
      return sum(x, y);
    case 'sub':
      return sum(x, scaled(y, -1));
    default:
      return product(x, y);
  }
}

function scaled(x: SumOfProducts, factor: number): SumOfProducts {
  return new Map([...x].map(([key, c]) => [key, c * factor]));
}

function sum(x: SumOfProducts, y: SumOfProducts): SumOfProducts {
  const result = new Map(x);
  for (const [key, c] of y) {
    const total = (result.get(key) ?? 0) + c;
    if (total === 0) result.delete(key);
    else result.set(key, total);
  }
  return result;
}

function product(x: SumOfProducts, y: SumOfProducts): SumOfProducts | undefined {
  if (x.size * y.size > MAX_TERMS) return undefined;
  let result: SumOfProducts = new Map();
  for (const [kx, cx] of x) {
    for (const [ky, cy] of y) {
      const factors = [...(kx === '' ? [] : kx.split('*')), ...(ky === '' ? [] : ky.split('*'))].sort();
      result = sum(result, new Map([[factors.join('*'), cx * cy]]));
    }
  }
  return result;
}
