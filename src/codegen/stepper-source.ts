import { generateDirkStepper } from './dirk-stepper';
import { generateExplicitStepper } from './explicit-stepper';
import { linearSolverKind } from './linear-solver-choice';
import { usesPattern } from './linear-solver';
import { jacobianPattern } from './sparsity';
import type { CubieSystem } from '../system';
import { generateRadauStepper } from './radau-stepper';
import { generateRosenbrockStepper } from './rosenbrock-stepper';
import { resolveMethod } from '../methods/registry';
import { findSdeMethod } from '../methods/stochastic/methods';
import { generateSdeStepper } from './sde-stepper';
import type { CompilePlan } from './compile-plan';

/**
 * The C++ for one step of the plan's method, by family. Implicit methods
 * solve their linear systems with the plan's linear solver (chosen in
 * linear-solver-choice.ts); the sparse ones get the Jacobian's pattern.
 */
export function generateStepperSource(plan: CompilePlan, system: CubieSystem): string {
  const options = { precision: plan.precision, nStates: system.states.length };
  const denseOutput = plan.layout.methodInterpolates;
  if (plan.stochastic !== undefined) {
    const stochastic = findSdeMethod(plan.stochastic.scheme);
    if (stochastic === undefined) throw new Error(`unknown stochastic scheme '${plan.stochastic.scheme}' in a compile plan`);
    return generateSdeStepper(stochastic, { ...options, nProcesses: plan.stochastic.nProcesses, stratonovich: plan.stochastic.stratonovich });
  }
  const method = resolveMethod(plan.method);
  if (method.family === 'explicit') return generateExplicitStepper(method, { ...options, denseOutput });
  if (plan.linearSolver === 'none') throw new Error(`implicit method '${method.name}' planned without a linear solver`);
  const linearSolver = linearSolverKind(plan.linearSolver);
  const implicit = { ...options, linearSolver, pattern: usesPattern(linearSolver) ? jacobianPattern(system) : undefined };
  switch (method.family) {
    case 'dirk':
      return generateDirkStepper(method, implicit);
    case 'rosenbrock':
      return generateRosenbrockStepper(method, { ...implicit, denseOutput });
    case 'firk':
      return generateRadauStepper(method, { ...implicit, denseOutput });
  }
}
