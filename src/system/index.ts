export { createSystem } from './create';
export { systemFromObject } from './load';
export type { LoadOptions } from './load';
export type {
  CubieSystem, NormalizedDefinition, OdeSystem, Precision, SourceOptions, SystemDefinition,
} from './types';
export type { SystemModel } from './model';
export { HASH_FORMAT } from './hash';
