/**
 * Which linear solver an implicit method's kernel gets: the `linearSolver`
 * option, or for 'auto' a rule on the Jacobian's size and pattern, measured
 * with `node bench/run.js sparse-linear` (README, "Linear solvers").
 */
import { CubieError } from '../shared/errors';
import type { LinearSolverName } from '../options/solve-options';
import type { CubieSystem } from '../system';
import { type LinearSolverKind, linearSolverFor } from './linear-solver';
import { jacobianPattern, sparseLuStructure } from './sparsity';

/** What result.kernel.linearSolver reports: the option's spelling of the kind, or 'none' for explicit methods. */
export type ChosenLinearSolver = Exclude<LinearSolverName, 'auto'> | 'none';

const BY_NAME: Record<Exclude<LinearSolverName, 'auto'>, LinearSolverKind> = {
  dense: 'lu',
  sparse: 'sparse',
  gmres: 'krylov',
  'gmres-jacobi': 'krylov-jacobi',
  'gmres-ilu0': 'krylov-ilu0',
};

export function linearSolverKind(name: Exclude<LinearSolverName, 'auto'>): LinearSolverKind {
  return BY_NAME[name];
}

/** From this many states 'auto' considers the sparse LU: below it dense LU is as fast (bench sparse-linear). */
export const SPARSE_MIN_STATES = 16;
/** ... when the factors' entries, fill included, are at most this share of N^2. */
export const SPARSE_MAX_DENSITY = 0.25;
/** ... and one factorisation is at most this many multiply-adds: beyond it the straight-line code gets too long to compile quickly. */
export const SPARSE_MAX_FLOPS = 200_000;
/**
 * ... and L+U hold at most this many entries: the straight-line code has a
 * statement per entry, and compile time grows faster than the entries. The
 * host compiler takes 13 s for the 512-state chain's 2,554 (7 s dense), but
 * NVRTC took 45 s at 128 states and 765 s at 512, and the plan does not know
 * which backend will compile it. Past this, 'auto' keeps the dense/GMRES rule;
 * `linearSolver: 'sparse'` still asks for the sparse LU by name (on the CPU it
 * is 30-180x faster than dense at 256-512 states: README, "Linear solvers").
 */
export const SPARSE_MAX_ENTRIES = 1_000;

/**
 * The solver for `family` ('dirk', 'rosenbrock', 'firk'): the option when
 * given, else the rule. Radau's complex block has no sparse form yet, so it
 * keeps the dense/GMRES rule and refuses the sparse kinds by name.
 */
export function chooseLinearSolver(system: CubieSystem, family: 'dirk' | 'rosenbrock' | 'firk', option: LinearSolverName): Exclude<LinearSolverName, 'auto'> {
  const n = system.states.length;
  const legacy = (): Exclude<LinearSolverName, 'auto'> => (linearSolverFor(n) === 'lu' ? 'dense' : 'gmres');
  if (family === 'firk') {
    if (option === 'auto' || option === 'dense' || option === 'gmres') return option === 'auto' ? legacy() : option;
    throw new CubieError('INVALID_OPTION', `Option 'linearSolver' is '${option}', but Radau methods solve with 'dense' or 'gmres' only (their complex block has no sparse form); use 'auto', 'dense' or 'gmres'`, {
      where: 'linearSolver',
    });
  }
  if (option !== 'auto') return option;
  if (n < SPARSE_MIN_STATES) return legacy();
  const pattern = jacobianPattern(system);
  // Too dense before any fill: skip the ordering, whose cliques would cost O(N^3).
  if (pattern.rows.length + n > SPARSE_MAX_DENSITY * n * n) return legacy();
  const structure = sparseLuStructure(pattern);
  if (structure.nnz <= SPARSE_MAX_DENSITY * n * n && structure.flops <= SPARSE_MAX_FLOPS && structure.nnz <= SPARSE_MAX_ENTRIES) return 'sparse';
  return legacy();
}
