/**
 * Whether a system's symbolic Jacobian can fail to be finite where its
 * right-hand side is finite, so that the kernel should check it and replace
 * such entries by finite differences (RunContext::jacobian, engine.h).
 *
 * That happens through a subexpression that overflows or divides by zero on
 * finite input while the rate around it stays finite: the derivative of
 * a / (1 + exp(z)) is -a exp(z) / (1 + exp(z))^2, inf/inf once exp(z)
 * overflows; that of sqrt(u) is 1 / (2 sqrt(u)), infinite at u = 0. So a
 * Jacobian with a call to exp, expm1, sinh, cosh, tan or pow, a division by
 * anything but a number, or a power whose exponent is not a non-negative
 * integer may need the fallback; a polynomial one (Lorenz, Robertson, most
 * chains) cannot and compiles without it, its generated text unchanged.
 */
import type { Expr } from '../system/expr';
import { postOrder } from '../system/expr';
import { systemDerivatives } from '../system/differentiate';
import type { SystemModel } from '../system/model';

const UNBOUNDED = new Set(['exp', 'expm1', 'sinh', 'cosh', 'tan', 'pow']);

const cache = new WeakMap<SystemModel, boolean>();

function overflows(e: Expr): boolean {
  if (e.kind === 'call') return UNBOUNDED.has(e.fn);
  if (e.kind !== 'op') return false;
  if (e.op === 'div') return e.args[1].kind !== 'num';
  if (e.op === 'pow') {
    const exponent = e.args[1];
    return !(exponent.kind === 'num' && Number.isInteger(exponent.value) && exponent.value >= 0);
  }
  return false;
}

export function jacobianMayOverflow(model: SystemModel): boolean {
  const known = cache.get(model);
  if (known !== undefined) return known;
  const entries = systemDerivatives(model).jacobian.flat();
  const result = postOrder(entries).some(overflows);
  cache.set(model, result);
  return result;
}
