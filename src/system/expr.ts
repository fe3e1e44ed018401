/**
 * The resolved expression graph every later stage works on (derivatives,
 * hashing, C++ generation).
 *
 * Nodes are hash-consed: the builder returns the same object for the same
 * structure, so a subexpression that occurs twice is one node. That makes
 * common-subexpression elimination a matter of counting parents, and keeps
 * the graph small when auxiliaries are substituted into their users.
 *
 * The builder folds a few identities (x*1, x+0, 0*x, constant arithmetic).
 * 0*x -> 0 ignores x being infinite or NaN; that is the usual convention
 * for symbolic Jacobians and is what makes structural zeros visible.
 */
import type { FunctionName } from './functions';

/** What a variable node stands for. `direction` is v in J·v, `driverRate` is d'(t) in df/dt. */
export type VarRole = 'state' | 'parameter' | 'driver' | 'time' | 'direction' | 'driverRate';

export type RealOp = 'neg' | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'cond';
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';
export type LogicOp = 'and' | 'or' | 'not';
export type Operator = RealOp | CompareOp | LogicOp;

export type ValueType = 'real' | 'bool';

interface NodeCommon {
  /** Unique per builder; ids grow in creation order, so children have smaller ids. */
  readonly id: number;
  readonly type: ValueType;
}
export interface NumExpr extends NodeCommon {
  readonly kind: 'num';
  readonly value: number;
}
export interface VarExpr extends NodeCommon {
  readonly kind: 'var';
  readonly role: VarRole;
  readonly index: number;
}
export interface OpExpr extends NodeCommon {
  readonly kind: 'op';
  readonly op: Operator;
  readonly args: readonly Expr[];
}
export interface CallExpr extends NodeCommon {
  readonly kind: 'call';
  readonly fn: FunctionName;
  readonly args: readonly Expr[];
}
export type Expr = NumExpr | VarExpr | OpExpr | CallExpr;

const COMPARE_OPS: ReadonlySet<Operator> = new Set<Operator>(['lt', 'le', 'gt', 'ge', 'eq', 'ne']);
const LOGIC_OPS: ReadonlySet<Operator> = new Set<Operator>(['and', 'or', 'not']);

export function isBoolOp(op: Operator): boolean {
  return COMPARE_OPS.has(op) || LOGIC_OPS.has(op);
}

/** A number's text that tells -0 from 0 (String(-0) is "0"). */
export function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export function isNum(e: Expr): e is NumExpr {
  return e.kind === 'num';
}

/** Whether `e` is the constant `value` (not a type guard: false says nothing about e's kind). */
export function isConstant(e: Expr, value: number): boolean {
  return e.kind === 'num' && e.value === value;
}

export class ExprBuilder {
  private readonly interned = new Map<string, Expr>();
  private nextId = 0;

  readonly zero: NumExpr = this.num(0);
  readonly one: NumExpr = this.num(1);

  /** Number of distinct nodes created so far. */
  get size(): number {
    return this.nextId;
  }

  num(value: number): NumExpr {
    if (!Number.isFinite(value)) throw new RangeError(`non-finite constant ${value}`);
    return this.intern(`n${numberKey(value)}`, () => ({ kind: 'num', id: this.nextId++, type: 'real', value }));
  }

  variable(role: VarRole, index: number): VarExpr {
    return this.intern(`v${role}:${index}`, () => ({ kind: 'var', id: this.nextId++, type: 'real', role, index }));
  }

  neg(a: Expr): Expr {
    if (a.kind === 'num') return this.num(-a.value);
    if (a.kind === 'op' && a.op === 'neg') return a.args[0];
    return this.op('neg', [a]);
  }

  add(a: Expr, b: Expr): Expr {
    if (isNum(a) && isNum(b)) return this.folded('add', a, b, a.value + b.value);
    if (isConstant(b, 0)) return a;
    if (isConstant(a, 0)) return b;
    return this.op('add', [a, b]);
  }

  sub(a: Expr, b: Expr): Expr {
    if (isNum(a) && isNum(b)) return this.folded('sub', a, b, a.value - b.value);
    if (isConstant(b, 0)) return a;
    if (isConstant(a, 0)) return this.neg(b);
    if (a === b) return this.zero;
    return this.op('sub', [a, b]);
  }

