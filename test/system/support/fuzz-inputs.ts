/**
 * Inputs for the fuzz test: random systems from a grammar of the allowed
 * math (valid by construction, in every spelling mathjs accepts), the same
 * text mutated character by character with hostile fragments, and noise.
 */
import type { SystemDefinition } from '../../../src/system';
import { Random } from './random';

export type FuzzKind = 'grammar' | 'mutated' | 'noise' | 'extreme';

export interface FuzzCase {
  kind: FuzzKind;
  definition: SystemDefinition;
}

const UNARY = ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  'exp', 'expm1', 'log', 'log10', 'log2', 'log1p', 'sqrt', 'cbrt', 'abs', 'floor', 'ceil', 'sign'];
const BINARY_FUNCTIONS = ['hypot', 'atan2', 'pow'];
const LITERALS = ['0', '1', '2', '3', '0.5', '1.0', '.25', '1e-3', '2.5e2', '1e300', '1e-300', '1e-320', '1e39', '1e-50',
  '0x1F', '0b101', '123456789012345678', '0.1', '3.14159', '7', '1E3'];
const EXPONENTS = ['2', '3', '-1', '-2', '0.5', '-0.5', '(1/3)', '17', '-17', '16', '0', '1', '2.5', '(-3)'];
const COMPARISONS = ['<', '<=', '>', '>=', '==', '!='];
const HOSTILE = [';', '}', '{', '#', '"', "'", '\\', '/*', '*/', '//', '\n', '\r', '<', '>', '::', '$', '@', '&', '|', '~', '%', '!',
  '?', ':', '.', ',', '[', ']', '=', '==', '^', 'e', '1e999', '\u0445', '\uff58', '\u200d', '\u202e', '\u0000', 'int', 'return',
  'sin', 'd', 't', '(', ')', ' ', '-', '+', '*', '/', 'x', 'dx =', 'and', 'not', 'mod', 'to', '?:', '0x', '1.2.3', '__', 'α'];

class Grammar {
  constructor(private readonly r: Random, private readonly symbols: readonly string[]) {}

  expression(depth: number): string {
    const r = this.r;
    if (depth <= 0 || r.chance(0.25)) return this.leaf();
    switch (r.int(9)) {
      case 0:
        return `${r.pick(['-', '+', '- '])}${this.operand(depth - 1)}`;
      case 1:
      case 2:
        return `${this.operand(depth - 1)} ${r.pick(['+', '-', '*', '/'])} ${this.operand(depth - 1)}`;
      case 3:
        return `${this.operand(depth - 1)}^${r.chance(0.7) ? r.pick(EXPONENTS) : this.operand(depth - 1)}`;
      case 4:
        return `${r.pick(UNARY)}(${this.expression(depth - 1)})`;
      case 5: {
        if (r.chance(0.5)) return `${r.pick(BINARY_FUNCTIONS)}(${this.expression(depth - 1)}, ${this.expression(depth - 1)})`;
        const count = 2 + r.int(3);
        return `${r.pick(['min', 'max'])}(${Array.from({ length: count }, () => this.expression(depth - 1)).join(', ')})`;
      }
      case 6:
        return `(${this.condition(depth - 1)} ? ${this.expression(depth - 1)} : ${this.expression(depth - 1)})`;
      case 7:
        return `${r.pick(['2', '3.5', '0.5'])}${r.pick(['', ' '])}${r.pick(this.symbols)}`;
      default:
        return `(${this.expression(depth - 1)})`;
    }
  }

  private operand(depth: number): string {
    return this.r.chance(0.5) ? `(${this.expression(depth)})` : this.expression(depth);
  }

  private leaf(): string {
    const r = this.r;
    const roll = r.next();
    if (roll < 0.55) return r.pick(this.symbols);
    if (roll < 0.9) return r.pick(LITERALS);
    return r.pick(['pi', 'e', 't']);
  }

  private condition(depth: number): string {
    const r = this.r;
    const compare = (): string => `${this.expression(depth - 1)} ${r.pick(COMPARISONS)} ${this.expression(depth - 1)}`;
    switch (r.int(5)) {
      case 0:
        return `${compare()} ${r.pick(['and', 'or'])} ${compare()}`;
      case 1:
        return `not (${compare()})`;
      case 2:
        return `${this.expression(depth - 1)} < ${this.expression(depth - 1)} <= ${this.expression(depth - 1)}`;
      default:
        return compare();
    }
  }
}

const NAME_POOL = ['x', 'y', 'z', 'w', 'u1', 'v2', 'A', 'B', 'Ca', 'theta', 'k', 'q', 'r0', 'alpha', 'beta', 'gamma', 'K_m',
  'Vmax', 'I', 'S', 'R', 'N', 'n', 'm', 'c', 'g', 'h', 'L', 'flux', 'rate', 'tmp', 'aux1', 'aux2', 'obs1', 'F', 'G'];

