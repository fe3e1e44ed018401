/**
 * How an implicit stepper solves its linear systems sigma*I - J: a dense LU
 * of the generated Jacobian (kernel/cubie/linalg.h), matrix-free GMRES on
 * the generated Jacobian-vector product (kernel/cubie/krylov.h), a sparse LU
 * on the Jacobian's pattern, or GMRES preconditioned by Jacobi or ILU(0) on
 * that pattern (kernel/cubie/sparse.h, code from sparse-lu-source.ts). All
 * have one interface, so the choice is the one line that declares the system
 * (and, for the sparse ones, the generated structs it names).
 */
import type { Precision } from '../system/types';
import { emitFactorStruct, emitJacobianStruct } from './sparse-lu-source';
import { type JacobianPattern, luStructure, naturalOrder, sparseLuStructure } from './sparsity';

export type LinearSolverKind = 'lu' | 'krylov' | 'sparse' | 'krylov-jacobi' | 'krylov-ilu0';

/** Whether the kind needs the Jacobian's pattern (generated structs and jacobian_values). */
export function usesPattern(kind: LinearSolverKind): boolean {
  return kind === 'sparse' || kind === 'krylov-jacobi' || kind === 'krylov-ilu0';
}

/** Kinds whose factorisation is kept in the stepper's memory between steps. */
export function keptBetweenSteps(kind: LinearSolverKind): boolean {
  return kind === 'lu' || kind === 'sparse';
}

/**
 * Systems with at least this many states solve matrix-free. Measured on the
 * CPU backend (`CUBIE_BENCH_LINEAR=1 node bench/stiff.js`; docs/implicit.md,
 * "LU or Krylov"): on a stiff diffusion-reaction chain of 16 to 192 states,
 * dense LU is faster than GMRES for rodas4, radau and kvaerno5 at every size
 * (1.5x to 8x), because unpreconditioned GMRES needs tens of products per
 * solve on stiff systems. So the switch is set by memory, not speed: the
 * dense path holds N^2 reals per trajectory (3 N^2 for Radau), and at 128
 * states Radau's blocks in float64 take 393 KB, most of the 512 KB of local
 * memory one GPU thread can address; below 128, LU.
 */
export const KRYLOV_MIN_STATES = 128;

/** GMRES restarts after this many basis vectors (fewer for smaller systems). */
export const KRYLOV_DIMENSION = 16;

export function linearSolverFor(nStates: number): LinearSolverKind {
  return nStates >= KRYLOV_MIN_STATES ? 'krylov' : 'lu';
}

/** The basis size for a system of `size` unknowns: a Krylov space has at most `size` dimensions. */
export function krylovDimension(size: number): number {
  return Math.min(size, KRYLOV_DIMENSION);
}

/** The C++ type of a real shifted system sigma*I - J. */
export function shiftedSystemType(kind: LinearSolverKind, nStates: number, keepJacobian = false): string {
  switch (kind) {
    case 'lu':
      return `cubie::DenseShiftedSystem<real, n_states${keepJacobian ? ', true' : ''}>`;
    case 'krylov':
      return `cubie::MatrixFreeShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}>`;
    case 'sparse':
      // J's values are always kept apart from the factors: keepJacobian is implied.
      return 'cubie::SparseShiftedSystem<real, SparseJacobian, SparseLu>';
    case 'krylov-jacobi':
    case 'krylov-ilu0':
      return `cubie::PreconditionedShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}, SparseJacobian, ${kind === 'krylov-ilu0' ? 'Ilu0' : 'Jacobi'}>`;
  }
}

/** Dense systems are kept in the stepper's memory between steps (J and its factorisations reused); matrix-free ones hold nothing worth keeping. */
export const KEPT_SYSTEM_TYPE = 'cubie::KeptShiftedSystem<real, n_states>';

