import { CubieError } from '../../shared/errors';
import { checkOption } from '../../options/table';
import { FIXED_BUFFER_SLOTS, INPUT_SLOTS, KernelBuffer, OUTPUT_SLOTS } from '../kernel-abi';
import type { KernelRunOptions } from '../kernel';
import type { CacheOptions } from '../../cache/settings';
import { nativeAddon } from '../../native/addon';
import { BufferRole, NativeCudaDevice, NativeDeviceReport, NativeError, NativeModuleInfo } from '../../native/surface';
import { CudaImage, cudaImageFor, images, liveImages, nvrtcVersionOrThrow, ObtainedImage } from './build';
import { loadedDriver, listDevices, pickDevices } from './devices';
import { cudaError, CUresult, isCudaResult } from './errors';
import { CudaTarget, driverVersionText, targetName, targetsFor } from './targets';

/**
 * The run options CudaKernel.run reads: all of KernelRunOptions but the
 * CPU's `threads`. Unset, `devices` is the kernel's devices, `blockSize`
 * comes from the occupancy calculator and `chunkRuns` from free memory and
 * occupancy; `maxDeviceBytes` caps the memory cubie allocates for the runs'
 * buffers, per device.
 */
export type CudaRunOptions = Omit<KernelRunOptions, 'threads'>;

export interface CudaRunStats {
  devices: NativeDeviceReport[];
  /** Kernel time on the devices, summed over chunks (device clocks). */
  kernelMs: number;
  /** Host-device copy time, summed over chunks; it overlaps the kernels of other chunks. */
  transferMs: number;
  wallMs: number;
}

/** Names of the fixed buffer slots, for messages ("copying the run statuses back ..."). */
const SLOT_NAMES = ['the saved values', 'the summaries', 'the run statuses', 'the iteration counters', 'the absolute tolerances', 'the relative tolerances', 'the driver knots', 'the driver coefficients', 'the save times', 'the event times', 'the event counts', 'the event record times', 'the event record indices', 'the event record states', 'the run indices'];

function roleOf(slot: number): number {
  if (slot >= FIXED_BUFFER_SLOTS || INPUT_SLOTS.has(slot)) return BufferRole.Input;
  return OUTPUT_SLOTS.has(slot) ? BufferRole.Output : BufferRole.Shared;
}

/** A device's context was lost: every module loaded there is gone (the addon dropped them). */
function forgetDevice(e: unknown): void {
  const err = e as NativeError | undefined;
  if (err?.contextLost !== true || typeof err.device !== 'number') return;
  for (const image of liveImages) image.modules.delete(err.device);
}

/** Loads an image's module on a device, once (concurrent callers share the load). */
function moduleOn(image: CudaImage, device: number): Promise<NativeModuleInfo> {
  let module = image.modules.get(device);
  if (module === undefined) {
    liveImages.add(image);
    module = nativeAddon()
      .cudaModuleLoad(device, image.bytes, image.target.kind, 0)
      .catch((e: unknown) => {
        if (image.modules.get(device) === module) image.modules.delete(device);
        forgetDevice(e);
        throw cudaError(e, `loading the kernel (${targetName(image.target)}) on device ${device}`);
      });
    image.modules.set(device, module);
  }
  return module;
}

function unloadImage(image: CudaImage): void {
  for (const module of image.modules.values()) {
    module.then(
      (m) => nativeAddon().cudaModuleUnload(m.id),
      () => undefined,
    );
  }
  image.modules.clear();
  liveImages.delete(image);
}

/** Unloads every CUDA module this process loaded and forgets every image (tests; shutdown). */
export async function releaseCudaKernels(): Promise<void> {
  const all = [...liveImages];
  const pending = all.flatMap((image) => [...image.modules.values()].map((m) => m.catch(() => undefined)));
  await Promise.all(pending);
  for (const image of all) unloadImage(image);
  images.clear();
}

export interface PreparedDevice {
  device: NativeCudaDevice;
  obtained: ObtainedImage;
  module: NativeModuleInfo;
}

/**
 * A generated kernel on CUDA devices: images built (or found in the cache)
 * for each device's architecture and loaded into its primary context on
 * first use, and batches run through the native runner. `run` takes the
 * same arguments, in the same host layout, as CpuKernel.run.
 */
export class CudaKernel {
  private closed = false;
  /** The image each device runs, once chosen (a refused PTX changes the choice for good). */
  private readonly imageOf = new Map<number, ObtainedImage>();

  constructor(
    private readonly source: string,
    private readonly sourceDigest: string,
    private readonly systemName: string,
    private readonly cacheOptions: CacheOptions,
    readonly devices: number[],
  ) {}

  /** Builds (or finds) and loads the kernel for these devices. */
  async prepare(indices: number[] = this.devices): Promise<PreparedDevice[]> {
    const all = await listDevices();
    const devices = pickDevices(indices, all);
    const out: PreparedDevice[] = [];
    for (const device of devices) out.push(await this.prepareDevice(device));
    return out;
  }

