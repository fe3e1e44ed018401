/**
 * Which backend runs a kernel. 'cuda' runs on the GPU or fails with the
 * reason; 'auto' takes the GPU when a device, the driver and NVRTC are all
 * usable (or devices were named), else the CPU; 'cpu' always the CPU.
 * CUBIE_BACKEND sets the default.
 */
import type { CacheOptions } from '../cache/settings';
import { cpuKernelFor } from './cpu/cpu-backend';
import { cudaKernelFor, cudaUsable } from './cuda/cuda-backend';
import type { DevicesOption } from './cuda/devices';
import type { LoadedKernel } from './kernel';
import type { Precision } from '../options/solve-options';
import type { BackendName, CpuTarget } from '../options/solve-options';


export interface KernelSource {
  source: string;
  /** SHA-256 of the source, hex. */
  digest: string;
}

export function defaultBackend(env: NodeJS.ProcessEnv = process.env): BackendName {
  return env.CUBIE_BACKEND === 'cuda' || env.CUBIE_BACKEND === 'cpu' ? env.CUBIE_BACKEND : 'auto';
}

/** The kernel for a generated source on the chosen backend, through the cache. */
export async function loadKernel(
  generated: KernelSource,
  systemName: string,
  backend: BackendName,
  options: CacheOptions & { devices?: DevicesOption; cpuTarget?: CpuTarget; lanes?: Precision },
): Promise<LoadedKernel> {
  if (backend === 'cuda' || (backend === 'auto' && (options.devices !== undefined || (await cudaUsable())))) {
    return cudaKernelFor(generated.source, generated.digest, systemName, options);
  }
  return cpuKernelFor(generated.source, generated.digest, systemName, options);
}
