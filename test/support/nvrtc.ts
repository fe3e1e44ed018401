import * as fs from 'fs';
import { nvrtcAvailable } from '../../src/native/nvrtc';

/**
 * `it` for tests that need NVRTC: skipped where there is none, except under
 * CUBIE_REQUIRE_NVRTC=1 (CI), where they run and fail loudly.
 */
export const itNvrtc: jest.It = nvrtcAvailable() || process.env.CUBIE_REQUIRE_NVRTC === '1' ? it : it.skip;

/** ptxas from CUBIE_PTXAS, a CUDA toolkit, or PATH; undefined when there is none. */
export function findPtxas(): string | undefined {
  const candidates = [
    process.env.CUBIE_PTXAS,
    process.env.CUDA_PATH && `${process.env.CUDA_PATH}/bin/ptxas`,
    process.env.CUDA_HOME && `${process.env.CUDA_HOME}/bin/ptxas`,
    '/usr/local/cuda/bin/ptxas',
    ...(process.env.PATH ?? '').split(':').map((d) => `${d}/ptxas`),
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c.length > 0 && fs.existsSync(c));
}