  mul(a: Expr, b: Expr): Expr {
    if (isNum(a) && isNum(b)) return this.folded('mul', a, b, a.value * b.value);
    if (isConstant(a, 0) || isConstant(b, 0)) return this.zero;
    if (isConstant(a, 1)) return b;
    if (isConstant(b, 1)) return a;
    if (isConstant(a, -1)) return this.neg(b);
    if (isConstant(b, -1)) return this.neg(a);
    return this.op('mul', [a, b]);
  }

  div(a: Expr, b: Expr): Expr {
    if (isNum(a) && isNum(b) && b.value !== 0) return this.folded('div', a, b, a.value / b.value);
    if (isConstant(b, 1)) return a;
    if (isConstant(a, 0) && !isConstant(b, 0)) return this.zero;
    return this.op('div', [a, b]);
  }

  pow(a: Expr, b: Expr): Expr {
    if (isConstant(b, 0)) return this.one;
    if (isConstant(b, 1)) return a;
    if (isNum(a) && isNum(b)) return this.folded('pow', a, b, Math.pow(a.value, b.value));
    return this.op('pow', [a, b]);
  }

  cond(condition: Expr, ifTrue: Expr, ifFalse: Expr): Expr {
    if (ifTrue === ifFalse) return ifTrue;
    return this.op('cond', [condition, ifTrue, ifFalse]);
  }

  compare(op: CompareOp, a: Expr, b: Expr): Expr {
    return this.op(op, [a, b]);
  }

  and(a: Expr, b: Expr): Expr {
    return this.op('and', [a, b]);
  }

  or(a: Expr, b: Expr): Expr {
    return this.op('or', [a, b]);
  }

  not(a: Expr): Expr {
    return this.op('not', [a]);
  }

  call(fn: FunctionName, args: readonly Expr[]): Expr {
    const key = `f${fn}(${args.map((a) => a.id).join(',')})`;
    return this.intern(key, () => ({ kind: 'call', id: this.nextId++, type: 'real', fn, args: Object.freeze([...args]) }));
  }

  /** The same operation or call over new arguments, folded as its builder method folds it. */
  rebuild(node: OpExpr | CallExpr, args: readonly Expr[]): Expr {
    if (node.kind === 'call') return this.call(node.fn, args);
    switch (node.op) {
      case 'neg':
      case 'not':
        return this[node.op](args[0]);
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
      case 'pow':
      case 'and':
      case 'or':
        return this[node.op](args[0], args[1]);
      case 'cond':
        return this.cond(args[0], args[1], args[2]);
      default:
        return this.compare(node.op, args[0], args[1]);
    }
  }

  private op(op: Operator, args: readonly Expr[]): Expr {
    const key = `o${op}(${args.map((a) => a.id).join(',')})`;
    const type: ValueType = isBoolOp(op) ? 'bool' : 'real';
    return this.intern(key, () => ({ kind: 'op', id: this.nextId++, type, op, args: Object.freeze([...args]) }));
  }

  /** Constant arithmetic, unless the result overflows: then the operation stays in the graph (and in the code). */
  private folded(op: RealOp, a: Expr, b: Expr, value: number): Expr {
    return Number.isFinite(value) ? this.num(value) : this.op(op, [a, b]);
  }

  private intern<T extends Expr>(key: string, make: () => T): T {
    const found = this.interned.get(key);
    if (found !== undefined) return found as T;
    const made = make();
    Object.freeze(made);
    this.interned.set(key, made);
    return made;
  }
}

/**
 * Every node reachable from `roots`, children before parents, each once.
 * Iterative, so deep graphs (long sums, derivative chains) cannot overflow the stack.
 */
export function postOrder(roots: readonly Expr[]): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<number>();
  const stack: { node: Expr; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const children = childrenOf(top.node);
      if (top.next < children.length) {
        const child = children[top.next++];
        if (!seen.has(child.id)) {
          seen.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

export function childrenOf(e: Expr): readonly Expr[] {
  return e.kind === 'op' || e.kind === 'call' ? e.args : [];
}
