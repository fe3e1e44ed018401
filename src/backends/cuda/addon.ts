/** The CUDA part of the native addon's surface (native/cuda_device.cc, native/cuda_runner.cc). */
import { nativeAddon } from '../../native/addon';
import type { KernelBuffer } from '../kernel-abi';

export interface NativeCudaDevice {
  index: number;
  name: string;
  major: number;
  minor: number;
  memoryBytes: number;
  multiprocessors: number;
  maxThreadsPerMultiprocessor: number;
  maxThreadsPerBlock: number;
}

export interface NativeModuleInfo {
  id: number;
  device: number;
  registers: number;
  localBytes: number;
  maxThreadsPerBlock: number;
  ptxVersion: number;
  binaryVersion: number;
  /** From cuFuncGetParamInfo; 0 where the driver cannot tell (before CUDA 12.4). */
  paramBytes: number;
  infoLog: string;
}

/** How a buffer slot travels: copied whole once per device, or a [rows][nRuns] block split by runs. */
export const BufferRole = { Shared: 0, Input: 1, Output: 2 } as const;

export interface NativeDeviceReport {
  device: number;
  runs: number;
  chunks: number;
  chunkRuns: number;
  blockSize: number;
  outOfMemoryRetries: number;
  kernelMs: number;
  transferMs: number;
  deviceBytes: number;
  pinnedBytes: number;
}

export interface NativeRunReport {
  devices: NativeDeviceReport[];
  kernelMs: number;
  transferMs: number;
  wallMs: number;
}

export interface CudaAddon {
  cudaDevices(): NativeCudaDevice[];
  /** The driver's CUDA version now, e.g. 12040. */
  cudaDriverVersion(): number;
  cudaModuleLoad(device: number, image: Buffer, kind: 'cubin' | 'ptx', expectedParamBytes: number): Promise<NativeModuleInfo>;
  cudaModuleUnload(id: number): void;
  cudaRun(
    moduleIds: number[],
    scalars: Float64Array,
    buffers: KernelBuffer[],
    roles: Int32Array,
    names: string[],
    options: { blockSize: number; chunkRuns: number; maxDeviceBytes: number; cancel?: Int32Array; onProgress?: (done: number, total: number) => void },
  ): Promise<NativeRunReport>;
}

export function cudaAddon(): CudaAddon {
  return nativeAddon() as unknown as CudaAddon;
}
