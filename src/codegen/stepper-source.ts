import { generateDirkStepper } from './dirk-stepper';
import { generateExplicitStepper } from './explicit-stepper';
import { linearSolverFor } from './linear-solver';
import { generateRadauStepper } from './radau-stepper';
import { generateRosenbrockStepper } from './rosenbrock-stepper';
import { resolveMethod } from '../methods/registry';
import type { CompilePlan } from './compile-plan';

/**
 * The C++ for one step of the plan's method, by family. Implicit methods
 * solve their linear systems by dense LU or matrix-free GMRES, chosen by the
 * number of states (src/codegen/linear-solver.ts).
 */
export function generateStepperSource(plan: CompilePlan, nStates: number): string {
  const method = resolveMethod(plan.method);
  const options = { precision: plan.precision, nStates };
  const denseOutput = plan.layout.methodInterpolates;
  switch (method.family) {
    case 'explicit':
      return generateExplicitStepper(method, { ...options, denseOutput });
    case 'dirk':
      return generateDirkStepper(method, { ...options, linearSolver: linearSolverFor(nStates) });
    case 'rosenbrock':
      return generateRosenbrockStepper(method, { ...options, linearSolver: linearSolverFor(nStates), denseOutput });
    case 'firk':
      return generateRadauStepper(method, { ...options, linearSolver: linearSolverFor(nStates), denseOutput });
  }
}
