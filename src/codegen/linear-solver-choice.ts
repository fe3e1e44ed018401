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

/**
 * 'auto' takes the sparse LU when one factorisation costs at most this share
 * of the dense LU's multiply-adds (denseLuFlops). Measured on the IVP Test
 * Set's systems, rodas5p, CPU, one thread (`node bench/run.js cvode` and the
 * README's "Linear solvers"): HIRES (8 states, 21 against 168 multiply-adds)
 * runs 2.4x faster sparse, POLLU (20 states, 162 against 2,660) 4.3x,
 * ROBER (3 states, 5 against 8) the same either way; the dense LU's loops,
 * pivot search and row exchanges cost more than its flops suggest. Systems
 * whose pattern saves less than this keep the dense LU with its row
 * exchanges (partial pivoting is the more robust of the two).
 */
export const SPARSE_MAX_WORK_SHARE = 0.25;
/**
 * From this many states, patterns with more nonzeros than SPARSE_MAX_DENSITY
 * of N^2 keep the dense/GMRES rule without an ordering, whose cliques would
 * cost O(N^3); below it the ordering is cheap whatever the pattern.
 */
export const SPARSE_DENSITY_CHECK_STATES = 64;
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
 * given, else the rule, the same for every family: Radau factors its complex
 * block on the real one's sparse structure too. Radau refuses the
 * preconditioned GMRES kinds (no complex preconditioner).
 */
export function chooseLinearSolver(system: CubieSystem, family: 'dirk' | 'rosenbrock' | 'firk', option: LinearSolverName): Exclude<LinearSolverName, 'auto'> {
  const n = system.states.length;
  const legacy = (): Exclude<LinearSolverName, 'auto'> => (linearSolverFor(n) === 'lu' ? 'dense' : 'gmres');
  if (family === 'firk' && (option === 'gmres-jacobi' || option === 'gmres-ilu0')) {
    throw new CubieError('INVALID_OPTION', `Option 'linearSolver' is '${option}', but Radau methods solve with 'dense', 'sparse' or 'gmres' only (their complex block has no preconditioned form); use 'auto', 'dense', 'sparse' or 'gmres'`, {
      where: 'linearSolver',
    });
  }
  if (option !== 'auto') return option;
  const pattern = jacobianPattern(system);
  if (n >= SPARSE_DENSITY_CHECK_STATES && pattern.rows.length + n > SPARSE_MAX_DENSITY * n * n) return legacy();
  const structure = sparseLuStructure(pattern);
  if (structure.flops <= SPARSE_MAX_WORK_SHARE * denseLuFlops(n) && structure.flops <= SPARSE_MAX_FLOPS && structure.nnz <= SPARSE_MAX_ENTRIES) return 'sparse';
  return legacy();
}

/** Multiply-adds of a dense LU of N x N counted as sparsity.ts counts them (sum over j of (N-1-j)(N-j), about N^3/3). */
export function denseLuFlops(n: number): number {
  let flops = 0;
  for (let j = 0; j < n; j++) flops += (n - 1 - j) * (n - j);
  return flops;
}
