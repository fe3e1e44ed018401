/**
 * SIMD lanes on the CPU (kernel/cubie/lanes.h, lane_engine.h): which kernels
 * run W runs per vector, how they are built, and how wide W is.
 *
 * Which kernels run in lanes is the solver's choice (solver/lanes.ts).
 * The generated text is the same as for scalar and GPU builds; a lane build
 * is the host compiler's reading of it with CUBIE_LANES defined, OpenMP SIMD
 * on (for the vector math declarations) and glibc's libmvec linked.
 */
import type { CompilePlan } from '../../codegen/compile-plan';
import type { NativeIsa } from './build';

/**
 * After HOST_FLAGS: `-ftree-vectorize` undoes the scalar build's
 * `-fno-tree-vectorize`. The complex-product fusion that flag guards against
 * needs a real and an imaginary part side by side in one vector, which lane
 * code (a vector per value, lanes across runs) never forms, while the
 * vectorisers still pay in its per-lane bookkeeping (Lorenz, 16,384 runs,
 * one thread: about 10% faster with them).
 */
export const LANE_FLAGS: readonly string[] = ['-DCUBIE_LANES', '-fopenmp-simd', '-ftree-vectorize'];

let glibc: boolean | undefined;

/** Libraries a lane build links, after the source: libmvec where glibc has it (x86_64 Linux). */
export function laneLibraries(): string[] {
  if (glibc === undefined) {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    glibc = typeof report?.header?.glibcVersionRuntime === 'string';
  }
  return process.platform === 'linux' && process.arch === 'x64' && glibc ? ['-lmvec'] : [];
}

/**
 * Runs per vector in a lane build: the widest vector registers the build
 * targets (AVX-512: 64 bytes, AVX: 32, else the SSE2 baseline's 16), over the
 * size of the kernel's real. Matches lane_bytes in kernel/cubie/lanes.h.
 */
export function laneWidth(isa: NativeIsa | undefined, precision: CompilePlan['precision']): number {
  const features = new Set(isa?.features ?? []);
  const bytes = features.has('avx512f') ? 64 : features.has('avx') ? 32 : 16;
  return bytes / (precision === 'float32' ? 4 : 8);
}
