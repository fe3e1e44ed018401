import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const execFileAsync = promisify(execFile);

export interface HostCompilerStatus {
  available: boolean;
  /** The command as configured (`CXX`, else `c++`). */
  command: string;
  path?: string;
  /** First line of `--version`, e.g. `g++ (Debian 12.2.0-14) 12.2.0`. */
  version?: string;
  error?: string;
}

/** Resolves a bare command against PATH the way a shell would. */
export function resolveOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes('/')) return fs.existsSync(command) ? path.resolve(command) : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let pending: Promise<HostCompilerStatus> | undefined;

/** The host C++ compiler the CPU backend builds with; looked up once per process. */
export function hostCompilerStatus(env: NodeJS.ProcessEnv = process.env): Promise<HostCompilerStatus> {
  if (pending !== undefined) return pending;
  const command = env.CXX && env.CXX.trim() ? env.CXX.trim() : 'c++';
  pending = (async (): Promise<HostCompilerStatus> => {
    const resolved = resolveOnPath(command, env);
    if (resolved === undefined) {
      return { available: false, command, error: `no C++ compiler '${command}' on PATH (set CXX to one)` };
    }
    try {
      const { stdout } = await execFileAsync(resolved, ['--version'], { timeout: 20000 });
      return { available: true, command, path: resolved, version: stdout.split('\n')[0].trim() };
    } catch (e) {
      return { available: false, command, path: resolved, error: `'${resolved} --version' failed: ${(e as Error).message}` };
    }
  })();
  return pending;
}
