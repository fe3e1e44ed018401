import * as os from 'os';
import { CubieError } from '../../shared/errors';
import { fromNativeError, nativeAddon } from '../../native/addon';
import type { NativeError } from '../../native/surface';
import { ABI_VERSION, KernelBuffer, SCALAR_SLOTS } from '../kernel-abi';

export interface CpuRunOptions {
  threads?: number;
  chunkRuns?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** A kernel library loaded into this process, ready to run batches on native threads. */
export class CpuKernel {
  private closed = false;

  private constructor(
    private readonly id: number,
    readonly bufferSlots: number,
    readonly realBytes: number,
  ) {}

  /**
   * Loads a kernel library from a path, or from its bytes: an image the cache
   * verified is mapped from an anonymous memory file, so no path that could
   * change between the check and the load is ever opened.
   */
  static async load(libraryPathOrImage: string | Buffer): Promise<CpuKernel> {
    const addon = nativeAddon();
    const what = typeof libraryPathOrImage === 'string' ? libraryPathOrImage : `(image of ${libraryPathOrImage.length} bytes)`;
    let info;
    try {
      info = await addon.cpuLoad(libraryPathOrImage);
    } catch (e) {
      throw fromNativeError(e, 'loading the CPU kernel');
    }
    if (info.abiVersion !== ABI_VERSION || info.scalarSlots !== SCALAR_SLOTS) {
      addon.cpuUnload(info.id);
      throw new CubieError('INTERNAL', `kernel library ${what} has ABI ${info.abiVersion}/${info.scalarSlots}; this cubie expects ${ABI_VERSION}/${SCALAR_SLOTS}`);
    }
    return new CpuKernel(info.id, info.bufferSlots, info.realBytes);
  }

  async run(scalars: Float64Array, buffers: KernelBuffer[], options: CpuRunOptions = {}): Promise<{ transferMs: number }> {
    if (this.closed) throw new CubieError('INTERNAL', 'this CPU kernel was closed');
    const nRuns = scalars[0];
    const threads = Math.max(1, Math.min(options.threads ?? os.availableParallelism(), 1024));
    // Small work items keep threads busy to the end when runs differ in cost
    // (a sweep's last runs are often its stiffest); 256 runs amortise the hand-out.
    const chunkRuns = options.chunkRuns ?? Math.max(1, Math.min(256, Math.ceil(nRuns / (threads * 16))));
    const cancel = new Int32Array(1);
    const signal = options.signal;
    if (signal?.aborted) throw new CubieError('ABORTED', 'the solve was aborted before it started');
    const onAbort = (): void => {
      Atomics.store(cancel, 0, 1);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await nativeAddon().cpuRun(this.id, scalars, buffers, {
        threads,
        chunkRuns,
        cancel,
        onProgress: options.onProgress,
      });
      return { transferMs: 0 };
    } catch (e) {
      const err = (e ?? {}) as NativeError;
      if (err.code === 'ABORTED') throw new CubieError('ABORTED', 'the solve was aborted (signal) between chunks; partial results were discarded');
      throw fromNativeError(e, 'running the CPU kernel');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    nativeAddon().cpuUnload(this.id);
  }
}
