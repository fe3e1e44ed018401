import { CubieError } from '../errors';
import { cache } from './cache';
import { doctor } from './doctor';

const USAGE = `usage: cubie <command> [options]

commands:
  doctor [--json]     what this machine offers cubie: NVRTC, CUDA driver, GPUs, C++ compiler
  cache ls|stats|clear [SYSTEM]|prune [--max-bytes N] [--max-age D]   inspect or trim the kernel cache
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  doctor,
  cache,
};

/** The command line's entry; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`cubie: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (e) {
    if (e instanceof CubieError) {
      process.stderr.write(`cubie ${name}: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
}
