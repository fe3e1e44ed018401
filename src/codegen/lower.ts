/**
 * Rewrites the expression graph into the operations C has, right before
 * code generation (the math stays in its readable form for derivatives and
 * hashing):
 *   x^n, |n| <= 16 integer -> multiplications (binary powering, so x^8 is
 *                             three multiplications and x^2 is shared with x^4)
 *   x^-n                    -> 1 / x^n
 *   x^0.5, x^-0.5           -> sqrt(x), 1/sqrt(x)
 *   other x^y               -> pow(x, y)
 *   sign(x)                 -> x > 0 ? 1 : (x < 0 ? -1 : 0)   (C has no sign())
 * The result lives in the same builder, so lowered nodes are shared too.
 */
import type { Expr, ExprBuilder } from '../system/expr';
import { isNum, postOrder } from '../system/expr';

export const MAX_EXPANDED_POWER = 16;

export class Lowering {
  private readonly lowered = new Map<number, Expr>();

  constructor(private readonly b: ExprBuilder) {}

  lower(roots: readonly Expr[]): Expr[] {
    for (const node of postOrder(roots)) {
      if (!this.lowered.has(node.id)) this.lowered.set(node.id, this.lowerNode(node));
    }
    return roots.map((r) => this.get(r));
  }

  private get(e: Expr): Expr {
    const l = this.lowered.get(e.id);
    if (l === undefined) throw new Error('lowering order violated');
    return l;
  }

  private lowerNode(node: Expr): Expr {
    const b = this.b;
    if (node.kind === 'num' || node.kind === 'var') return node;
    const args = node.args.map((a) => this.get(a));
    if (node.kind === 'call') {
      if (node.fn === 'sign') {
        const [x] = args;
        return b.cond(b.compare('gt', x, b.zero), b.one, b.cond(b.compare('lt', x, b.zero), b.num(-1), b.zero));
      }
    }
    return node.kind === 'op' && node.op === 'pow' ? this.power(args[0], args[1]) : b.rebuild(node, args);
  }

  private power(base: Expr, exponent: Expr): Expr {
    const b = this.b;
    if (isNum(exponent)) {
      const n = exponent.value;
      if (Number.isInteger(n) && Math.abs(n) <= MAX_EXPANDED_POWER) {
        if (n === 0) return b.one;
        const positive = this.integerPower(base, Math.abs(n));
        return n > 0 ? positive : b.div(b.one, positive);
      }
      if (n === 0.5) return b.call('sqrt', [base]);
      if (n === -0.5) return b.div(b.one, b.call('sqrt', [base]));
    }
    return b.call('pow', [base, exponent]);
  }

  /** base^n for 1 <= n <= 16 by binary powering: x^5 = (x^2)^2 * x. */
  private integerPower(base: Expr, n: number): Expr {
    if (n === 1) return base;
    const half = this.integerPower(base, Math.floor(n / 2));
    const squared = this.b.mul(half, half);
    return n % 2 === 0 ? squared : this.b.mul(squared, base);
  }
}
