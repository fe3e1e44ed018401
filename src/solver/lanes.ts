/**
 * Which kernels run in SIMD lanes on the CPU (backends/cpu/lanes.ts builds
 * them): explicit methods without events or noise, unless cpuLanes is 1.
 */
import type { CompilePlan } from '../codegen/compile-plan';
import { resolveMethod } from '../methods/registry';
import type { CpuLanes } from '../options/solve-options';
import type { CubieSystem } from '../system/types';

/**
 * Why a kernel runs one run per core rather than in lanes, or undefined when
 * it runs in lanes. Implicit methods, events and noise run on the scalar
 * engine (kernel/cubie/lane_engine.h covers the explicit steppers).
 */
export function scalarReason(system: CubieSystem, plan: CompilePlan, option: CpuLanes): string | undefined {
  if (option === 1) return 'cpuLanes is 1';
  if (resolveMethod(plan.method).family !== 'explicit') return `method '${plan.method}' is implicit`;
  if (system.model.events.length > 0) return 'the system has events';
  if (plan.stochastic !== undefined) return 'the system has noise';
  return undefined;
}

