/**
 * An independent evaluation of a system: mathjs evaluates the original
 * equation text (not cubie's parse of it), auxiliaries in whatever order
 * lets every symbol be defined.
 */
import { all, create } from 'mathjs';
import type { EvalFunction } from 'mathjs';
import type { CubieSystem } from '../../../src/system';

// predictable: sqrt(-1) is NaN rather than a complex number, as in C.
const math = create(all, { predictable: true });

export interface Point {
  y: readonly number[];
  p: readonly number[];
  d: readonly number[];
  t: number;
}

interface CompiledLine {
  target: string;
  code: EvalFunction;
  symbols: string[];
}

const compiled = new WeakMap<CubieSystem, CompiledLine[]>();

function linesOf(system: CubieSystem): CompiledLine[] {
  let lines = compiled.get(system);
  if (lines === undefined) {
    lines = system.definition.equations
      .map((raw) => raw.split('#')[0])
      .filter((text) => text.trim() !== '')
      .map((text) => {
        const node = math.parse(text);
        const symbols = node.filter((n) => n.type === 'SymbolNode').map((n) => (n as unknown as { name: string }).name);
        return { target: (node as unknown as { name: string }).name, code: node.compile(), symbols };
      });
    compiled.set(system, lines);
  }
  return lines;
}

/** f and observables at `point`, evaluated by mathjs from the equation text. */
export function oracle(system: CubieSystem, point: Point): { f: number[]; observables: number[] } {
  const scope = new Map<string, unknown>();
  system.states.forEach((name, i) => scope.set(name, point.y[i]));
  system.parameters.forEach((name, i) => scope.set(name, point.p[i]));
  system.drivers.forEach((name, i) => scope.set(name, point.d[i]));
  for (const [name, value] of Object.entries(system.constants)) scope.set(name, value);
  scope.set('t', point.t);
  const derivativeNames = new Set(system.states.map((s) => `d${s}`));
  let pending = linesOf(system).filter((l) => !derivativeNames.has(l.target));
  // Evaluate auxiliaries once everything they read is in scope (equation order does not matter).
  while (pending.length > 0) {
    const ready = pending.filter((l) => l.symbols.every((s) => scope.has(s) || s === 'e' || s === 'pi' || l.target === s || !pending.some((q) => q.target === s)));
    if (ready.length === 0) throw new Error('oracle: auxiliaries could not be ordered');
    for (const line of ready) line.code.evaluate(scope);
    pending = pending.filter((l) => !ready.includes(l));
  }
  const results = new Map<string, number>();
  for (const line of linesOf(system)) {
    if (derivativeNames.has(line.target)) results.set(line.target, toNumber(line.code.evaluate(scope)));
  }
  return {
    f: system.states.map((s) => results.get(`d${s}`) ?? NaN),
    observables: system.observables.map((o) => toNumber(scope.get(o))),
  };
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return NaN;
}
