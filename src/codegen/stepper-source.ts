import { generateDirkStepper } from './dirk-stepper';
import { generateExplicitStepper } from './explicit-stepper';
import { linearSolverFor } from './linear-solver';
import { generateRadauStepper } from './radau-stepper';
import { generateRosenbrockStepper } from './rosenbrock-stepper';
import { resolveMethod } from '../methods/registry';
import { findSdeMethod } from '../methods/stochastic/methods';
import { generateSdeStepper } from './sde-stepper';
import type { CompilePlan } from './compile-plan';

/**
 * The C++ for one step of the plan's method, by family. Implicit methods
 * solve their linear systems by dense LU or matrix-free GMRES, chosen by the
 * number of states (src/codegen/linear-solver.ts).
 */
export function generateStepperSource(plan: CompilePlan, nStates: number): string {
  const options = { precision: plan.precision, nStates };
  const denseOutput = plan.layout.methodInterpolates;
  if (plan.stochastic !== undefined) {
    const stochastic = findSdeMethod(plan.stochastic.scheme);
    if (stochastic === undefined) throw new Error(`unknown stochastic scheme '${plan.stochastic.scheme}' in a compile plan`);
    return generateSdeStepper(stochastic, { ...options, nProcesses: plan.stochastic.nProcesses, stratonovich: plan.stochastic.stratonovich });
  }
  const method = resolveMethod(plan.method);
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
