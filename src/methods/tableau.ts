/**
 * Runge–Kutta methods as data: the Butcher tableau, how the method estimates
 * its local error, and the facts the step controller needs.
 *
 * Every method, explicit or implicit, is a `ButcherTableau` of one family;
 * the implicit families add what their steppers need beyond a, b and c
 * (src/methods/implicit/families.ts).
 *
 * Explicit methods are written as `TableauDefinition`s with coefficients
 * copied from their source (exact rationals, or the published high-precision
 * decimals) and turned into doubles once by `defineTableau`.
 */
import type { DirkTableau, RadauTableau, RosenbrockTableau } from './implicit/families';
import { type Coefficient, type Rational, equal, isZero, parseCoefficient, subtract, toDouble } from './rational';

/**
 * How a step's local error is estimated from its stage derivatives k_j.
 * Weights are always the difference b - bHat, so the generated code forms
 * err = dt * sum_j w_j k_j without subtracting two nearly equal solutions.
 */
export type ErrorEstimator =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'embedded';
      /** b - bHat. */
      readonly weights: readonly number[];
      /** Order of the embedded solution bHat. */
      readonly embeddedOrder: number;
    }
  | {
      /**
       * Hairer's DOP853 estimator: err5 (weights b - bHat5, bHat5 of order 5)
       * and err3 (b - bHat3, order 3) combined as err5^2 / sqrt(err5^2 + 0.01 err3^2)
       * in the norm (Hairer, Norsett & Wanner I, II.10; dop853.f).
       */
      readonly kind: 'combined-5-3';
      readonly fifth: readonly number[];
      readonly third: readonly number[];
    };

/**
 * How a method's steps are computed, hence which generator writes its
 * stepper: explicit stages; diagonally implicit stages, each solved by Newton
 * (DIRK, ESDIRK); linearly implicit stages (Rosenbrock); or all stages solved
 * together (fully implicit: Radau IIA).
 */
export type MethodFamily = 'explicit' | 'dirk' | 'rosenbrock' | 'firk';

/** What every method states, whatever its family. */
export interface TableauFacts {
  /** Canonical registry name, e.g. 'dormand-prince-54'. */
  readonly name: string;
  readonly aliases: readonly string[];
  /** For people: 'Dormand–Prince 5(4)'. */
  readonly title: string;
  /** Where the coefficients come from. */
  readonly source: string;
  readonly family: MethodFamily;
  /** Order of the propagated solution. */
  readonly order: number;
  /**
   * Order of the embedded solution, so that the error estimate scales like
   * dt^(min(order, errorOrder) + 1), which sets the controller's exponent.
   * For DOP853's combined estimator 7 (its estimate scales like dt^8, as in
   * Hairer's code and scipy). 0 when there is no estimate.
   */
  readonly errorOrder: number;
  /**
   * a[i] holds stage i's coefficients: a[i][0..i-1] for an explicit method
   * (strictly lower triangular; a[0] is empty). Each implicit family says
   * what its rows hold (src/methods/implicit/families.ts).
   */
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly c: readonly number[];
  /**
   * First Same As Last: the last stage is evaluated at (t + dt, y_new), its
   * row of `a` equals b, so its derivative is the next step's first stage.
   */
  readonly fsal: boolean;
  readonly errorEstimator: ErrorEstimator;
}

/** An explicit Runge–Kutta method: strictly lower triangular a, stages computed in turn. */
export interface ExplicitTableau extends TableauFacts {
  readonly family: 'explicit';
  /**
   * The method's own continuous extension, where one is published:
   * y(t + theta h) = y + h sum_j b_j(theta) k_j, b_j(theta) = sum_p coefficients[j][p] theta^(p+1),
   * one row per stage (the FSAL stage included), of order `order`. An extension that needs
   * more than the step's stages (DOP853's, Verner's) has more rows: for a method that is not
   * FSAL, row s (s = the number of stages) is f(t + h, y_new), which the engine evaluates
   * anyway, and the rows after it are `extraStages`, evaluated only for steps that need the
   * extension.
   */
  readonly denseOutput?: ExplicitDenseOutput;
}

export interface ExplicitDenseOutput {
  readonly order: number;
  readonly coefficients: readonly (readonly number[])[];
  /**
   * Stages after the step, in order: stage i at t + c[i] h from y + h sum_j a[i][j] k_j over
   * every stage before it (the step's, f(t + h, y_new), the extra ones before it).
   */
  readonly extraStages?: { readonly c: readonly number[]; readonly a: readonly (readonly number[])[] };
}

/** Any method cubie knows; `family` tells them apart. */
export type ButcherTableau = ExplicitTableau | DirkTableau | RosenbrockTableau | RadauTableau;

/** An embedded solution, given either by its weights bHat or by b - bHat. */
export type EmbeddedDefinition = { readonly bHat: readonly Coefficient[] } | { readonly weights: readonly Coefficient[] };

export type ErrorEstimatorDefinition =
  | { readonly kind: 'embedded'; readonly embeddedOrder: number; readonly solution: EmbeddedDefinition }
  | { readonly kind: 'combined-5-3'; readonly fifth: EmbeddedDefinition; readonly third: EmbeddedDefinition };

export interface TableauDefinition {
  /** The continuous extension: per stage, the coefficients of theta, theta^2, ... of b_j(theta); see ExplicitDenseOutput. */
  readonly denseOutput?: {
    readonly order: number;
    readonly coefficients: readonly (readonly Coefficient[])[];
    readonly extraStages?: { readonly c: readonly Coefficient[]; readonly a: readonly (readonly Coefficient[])[] };
  };
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly title: string;
  readonly source: string;
  readonly order: number;
  /** Defaults to the embedded order; required for 'combined-5-3'. */
  readonly errorOrder?: number;
  /** Rows for stages 2..s (stage 1 has none): row i has i - 1 entries. */
  readonly a: readonly (readonly Coefficient[])[];
  readonly b: readonly Coefficient[];
  readonly c: readonly Coefficient[];
  readonly fsal: boolean;
  readonly errorEstimator?: ErrorEstimatorDefinition;
}

