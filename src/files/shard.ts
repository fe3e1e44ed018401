/**
 * Splitting a batch across processes (cluster array jobs). The rule, which
 * `cubie merge` and the docs rely on: the runs of the expanded grid,
 * 0 .. nRuns-1, are cut into `count` contiguous blocks, shard `index`
 * taking runs floor(index*nRuns/count) up to (not including)
 * floor((index+1)*nRuns/count). Blocks differ in size by at most one run,
 * every run is in exactly one block, and the split depends on nothing but
 * (nRuns, index, count).
 */
import { CubieError } from '../shared/errors';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /** Where the shard came from: '--shard', 'SLURM_ARRAY_TASK_ID' or 'JOB_COMPLETION_INDEX'. */
  source: string;
}

export interface RunRange {
  /** First run (inclusive). */
  first: number;
  /** One past the last run. */
  end: number;
}

function usage(message: string, where: string): never {
  throw new CubieError('INVALID_OPTION', message, { where, usage: true });
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `I/N` with 0 <= I < N. */
export function parseShard(text: string, source = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) usage(`${source} must be I/N, the shard index counted from 0 and the number of shards (e.g. 0/8), got '${text}'`, source);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) usage(`${source} ${text}: the number of shards must be at least 1`, source);
  if (!Number.isSafeInteger(index) || index >= count) usage(`${source} ${text}: the shard index counts from 0 and must be below ${count}`, source);
  return { index, count, source };
}

/**
 * The shard a cluster scheduler assigned to this process, if any.
 *   Slurm job array: I = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP
 *     (the step is 1 unless the array was declared with ':step'), N = SLURM_ARRAY_TASK_COUNT.
 *   Kubernetes indexed Job: I = JOB_COMPLETION_INDEX, N = `shardCount` (the Job's completions),
 *     which the environment does not carry, so it comes from --shard-count.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, shardCount?: number): Shard | undefined {
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== '') {
    const id = wholeNumber(slurmId);
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : wholeNumber(env.SLURM_ARRAY_TASK_MIN);
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : wholeNumber(env.SLURM_ARRAY_TASK_STEP);
    const count = wholeNumber(env.SLURM_ARRAY_TASK_COUNT);
    const source = 'SLURM_ARRAY_TASK_ID';
    if (id === undefined || min === undefined || step === undefined || step < 1) {
      usage(`SLURM_ARRAY_TASK_ID=${slurmId}, SLURM_ARRAY_TASK_MIN=${env.SLURM_ARRAY_TASK_MIN}, SLURM_ARRAY_TASK_STEP=${env.SLURM_ARRAY_TASK_STEP} are not whole numbers`, source);
    }
    if (count === undefined || count < 1) usage(`SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not a positive whole number ('${env.SLURM_ARRAY_TASK_COUNT}')`, source);
    const offset = id - min;
    if (offset < 0 || offset % step !== 0 || offset / step >= count) {
      usage(
        `SLURM array task ${id} (min ${min}, step ${step}, count ${count}) does not map to a shard 0..${count - 1}: ` +
          'sharding needs an evenly spaced array such as --array=0-7; or give --shard I/N yourself, or --no-shard',
        source,
      );
    }
    return { index: offset / step, count, source };
  }
  const k8sIndex = env.JOB_COMPLETION_INDEX;
  if (k8sIndex !== undefined && k8sIndex !== '') {
    const source = 'JOB_COMPLETION_INDEX';
    const index = wholeNumber(k8sIndex);
    if (index === undefined) usage(`JOB_COMPLETION_INDEX='${k8sIndex}' is not a whole number`, source);
    if (shardCount === undefined) {
      usage("JOB_COMPLETION_INDEX is set (a Kubernetes indexed Job) but the number of shards is not: pass --shard-count N (the Job's completions), or --no-shard", source);
    }
    if (index >= shardCount) usage(`JOB_COMPLETION_INDEX=${index} is not below --shard-count ${shardCount}`, source);
    return { index, count: shardCount, source };
  }
  return undefined;
}

/** The runs of one shard, by the rule at the top of this file. */
export function shardRange(nRuns: number, shard: { index: number; count: number }): RunRange {
  const bound = (i: number): number => Number((BigInt(i) * BigInt(nRuns)) / BigInt(shard.count));
  return { first: bound(shard.index), end: bound(shard.index + 1) };
}

/** `.shard-3-of-8` with the index padded to the count's width, so shard files sort in order. */
export function shardSuffix(shard: { index: number; count: number }): string {
  const width = String(shard.count - 1).length;
  return `.shard-${String(shard.index).padStart(width, '0')}-of-${shard.count}`;
}
