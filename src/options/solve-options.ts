import { CubieError } from '../shared/errors';
import type { CacheOptions, CachingMode } from '../cache/settings';
export type { CachingMode };
import { nearestName as nearest } from '../shared/suggest';

export type Precision = 'float32' | 'float64';
export type StepControllerName = 'fixed' | 'i' | 'pi' | 'pid' | 'gustafsson';
export type GridType = 'combinatorial' | 'verbatim';
export type BackendName = 'auto' | 'cuda' | 'cpu';

/** `drivers` option: samples by driver name, plus the sampling and fit settings. */
export interface DriverInput {
  /** Sample times (ascending), or give `dt` (and `t0`, default 0) for even spacing. */
  time?: ArrayLike<number>;
  dt?: number;
  t0?: number;
  /** 3 (cubic spline, default) or 1 (piecewise linear). */
  order?: 1 | 3;
  /** The samples span exactly one period (the last sample repeats the first). */
  periodic?: boolean;
  [driver: string]: ArrayLike<number> | number | boolean | undefined;
}

export interface SolveProgress {
  done: number;
  total: number;
}

/** One flat object; cubie sorts keys into compile-time and run-time settings. */
export interface SolveOptions extends CacheOptions {
  // compile-time: part of the kernel cache key
  method?: string;
  stepController?: StepControllerName;
  precision?: Precision;
  outputTypes?: string[];
  saveVariables?: string[];
  summariseVariables?: string[];
  // run-time: kernel arguments, never a recompile
  duration?: number;
  t0?: number;
  settlingTime?: number;
  saveEvery?: number;
  summariseEvery?: number;
  dt?: number;
  dtMin?: number;
  dtMax?: number;
  atol?: number | ArrayLike<number> | Record<string, number>;
  rtol?: number | ArrayLike<number> | Record<string, number>;
  safety?: number;
  minGain?: number;
  maxGain?: number;
  kp?: number;
  ki?: number;
  kd?: number;
  maxSteps?: number;
  /** Implicit methods: Newton stops when the tolerance-scaled update norm is below this. */
  newtonTol?: number;
  newtonMaxIters?: number;
  /** Matrix-free (Krylov) linear solves: relative residual and iteration cap. */
  linearTol?: number;
  linearMaxIters?: number;
  gridType?: GridType;
  drivers?: DriverInput;
  onProgress?: (progress: SolveProgress) => void;
  signal?: AbortSignal;
  // execution
  backend?: BackendName;
  devices?: number[] | 'all';
  threads?: number;
  chunkRuns?: number;
  /** CUDA: threads per block (default: the occupancy calculator's choice). */
  blockSize?: number;
  /** CUDA: at most this many bytes of device memory per device for a batch's chunks. */
  maxDeviceBytes?: number;
}

const COMPILE_KEYS = ['method', 'stepController', 'precision', 'outputTypes', 'saveVariables', 'summariseVariables'] as const;
const RUN_KEYS = [
  'duration', 't0', 'settlingTime', 'saveEvery', 'summariseEvery', 'dt', 'dtMin', 'dtMax', 'atol', 'rtol',
  'safety', 'minGain', 'maxGain', 'kp', 'ki', 'kd', 'maxSteps', 'newtonTol', 'newtonMaxIters', 'linearTol', 'linearMaxIters',
  'gridType', 'drivers', 'onProgress', 'signal',
] as const;
const EXECUTION_KEYS = ['backend', 'devices', 'threads', 'chunkRuns', 'blockSize', 'maxDeviceBytes'] as const;
const CACHE_KEYS = ['cache', 'cachingMode', 'cacheDir', 'maxCacheBytes', 'maxCacheAge', 'sharedCache'] as const;
export const OPTION_KEYS: readonly string[] = [...COMPILE_KEYS, ...RUN_KEYS, ...EXECUTION_KEYS, ...CACHE_KEYS];
export const COMPILE_TIME_KEYS: readonly string[] = COMPILE_KEYS;

/** CuBIE's spellings that are not a plain snake_case of ours. */
const ALIASES: Record<string, string> = {
  summarise_every: 'summariseEvery',
  summarize_every: 'summariseEvery',
  summarizeEvery: 'summariseEvery',
  summarizeVariables: 'summariseVariables',
  summarize_variables: 'summariseVariables',
  dt_save: 'saveEvery',
  dt_summarise: 'summariseEvery',
  step_control: 'stepController',
  algorithm: 'method',
  warmup: 'settlingTime',
  newton_tolerance: 'newtonTol',
  max_newton_iters: 'newtonMaxIters',
  krylov_tolerance: 'linearTol',
  max_linear_iters: 'linearMaxIters',
  duration: 'duration',
};

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Accepts camelCase keys and CuBIE's snake_case spellings; rejects unknown
 * keys with the nearest known one. `where` names the caller for messages.
 */
export function normalizeOptions(options: Record<string, unknown> | undefined, where = 'options'): SolveOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue;
    const name = ALIASES[key] ?? camelCase(key);
    if (!OPTION_KEYS.includes(name)) {
      const hint = nearest(name, OPTION_KEYS);
      throw new CubieError('INVALID_OPTION', `Unknown option '${key}' in ${where}${hint ? `; did you mean '${hint}'?` : ''}`, {
        where: `${where}.${key}`,
      });
    }
    if (name in out && out[name] !== value) {
      throw new CubieError('INVALID_OPTION', `Option '${name}' is given twice in ${where} (as '${key}' and another spelling)`, {
        where: `${where}.${key}`,
      });
    }
    out[name] = value;
  }
  return out as SolveOptions;
}

export function mergeOptions(...layers: Array<SolveOptions | undefined>): SolveOptions {
  return Object.assign({}, ...layers.filter((l) => l !== undefined)) as SolveOptions;
}

function fail(option: string, message: string): never {
  throw new CubieError('INVALID_OPTION', `Option '${option}' ${message}`, { where: option });
}

export function positiveNumber(options: SolveOptions, key: keyof SolveOptions, fallback?: number): number | undefined {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(key, `must be a positive finite number (got ${String(value)})`);
  return value;
}

export function finiteNumber(options: SolveOptions, key: keyof SolveOptions, fallback: number): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(key, `must be a finite number (got ${String(value)})`);
  return value;
}

export function oneOf<T extends string>(options: SolveOptions, key: keyof SolveOptions, allowed: readonly T[], fallback: T): T {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    const hint = typeof value === 'string' ? nearest(value, allowed) : undefined;
    fail(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${JSON.stringify(value)})${hint ? `; did you mean '${hint}'?` : ''}`);
  }
  return value as T;
}

export function stringList(options: SolveOptions, key: keyof SolveOptions): string[] | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(key, 'must be an array of strings');
  return [...(value as string[])];
}
