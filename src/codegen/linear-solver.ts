/**
 * How an implicit stepper solves its linear systems sigma*I - J: a dense LU
 * of the generated Jacobian (kernel/cubie/linalg.h), or matrix-free GMRES on
 * the generated Jacobian-vector product (kernel/cubie/krylov.h). The two
 * have one interface, so the choice is the one line that declares the system.
 */

export type LinearSolverKind = 'lu' | 'krylov';

/**
 * Systems with at least this many states solve matrix-free. Measured on the
 * CPU backend with a diffusion-reaction chain (docs/implicit.md, "LU or
 * Krylov"): below it, forming and factoring J costs less than the GMRES
 * products; from it on, GMRES is faster and the N^2 matrices per trajectory
 * would dominate a GPU thread's memory.
 */
export const KRYLOV_MIN_STATES = 64;

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
  return kind === 'lu'
    ? `cubie::DenseShiftedSystem<real, n_states${keepJacobian ? ', true' : ''}>`
    : `cubie::MatrixFreeShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}>`;
}

/** The C++ type of a complex shifted system (sr + i si) I - J built from a real one. */
export function complexShiftedSystemType(kind: LinearSolverKind, nStates: number): string {
  return kind === 'lu'
    ? 'cubie::DenseComplexShiftedSystem<real, n_states>'
    : `cubie::MatrixFreeComplexShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}>`;
}

/** The kernel headers a stepper with this solver includes. */
export function linearSolverIncludes(kind: LinearSolverKind): string[] {
  return kind === 'lu' ? ['#include "cubie/linalg.h"'] : ['#include "cubie/krylov.h"'];
}

export function describeLinearSolver(kind: LinearSolverKind, nStates: number): string {
  return kind === 'lu' ? 'dense LU with partial pivoting' : `matrix-free GMRES(${krylovDimension(nStates)}) on J*v`;
}
