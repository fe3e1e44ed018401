/**
 * Every option cubie takes, one row each: its name, CuBIE's spellings, the
 * phase it belongs to, its context-free check, its default as users read it,
 * and whether it can change a batch's numbers. Normalising, the compile and
 * run plans, the model hash, result sidecars, cache settings and the
 * backends' checks all read this table; an option added anywhere else is not
 * an option.
 */
import { booleanSetting, cachingModeSetting, maxAgeSetting, maxBytesSetting, resolveCacheRoot } from '../cache/settings';
import { abortSignal, callback, finite, inContext, nonNegative, numberList, oneOfValues, OptionCheck, optionError, positive, positiveInteger, stringArray, text, wholeNumber } from './checks';
import type { SolveOptions } from './solve-options';

/**
 * compile: shapes the generated kernel (part of the kernel's cache key);
 * run: kernel arguments and inputs, never a recompile;
 * execution: where and how a batch runs; cache: where kernels are kept.
 */
export type OptionPhase = 'compile' | 'run' | 'execution' | 'cache';

export interface OptionRow {
  readonly name: keyof SolveOptions & string;
  /** CuBIE's spellings besides the plain snake_case of `name` (always accepted). */
  readonly cubie: readonly string[];
  readonly phase: OptionPhase;
  readonly check: OptionCheck;
  /** The default, as the README states it. */
  readonly default: string;
  /** A different value can change a batch's numbers: such options are in the model hash and decide merge compatibility. */
  readonly changesResults: boolean;
}

export const STEP_CONTROLLERS = ['fixed', 'i', 'pi', 'pid', 'gustafsson'] as const;
export const PRECISIONS = ['float32', 'float64'] as const;
export const GRID_TYPES = ['combinatorial', 'verbatim'] as const;
export const BACKENDS = ['auto', 'cuda', 'cpu'] as const;
export const SAVE_MODES = ['step', 'interpolate'] as const;
export const CPU_TARGETS = ['native', 'portable'] as const;
export const LINEAR_SOLVERS = ['auto', 'dense', 'sparse', 'gmres', 'gmres-jacobi', 'gmres-ilu0'] as const;

const cpuLanesCheck: OptionCheck = (value, name) => {
  if (value !== 'auto' && value !== 1) optionError(name, `must be 'auto' or 1 (got ${JSON.stringify(value)})`);
};

const devicesCheck: OptionCheck = (value, name) => {
  if (value === 'all') return;
  if (!Array.isArray(value) || value.length === 0 || value.some((d) => !Number.isInteger(d) || d < 0)) {
    optionError(name, `must be 'all' or a non-empty array of device indices (got ${JSON.stringify(value)})`);
  }
};

const compile = (name: OptionRow['name'], check: OptionCheck, def: string, cubie: string[] = []): OptionRow => ({ name, cubie, phase: 'compile', check, default: def, changesResults: true });
const run = (name: OptionRow['name'], check: OptionCheck, def: string, cubie: string[] = [], changesResults = true): OptionRow => ({ name, cubie, phase: 'run', check, default: def, changesResults });
const execution = (name: OptionRow['name'], check: OptionCheck, def: string): OptionRow => ({ name, cubie: [], phase: 'execution', check, default: def, changesResults: false });
const cache = (name: OptionRow['name'], check: OptionCheck, def: string): OptionRow => ({ name, cubie: [], phase: 'cache', check, default: def, changesResults: false });