export function stageCount(tableau: TableauFacts): number {
  return tableau.b.length;
}

export function isAdaptive(tableau: TableauFacts): boolean {
  return tableau.errorEstimator.kind !== 'none';
}

/** Reads a definition's coefficients exactly, checks its shape, and rounds each to a double once. */
export function defineTableau(definition: TableauDefinition): ExplicitTableau {
  const fail = (why: string): never => {
    throw new Error(`tableau '${definition.name}': ${why}`);
  };
  const read = (row: readonly Coefficient[]): Rational[] => row.map(parseCoefficient);
  const b = read(definition.b);
  const c = read(definition.c);
  const stages = b.length;
  const a = [[], ...definition.a.map(read)];
  if (c.length !== stages || a.length !== stages) fail(`b, c and a must describe the same ${stages} stages`);
  for (const [i, row] of a.entries()) {
    if (row.length !== i) fail(`row ${i + 1} of a needs ${i} entries, has ${row.length}`);
  }
  if (!isZero(c[0])) fail('an explicit method starts at c1 = 0');

  if (definition.fsal) {
    const last = stages - 1;
    const rowIsB = a[last].every((x, j) => equal(x, b[j])) && isZero(b[last]);
    if (!rowIsB || !equal(c[last], { num: 1n, den: 1n })) fail('FSAL needs a last row equal to b, b_s = 0 and c_s = 1');
  }

  const errorWeights = (solution: EmbeddedDefinition): number[] => {
    const given = read('weights' in solution ? solution.weights : solution.bHat);
    if (given.length !== stages) fail(`an embedded solution needs ${stages} weights, has ${given.length}`);
    const weights = 'weights' in solution ? given : given.map((bHat, j) => subtract(b[j], bHat));
    return weights.map(toDouble);
  };
  const estimator = definition.errorEstimator;
  let errorEstimator: ErrorEstimator;
  let errorOrder: number;
  if (estimator === undefined) {
    errorEstimator = { kind: 'none' };
    errorOrder = 0;
  } else if (estimator.kind === 'embedded') {
    errorEstimator = { kind: 'embedded', weights: errorWeights(estimator.solution), embeddedOrder: estimator.embeddedOrder };
    errorOrder = definition.errorOrder ?? estimator.embeddedOrder;
  } else {
    errorEstimator = { kind: 'combined-5-3', fifth: errorWeights(estimator.fifth), third: errorWeights(estimator.third) };
    errorOrder = definition.errorOrder ?? fail('a combined estimator needs an explicit errorOrder');
  }

  return {
    name: definition.name,
    aliases: definition.aliases ?? [],
    title: definition.title,
    source: definition.source,
    family: 'explicit',
    order: definition.order,
    errorOrder,
    a: a.map((row) => row.map(toDouble)),
    b: b.map(toDouble),
    c: c.map(toDouble),
    fsal: definition.fsal,
    errorEstimator,
    ...(definition.denseOutput === undefined ? {} : { denseOutput: denseOutputOf(definition.denseOutput, stages, definition.fsal, b, fail) }),
  };
}

/**
 * The continuous extension's rows, checked to give the step's own solution at theta = 1 (to the
 * decimals given), and its extra stages, checked to have their times as row sums.
 */
function denseOutputOf(
  dense: NonNullable<TableauDefinition['denseOutput']>,
  stages: number,
  fsal: boolean,
  b: readonly Rational[],
  fail: (why: string) => never,
): ExplicitDenseOutput {
  const extra = dense.extraStages;
  const nExtra = extra === undefined ? 0 : extra.c.length;
  // f(t + h, y_new) is a stage of the extension when a non-FSAL method's extension reaches past its stages.
  const all = dense.coefficients.length === stages ? stages : stages + (fsal ? 0 : 1) + nExtra;
  if (dense.coefficients.length !== all) fail(`dense output needs a row for each of the ${all} stages, has ${dense.coefficients.length}`);
  const coefficients = dense.coefficients.map((row) => row.map((x) => toDouble(parseCoefficient(x))));
  coefficients.forEach((row, j) => {
    const atOne = row.reduce((sum, x) => sum + x, 0);
    const bj = j < stages ? toDouble(b[j]) : 0;
    if (Math.abs(atOne - bj) > 1e-12) fail(`dense output row ${j + 1} gives b_j(1) = ${atOne}, not b_j = ${bj}`);
  });
  if (extra === undefined) return { order: dense.order, coefficients };
  if (extra.a.length !== nExtra) fail(`extra stages need one row of a per time c, have ${extra.a.length} rows for ${nExtra} times`);
  const first = all - nExtra;
  const a = extra.a.map((row) => row.map((x) => toDouble(parseCoefficient(x))));
  const c = extra.c.map((x) => toDouble(parseCoefficient(x)));
  a.forEach((row, i) => {
    if (row.length !== first + i) fail(`extra stage ${first + i + 1} needs ${first + i} entries of a, has ${row.length}`);
    if (Math.abs(row.reduce((sum, x) => sum + x, 0) - c[i]) > 1e-12) fail(`extra stage ${first + i + 1}'s row of a does not sum to its c = ${c[i]}`);
  });
  return { order: dense.order, coefficients, extraStages: { c, a } };
}
