/**
 * One (lowered) expression as C++ text.
 *
 * Parentheses follow the tree exactly: an operand is parenthesized when its
 * operator binds less tightly than its parent's, and a right operand also
 * when it binds equally, so a - (b - c) and a / (b * c) keep their meaning
 * and floating-point sums keep their order. Conditionals, comparisons and
 * logic are always parenthesized.
 */
import type { Expr, VarRole } from '../system/expr';
import { functionSpec } from '../system/functions';
import type { Precision } from '../system/types';
import { cppLiteral } from './cpp-literal';

/** How each variable role is spelled in the generated functions. */
const ARRAYS: Readonly<Record<VarRole, string>> = {
  state: 'y', parameter: 'p', driver: 'd', time: 't', direction: 'v', driverRate: 'ddot',
};

const ATOM = 4;
const UNARY = 3;
const PRODUCT = 2;
const SUM = 1;

const BINARY: Readonly<Record<string, { text: string; precedence: number }>> = {
  add: { text: '+', precedence: SUM },
  sub: { text: '-', precedence: SUM },
  mul: { text: '*', precedence: PRODUCT },
  div: { text: '/', precedence: PRODUCT },
};
const COMPARISONS: Readonly<Record<string, string>> = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' };

interface Printed {
  readonly text: string;
  readonly precedence: number;
}

export class CppPrinter {
  /**
   * @param temporaries names of nodes already computed into locals; printing stops at them
   */
  constructor(
    private readonly precision: Precision,
    private readonly temporaries: ReadonlyMap<number, string>,
  ) {}

  /** The node itself as an expression (its own temporary name is not used, so this can define it). */
  definition(e: Expr): string {
    return this.print(e, false).text;
  }

  private print(e: Expr, useTemporary = true): Printed {
    const temp = useTemporary ? this.temporaries.get(e.id) : undefined;
    if (temp !== undefined) return { text: temp, precedence: ATOM };
    switch (e.kind) {
      case 'num':
        return this.number(e.value);
      case 'var':
        return { text: e.role === 'time' ? 't' : `${ARRAYS[e.role]}[${e.index}]`, precedence: ATOM };
      case 'call': {
        const spec = functionSpec(e.fn);
        if (spec?.c === undefined) throw new Error(`${e.fn} must be lowered before printing`);
        const name = this.precision === 'float32' ? `${spec.c}f` : spec.c;
        return { text: `${name}(${e.args.map((a) => this.print(a).text).join(', ')})`, precedence: ATOM };
      }
      case 'op':
        return this.operation(e.op, e.args);
    }
  }

  private number(value: number): Printed {
    if (value < 0 || Object.is(value, -0)) return { text: `-${cppLiteral(-value, this.precision)}`, precedence: UNARY };
    return { text: cppLiteral(value, this.precision), precedence: ATOM };
  }

  private operation(op: string, args: readonly Expr[]): Printed {
    const binary = BINARY[op];
    if (binary !== undefined) {
      const left = this.print(args[0]);
      const right = this.print(args[1]);
      const l = left.precedence < binary.precedence ? `(${left.text})` : left.text;
      const r = right.precedence <= binary.precedence ? `(${right.text})` : right.text;
      return { text: `${l} ${binary.text} ${r}`, precedence: binary.precedence };
    }
    if (op === 'neg') {
      // '-' before a unary operand is parenthesized too: never '--x'.
      const operand = this.print(args[0]);
      return { text: operand.precedence <= UNARY ? `-(${operand.text})` : `-${operand.text}`, precedence: UNARY };
    }
    const comparison = COMPARISONS[op];
    if (comparison !== undefined) {
      return { text: `(${this.print(args[0]).text} ${comparison} ${this.print(args[1]).text})`, precedence: ATOM };
    }
    switch (op) {
      case 'cond':
        return { text: `CUBIE_SELECT(${this.print(args[0]).text}, ${this.print(args[1]).text}, ${this.print(args[2]).text})`, precedence: ATOM };
      case 'and':
        return { text: `(${this.print(args[0]).text} && ${this.print(args[1]).text})`, precedence: ATOM };
      case 'or':
        return { text: `(${this.print(args[0]).text} || ${this.print(args[1]).text})`, precedence: ATOM };
      case 'not':
        return { text: `(!${this.print(args[0]).text})`, precedence: ATOM };
      default:
        throw new Error(`operation ${op} must be lowered before printing`);
    }
  }
}
