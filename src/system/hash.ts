/**
 * The canonical system hash.
 *
 * Canonical form (version tag `cubie-system/1`):
 *   - the interface: names of states, parameters, drivers and observables,
 *     in order (order is memory layout, names are how values are supplied);
 *   - the math: for each derivative and observable, a Merkle digest of its
 *     resolved expression. Auxiliaries are substituted, so their names and
 *     line order do not matter; constants are inlined as numbers, so their
 *     values matter but not how they are written (1 vs 1.0 vs 1e0);
 *     whitespace and comments never reach the expression graph.
 *
 * Not included: the system's name (a label for folders and logs: the
 * compile cache keys by generated source anyway), state and parameter
 * default values (run-time inputs, like the values passed to solve), and
 * auxiliary names. Operand order is kept (a*b and b*a hash differently):
 * the hash identifies the computation, and floating-point sums are not
 * associative.
 */
import { createHash } from 'crypto';
import type { Expr } from './expr';
import { numberKey, postOrder } from './expr';
import type { SystemModel } from './model';

export const HASH_FORMAT = 'cubie-system/1';

export function systemHash(model: SystemModel): string {
  const digests = expressionDigests([...model.derivatives, ...model.observables]);
  const digestOf = (e: Expr): string => digests.get(e.id) ?? '';
  const lines = [
    HASH_FORMAT,
    `states:${model.stateNames.join(',')}`,
    `parameters:${model.parameterNames.join(',')}`,
    `drivers:${model.driverNames.join(',')}`,
    `observables:${model.observableNames.join(',')}`,
    `derivatives:${model.derivatives.map(digestOf).join(',')}`,
    `observable-values:${model.observables.map(digestOf).join(',')}`,
  ];
  return sha256(lines.join('\n'));
}

/** A digest per node that depends only on structure (not on node ids or creation order). */
function expressionDigests(roots: readonly Expr[]): Map<number, string> {
  const digests = new Map<number, string>();
  for (const node of postOrder(roots)) {
    digests.set(node.id, sha256(canonicalNode(node, (child) => digests.get(child.id) ?? '')));
  }
  return digests;
}

function canonicalNode(node: Expr, digestOf: (e: Expr) => string): string {
  switch (node.kind) {
    case 'num':
      return `num ${numberKey(node.value)}`;
    case 'var':
      return `var ${node.role} ${node.index}`;
    case 'op':
      return `op ${node.op}(${node.args.map(digestOf).join(',')})`;
    case 'call':
      return `call ${node.fn}(${node.args.map(digestOf).join(',')})`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
