/**
 * The body of one generated function: common subexpressions computed once
 * into locals, then the output assignments.
 *
 * The expression graph is hash-consed, so a subexpression used twice is
 * one node with two parents; such nodes (and nodes that are a named
 * auxiliary, for readability) become `const` locals, emitted children
 * first. Expressions are also cut into locals where they would nest more
 * than MAX_INLINE_DEPTH levels, which bounds line length and compiler
 * recursion however deep the math is.
 */
import type { Expr } from '../system/expr';
import { childrenOf, postOrder } from '../system/expr';
import type { Precision } from '../system/types';
import { CppPrinter } from './cpp-expression';

export const MAX_INLINE_DEPTH = 24;

export interface Output {
  /** Left-hand side, e.g. `dy[0]`. */
  readonly target: string;
  readonly value: Expr;
}

export interface FunctionBody {
  readonly outputs: readonly Output[];
  /** Node id -> user name of the auxiliary it computes; such nodes get an `a<k>` local and a comment. */
  readonly labels: ReadonlyMap<number, string>;
  readonly precision: Precision;
  readonly indent?: string;
}

/** The statements of a function body, one per line. */
export function emitBody({ outputs, labels, precision, indent = '  ' }: FunctionBody): string[] {
  const order = postOrder(outputs.map((o) => o.value));
  const uses = countUses(order, outputs);
  const temporaries = new Map<number, string>();
  const inlineDepth = new Map<number, number>();
  const lines: string[] = [];
  const printer = new CppPrinter(precision, temporaries);
  let auxCount = 0;
  let tempCount = 0;

  for (const node of order) {
    if (node.kind === 'num' || node.kind === 'var') continue;
    const depth = 1 + Math.max(0, ...childrenOf(node).map((c) => (temporaries.has(c.id) ? 0 : inlineDepth.get(c.id) ?? 0)));
    const label = labels.get(node.id);
    const shared = (uses.get(node.id) ?? 0) > 1 && !isCheap(node, temporaries);
    if (!shared && label === undefined && depth <= MAX_INLINE_DEPTH) {
      inlineDepth.set(node.id, depth);
      continue;
    }
    const name = label !== undefined ? `a${auxCount++}` : `c${tempCount++}`;
    const type = node.type === 'bool' ? 'cubie::mask_of<real>' : 'real';
    lines.push(`${indent}const ${type} ${name} = ${printer.definition(node)};${label !== undefined ? ` // ${label}` : ''}`);
    temporaries.set(node.id, name);
  }
  for (const { target, value } of outputs) {
    lines.push(`${indent}${target} = ${temporaries.get(value.id) ?? printer.definition(value)};`);
  }
  return lines;
}

/** How many times each node is read: once per parent edge, plus once per output it is. */
function countUses(order: readonly Expr[], outputs: readonly Output[]): Map<number, number> {
  const uses = new Map<number, number>();
  const use = (e: Expr): void => {
    uses.set(e.id, (uses.get(e.id) ?? 0) + 1);
  };
  for (const node of order) childrenOf(node).forEach(use);
  for (const o of outputs) use(o.value);
  return uses;
}

/** Negating a variable or a local costs nothing worth a local of its own. */
function isCheap(node: Expr, temporaries: ReadonlyMap<number, string>): boolean {
  if (node.kind !== 'op' || node.op !== 'neg') return false;
  const [operand] = node.args;
  return operand.kind === 'var' || operand.kind === 'num' || temporaries.has(operand.id);
}
