/**
 * `cubie run MODEL`: the command line checked in full before anything heavy
 * loads (a typo answers at once), then the batch solved by run-batch.ts.
 */
import * as path from 'path';
import { outputFormatOf } from '../files/sidecar';
import { parseShard, Shard, shardFromEnvironment } from '../files/shard';
import type { BackendName } from '../options/solve-options';
import { byteSizeFlag, parseArgs, ParsedArgs, usageError, wholeNumberFlag } from './args';
import { createReporter } from './report';

export const RUN_USAGE = `usage: cubie run MODEL [options]

Solves the batch a model file describes ({ system, y0, parameters, options }, YAML or JSON)
on the default backend (CUDA when usable, else CPU), chunk by chunk.

options:
  --out FILE.npy|FILE.csv  write the results as they are computed: FILE.npy [nTimes, nVariables, nRuns]
                           (or a long CSV table), summaries and run status beside it, and FILE.json
                           (legends, times, inputs, settings)
  --plot FILE.svg          draw a few trajectories and, for a 1- or 2-input sweep, a summary against the inputs
                           (an ensemble: the mean with a ± std band for a few input combinations)
  --backend auto|cpu|cuda  where to run (default: the model's, else auto)
  --threads N              CPU backend: worker threads (default: all cores)
  --shard I/N              solve only shard I of N (I from 0); output files get '.shard-I-of-N'
  --shard-count N          number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes)
  --no-shard               ignore SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX
  --runs-per-chunk N       runs solved and written at a time (default: ~64 MiB of output per chunk)
  --chunk-bytes SIZE       target output bytes per chunk instead (e.g. 16M, 1G)
  --quiet                  no progress bar and no report (failures still warn on stderr)
  --json                   one JSON object per line on stdout (events start, kernel, progress, done)

Sharding: shard I of N takes runs floor(I*nRuns/N) .. floor((I+1)*nRuns/N)-1 of the expanded grid.
Without --shard, SLURM_ARRAY_TASK_ID (I = ID - SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT) or
JOB_COMPLETION_INDEX (with --shard-count N) select the shard. Join shards with 'cubie merge'.
`;

const FLAGS = {
  '--out': 'value',
  '--plot': 'value',
  '--backend': 'value',
  '--threads': 'value',
  '--shard': 'value',
  '--shard-count': 'value',
  '--no-shard': 'switch',
  '--runs-per-chunk': 'value',
  '--chunk-bytes': 'value',
  '--quiet': 'switch',
  '--json': 'switch',
  '--help': 'switch',
} as const;

function resolveShard(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Shard | undefined {
  const spec = parsed.values.get('--shard');
  const count = wholeNumberFlag('run', parsed, '--shard-count', 1);
  if (spec !== undefined) {
    if (parsed.switches.has('--no-shard')) throw usageError('run', '--shard and --no-shard contradict each other', '--shard');
    if (count !== undefined) throw usageError('run', '--shard-count goes with JOB_COMPLETION_INDEX; --shard I/N already gives the count', '--shard-count');
    return parseShard(spec, '--shard');
  }
  if (parsed.switches.has('--no-shard')) return undefined;
  const shard = shardFromEnvironment(env, count);
  if (shard === undefined && count !== undefined) throw usageError('run', '--shard-count needs JOB_COMPLETION_INDEX in the environment (a Kubernetes indexed Job); use --shard I/N otherwise', '--shard-count');
  return shard;
}

function backendFlag(parsed: ParsedArgs): BackendName | undefined {
  const value = parsed.values.get('--backend');
  if (value === undefined) return undefined;
  if (value !== 'auto' && value !== 'cpu' && value !== 'cuda') throw usageError('run', `--backend must be auto, cpu or cuda, got '${value}'`, '--backend');
  return value;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs('run', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  if (parsed.positional.length !== 1) throw usageError('run', parsed.positional.length === 0 ? 'give the model file: cubie run MODEL' : `one model file at a time (got ${parsed.positional.join(', ')})`);
  const json = parsed.switches.has('--json');
  const quiet = parsed.switches.has('--quiet');
  const out = parsed.values.get('--out');
  const plotFile = parsed.values.get('--plot');
  if (out !== undefined) outputFormatOf(out);
  if (plotFile !== undefined && path.extname(plotFile).toLowerCase() !== '.svg') throw usageError('run', `--plot ${plotFile}: the picture is an SVG file; name it *.svg`, '--plot');
  const runsPerChunkFlag = wholeNumberFlag('run', parsed, '--runs-per-chunk', 1);
  const chunkBytes = byteSizeFlag('run', parsed, '--chunk-bytes');
  if (runsPerChunkFlag !== undefined && chunkBytes !== undefined) throw usageError('run', 'give --runs-per-chunk or --chunk-bytes, not both', '--chunk-bytes');
  const threads = wholeNumberFlag('run', parsed, '--threads', 1);
  const backend = backendFlag(parsed);
  const shard = resolveShard(parsed, process.env);

  const reporter = createReporter(json ? 'json' : quiet ? 'quiet' : 'human');
  const started = process.hrtime.bigint();
  const { loadModel } = await import('../files/model-file');
  const { solveModel } = await import('./run-batch');
  const model = loadModel(parsed.positional[0]);
  const options = { ...model.options };
  if (backend !== undefined) options.backend = backend;
  if (threads !== undefined) options.threads = threads;
  return solveModel({ model, options, shard, out, plotFile, runsPerChunk: runsPerChunkFlag, chunkBytes, reporter, json, quiet, started });
}

