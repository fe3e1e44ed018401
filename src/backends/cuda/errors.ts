import { CubieError, CubieErrorCode } from '../../shared/errors';
import type { NativeError } from '../../native/surface';

/** CUresult values the backend reacts to (cuda.h). */
export const CUresult = {
  OUT_OF_MEMORY: 2,
  INVALID_IMAGE: 200,
  NO_BINARY_FOR_GPU: 209,
  INVALID_PTX: 218,
  UNSUPPORTED_PTX_VERSION: 222,
} as const;

/**
 * A native rejection as a CubieError. A driver failure keeps the call, the
 * CUresult's name and text, what cubie was doing and the device in `details`
 * (its message already names them); `context` says which solve step it was.
 */
export function cudaError(e: unknown, context: string): CubieError {
  if (e instanceof CubieError) return e;
  const err = (e ?? {}) as NativeError;
  const code = (err.code ?? 'INTERNAL') as CubieErrorCode;
  const message = `${context}: ${err.message ?? String(e)}`;
  if (code !== 'CUDA_ERROR') return new CubieError(code, message, err.log ? { log: err.log } : {});
  return new CubieError('CUDA_ERROR', message, {
    call: err.call,
    result: err.result,
    resultCode: err.resultCode,
    resultText: err.resultText,
    doing: err.doing,
    device: err.device,
    contextLost: err.contextLost === true,
    ...(err.log ? { log: err.log } : {}),
  });
}

export function isCudaResult(e: unknown, resultCode: number): boolean {
  return e instanceof CubieError && e.code === 'CUDA_ERROR' && e.details.resultCode === resultCode;
}
