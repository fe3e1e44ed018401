/**
 * Evaluates cubie's resolved expression graph in JavaScript: for checking
 * the symbolic derivative rules against finite differences and mathjs
 * without going through C++.
 */
import type { Expr } from '../../../src/system/expr';
import { postOrder } from '../../../src/system/expr';

export interface Env {
  state: readonly number[];
  parameter?: readonly number[];
  driver?: readonly number[];
  time?: number;
  direction?: readonly number[];
  driverRate?: readonly number[];
}

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  exp: Math.exp, expm1: Math.expm1, log: Math.log, log10: Math.log10, log2: Math.log2, log1p: Math.log1p,
  sqrt: Math.sqrt, cbrt: Math.cbrt, abs: Math.abs, floor: Math.floor, ceil: Math.ceil, sign: Math.sign,
  min: Math.min, max: Math.max, hypot: Math.hypot, atan2: Math.atan2, pow: Math.pow,
};

export function evaluateExprs(roots: readonly Expr[], env: Env): number[] {
  const values = new Map<number, number | boolean>();
  const num = (e: Expr): number => values.get(e.id) as number;
  const bool = (e: Expr): boolean => values.get(e.id) as boolean;
  for (const node of postOrder(roots)) {
    let value: number | boolean;
    switch (node.kind) {
      case 'num':
        value = node.value;
        break;
      case 'var': {
        const arrays: Record<string, readonly number[] | undefined> = {
          state: env.state, parameter: env.parameter, driver: env.driver, direction: env.direction, driverRate: env.driverRate,
        };
        value = node.role === 'time' ? env.time ?? 0 : (arrays[node.role] ?? [])[node.index];
        if (value === undefined) throw new Error(`no value for ${node.role}[${node.index}]`);
        break;
      }
      case 'call':
        value = FUNCTIONS[node.fn](...node.args.map(num));
        break;
      case 'op': {
        const [a, b, c] = node.args;
        switch (node.op) {
          case 'neg': value = -num(a); break;
          case 'add': value = num(a) + num(b); break;
          case 'sub': value = num(a) - num(b); break;
          case 'mul': value = num(a) * num(b); break;
          case 'div': value = num(a) / num(b); break;
          case 'pow': value = Math.pow(num(a), num(b)); break;
          case 'cond': value = bool(a) ? num(b) : num(c); break;
          case 'lt': value = num(a) < num(b); break;
          case 'le': value = num(a) <= num(b); break;
          case 'gt': value = num(a) > num(b); break;
          case 'ge': value = num(a) >= num(b); break;
          case 'eq': value = num(a) === num(b); break;
          case 'ne': value = num(a) !== num(b); break;
          case 'and': value = bool(a) && bool(b); break;
          case 'or': value = bool(a) || bool(b); break;
          case 'not': value = !bool(a); break;
        }
        break;
      }
    }
    values.set(node.id, value);
  }
  return roots.map(num);
}
