/**
 * Auxiliaries may read each other in any line order; they are evaluated in
 * dependency order, and a cycle is an error that names the whole loop.
 */
import { CubieError } from '../shared/errors';
import type { EquationLine } from './classify';

/**
 * Auxiliary names, each after the auxiliaries it reads (depth-first from
 * each auxiliary in line order, so the result is deterministic).
 * Iterative: a chain of thousands of auxiliaries must not overflow the stack.
 */
export function orderAuxiliaries(auxiliaries: ReadonlyMap<string, EquationLine>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const dependencies = (name: string): string[] => (auxiliaries.get(name)?.symbols ?? []).filter((s) => auxiliaries.has(s));

  for (const root of auxiliaries.keys()) {
    if (state.has(root)) continue;
    const stack: { name: string; deps: string[]; next: number }[] = [{ name: root, deps: dependencies(root), next: 0 }];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++];
        const seen = state.get(dep);
        if (seen === 'visiting') throw cycleError(stack.map((f) => f.name), dep, auxiliaries);
        if (seen === undefined) {
          state.set(dep, 'visiting');
          stack.push({ name: dep, deps: dependencies(dep), next: 0 });
        }
      } else {
        state.set(top.name, 'done');
        order.push(top.name);
        stack.pop();
      }
    }
  }
  return order;
}

function cycleError(path: readonly string[], repeated: string, auxiliaries: ReadonlyMap<string, EquationLine>): CubieError {
  const loop = path.slice(path.indexOf(repeated));
  const lineOf = (name: string): number => auxiliaries.get(name)?.location.line ?? 0;
  const shown = [...loop, repeated].map((name) => `'${name}' (line ${lineOf(name)})`).join(' -> ');
  const message = loop.length === 1
    ? `Auxiliary '${repeated}' is defined in terms of itself (equation line ${lineOf(repeated)})`
    : `Auxiliaries depend on each other in a cycle: ${shown}`;
  return new CubieError('CYCLIC_DEPENDENCY', message, {
    line: lineOf(loop[0]),
    where: `equation line ${lineOf(loop[0])}`,
    cycle: loop,
  });
}
