/**
 * cubie: very large batches of ODE systems on NVIDIA GPUs (or CPU threads).
 * Loading this module never touches CUDA, NVRTC or a compiler: each is found
 * on first use.
 */
export { CubieError, isCubieError } from './shared/errors';
export type { CubieErrorCode, CubieErrorDetails } from './shared/errors';
export { probe } from './backends/probe';
export type { Probe } from './backends/probe';
export { createSystem, systemFromObject } from './system';
export type { EventDefinition, OdeSystem, SystemDefinition } from './system';
export { importSbml, createSystemFromSbml, outputExpression } from './import/sbml';
export type { ImportedModel, ImportSbmlOptions, SbmlElementType, SbmlSymbol } from './import/sbml';
export { importCellml, createSystemFromCellml } from './import/cellml';
export type { CellmlFiles, CellmlSymbol, ImportCellmlOptions, ImportedCellmlModel } from './import/cellml';
export type { ImportFiles } from './import/files';
export { solveIvp } from './solver/solve-ivp';
export { Solver } from './solver/solver';
export { SolveResult } from './solver/result';
export type { KernelInfo, SolveTimings } from './solver/result';
export type { OutputDescription } from './solver/describe';
export type { Inputs } from './solver/grid';
export type { SolveOptions, SolveProgress, Precision, StepControllerName, GridType, BackendName, CachingMode } from './options/solve-options';
export { StatusBits } from './backends/kernel-abi';
export { cacheStats, clearCache, pruneCache } from './cache/admin';
export type { CacheStats } from './cache/admin';
