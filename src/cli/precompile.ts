/**
 * `cubie precompile MODEL --arch sm_80,sm_90`: builds a model's kernel for
 * GPU architectures with NVRTC, which needs no GPU, into the kernel cache, so
 * that jobs on GPU nodes sharing the cache folder load it instead of
 * compiling. The entries are the ones the CUDA backend looks up: the same
 * source, flags, architecture and NVRTC version make the same key.
 */
import { parseArgs, usageError } from './args';

export const PRECOMPILE_USAGE = `usage: cubie precompile MODEL --arch LIST [--cache-dir DIR] [--json]

Compiles the kernel of a model file's system and compile-time options for GPU
architectures with NVRTC (no GPU needed) and stores the results in the kernel
cache, so that GPU jobs using the same cache folder find them warm.
  --arch LIST      comma-separated targets: sm_XX builds a CUBIN for that GPU
                   architecture (what the CUDA backend loads on such a GPU);
                   compute_XX builds PTX, which the driver compiles for newer GPUs
  --cache-dir DIR  the cache folder (default: the model's cacheDir, else
                   CUBIE_CACHE_DIR, else the per-user cache folder)
  --json           print one JSON object per target instead of a table
The NVRTC found (see 'cubie doctor') decides which architectures can be built.
`;

const FLAGS = { '--arch': 'value', '--cache-dir': 'value', '--json': 'switch', '--help': 'switch' } as const;

interface Outcome {
  target: string;
  ok: boolean;
  cache?: string;
  key?: string;
  bytes?: number;
  compileMs?: number;
  error?: string;
}

export async function precompile(args: string[]): Promise<number> {
  const parsed = parseArgs('precompile', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(PRECOMPILE_USAGE);
    return 0;
  }
  if (parsed.positional.length !== 1) {
    throw usageError(
      'precompile',
      parsed.positional.length === 0 ? 'give the model file: cubie precompile MODEL --arch sm_80,sm_90' : `one model file at a time (got ${parsed.positional.join(', ')})`,
    );
  }
  const archText = parsed.values.get('--arch');
  if (archText === undefined) throw usageError('precompile', 'give the architectures to build for: --arch sm_80,sm_90', '--arch');
  const { parseTarget } = await import('../backends/cuda/targets');
  const names = archText.split(',').map((a) => a.trim()).filter((a) => a.length > 0);
  const targets = names.map((name) => {
    const target = parseTarget(name);
    if (target === undefined) throw usageError('precompile', `--arch takes sm_XX or compute_XX targets, e.g. sm_80,sm_90 (got '${name}')`, '--arch');
    return { name, target };
  });
  if (targets.length === 0) throw usageError('precompile', '--arch names no architecture', '--arch');

  // Loaded once the command line is known to be right: the equation parser takes most of a second.
  const [{ loadModel }, { generateKernel }, { cudaImageFor }, { nvrtcStatus }] = await Promise.all([
    import('../files/model-file'),
    import('../codegen/generate'),
    import('../backends/cuda/build'),
    import('../native/nvrtc'),
  ]);
  const model = loadModel(parsed.positional[0]);
  const cacheDir = parsed.values.get('--cache-dir') ?? model.options.cacheDir;
  if (model.options.cache === false) {
    throw usageError('precompile', `${model.file} sets cache: false; precompiling fills the cache, so it needs the cache on`, 'cache');
  }
  const { plan, source, digest } = generateKernel(model.system, model.options);
  const nvrtc = nvrtcStatus();
  const json = parsed.switches.has('--json');
  if (!json) {
    process.stdout.write(
      `cubie precompile: system '${model.system.name}' from ${model.file}; ${plan.method}, ${plan.precision}; ` +
        `NVRTC ${nvrtc.version ?? '(not found)'}; cache ${cacheDir ?? '(default folder)'}\n`,
    );
  }
  const outcomes: Outcome[] = [];
  for (const { name, target } of targets) {
    let outcome: Outcome;
    try {
      const got = await cudaImageFor(source, digest, model.system.name, target, { ...model.options, cacheDir });
      outcome = { target: name, ok: true, cache: got.cache, key: got.key, bytes: got.image.bytes.length, compileMs: got.compileMs };
    } catch (e) {
      outcome = { target: name, ok: false, error: (e as Error).message };
    }
    outcomes.push(outcome);
    if (json) {
      process.stdout.write(`${JSON.stringify(outcome)}\n`);
    } else if (outcome.ok) {
      const what = outcome.cache === 'compiled' ? `compiled in ${(outcome.compileMs! / 1000).toFixed(1)} s` : `already in the cache (${outcome.cache})`;
      process.stdout.write(`  ${name.padEnd(12)} ${target.kind === 'cubin' ? 'CUBIN' : 'PTX  '} ${(outcome.bytes! / 1024).toFixed(0).padStart(6)} KiB  ${what}  key ${outcome.key!.slice(0, 16)}\n`);
    } else {
      process.stderr.write(`  ${name.padEnd(12)} FAILED: ${outcome.error}\n`);
    }
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}
