import { generateDirkStepper } from './dirk-stepper';
import { generateExplicitStepper } from './explicit-stepper';
import { linearSolverKind } from './linear-solver-choice';
import { usesPattern } from './linear-solver';
import { jacobianPattern } from './sparsity';
import type { CubieSystem } from '../system';
import { generateRadauStepper } from './radau-stepper';
import { generateRosenbrockStepper } from './rosenbrock-stepper';
import { resolveMethod } from '../methods/registry';
import type { CompilePlan } from './compile-plan';

/**
 * The C++ for one step of the plan's method, by family. Implicit methods
 * solve their linear systems with the plan's linear solver (chosen in
 * linear-solver-choice.ts); the sparse ones get the Jacobian's pattern.
 */
export function generateStepperSource(plan: CompilePlan, system: CubieSystem): string {
  const method = resolveMethod(plan.method);
  const options = { precision: plan.precision, nStates: system.states.length };
  if (method.family === 'explicit') return generateExplicitStepper(method, { ...options, denseOutput: plan.layout.methodInterpolates });
  if (plan.linearSolver === 'none') throw new Error(`implicit method '${method.name}' planned without a linear solver`);
  const linearSolver = linearSolverKind(plan.linearSolver);
  const implicit = { ...options, linearSolver, pattern: usesPattern(linearSolver) ? jacobianPattern(system) : undefined };
  switch (method.family) {
    case 'dirk':
      return generateDirkStepper(method, implicit);
    case 'rosenbrock':
      return generateRosenbrockStepper(method, implicit);
    case 'firk':
      return generateRadauStepper(method, implicit);
  }
}
