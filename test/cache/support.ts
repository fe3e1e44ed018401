/** Helpers for the cache tests: temporary roots, child processes over dist/, warnings. */
import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');

/** The multi-process tests run small scripts against dist/: it must be built from the current src. */
export function requireDist(): void {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cache', 'kernel-cache.js'))) {
    throw new Error('dist/cache is missing: build dist/ (tsc -p tsconfig.build.json) before the cache tests');
  }
}

export function tmpRoot(label = 'cache'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cubie-test-${label}-`));
}

export function keyOf(n: number | string): string {
  return require('crypto').createHash('sha256').update(`test key ${n}`).digest('hex');
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Child {
  process: ChildProcess;
  /** Resolves when the child prints `line` (say 'ready'). */
  printed(line: string): Promise<void>;
  done: Promise<ChildRun>;
}

export function startChild(script: string, args: unknown, options: SpawnOptions = {}): Child {
  const child = spawn(process.execPath, [path.join(FIXTURES, script), JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of [...waiters]) {
      if (stdout.split('\n').includes(w.line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<ChildRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    process: child,
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        waiters.push({ line, resolve });
        void done.then((r) => reject(new Error(`child exited (${r.code ?? r.signal}) before printing '${line}': ${r.stderr}`)));
      }),
    done,
  };
}

/** The last JSON line a child printed; fails with its stderr when it did not succeed. */
export function lastJson<T = any>(run: ChildRun): T {
  if (run.code !== 0) throw new Error(`child failed (${run.code ?? run.signal}):\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Starts n children that wait on a shared "go" file, then releases them together. */
export async function runTogether(script: string, argsFor: (i: number) => Record<string, unknown>, n: number, options: SpawnOptions = {}): Promise<ChildRun[]> {
  const go = path.join(tmpRoot('go'), 'go');
  const children = Array.from({ length: n }, (_, i) => startChild(script, { ...argsFor(i), go }, options));
  await Promise.all(children.map((c) => c.printed('ready')));
  fs.writeFileSync(go, '');
  return Promise.all(children.map((c) => c.done));
}

export function waitForFile(file: string): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => {
      if (fs.existsSync(file)) resolve();
      else setTimeout(poll, 5);
    };
    poll();
  });
}

export function compileLog(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/**
 * Collects CubieWarnings emitted from now on. (Jest's sandboxed `process`
 * does not deliver 'warning' events, so this watches emitWarning itself.)
 */
export function collectWarnings(): { list: Array<{ code?: string; message: string }>; stop(): void } {
  const list: Array<{ code?: string; message: string }> = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(((message: string | Error, options?: { type?: string; code?: string }) => {
    if (typeof options === 'object' && options?.type === 'CubieWarning') list.push({ code: options.code, message: String(message) });
  }) as typeof process.emitWarning);
  return { list, stop: () => spy.mockRestore() };
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