  private async prepareDevice(device: NativeCudaDevice): Promise<PreparedDevice> {
    const chosen = this.imageOf.get(device.index);
    if (chosen !== undefined) {
      // The image is known to load here; its module may have gone with a lost context, then it is reloaded.
      return { device, obtained: chosen, module: await moduleOn(chosen.image, device.index) };
    }
    const nvrtc = nvrtcVersionOrThrow();
    const targets = targetsFor(device.major, device.minor, nvrtc.version, nvrtc.archs);
    let refused: { target: CudaTarget; error: CubieError } | undefined;
    for (const target of targets) {
      const obtained = await cudaImageFor(this.source, this.sourceDigest, this.systemName, target, this.cacheOptions);
      try {
        const module = await moduleOn(obtained.image, device.index);
        this.imageOf.set(device.index, obtained);
        return { device, obtained, module };
      } catch (e) {
        if (target.kind === 'ptx' && isCudaResult(e, CUresult.UNSUPPORTED_PTX_VERSION)) {
          refused = { target, error: e as CubieError };
          continue;
        }
        if (target.kind === 'cubin' && (isCudaResult(e, CUresult.NO_BINARY_FOR_GPU) || isCudaResult(e, CUresult.INVALID_IMAGE))) {
          throw await this.versionsError(device, target, e as CubieError);
        }
        throw e;
      }
    }
    throw await this.versionsError(device, refused!.target, refused!.error);
  }

  /** The driver refused an image NVRTC built: a message naming both versions and what to change. */
  private async versionsError(device: NativeCudaDevice, target: CudaTarget, cause: CubieError): Promise<CubieError> {
    await loadedDriver();
    const driverVersion = driverVersionText(nativeAddon().cudaDriverVersion());
    const nvrtc = nvrtcVersionOrThrow().version;
    const arch = device.major * 10 + device.minor;
    const what =
      target.kind === 'ptx'
        ? `The CUDA driver (CUDA ${driverVersion}) refused the PTX that NVRTC ${nvrtc} built for compute_${target.arch} (device ${device.index}, ${device.name}, sm_${arch}): ` +
          `a driver compiles PTX only from CUDA versions up to its own, and NVRTC ${nvrtc} cannot build a CUBIN this device runs (it knows no sm_${device.major}x at or below sm_${arch}). ` +
          `Update the NVIDIA driver to one for CUDA ${nvrtc} or newer, or point CUBIE_NVRTC_PATH at an NVRTC no newer than ${driverVersion}.`
        : `The CUDA driver (CUDA ${driverVersion}) could not load the CUBIN that NVRTC ${nvrtc} built for sm_${target.arch} (device ${device.index}, ${device.name}, sm_${arch}): ` +
          `a CUBIN needs a driver of its CUDA major version or newer. Update the NVIDIA driver, or point CUBIE_NVRTC_PATH at an NVRTC of the driver's major version.`;
    return new CubieError('CUDA_ERROR', `${what}\nDriver: ${cause.message}`, {
      ...cause.details,
      driverVersion,
      nvrtcVersion: nvrtc,
      target: targetName(target),
    });
  }

  async run(scalars: Float64Array, buffers: KernelBuffer[], options: CudaRunOptions = {}): Promise<CudaRunStats> {
    if (this.closed) throw new CubieError('INTERNAL', 'this CUDA kernel was closed');
    // The solver normalised these already; a direct caller gets the same checks, from the table of options.
    const blockSize = checkOption('blockSize', options.blockSize);
    const chunkRuns = checkOption('chunkRuns', options.chunkRuns);
    checkOption('maxDeviceBytes', options.maxDeviceBytes);
    const signal = options.signal;
    if (signal?.aborted) throw new CubieError('ABORTED', 'the solve was aborted before it started');
    const prepared = await this.prepare(options.devices ?? this.devices);
    const paramBytes = 8 * (scalars.length + buffers.length);
    for (const p of prepared) {
      if (p.module.paramBytes !== 0 && p.module.paramBytes !== paramBytes) {
        throw new CubieError(
          'INTERNAL',
          `the kernel on device ${p.device.index} takes ${p.module.paramBytes} bytes of arguments; this solve passes ${paramBytes} (${scalars.length} scalars, ${buffers.length} buffers)`,
        );
      }
    }
    const empty: CudaRunStats = { devices: [], kernelMs: 0, transferMs: 0, wallMs: 0 };
    if (scalars[0] === 0) return empty;
    const roles = Int32Array.from(buffers, (_, i) => roleOf(i));
    const names = buffers.map((_, i) => (i < FIXED_BUFFER_SLOTS ? SLOT_NAMES[i] : `input column ${i - FIXED_BUFFER_SLOTS}`));
    const cancel = new Int32Array(1);
    const onAbort = (): void => {
      Atomics.store(cancel, 0, 1);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await nativeAddon().cudaRun(
        prepared.map((p) => p.module.id),
        scalars,
        buffers,
        roles,
        names,
        { blockSize: blockSize ?? 0, chunkRuns: chunkRuns ?? 0, maxDeviceBytes: options.maxDeviceBytes ?? 0, cancel, onProgress: options.onProgress },
      );
    } catch (e) {
      const err = (e ?? {}) as NativeError;
      if (err.code === 'ABORTED') throw new CubieError('ABORTED', 'the solve was aborted (signal) between chunks; partial results were discarded');
      forgetDevice(e);
      throw cudaError(e, `running the kernel on device${prepared.length > 1 ? 's' : ''} ${prepared.map((p) => p.device.index).join(', ')}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Unloads this kernel's modules (a later run, or another kernel of the same source, loads them again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const obtained of this.imageOf.values()) {
      unloadImage(obtained.image);
      images.delete(obtained.key);
    }
  }
}