/** The kept system's type for a kind that keepsBetweenSteps. */
export function keptSystemType(kind: LinearSolverKind): string {
  return kind === 'sparse' ? `cubie::KeptShiftedSystem<real, n_states, ${shiftedSystemType('sparse', 0)}>` : KEPT_SYSTEM_TYPE;
}

/**
 * The generated structs a pattern-based kind names: SparseJacobian, and
 * SparseLu (minimum-degree order, with fill), Ilu0 (natural order, A's own
 * structure) or Jacobi (the diagonal). None for dense and matrix-free.
 * With `complexBlock` (Radau) the sparse LU also gets SparseComplexLu.
 */
export function linearSolverDeclarations(kind: LinearSolverKind, pattern: JacobianPattern | undefined, precision: Precision, complexBlock = false): string[] {
  if (!usesPattern(kind)) return [];
  if (pattern === undefined) throw new Error(`linear solver '${kind}' needs the Jacobian's pattern`);
  const n = pattern.n;
  const diagonalOnly = { n, rows: [], cols: [] };
  const factor =
    kind === 'sparse'
      ? emitFactorStruct('SparseLu', 'Sparse LU of P(sigma I - J)P^T, minimum-degree order', pattern, sparseLuStructure(pattern), precision)
      : kind === 'krylov-ilu0'
        ? emitFactorStruct('Ilu0', 'ILU(0) preconditioner: LU on J\'s own pattern, no fill', pattern, luStructure(pattern, naturalOrder(n), false), precision)
        : emitFactorStruct('Jacobi', 'Jacobi preconditioner: the diagonal of sigma I - J', pattern, luStructure(diagonalOnly, naturalOrder(n), false), precision);
  const complexFactor =
    kind === 'sparse' && complexBlock
      ? [...emitFactorStruct('SparseComplexLu', "Radau's complex block (sr + i si) I - J, the same structure", pattern, sparseLuStructure(pattern), precision, true).lines, '']
      : [];
  return [...emitJacobianStruct(pattern), '', ...factor.lines, '', ...complexFactor];
}

/** The Memory struct of an implicit stepper: the members it keeps between steps (none: an empty struct). */
export function stepperMemory(members: string[]): string[] {
  if (members.length === 0) return ['// Nothing is kept between steps.', 'struct Memory {};'];
  return ['// Kept between steps: the Jacobian and the factorisations built from it.', 'struct Memory {', ...members.map((m) => `  ${m}`), '};'];
}

/** The C++ type of a complex shifted system (sr + i si) I - J built from a real one. */
export function complexShiftedSystemType(kind: LinearSolverKind, nStates: number): string {
  if (kind === 'lu') return 'cubie::DenseComplexShiftedSystem<real, n_states>';
  if (kind === 'sparse') return 'cubie::SparseComplexShiftedSystem<real, SparseComplexLu>';
  return `cubie::MatrixFreeComplexShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}>`;
}

/** The kernel headers a stepper with this solver includes. */
export function linearSolverIncludes(kind: LinearSolverKind): string[] {
  switch (kind) {
    case 'lu':
      return ['#include "cubie/linalg.h"'];
    case 'krylov':
      return ['#include "cubie/krylov.h"'];
    case 'sparse':
      return ['#include "cubie/linalg.h"', '#include "cubie/sparse.h"'];
    default:
      return ['#include "cubie/sparse.h"'];
  }
}

export function describeLinearSolver(kind: LinearSolverKind, nStates: number): string {
  switch (kind) {
    case 'lu':
      return 'dense LU with partial pivoting';
    case 'krylov':
      return `matrix-free GMRES(${krylovDimension(nStates)}) on J*v`;
    case 'sparse':
      return 'sparse LU on the Jacobian\'s pattern (minimum-degree order, diagonal pivots)';
    case 'krylov-jacobi':
      return `GMRES(${krylovDimension(nStates)}) on sparse J, Jacobi-preconditioned`;
    case 'krylov-ilu0':
      return `GMRES(${krylovDimension(nStates)}) on sparse J, ILU(0)-preconditioned`;
  }
}