export function grammarSystem(r: Random): SystemDefinition {
  const names = r.shuffled(NAME_POOL);
  const take = (count: number): string[] => names.splice(0, count);
  const states = take(1 + r.int(4));
  const parameters = take(r.int(4));
  const constantNames = take(r.int(3));
  const drivers = take(r.int(3));
  const auxiliaries = take(r.int(4));
  const constants = Object.fromEntries(constantNames.map((c) => [c, Number(r.uniform(-5, 5).toPrecision(1 + r.int(6)))]));
  let lines: string[] = [];
  auxiliaries.forEach((aux, i) => {
    // An auxiliary may read earlier auxiliaries only, so there are no cycles.
    const grammar = new Grammar(r, [...states, ...parameters, ...constantNames, ...drivers, ...auxiliaries.slice(0, i), 't']);
    lines.push(`${aux} = ${grammar.expression(1 + r.int(4))}`);
  });
  const grammar = new Grammar(r, [...states, ...parameters, ...constantNames, ...drivers, ...auxiliaries, 't']);
  for (const s of states) lines.push(`d${s} = ${grammar.expression(1 + r.int(5))}${r.chance(0.2) ? '  # comment' : ''}`);
  lines = r.shuffled(lines);
  if (r.chance(0.2)) lines.splice(r.int(lines.length + 1), 0, '# a comment line', '');
  const observables = [...auxiliaries, ...states].filter(() => r.chance(0.3));
  const definition: SystemDefinition = { equations: r.chance(0.5) ? lines : lines.join('\n') };
  if (r.chance(0.7)) definition.states = r.chance(0.5) ? states : Object.fromEntries(states.map((s) => [s, r.uniform(-1, 1)]));
  if (parameters.length > 0) definition.parameters = r.chance(0.5) ? parameters : Object.fromEntries(parameters.map((p) => [p, r.uniform(0, 2)]));
  if (constantNames.length > 0) definition.constants = constants;
  if (drivers.length > 0) definition.drivers = drivers;
  if (observables.length > 0) definition.observables = observables;
  return definition;
}

function mutateText(r: Random, text: string): string {
  let out = text;
  const edits = 1 + r.int(4);
  for (let i = 0; i < edits; i++) {
    const at = r.int(out.length + 1);
    switch (r.int(5)) {
      case 0:
        out = out.slice(0, at) + r.pick(HOSTILE) + out.slice(at);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at + 1 + r.int(5));
        break;
      case 2: {
        const from = r.int(out.length + 1);
        out = out.slice(0, at) + out.slice(from, from + r.int(12)) + out.slice(at);
        break;
      }
      case 3:
        out = out.slice(0, at) + String.fromCharCode(32 + r.int(95)) + out.slice(at + 1);
        break;
      default:
        out = out.slice(0, at) + r.pick(HOSTILE) + r.pick(HOSTILE) + out.slice(at + 1);
    }
  }
  return out;
}

export function mutatedSystem(r: Random): SystemDefinition {
  const base = grammarSystem(r);
  const lines = typeof base.equations === 'string' ? base.equations.split('\n') : [...base.equations];
  const index = r.int(lines.length);
  lines[index] = mutateText(r, lines[index]);
  if (r.chance(0.3)) {
    const other = r.int(lines.length);
    lines[other] = mutateText(r, lines[other]);
  }
  const mutated: SystemDefinition = { ...base, equations: lines };
  if (r.chance(0.2)) mutated.strict = false;
  if (r.chance(0.1) && Array.isArray(base.states)) mutated.states = base.states.map((s, i) => (i === 0 ? mutateText(r, s) : s));
  if (r.chance(0.1) && base.observables) mutated.observables = [...base.observables, mutateText(r, 'obs1')];
  return mutated;
}

export function noiseSystem(r: Random): SystemDefinition {
  const length = r.int(120);
  let text = r.chance(0.6) ? 'dx = ' : '';
  for (let i = 0; i < length; i++) text += r.chance(0.3) ? r.pick(HOSTILE) : String.fromCharCode(32 + r.int(95));
  return { equations: text, strict: r.chance(0.5) };
}

/** Inputs at the limits: deep nesting, long chains, long lines. */
export function extremeSystem(r: Random): SystemDefinition {
  const n = r.pick([50, 63, 64, 65, 120, 255, 256, 257, 400, 3000, 9000]);
  switch (r.int(6)) {
    case 0:
      return { equations: `dx = ${'('.repeat(n)}x${')'.repeat(n)}` };
    case 1:
      return { equations: `dx = ${'x + '.repeat(n)}1` };
    case 2:
      return { equations: `dx = ${'-'.repeat(n)}x` };
    case 3:
      return { equations: `dx = ${'x^'.repeat(Math.min(n, 2000))}1.0001` };
    case 4:
      return { equations: `dx = ${'sin('.repeat(Math.min(n, 64))}x${')'.repeat(Math.min(n, 64))}` };
    default:
      return { equations: `dx = ${'(x > 0 ? '.repeat(Math.min(n, 60))}x${' : 1)'.repeat(Math.min(n, 60))}` };
  }
}

export function fuzzCases(seed: number, counts: Record<FuzzKind, number>): FuzzCase[] {
  const r = new Random(seed);
  const cases: FuzzCase[] = [];
  const make: Record<FuzzKind, (r: Random) => SystemDefinition> = {
    grammar: grammarSystem, mutated: mutatedSystem, noise: noiseSystem, extreme: extremeSystem,
  };
  for (const kind of Object.keys(counts) as FuzzKind[]) {
    for (let i = 0; i < counts[kind]; i++) cases.push({ kind, definition: make[kind](r) });
  }
  return cases;
}
