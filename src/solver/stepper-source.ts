import { generateExplicitStepper } from '../codegen/explicit-stepper';
import { resolveMethod } from '../methods/registry';
import type { CompilePlan } from './plan';

/** The C++ for one step of the plan's method. */
export function generateStepperSource(plan: CompilePlan, nStates: number): string {
  return generateExplicitStepper(resolveMethod(plan.method), { precision: plan.precision, nStates });
}
