/**
 * Building and running the C++ harnesses under test/random/harness with the
 * host compiler, with the warnings generated code must pass. Without a
 * compiler the tests that need one are skipped, with a message saying so.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { GXX, KERNEL_INCLUDE, STRICT_FLAGS, gxxVersion, run, tempDir } from '../system/support/gxx';

const HARNESS_DIR = path.join(__dirname, 'harness');
const compiler = gxxVersion();
if (compiler === undefined) {
  console.warn(`test/random: no host compiler (${GXX}); the C++ harness tests are skipped`);
}

/** `it` for tests that compile a harness: skipped (with the warning above) where there is no compiler. */
export const itGxx: jest.It = compiler === undefined ? it.skip : it;

/** Compiles test/random/harness/NAME.cpp at -O2 (and `flags`) and returns a function running it with arguments. */
export async function buildHarness(name: string, flags: string[] = []): Promise<(...args: string[]) => string> {
  const dir = tempDir(`random-${name}`);
  const exe = path.join(dir, name);
  const source = path.join(HARNESS_DIR, `${name}.cpp`);
  const result = await run(GXX, [...STRICT_FLAGS, '-O2', ...flags, `-I${KERNEL_INCLUDE}`, '-o', exe, source]);
  if (result.code !== 0) throw new Error(`g++ failed on ${source}:\n${result.stderr}`);
  return (...args: string[]) => execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** `key value key value ...` on one line -> numbers by key. */
export function fields(line: string): Record<string, number> {
  const parts = line.trim().split(/\s+/);
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]] = Number(parts[i + 1]);
  return out;
}
