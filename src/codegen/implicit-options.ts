/** What the implicit steppers' generators are told, checked once for all three. */
import { CubieError } from '../shared/errors';
import type { Precision } from '../system/types';
import { type LinearSolverKind, linearSolverFor } from './linear-solver';

export interface ImplicitStepperOptions {
  precision: Precision;
  nStates: number;
  /** C++ namespace of the generated code; default `cubie_method`. */
  namespace?: string;
  /** Dense LU or matrix-free Krylov; default by the number of states (linearSolverFor). */
  linearSolver?: LinearSolverKind;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkStepperOptions(options: ImplicitStepperOptions): Required<ImplicitStepperOptions> {
  const { precision, nStates } = options;
  const namespace = options.namespace ?? 'cubie_method';
  if (!Number.isInteger(nStates) || nStates < 1) {
    throw new CubieError('INVALID_OPTION', `nStates must be a positive integer, got ${nStates}`, { where: 'nStates' });
  }
  if (!IDENTIFIER.test(namespace)) {
    throw new CubieError('INVALID_OPTION', `namespace '${namespace}' is not a C++ identifier`, { where: 'namespace' });
  }
  const linearSolver = options.linearSolver ?? linearSolverFor(nStates);
  if (linearSolver !== 'lu' && linearSolver !== 'krylov') {
    throw new CubieError('INVALID_OPTION', `linearSolver must be 'lu' or 'krylov', got '${String(linearSolver)}'`, { where: 'linearSolver' });
  }
  return { precision, nStates, namespace, linearSolver };
}
