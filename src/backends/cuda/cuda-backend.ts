/**
 * The CUDA backend's entry: a kernel for a generated source on the devices a
 * solve names, built by NVRTC for each device's architecture through the
 * cache, loaded through the driver, run by the native runner.
 */
import type { CacheOptions } from '../../cache/settings';
import type { KernelInfo } from '../kernel';
import { nvrtcVersionOrThrow } from './build';
import { checkDriverAgainstNvrtc, DevicesOption, listDevices, pickDevices } from './devices';
import { CudaKernel } from './runner';

export { cudaUnavailableReason, cudaUsable, listDevices } from './devices';
export type { DevicesOption } from './devices';
export { CudaKernel, releaseCudaKernels } from './runner';
export type { CudaRunOptions, CudaRunStats } from './runner';

export async function cudaKernelFor(
  source: string,
  sourceDigest: string,
  systemName: string,
  options: CacheOptions & { devices?: DevicesOption },
): Promise<{ kernel: CudaKernel; info: KernelInfo }> {
  const devices = pickDevices(options.devices, await listDevices()).map((d) => d.index);
  // Before compiling anything: a driver too old for this NVRTC could load none of it.
  checkDriverAgainstNvrtc(nvrtcVersionOrThrow().version);
  const kernel = new CudaKernel(source, sourceDigest, systemName, options, devices);
  const prepared = await kernel.prepare();
  const first = prepared[0].obtained;
  const compileMs = prepared.reduce((sum, p) => sum + p.obtained.compileMs, 0);
  return { kernel, info: { key: first.key, backend: 'cuda', cache: first.cache, compileMs } };
}
