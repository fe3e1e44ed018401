import { fromNativeError, nativeAddon } from './addon';
import type { NativeDriverDevice } from './surface';

export interface DriverStatus {
  available: boolean;
  version?: string;
  path?: string;
  error?: string;
  /** Set when the driver loaded but lacks a function the CUDA backend needs (too old). */
  backendError?: string;
  devices: NativeDriverDevice[];
}

let pending: Promise<DriverStatus> | undefined;

/** CUBIE_LIBCUDA_PATH, else the soname the NVIDIA driver installs. */
export function driverCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.CUBIE_LIBCUDA_PATH ? [env.CUBIE_LIBCUDA_PATH] : ['libcuda.so.1', 'libcuda.so'];
}

/** Loads the CUDA driver (off the main thread) and lists devices; never throws for absence. */
export function driverStatus(): Promise<DriverStatus> {
  if (pending === undefined) {
    pending = (async () => {
      try {
        const state = await nativeAddon().cudaLoad(driverCandidates());
        if (!state.available) pending = undefined; // absent now; look again next time
        return state;
      } catch (e) {
        pending = undefined;
        return { available: false, error: fromNativeError(e, 'loading the CUDA driver').message, devices: [] };
      }
    })();
  }
  return pending;
}
