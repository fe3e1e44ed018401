/**
 * What every backend hands the solver: a loaded kernel that runs a batch
 * described by the ABI's argument slots (./kernel-abi), and where it came
 * from. The solver never asks which backend it holds.
 */
import type { KernelBuffer } from './kernel-abi';
import type { ChosenLinearSolver } from '../codegen/linear-solver-choice';

export interface KernelInfo {
  /** Hex SHA-256 cache key of the compiled kernel. */
  key: string;
  backend: 'cuda' | 'cpu';
  /** Where the kernel came from this time. */
  cache: 'memory' | 'disk' | 'compiled' | 'disabled';
  compileMs: number;
  /** Implicit methods' linear solver as chosen ('auto' resolved; README, "Linear solvers"); 'none' for explicit methods. */
  linearSolver?: ChosenLinearSolver;
  /** CPU: runs integrated at once in SIMD lanes (1: one per core; README, "The CPU backend"). */
  lanes?: number;
}

/** How one batch runs; each backend reads the fields that concern it. */
export interface KernelRunOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** CPU: worker threads. */
  threads?: number;
  /** Runs per work item (CPU) or per device chunk (CUDA). */
  chunkRuns?: number;
  /** CUDA: threads per block. */
  blockSize?: number;
  /** CUDA: a cap on device memory per device, in bytes. */
  maxDeviceBytes?: number;
  /** CUDA: the devices to split the runs between. */
  devices?: number[];
}

export interface KernelRunStats {
  /** Host-device copy time summed over chunks (0 on the CPU). */
  transferMs: number;
}

export interface Kernel {
  run(scalars: Float64Array, buffers: KernelBuffer[], options: KernelRunOptions): Promise<KernelRunStats>;
}

export interface LoadedKernel {
  kernel: Kernel;
  info: KernelInfo;
}
