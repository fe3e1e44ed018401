/** What the steppers' generators are told, checked once for all of them; and the frame the implicit ones share. */
import { CubieError } from '../shared/errors';
import type { Precision } from '../system/types';
import { realType, stepperConstants, stepperFrame } from './cpp-combination';
import { type LinearSolverKind, linearSolverDeclarations, linearSolverFor, linearSolverIncludes } from './linear-solver';
import type { JacobianPattern } from './sparsity';

const KINDS: readonly LinearSolverKind[] = ['lu', 'krylov', 'sparse', 'krylov-jacobi', 'krylov-ilu0'];

export interface StepperOptions {
  precision: Precision;
  nStates: number;
  /** C++ namespace of the generated code; default `cubie_method`. */
  namespace?: string;
}

export interface ImplicitStepperOptions extends StepperOptions {
  /** Dense LU or matrix-free Krylov; default by the number of states (linearSolverFor). */
  linearSolver?: LinearSolverKind;
  /** The Jacobian's pattern: needed by the sparse kinds (sparse LU, preconditioned GMRES). */
  pattern?: JacobianPattern;
}

export interface DenseStepperOptions {
  /** Keep what the method's continuous extension needs and emit it (saves or crossings inside steps). */
  denseOutput?: boolean;
}

/** checkImplicitStepperOptions's result: everything filled in but the pattern, which only the sparse kinds need. */
export type CheckedImplicitOptions = Required<Omit<ImplicitStepperOptions, 'pattern'>> & { pattern?: JacobianPattern };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks nStates and the namespace, and fills in the default namespace. */
export function checkStepperOptions(options: StepperOptions): Required<StepperOptions> {
  const { precision, nStates } = options;
  const namespace = options.namespace ?? 'cubie_method';
  if (!Number.isInteger(nStates) || nStates < 1) {
    throw new CubieError('INVALID_OPTION', `nStates must be a positive integer, got ${nStates}`, { where: 'nStates' });
  }
  if (!IDENTIFIER.test(namespace)) {
    throw new CubieError('INVALID_OPTION', `namespace '${namespace}' is not a C++ identifier`, { where: 'namespace' });
  }
  return { precision, nStates, namespace };
}

/** checkStepperOptions, and the linear solver (default by the number of states). */
export function checkImplicitStepperOptions(options: ImplicitStepperOptions): CheckedImplicitOptions {
  const { precision, nStates, namespace } = checkStepperOptions(options);
  const linearSolver = options.linearSolver ?? linearSolverFor(nStates);
  if (!KINDS.includes(linearSolver)) {
    throw new CubieError('INVALID_OPTION', `linearSolver must be one of ${KINDS.map((k) => `'${k}'`).join(', ')}, got '${String(linearSolver)}'`, { where: 'linearSolver' });
  }
  const pattern = options.pattern;
  if (pattern !== undefined && pattern.n !== nStates) {
    throw new CubieError('INVALID_OPTION', `the Jacobian pattern has ${pattern.n} states, the stepper ${nStates}`, { where: 'pattern' });
  }
  return { precision, nStates, namespace, linearSolver, pattern };
}

/**
 * An implicit stepper's text: `header` (the method, its solver, the coefficients' source), then what
 * all of them share (Newton and linear-solver includes, constants, the step comment up to `stepReturns`,
 * its second line), around `body`.
 */
export function implicitStepperFrame(
  { precision, nStates, namespace, linearSolver, pattern }: CheckedImplicitOptions,
  method: { header: string[]; order: number; errorOrder: number; stages: number; stepReturns: string; memory: string[]; body: string[]; extension?: string[]; complexBlock?: boolean },
): string {
  return stepperFrame({
    header: method.header,
    includes: ['#include "cubie/newton.h"', ...linearSolverIncludes(linearSolver)],
    namespace,
    constants: stepperConstants({ real: realType(precision), nStates, order: method.order, errorOrder: method.errorOrder, stages: method.stages }),
    stepComment: ['// One step of size dt from (t, y), given f0 = f(t, y): writes y_new and returns the scaled', method.stepReturns],
    memory: [...linearSolverDeclarations(linearSolver, pattern, precision, method.complexBlock === true), ...method.memory],
    body: method.body,
    extension: method.extension,
  });
}
