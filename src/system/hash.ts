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
 *   - events, only when there are any (a system without events hashes as
 *     before events existed): in order, each event's name (it labels
 *     results), its trigger (the digest of `when` and the direction; or
 *     `every` and `start`; or the `at` times), its assignments by state
 *     index with the digests of their values, and `terminal`. Equivalent
 *     spellings (direction -1 or 'falling', terminal true or 1, the order of
 *     `then` assignments) hash alike.
 *
 *   - noise, only when there is any (a system without noise hashes as before
 *     noise existed): the calculus, the form, the process names in stream
 *     order (they label the `W.<name>` outputs and pick the random streams),
 *     and each nonzero entry of g as `state,process=digest`. The order of
 *     the keys in a diagonal `noise` does not matter (processes follow the
 *     states); in the general form the process order does.
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
import type { ModelEvent, SystemModel } from './model';
import type { ModelNoise } from './noise-model';

export const HASH_FORMAT = 'cubie-system/1';

export function systemHash(model: SystemModel): string {
  const noiseRoots = model.noise?.terms.map((term) => term.value) ?? [];
  const digests = expressionDigests([...model.derivatives, ...model.observables, ...model.events.flatMap(eventRoots), ...noiseRoots]);
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
  if (model.events.length > 0) lines.push(`events:${model.events.length}`, ...model.events.map((event) => eventLine(event, digestOf)));
  if (model.noise !== undefined) lines.push(...noiseLines(model.noise, digestOf));
  return sha256(lines.join('\n'));
}

function noiseLines(noise: ModelNoise, digestOf: (e: Expr) => string): string[] {
  return [
    `noise:${noise.calculus} ${noise.form}`,
    `processes:${noise.processNames.join(',')}`,
    `diffusion:${noise.terms.map((term) => `${term.state},${term.process}=${digestOf(term.value)}`).join(';')}`,
  ];
}

function eventRoots(event: ModelEvent): Expr[] {
  return [...(event.trigger.kind === 'crossing' ? [event.trigger.when] : []), ...event.assignments.map((a) => a.value)];
}

function eventLine(event: ModelEvent, digestOf: (e: Expr) => string): string {
  const { trigger } = event;
  const fired = trigger.kind === 'crossing'
    ? `crossing ${trigger.direction} ${digestOf(trigger.when)}`
    : trigger.kind === 'every'
      ? `every ${numberKey(trigger.every)} start ${trigger.start === undefined ? 't0' : numberKey(trigger.start)}`
      : `at ${sha256(trigger.at.map(numberKey).join(','))}`;
  const assignments = event.assignments.map((a) => `${a.state}=${digestOf(a.value)}`).join(',');
  return `event:${event.name}|${fired}|then:${assignments}|terminal:${event.terminal}`;
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
