import { CubieError } from '../shared/errors';
import type { CacheOptions, CachingMode } from '../cache/settings';
export type { CachingMode };
import { nearestName as nearest } from '../shared/suggest';
import { optionNames, optionRow, SPELLINGS } from './table';

export type Precision = 'float32' | 'float64';
export type StepControllerName = 'fixed' | 'i' | 'pi' | 'pid' | 'gustafsson';
export type GridType = 'combinatorial' | 'verbatim';
export type SaveMode = 'step' | 'interpolate';
export type BackendName = 'auto' | 'cuda' | 'cpu';
/** CPU backend: build for this machine's instruction set ('native') or the compiler's baseline ('portable'). */
export type CpuTarget = 'native' | 'portable';
/** CPU backend: 'auto' runs explicit, Rosenbrock, DIRK and Radau methods W runs per vector (SIMD lanes); 1, one run per core. */
export type CpuLanes = 'auto' | 1;
/** Implicit methods' linear solver: 'auto' chooses by the Jacobian's size and pattern (codegen/linear-solver-choice.ts). */
export type LinearSolverName = 'auto' | 'dense' | 'sparse' | 'gmres' | 'gmres-jacobi' | 'gmres-ilu0';

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
  /** Implicit methods: dense LU, sparse LU on the Jacobian's pattern, or GMRES (plain, Jacobi- or ILU(0)-preconditioned); default 'auto'. */
  linearSolver?: LinearSolverName;
  /** A system with delay(): the points of its past each run keeps (steps within the longest lag); default 256. */
  delayHistory?: number;
  outputTypes?: string[];
  saveVariables?: string[];
  summariseVariables?: string[];
  /** 'step' (default): steps land on every save time; 'interpolate': saves inside steps from their continuous extension. */
  saveMode?: SaveMode;
  // run-time: kernel arguments, never a recompile
  duration?: number;
  t0?: number;
  settlingTime?: number;
  saveEvery?: number;
  /** Save at exactly these times (ascending, within the saved span), the same for every run; result.time is then saveAt. */
  saveAt?: ArrayLike<number>;
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
  /** Events per run before it stops with StatusBits.TOO_MANY_EVENTS (a guard against Zeno behaviour). */
  maxEvents?: number;
  /** With 'events' in outputTypes: how many events each run records (time, which, state); counts go on past it. */
  maxEventRecords?: number;
  /** The width in time to which a crossing is located; 0 (default): as narrowly as the precision allows. */
  eventTolerance?: number;
  /** Noise: the seed of every run's Brownian path (run r uses stream (seed, r)); drawn and reported in result.seed when not given. */
  seed?: number;
  /** Noise: the Brownian tree's point spacing in t (linear between points); 0: the deepest tree. Default: span * 1e-6. */
  brownianTolerance?: number;
  /** Noise: the batch index of this solve's first run, for a part of a batch solved on its own (a CLI chunk or shard): run i draws stream (seed, runIndexOffset + i). */
  runIndexOffset?: number;
  /** Implicit methods: Newton stops when the tolerance-scaled update norm is below this. */
  newtonTol?: number;
  newtonMaxIters?: number;
  /** Matrix-free (Krylov) linear solves: relative residual and iteration cap. */
  linearTol?: number;
  linearMaxIters?: number;
  gridType?: GridType;
  /** Every input combination is run this many times (replicate index fastest); with noise, each replicate draws its own path. */
  replicates?: number;
  /** Statistics over each combination's replicates at every save time: 'mean', 'var' (n - 1), 'std', 'min', 'max'. */
  ensembleOutputs?: string[];
  drivers?: DriverInput;
  onProgress?: (progress: SolveProgress) => void;
  signal?: AbortSignal;
  // execution
  backend?: BackendName;
  devices?: number[] | 'all';
  threads?: number;
  chunkRuns?: number;
  /**
   * CPU backend: 'native' builds for this machine's instruction set
   * (-march=native; the resolved ISA is in the cache key), 'portable' for
   * the compiler's baseline. Same numbers either way on the scalar engine
   * (-ffp-contract=off); in SIMD lanes, to the last bits of libmvec.
   */
  cpuTarget?: CpuTarget;
  /**
   * CPU backend: 'auto' (default) integrates W runs at once in SIMD lanes
   * (W = vector bytes / size of the real: 8 float64 or 16 float32 with
   * AVX-512) for every method (explicit, Rosenbrock, DIRK, Radau, stochastic), events included; 1, one run per
   * core with scalar arithmetic. Same numbers but for the last bits of vector
   * math functions (libmvec); result.kernel.lanes says which ran.
   */
  cpuLanes?: CpuLanes;
  /** CUDA: threads per block (default: the occupancy calculator's choice). */
  blockSize?: number;
  /** CUDA: at most this many bytes of device memory per device for a batch's chunks. */
  maxDeviceBytes?: number;
}

/** CuBIE's camelCase-from-snake_case: `save_every` -> `saveEvery`. */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The option a spelling names (camelCase, snake_case or a CuBIE spelling), or undefined. */
export function canonicalOptionName(key: string): string | undefined {
  return SPELLINGS.get(key) ?? SPELLINGS.get(camelCase(key));
}

/**
 * Accepts camelCase keys and CuBIE's snake_case spellings; rejects unknown
 * keys with the nearest known one, and every value its row of the table
 * rejects. `where` names the caller for messages.
 */
export function normalizeOptions(options: Record<string, unknown> | undefined, where = 'options'): SolveOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue;
    const name = canonicalOptionName(key);
    if (name === undefined) {
      const names = optionNames();
      const hint = nearest(camelCase(key), names);
      throw new CubieError('INVALID_OPTION', `Unknown option '${key}' in ${where}${hint ? `; did you mean '${hint}'?` : ''}`, {
        where: `${where}.${key}`,
      });
    }
    if (name in out && out[name] !== value) {
      throw new CubieError('INVALID_OPTION', `Option '${name}' is given twice in ${where} (as '${key}' and another spelling)`, {
        where: `${where}.${key}`,
      });
    }
    optionRow(name)!.check(value, name);
    out[name] = value;
  }
  return out as SolveOptions;
}

export function mergeOptions(...layers: Array<SolveOptions | undefined>): SolveOptions {
  return Object.assign({}, ...layers.filter((l) => l !== undefined)) as SolveOptions;
}

/** An option's value, checked by its row of the table, else the fallback (a default that may depend on context). */
export function readOption<K extends keyof SolveOptions>(options: SolveOptions, key: K, fallback: NonNullable<SolveOptions[K]>): NonNullable<SolveOptions[K]>;
export function readOption<K extends keyof SolveOptions>(options: SolveOptions, key: K): SolveOptions[K] | undefined;
export function readOption<K extends keyof SolveOptions>(options: SolveOptions, key: K, fallback?: SolveOptions[K]): SolveOptions[K] | undefined {
  const value = options[key];
  if (value === undefined) return fallback;
  optionRow(key)!.check(value, key);
  return value;
}
