/** Compiling generated C++ with the host compiler, the way the CPU backend will. */
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const KERNEL_INCLUDE = path.join(REPO_ROOT, 'kernel');
export const PLATFORM_HEADER = path.join(KERNEL_INCLUDE, 'cubie', 'platform.h');

/** The warning set generated code must pass: any double promotion in a float32 kernel is an error. */
export const STRICT_FLAGS = ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-Wdouble-promotion', '-Wconversion'];

export const GXX = process.env.CXX ?? 'g++';

export function gxxVersion(): string | undefined {
  const run = spawnSync(GXX, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.split('\n')[0] : undefined;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cubie-${prefix}-`));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[], stdin = '', timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? '') });
    });
    child.stdin?.end(stdin);
  });
}

/** `g++ -fsyntax-only` on a translation unit; resolves to the compiler's log ('' on success). */
export async function checkSyntax(dir: string, name: string, source: string, extraFlags: readonly string[] = []): Promise<RunResult> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return run(GXX, [...STRICT_FLAGS, ...extraFlags, '-fsyntax-only', `-I${KERNEL_INCLUDE}`, file]);
}

/** Builds `source` into an executable; rejects with the compiler log on failure. */
export async function buildProgram(dir: string, name: string, source: string): Promise<string> {
  const file = path.join(dir, `${name}.cpp`);
  const exe = path.join(dir, name);
  fs.writeFileSync(file, source);
  const result = await run(GXX, [...STRICT_FLAGS, '-O1', `-I${KERNEL_INCLUDE}`, '-o', exe, file]);
  if (result.code !== 0) throw new Error(`g++ failed on ${file}:\n${result.stderr}`);
  return exe;
}
