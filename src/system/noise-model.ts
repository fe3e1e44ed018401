/**
 * Noise in resolved form: the diffusion matrix g (state i, process j) as
 * sparse terms in the model's expression graph, and its structure.
 *
 * Structure, as the methods need it:
 *   - 'diagonal': every process drives exactly one state and no state is
 *     driven by two processes (g is diagonal up to renaming);
 *   - 'commutative': not diagonal, but L^a g^b = L^b g^a for every pair of
 *     processes, where (L^a h) = sum_k g_ka dh/dx_k (the commutativity
 *     condition under which Milstein needs no Lévy areas);
 *   - 'general': neither shown.
 * `commutative` is reported on its own too: a diagonal g may fail it
 * (g_11 reading x_2), and scalar noise (one process) always has it.
 * The condition is proved symbolically (noise-terms.ts); what cannot be
 * proved, or is too large to check (MAX_CHECKED_PAIRS), counts as not
 * commutative, which is the safe answer.
 */
import type { CheckedNoiseTerm } from './noise';
import type { Expr, ExprBuilder, VarExpr } from './expr';
import { postOrder } from './expr';
import { Differentiator } from './differentiate';
import { shownEqual } from './noise-terms';
import type { Calculus, NormalizedNoise } from './types';

export type NoiseStructure = 'diagonal' | 'commutative' | 'general';

/** Work bound for the symbolic check: process pairs times states. */
const MAX_CHECKED_PAIRS = 100_000;

export interface NoiseTerm {
  readonly state: number;
  readonly process: number;
  /** g_ij in the model's graph (auxiliaries substituted, constants inlined). */
  readonly value: Expr;
}

export interface ModelNoise {
  readonly calculus: Calculus;
  /** As written: 'diagonal' (`{ x: 'sigma*x' }`) or 'general' (named processes). */
  readonly form: 'diagonal' | 'general';
  /** Process names in stream order (diagonal: the noisy states in state order, shown as `W.<state>`). */
  readonly processNames: readonly string[];
  /** The nonzero entries of g, sorted by process then state, each (state, process) once. */
  readonly terms: readonly NoiseTerm[];
  readonly structure: NoiseStructure;
  readonly commutative: boolean;
}

export function buildNoise(
  b: ExprBuilder,
  noise: NormalizedNoise,
  checked: readonly CheckedNoiseTerm[],
  stateNames: readonly string[],
  toValue: (term: CheckedNoiseTerm) => Expr,
): ModelNoise {
  const stateIndex = new Map(stateNames.map((name, i) => [name, i]));
  const indexOf = (state: string): number => {
    const i = stateIndex.get(state);
    // Unreachable after checkNoiseRoles; a failure here is a bug, not a user error.
    if (i === undefined) throw new Error(`noise key '${state}' is not a state`);
    return i;
  };
  // Diagonal processes follow state order, so the order of the keys in `noise` changes nothing.
  const processNames = noise.form === 'diagonal'
    ? [...noise.processes].sort((x, y) => indexOf(x) - indexOf(y))
    : [...noise.processes];
  const processIndex = new Map(processNames.map((name, j) => [name, j]));
  const terms = checked
    .map((term): NoiseTerm => Object.freeze({ state: indexOf(term.state), process: processIndex.get(term.process) ?? -1, value: toValue(term) }))
    .filter((term) => !(term.value.kind === 'num' && term.value.value === 0))
    .sort((x, y) => x.process - y.process || x.state - y.state);
  const diagonal = isDiagonal(terms, processNames.length);
  const commutative = isCommutative(b, terms, stateNames.length, processNames.length, diagonal);
  return Object.freeze({
    calculus: noise.calculus,
    form: noise.form,
    processNames: Object.freeze(processNames),
    terms: Object.freeze(terms),
    structure: diagonal ? 'diagonal' : commutative ? 'commutative' : 'general',
    commutative,
  });
}

function isDiagonal(terms: readonly NoiseTerm[], nProcesses: number): boolean {
  const perProcess = new Array<number>(nProcesses).fill(0);
  const states = new Set<number>();
  for (const term of terms) {
    perProcess[term.process]++;
    states.add(term.state);
  }
  return perProcess.every((count) => count === 1) && states.size === nProcesses;
}

function isCommutative(b: ExprBuilder, terms: readonly NoiseTerm[], nStates: number, nProcesses: number, diagonal: boolean): boolean {
  if (nProcesses <= 1) return true;
  const differentiator = new Differentiator(b);
  const stateVars = Array.from({ length: nStates }, (_, k) => b.variable('state', k));
  if (diagonal && terms.every((term) => [...statesRead(term.value)].every((k) => k === term.state))) {
    // g_jj reads only x_j (and t, parameters...): every L^a g^b with a != b is zero on both sides.
    return true;
  }
  if (nProcesses * (nProcesses - 1) / 2 * nStates > MAX_CHECKED_PAIRS) return false;
  const columns = noiseColumns(terms, nProcesses);
  const lie = (a: number, j: number, i: number): Expr => lieDerivative(b, differentiator, columns[a], columns[j].get(i) ?? b.zero, stateVars);
  for (let a = 0; a < nProcesses; a++) {
    for (let c = a + 1; c < nProcesses; c++) {
      for (let i = 0; i < nStates; i++) {
        if (!shownEqual(lie(a, c, i), lie(c, a, i))) return false;
      }
    }
  }
  return true;
}

/** The indices of the states `e` reads (one walk over its graph, whatever the number of states). */
export function statesRead(e: Expr): Set<number> {
  const read = new Set<number>();
  for (const node of postOrder([e])) if (node.kind === 'var' && node.role === 'state') read.add(node.index);
  return read;
}

/** columns[j]: state index -> g_ij, for the states process j drives. */
export function noiseColumns(terms: readonly NoiseTerm[], nProcesses: number): Map<number, Expr>[] {
  const columns = Array.from({ length: nProcesses }, () => new Map<number, Expr>());
  for (const term of terms) columns[term.process].set(term.state, term.value);
  return columns;
}

/** (L^a h) = sum over the states k that process a drives of g_ka * dh/dx_k. */
export function lieDerivative(b: ExprBuilder, differentiator: Differentiator, column: ReadonlyMap<number, Expr>, h: Expr, stateVars: readonly VarExpr[]): Expr {
  if (h.kind === 'num') return b.zero;
  const read = statesRead(h);
  const ks = [...column.keys()].filter((k) => read.has(k));
  if (ks.length === 0) return b.zero;
  const partials = differentiator.partials([h], ks.map((k) => stateVars[k]))[0];
  return ks.reduce<Expr>((acc, k, n) => b.add(acc, b.mul(column.get(k) ?? b.zero, partials[n])), b.zero);
}
