import { CubieError } from '../shared/errors';
import { fromNativeError, nativeAddon } from './addon';
import { nvrtcCandidates } from './nvrtc-search';
import type { NativeCompileResult, NativeError } from './surface';

export interface NvrtcStatus {
  available: boolean;
  version?: string;
  path?: string;
  /** Supported virtual architectures, e.g. [75, 80, 86, 89, 90, ...]. */
  archs?: number[];
  searched: string[];
  error?: string;
}

let status: NvrtcStatus | undefined;

/**
 * Finds and loads NVRTC once per process (retrying while it is missing, so
 * that installing it later in a long-lived process is noticed).
 */
export function nvrtcStatus(): NvrtcStatus {
  if (status?.available) return status;
  const { searched, loadable } = nvrtcCandidates();
  let state;
  try {
    state = nativeAddon().nvrtcLoad(loadable);
  } catch (e) {
    status = { available: false, searched, error: (e as Error).message };
    return status;
  }
  if (state.available) {
    status = { available: true, version: state.version, path: state.path, archs: state.archs, searched };
  } else {
    const failures = state.attempts.map((a) => `${a.path}: ${a.error}`);
    status = {
      available: false,
      searched,
      error:
        'NVRTC was not found. Install a CUDA toolkit, or `pip install nvidia-cuda-nvrtc`, or point ' +
        'CUBIE_NVRTC_PATH at libnvrtc.so. ' + (failures.length ? `Tried: ${failures.join('; ')}` : ''),
    };
  }
  return status;
}

export function nvrtcAvailable(): boolean {
  return nvrtcStatus().available;
}

export interface CudaCompileRequest {
  source: string;
  /** The program's file name as NVRTC reports it in its log, e.g. `lorenz.cu`. */
  name: string;
  /** Headers by include name, e.g. { 'cubie/platform.h': text }. */
  headers?: Record<string, string>;
  options?: string[];
  target: 'ptx' | 'cubin';
}

export type CudaCompileResult = NativeCompileResult;

/** The source lines NVRTC's log points at (`name(LINE): error: ...`), shown beside the log. */
export function offendingLines(log: string, name: string, source: string): string {
  const lines = source.split('\n');
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}\\((\\d+)\\): (error|catastrophic error)`, 'gm');
  const shown = new Set<number>();
  const out: string[] = [];
  for (const match of log.matchAll(pattern)) {
    const n = Number(match[1]);
    if (shown.has(n) || n < 1 || n > lines.length) continue;
    shown.add(n);
    out.push(`${name}:${n}: ${lines[n - 1]}`);
  }
  return out.join('\n');
}

/** Compiles CUDA C++ to PTX or CUBIN with NVRTC on a worker thread. */
export async function compileCuda(request: CudaCompileRequest): Promise<CudaCompileResult> {
  const nvrtc = nvrtcStatus();
  if (!nvrtc.available) {
    throw new CubieError('NVRTC_UNAVAILABLE', nvrtc.error ?? 'NVRTC is unavailable', {
      where: 'NVRTC',
      searched: nvrtc.searched,
    });
  }
  const headers = request.headers ?? {};
  try {
    return await nativeAddon().nvrtcCompile({
      source: request.source,
      name: request.name,
      headerNames: Object.keys(headers),
      headerSources: Object.values(headers),
      options: request.options ?? [],
      target: request.target,
    });
  } catch (e) {
    const err = (e ?? {}) as NativeError;
    if (err.code === 'COMPILE_FAILED') {
      const log = err.log ?? '';
      const lines = offendingLines(log, request.name, request.source);
      throw new CubieError(
        'COMPILE_FAILED',
        `${err.message}\n${lines ? `${lines}\n` : ''}NVRTC ${nvrtc.version} log:\n${log}`,
        { log, where: request.name, sourceLines: lines },
      );
    }
    throw fromNativeError(e, `compiling ${request.name} with NVRTC`);
  }
}
