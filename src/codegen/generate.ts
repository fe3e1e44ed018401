/**
 * The one way to turn a system and compile-time options into kernel source.
 * `Solver`, `cubie emit`, `cubie precompile`, the benches and the tests all
 * call `generateKernel`; nothing else assembles the parts.
 */
import { createHash } from 'crypto';
import type { CubieSystem } from '../system';
import { compilePlan, CompilePlan } from './compile-plan';
import { assembleKernelSource, generateLayoutSource } from './kernel-source';
import { generateEventSource } from './event-source';
import { generateNoiseSource } from './noise-source';
import { generateStepperSource } from './stepper-source';
import { usesPattern } from './linear-solver';
import { linearSolverKind } from './linear-solver-choice';
import { generateSummaryNamespace } from './summary-outputs';
import { generateSystemSource } from './system-source';
import type { SolveOptions } from '../options/solve-options';

export interface GeneratedKernel {
  plan: CompilePlan;
  /** One text for both compilers (NVRTC and the host C++ compiler). */
  source: string;
  /** SHA-256 of `source`, hex: what the cache key and the result's kernel info start from. */
  digest: string;
}

/** The full kernel for a system under a compile plan (or the options that make one). */
export function generateKernel(system: CubieSystem, planOrOptions: CompilePlan | SolveOptions): GeneratedKernel {
  const plan = isCompilePlan(planOrOptions) ? planOrOptions : compilePlan(system, planOrOptions);
  const source = assembleKernelSource({
    system: generateSystemSource(system, { precision: plan.precision, sparseJacobian: usesPattern(linearSolverKindOf(plan)), ...(plan.delayHistory === undefined ? {} : { delayHistory: plan.delayHistory }) }),
    events: generateEventSource(system.model, plan.precision, plan.recordEvents),
    noise: plan.stochastic === undefined ? '' : generateNoiseSource(system.model, { precision: plan.precision, stratonovich: plan.stochastic.stratonovich, milstein: plan.stochastic.milstein }),
    stepper: generateStepperSource(plan, system),
    summary: generateSummaryNamespace(plan),
    layout: generateLayoutSource(plan.layout),
  });
  return { plan, source, digest: createHash('sha256').update(source).digest('hex') };
}

function linearSolverKindOf(plan: CompilePlan) {
  return plan.linearSolver === 'none' ? 'lu' : linearSolverKind(plan.linearSolver);
}

function isCompilePlan(value: CompilePlan | SolveOptions): value is CompilePlan {
  return typeof (value as CompilePlan).layout === 'object' && typeof (value as CompilePlan).adaptive === 'boolean';
}