export const OPTION_TABLE: readonly OptionRow[] = [
  compile('method', text, "'tsit5'", ['algorithm']),
  compile('stepController', oneOfValues(STEP_CONTROLLERS), "per method: 'pi' (explicit), 'gustafsson' (implicit), 'fixed' without an error estimate", ['step_control']),
  compile('precision', oneOfValues(PRECISIONS), "'float64'"),
  compile('outputTypes', stringArray, "['state']"),
  compile('saveVariables', stringArray, 'every state (and observable, with observables in outputTypes)'),
  compile('summariseVariables', stringArray, 'every state', ['summarizeVariables', 'summarize_variables']),
  compile('saveMode', oneOfValues(SAVE_MODES), "'interpolate' for methods whose own continuous extension needs no extra stage, else 'step'"),
  compile('delayHistory', wholeNumber(2, 1 << 20), '256: the points of its past each run of a system with delay() keeps (steps within the longest lag); a run that needs an older one ends with DELAY'),
  compile('linearSolver', oneOfValues(LINEAR_SOLVERS), "'auto': sparse LU for 16+ states with a sparse enough pattern, else dense LU below 128 states and GMRES from 128"),

  run('duration', positive, '1'),
  run('t0', finite, '0'),
  run('settlingTime', finite, '0', ['warmup']),
  run('saveEvery', positive, 'duration (save the start and the end)', ['dt_save']),
  run('saveAt', numberList, 'none: the saveEvery grid'),
  run('summariseEvery', positive, 'duration', ['summarize_every', 'summarizeEvery', 'dt_summarise']),
  run('dt', positive, 'adaptive: picked by the kernel; fixed: min(1e-3, duration)'),
  run('dtMin', nonNegative, '0 (the kernel still stops below a few spacings of t)'),
  run('dtMax', positive, 'settlingTime + duration'),
  run('atol', inContext, '1e-6 (a number, a list by state, or a record by state name)'),
  run('rtol', inContext, '1e-6 (a number, a list by state, or a record by state name)'),
  run('safety', positive, '0.9'),
  run('minGain', positive, '0.3 (pid: 0.2)'),
  run('maxGain', positive, '2 (pid: 5)'),
  run('kp', finite, '0.7 (pid: 1/18)'),
  run('ki', finite, '-0.4 (pid: 1/9)'),
  run('kd', finite, '0 (pid: 1/18)'),
  run('maxSteps', positive, '1e6'),
  run('maxEvents', wholeNumber(1), '10000 (a run with more events stops with TOO_MANY_EVENTS)'),
  run('maxEventRecords', wholeNumber(0), "16 (with 'events' in outputTypes)"),
  run('eventTolerance', nonNegative, '0: each crossing located as narrowly as the precision allows'),
  run('seed', wholeNumber(0, Number.MAX_SAFE_INTEGER), 'drawn per solve (crypto.randomInt) and reported as result.seed'),
  run('runIndexOffset', wholeNumber(0, 2 ** 32 - 1), '0: the first run is run 0 of the batch'),
  run('brownianTolerance', nonNegative, '(settlingTime + duration) * 1e-6: the Brownian tree resolves the path to this spacing (its points are the decimal fractions of the span down to it)'),
  run('newtonTol', positive, '1e-3', ['newton_tolerance']),
  run('newtonMaxIters', positive, '8', ['max_newton_iters']),
  run('linearTol', positive, '1e-6', ['krylov_tolerance']),
  run('linearMaxIters', positive, '50', ['max_linear_iters']),
  run('gridType', oneOfValues(GRID_TYPES), "solveIvp: 'combinatorial'; Solver.solve: 'verbatim'"),
  run('replicates', wholeNumber(1), '1: each input combination once'),
  // The names are checked where the statistics are made (summaries/ensemble.ts parseEnsembleOutputs), which options/ may not import.
  run('ensembleOutputs', stringArray, 'none'),
  run('drivers', inContext, 'none'),
  run('onProgress', callback, 'none', [], false),
  run('signal', abortSignal, 'none', [], false),

  execution('backend', oneOfValues(BACKENDS), "CUBIE_BACKEND, else 'auto'"),
  execution('devices', devicesCheck, 'the first device'),
  execution('threads', positiveInteger(), 'every core'),
  // Execution, not compile: it changes the CPU kernel's binary (and its cache key) but not its numbers, since
  // every host build has -ffp-contract=off (no FMA contraction), so native and portable round alike.
  execution('cpuTarget', oneOfValues(CPU_TARGETS), "'native': this machine's instruction set"),
  // Execution: lanes change how a CPU kernel is built, not its arithmetic (only libmvec's last bits).
  execution('cpuLanes', cpuLanesCheck, "'auto': every method runs W runs at once in SIMD lanes"),
  execution('chunkRuns', positiveInteger(), 'CPU: up to 256 runs a work item; CUDA: from free memory and occupancy'),
  execution('blockSize', positiveInteger(1024), "the occupancy calculator's choice"),
  execution('maxDeviceBytes', positive, 'no cap beyond free memory'),

  cache('cache', booleanSetting, 'true'),
  cache('cachingMode', cachingModeSetting, "CUBIE_CACHING_MODE, else 'hash'"),
  cache('cacheDir', (value, name) => resolveCacheRoot(value, {}, name), "CUBIE_CACHE_DIR, else the platform's per-user cache folder"),
  cache('maxCacheBytes', maxBytesSetting, 'CUBIE_CACHE_MAX_BYTES, else no limit'),
  cache('maxCacheAge', maxAgeSetting, 'CUBIE_CACHE_MAX_AGE, else no limit'),
  cache('sharedCache', booleanSetting, 'CUBIE_CACHE_SHARED, else false'),
];

const BY_NAME: ReadonlyMap<string, OptionRow> = new Map(OPTION_TABLE.map((row) => [row.name, row]));

export function optionRow(name: string): OptionRow | undefined {
  return BY_NAME.get(name);
}

/** A value checked by its option's row (undefined passes): for code that receives options without normalising them. */
export function checkOption<K extends keyof SolveOptions & string>(name: K, value: SolveOptions[K]): SolveOptions[K] {
  if (value !== undefined) BY_NAME.get(name)!.check(value, name);
  return value;
}

export function optionNames(phase?: OptionPhase): string[] {
  return OPTION_TABLE.filter((row) => phase === undefined || row.phase === phase).map((row) => row.name);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Every accepted spelling -> its option name: the name, its snake_case, and CuBIE's spellings. */
export const SPELLINGS: ReadonlyMap<string, string> = new Map(
  OPTION_TABLE.flatMap((row) => [row.name, snakeCase(row.name), ...row.cubie].map((spelling) => [spelling, row.name] as [string, string])),
);
