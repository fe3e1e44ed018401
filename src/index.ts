/**
 * cubie: very large batches of ODE systems on NVIDIA GPUs (or CPU threads).
 * Loading this module never touches CUDA, NVRTC or a compiler: each is found
 * on first use.
 */
export { CubieError, isCubieError } from './errors';
export type { CubieErrorCode, CubieErrorDetails } from './errors';
export { probe } from './probe';
export type { Probe } from './probe';
