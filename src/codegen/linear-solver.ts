/**
 * How an implicit stepper solves its linear systems sigma*I - J: a dense LU
 * of the generated Jacobian (kernel/cubie/linalg.h), or matrix-free GMRES on
 * the generated Jacobian-vector product (kernel/cubie/krylov.h). The two
 * have one interface, so the choice is the one line that declares the system.
 */

export type LinearSolverKind = 'lu' | 'krylov';

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
  return kind === 'lu'
    ? `cubie::DenseShiftedSystem<real, n_states${keepJacobian ? ', true' : ''}>`
    : `cubie::MatrixFreeShiftedSystem<Ctx, real, n_states, ${krylovDimension(nStates)}>`;
}

/** Dense systems are kept in the stepper's memory between steps (J and its factorisations reused); matrix-free ones hold nothing worth keeping. */
export const KEPT_SYSTEM_TYPE = 'cubie::KeptShiftedSystem<real, n_states>';

/** The Memory struct of an implicit stepper: the members it keeps between steps (none: an empty struct). */
export function stepperMemory(members: string[]): string[] {
  if (members.length === 0) return ['// Nothing is kept between steps.', 'struct Memory {};'];
  return ['// Kept between steps: the Jacobian and the factorisations built from it.', 'struct Memory {', ...members.map((m) => `  ${m}`), '};'];
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
