import { CubieError } from '../shared/errors';

const USAGE = `usage: cubie <command> [options]

commands:
  run MODEL|FILE.cellml|FILE.xml [--out FILE.npy|.csv] [--plot FILE.svg] [--backend B] [--shard I/N] [--quiet] [--json]
                      solve the batch a model file describes, streaming results to disk
  plot RESULT [--out FILE.svg]
                      draw a result: trajectories, and a summary against the swept inputs
  merge SHARD_FILE... --out FILE
                      join sharded results into the result of one unsharded run
  inspect FILE.cellml|FILE.xml [--json]
                      print the states, parameters and equations imported from CellML or SBML
  emit MODEL [--target cuda|cpp|ptx] [--arch sm_XX]
                      print the generated kernel source (or PTX)
  precompile MODEL --arch sm_80,sm_90 [--cache-dir DIR]
                      build CUBINs for listed GPU architectures into the cache (no GPU needed)
  cache ls|stats|clear [SYSTEM]|prune [--max-bytes N] [--max-age D]
                      inspect or trim the kernel cache
  doctor [--json]     what this machine offers cubie: NVRTC, CUDA driver, GPUs, C++ compiler

'cubie <command> --help' describes a command's options.
`;

type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is loaded when it is called: `run` and `emit` need the
 * equation parser (mathjs, about 0.35 s to load), `merge`, `plot` and
 * `doctor` do not.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run')).run,
  plot: async () => (await import('./plot')).plot,
  merge: async () => (await import('./merge')).merge,
  emit: async () => (await import('./emit')).emit,
  inspect: async () => (await import('./inspect')).inspect,
  precompile: async () => (await import('./precompile')).precompile,
  cache: async () => (await import('./cache')).cache,
  doctor: async () => (await import('./doctor')).doctor,
};

/**
 * A reader that goes away (`cubie run ... | head`) must not kill a batch
 * half-way with EPIPE: the report is dropped and the work (and its output
 * files) completes.
 */
function tolerateClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

/** The command line's entry; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  tolerateClosedStdout();
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    process.stderr.write(`cubie: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(args);
  } catch (e) {
    if (e instanceof CubieError) {
      process.stderr.write(`cubie ${name}: ${e.message} [${e.code}]\n`);
      // A mistake on the command line itself (unknown flag, bad --shard) exits 2, like the usage errors above.
      if (e.details.usage === true) {
        process.stderr.write(`(see 'cubie ${name} --help')\n`);
        return 2;
      }
      return 1;
    }
    throw e;
  }
}
