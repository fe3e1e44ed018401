/**
 * An equation's right-hand side after the allow-list check: only the node
 * kinds below exist, symbols are still names (roles are decided later),
 * and every node has a known type (real number or condition).
 */
import type { FunctionName } from './functions';
import type { CompareOp, LogicOp } from './expr';

export type Ast =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: Ast }
  | { readonly kind: 'binary'; readonly op: 'add' | 'sub' | 'mul' | 'div' | 'pow'; readonly left: Ast; readonly right: Ast }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly args: readonly Ast[] }
  | { readonly kind: 'cond'; readonly condition: Ast; readonly ifTrue: Ast; readonly ifFalse: Ast }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Ast; readonly right: Ast }
  | { readonly kind: 'logic'; readonly op: LogicOp; readonly args: readonly Ast[] }
  /** delay(value, lag): value as it was lag time units ago (a delay differential equation). */
  | { readonly kind: 'delay'; readonly value: Ast; readonly lag: Ast };

/** Symbol names in order of first appearance (left to right). */
export function symbolsOf(ast: Ast, into: string[] = []): string[] {
  const seen = new Set(into);
  const visit = (node: Ast): void => {
    switch (node.kind) {
      case 'num':
        return;
      case 'sym':
        if (!seen.has(node.name)) {
          seen.add(node.name);
          into.push(node.name);
        }
        return;
      case 'neg':
        return visit(node.arg);
      case 'binary':
      case 'compare':
        visit(node.left);
        return visit(node.right);
      case 'call':
      case 'logic':
        return node.args.forEach(visit);
      case 'cond':
        visit(node.condition);
        visit(node.ifTrue);
        return visit(node.ifFalse);
      case 'delay':
        visit(node.value);
        return visit(node.lag);
    }
  };
  visit(ast);
  return into;
}
