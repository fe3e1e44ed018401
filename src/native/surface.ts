/**
 * The native addon's whole surface, declared once: every function
 * native/addon.cc registers (its own, then RegisterCpuRunner,
 * RegisterCudaModules, RegisterCudaRunner and RegisterFileLock), with the
 * arguments it reads and what it returns or resolves to. Change this file
 * together with native/.
 */

/** A run's buffer slot: a typed array the kernel reads or writes, or null for an unused slot. */
export type NativeBuffer = Float32Array | Float64Array | Int32Array | null;

/** What the addon rejects (or throws) with: an Error carrying a stable `code` (native/js_error.h). */
export interface NativeError {
  code?: string;
  message?: string;
  /** A tool's verbatim log (NVRTC's, the driver's JIT log). */
  log?: string;
  // A failed driver call (native/cuda_device.cc, CudaFailure::toError):
  call?: string;
  /** The CUresult's name, e.g. CUDA_ERROR_OUT_OF_MEMORY. */
  result?: string;
  resultCode?: number;
  resultText?: string;
  /** What cubie was doing, in words. */
  doing?: string;
  device?: number;
  contextLost?: boolean;
  /** cudaRun: ids of the modules a lost context took with it. */
  droppedModules?: number[];
}

// ---------------------------------------------------------------- NVRTC (native/addon.cc, native/nvrtc_compile.cc)

export interface NativeNvrtcState {
  available: boolean;
  path?: string;
  /** e.g. "12.4". */
  version?: string;
  archs?: number[];
  attempts: Array<{ path: string; error: string }>;
}

export interface NativeCompileRequest {
  source: string;
  name: string;
  /** Same length as headerSources. */
  headerNames: string[];
  headerSources: string[];
  options: string[];
  target: 'ptx' | 'cubin';
}

/** `ptx` or `cubin`, as the request's target asked. */
export interface NativeCompileResult {
  ptx?: string;
  cubin?: Buffer;
  log: string;
}

// ---------------------------------------------------------------- the CUDA driver (native/addon.cc)

export interface NativeDriverDevice {
  index: number;
  name: string;
  /** e.g. "8.6". */
  computeCapability: string;
  memoryBytes: number;
}

export interface NativeDriverState {
  available: boolean;
  path?: string;
  /** e.g. "12.4". */
  version?: string;
  error?: string;
  /** Set when the driver loaded but lacks a function the CUDA backend needs (too old). */
  backendError?: string;
  devices: NativeDriverDevice[];
}

// ---------------------------------------------------------------- CPU kernels (native/cpu_runner.cc)

/** A kernel library loaded by cpuLoad, with the ABI it was built for. */
export interface NativeCpuLibrary {
  id: number;
  abiVersion: number;
  scalarSlots: number;
  bufferSlots: number;
  realBytes: number;
}

export interface NativeCpuRunOptions {
  threads: number;
  chunkRuns: number;
  /** Int32Array(1): the run stops between chunks once element 0 is non-zero. */
  cancel?: Int32Array;
  onProgress?: (done: number, total: number) => void;
}

// ---------------------------------------------------------------- CUDA modules (native/cuda_device.cc)

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

// ---------------------------------------------------------------- CUDA runs (native/cuda_runner.cc)

/** How a buffer slot travels: copied whole once per device, or a [rows][nRuns] block split by runs. */
export const BufferRole = { Shared: 0, Input: 1, Output: 2 } as const;

export interface NativeCudaRunOptions {
  /** 0: from the occupancy calculator. */
  blockSize: number;
  /** 0: from free memory and occupancy. */
  chunkRuns: number;
  /** 0: no cap. */
  maxDeviceBytes: number;
  /** Int32Array(1): the run stops between chunks once element 0 is non-zero. */
  cancel?: Int32Array;
  onProgress?: (done: number, total: number) => void;
}

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

// ---------------------------------------------------------------- the surface

export interface NativeAddon {
  // native/addon.cc
  /** Tries `candidates` in order; absence is reported in the state (`available`, `attempts`), not thrown. */
  nvrtcLoad(candidates: string[]): NativeNvrtcState;
  /** Compiles on a worker thread; rejects with code COMPILE_FAILED and the log. */
  nvrtcCompile(request: NativeCompileRequest): Promise<NativeCompileResult>;
  /** Loads the driver off the main thread and lists devices. */
  cudaLoad(candidates: string[]): Promise<NativeDriverState>;

  // native/cpu_runner.cc
  /** From a path, or from the library's bytes (mapped from an anonymous memory file). */
  cpuLoad(pathOrImage: string | Buffer): Promise<NativeCpuLibrary>;
  /** Later runs of this id fail; a run in flight keeps its library alive. */
  cpuUnload(id: number): void;
  /** Rejects with code ABORTED when cancelled. */
  cpuRun(id: number, scalars: Float64Array, buffers: NativeBuffer[], options: NativeCpuRunOptions): Promise<void>;

  // native/cuda_device.cc
  /** Asked of the driver on each call, so never stale. */
  cudaDevices(): NativeCudaDevice[];
  /** The driver's CUDA version now, e.g. 12040. */
  cudaDriverVersion(): number;
  /** expectedParamBytes: 0 skips the check of the kernel's parameter size. */
  cudaModuleLoad(device: number, image: Buffer, kind: 'cubin' | 'ptx', expectedParamBytes: number): Promise<NativeModuleInfo>;
  /** Later runs of this id fail; a run in flight keeps its module until it ends. */
  cudaModuleUnload(id: number): void;

  // native/cuda_runner.cc
  /** One module id per device; `roles` (BufferRole) and `names` (for messages) have one entry per buffer. */
  cudaRun(
    moduleIds: number[],
    scalars: Float64Array,
    buffers: NativeBuffer[],
    roles: Int32Array,
    names: string[],
    options: NativeCudaRunOptions,
  ): Promise<NativeRunReport>;

  // native/file_lock.cc
  /** Resolves to a locked fd, or null when another process still holds it after timeoutMs. */
  lockFile(path: string, timeoutMs: number): Promise<number | null>;
  /** Releases the lock by closing the descriptor. */
  unlockFile(fd: number): void;
}
