/**
 * Which kernels run in SIMD lanes on the CPU (backends/cpu/lanes.ts builds
 * them): explicit methods, Rosenbrock, DIRK and Radau methods on the dense
 * or sparse LU or GMRES, with or without events, and stochastic methods, at fixed or
 * adaptive steps (their discrete events and saved Wiener paths too), unless cpuLanes is 1.
 */
import type { CompilePlan } from '../codegen/compile-plan';
import { resolveMethod } from '../methods/registry';
import type { CpuLanes } from '../options/solve-options';

/**
 * Why a kernel runs one run per core rather than in lanes, or undefined when
 * it runs in lanes: only when cpuLanes is 1 (kernel/cubie/lane_engine.h, lane_linalg.h,
 * lane_sparse.h, lane_krylov.h, lane_newton.h and lane_sde.h cover the explicit,
 * Rosenbrock, DIRK, Radau (the firk family) and stochastic steppers: at fixed steps a
 * vector's runs share one descent of the Brownian tree, with an adaptive controller
 * each lane keeps the scalar engine's Brownian cache of its own run; Radau's complex
 * block is a lane complex LU, dense or generated sparse, or each lane's own GMRES;
 * the Krylov solvers, plain or preconditioned, run each lane's own GMRES; each lane has its
 * own events, the crossed lanes located together on their own brackets; a
 * Jacobian that may overflow is checked and differenced lane by lane, for the
 * dense and sparse J values and the Krylov solvers' J v products, lane_engine.h).
 */
/** The linear solvers lanes carry: each lane its own LU (lane_linalg.h, lane_sparse.h) or its own GMRES (lane_krylov.h). */
const LANE_LINEAR_SOLVERS: readonly string[] = ['dense', 'sparse', 'gmres', 'gmres-jacobi', 'gmres-ilu0'];

export function scalarReason(plan: CompilePlan, option: CpuLanes): string | undefined {
  if (option === 1) return 'cpuLanes is 1';
  // Each run keeps its own past and reads it at its own times (kernel/cubie/delays.h): the scalar engine's.
  if (plan.delayHistory !== undefined) return 'the system uses delay() (each run keeps its own past)';
  // Noise before the registry (a stochastic method is not in it). At fixed steps the lanes share
  // one descent of the Brownian tree; with an adaptive controller each lane descends its own
  // run's tree at its own times (lane_sde.h).
  if (plan.stochastic !== undefined) return undefined;
  const family = resolveMethod(plan.method).family;
  if (family === 'explicit') return undefined;
  if (family !== 'rosenbrock' && family !== 'dirk' && family !== 'firk') return `method '${plan.method}' is a ${family} method`;
  if (!LANE_LINEAR_SOLVERS.includes(plan.linearSolver)) return `linear solver '${plan.linearSolver}' (lanes have the dense and sparse LU and GMRES)`;
  return undefined;
}
