/**
 * The implicit method families as data: what each adds to a Butcher tableau
 * for its stepper, and how each is written down (its `...Definition`, read
 * by src/methods/implicit/define.ts).
 */
import type { Coefficient } from '../rational';
import type { EmbeddedDefinition, TableauFacts } from '../tableau';

/**
 * A diagonally implicit Runge–Kutta method (DIRK; ESDIRK when its first
 * stage is explicit). Row i of `a` has i + 1 entries, a[i][i] being the
 * diagonal: stage i solves Y_i = y + dt sum_{j<i} a_ij k_j + dt a_ii f(t + c_i dt, Y_i)
 * by Newton; a zero diagonal makes the stage explicit.
 */
export interface DirkTableau extends TableauFacts {
  readonly family: 'dirk';
}

/**
 * A Rosenbrock method in the form that needs no products with J
 * (Hairer & Wanner II, IV.7, (7.25)-(7.26)): with u_i the stage unknowns,
 *   (I / (dt gamma) - J) u_i = f(t + c_i dt, y + sum_{j<i} a_ij u_j) + sum_{j<i} (coupling_ij / dt) u_j + dt timeWeights_i df/dt
 *   y_new = y + sum_i b_i u_i,   error = sum_i (b_i - bHat_i) u_i.
 * So `a` (row i has i entries), `b` (the m_i of the literature) and the
 * error weights apply to u, not to stage derivatives, and `c` holds the
 * stage times alpha_i.
 */
export interface RosenbrockTableau extends TableauFacts {
  readonly family: 'rosenbrock';
  /** The diagonal gamma_ii = gamma shared by every stage. */
  readonly gamma: number;
  /** c_ij of (7.25): row i has i entries. */
  readonly coupling: readonly (readonly number[])[];
  /** gamma_i = sum_j gamma_ij: how much of df/dt enters stage i (non-autonomous systems). */
  readonly timeWeights: readonly number[];
  /** The method's continuous extension, where its source gives one. */
  readonly denseOutput?: RosenbrockDenseOutput;
}

/**
 * A Rosenbrock method's dense output in the form of Hairer's rodas.f (CONTRO)
 * and OrdinaryDiffEq.jl: with theta = (t - t_n) / dt in [0, 1] and
 * K_r = sum_j H[r][j] u_j (u_j the stage unknowns of one step),
 *   y(t_n + theta dt) = (1 - theta) y_n + theta (y_n+1 + (1 - theta) (K_1 + theta (K_2 + theta (K_3 + ...))))
 * so it interpolates y_n and y_n+1 whatever H is. The Rosenbrock stepper
 * keeps the K_r of its last step when a kernel saves or locates events inside
 * steps (src/codegen/rosenbrock-stepper.ts).
 */
export interface RosenbrockDenseOutput {
  /** Order of the interpolant: its error is O(dt^(order + 1)) inside a step. */
  readonly order: number;
  /** One row per K_r, one entry per stage. */
  readonly H: readonly (readonly number[])[];
}

/**
 * How a fully implicit method's stage system decouples (Hairer & Wanner II,
 * IV.8): T^-1 A^-1 T = diag(realEigenvalue, [[re, -im], [im, re]]), so one
 * Newton iteration solves one real and one complex N x N system instead of
 * one of size 3N.
 */
export interface StageTransform {
  readonly T: readonly (readonly number[])[];
  readonly TInverse: readonly (readonly number[])[];
  readonly realEigenvalue: number;
  readonly complexEigenvalue: { readonly re: number; readonly im: number };
}

/**
 * A fully implicit Runge–Kutta method (Radau IIA). Its embedded error
 * formula also weighs f(t, y) (Hairer & Wanner II, IV.8, (8.19)), so the
 * tableau carries that derivative as an explicit zeroth stage: c[0] = 0,
 * a[0] and column 0 of `a` are zeros, b[0] = 0, and the error weights
 * b - bHat have their f(t, y) weight first. Every row of `a` has a full
 * set of entries; rows 1.. are the method's A.
 */
export interface RadauTableau extends TableauFacts {
  readonly family: 'firk';
  readonly transform: StageTransform;
  /**
   * The collocation polynomial through the step's stage values (Hairer's
   * CONTR5 in radau5.f): y(t + theta dt) = y + sum_i Z_i l_i(theta), with
   * Z_i = Y_i - y and l_i(theta) = sum_p coefficients[i][p] theta^(p+1) the
   * Lagrange polynomial on the nodes 0, c_1..c_s that is 1 at c_i. Of degree
   * s, hence order s (error O(dt^(s+1))) inside a step.
   */
  readonly denseOutput: { readonly order: number; readonly coefficients: readonly (readonly number[])[] };
}

interface MethodDefinition {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly title: string;
  readonly source: string;
  readonly order: number;
}

export interface DirkDefinition extends MethodDefinition {
  /** Row i has i + 1 entries, the last the diagonal a_ii. */
  readonly a: readonly (readonly Coefficient[])[];
  readonly b: readonly Coefficient[];
  readonly c: readonly Coefficient[];
  readonly embedded?: { readonly order: number; readonly solution: EmbeddedDefinition };
}

export interface RosenbrockDefinition extends MethodDefinition {
  readonly gamma: Coefficient;
  /** Rows for stages 2..s (stage 1 has none): row i has i - 1 entries. */
  readonly a: readonly (readonly Coefficient[])[];
  /** Same shape as `a`. */
  readonly coupling: readonly (readonly Coefficient[])[];
  readonly c: readonly Coefficient[];
  readonly timeWeights: readonly Coefficient[];
  /** The weights m_i of the new solution. */
  readonly b: readonly Coefficient[];
  readonly embedded: { readonly order: number; readonly solution: EmbeddedDefinition };
  /** The dense output's coefficients, one row per K_r (see RosenbrockDenseOutput). */
  readonly denseOutput?: { readonly order: number; readonly H: readonly (readonly Coefficient[])[] };
}

export interface RadauDefinition extends MethodDefinition {
  /** The method's own s x s matrix A, weights and nodes. */
  readonly a: readonly (readonly Coefficient[])[];
  readonly b: readonly Coefficient[];
  readonly c: readonly Coefficient[];
  /** The embedded formula y + dt (startWeight f(t, y) + sum_j bHat_j k_j). */
  readonly embedded: { readonly order: number; readonly startWeight: Coefficient; readonly bHat: readonly Coefficient[] };
  readonly transform: {
    readonly T: readonly (readonly Coefficient[])[];
    readonly TInverse: readonly (readonly Coefficient[])[];
    readonly realEigenvalue: Coefficient;
    readonly complexEigenvalue: { readonly re: Coefficient; readonly im: Coefficient };
  };
}
