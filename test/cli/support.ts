/** Running the real `cubie` executable (bin/cubie.js over dist/) from tests. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const root = path.join(__dirname, '..', '..');
export const bin = path.join(root, 'bin', 'cubie.js');
export const fixtures = path.join(__dirname, 'fixtures');
export const examples = path.join(root, 'examples');

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  throw new Error('these tests run the built executable: run `npm run build:ts` first');
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cubie ARGS` to completion; stdout and stderr are pipes (not a terminal). */
export function cubie(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  // Scheduler variables of the machine running the tests must not shard these runs.
  const env = { ...process.env };
  for (const name of ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_STEP', 'JOB_COMPLETION_INDEX']) delete env[name];
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env: { ...env, ...options.env }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Like cubie(), but a non-zero exit fails the test with the command's stderr. */
export function cubieOk(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const run = cubie(args, options);
  if (run.status !== 0) throw new Error(`cubie ${args.join(' ')} exited ${run.status}\n${run.stderr}`);
  return run;
}

/** The --json events of a run, by name (the last of each). */
export function events(stdout: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const line of stdout.trim().split('\n')) {
    const event = JSON.parse(line) as { event: string };
    out[event.event] = event;
  }
  return out;
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cubie-cli-${label}-`));
}

/** A scratch folder for the enclosing describe block: made before its tests, removed after; `at(...parts)` names a path in it. */
export function scratchFolder(label: string): { at: (...parts: string[]) => string; dir: () => string } {
  let dir = '';
  beforeAll(() => {
    dir = tempDir(label);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { at: (...parts: string[]) => path.join(dir, ...parts), dir: () => dir };
}

/** Runs python3 with numpy on a script; its stdout parsed as JSON. */
export function numpy<T = unknown>(script: string, args: string[] = []): T {
  const run = spawnSync('python3', ['-c', `import json, sys\nimport numpy as np\n${script}`, ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr || run.error}`);
  return JSON.parse(run.stdout) as T;
}

/** A model file written into `dir`. */
export function writeModel(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The text of a model file for Ornstein–Uhlenbeck with additive noise, swept over theta, solved by Euler–Maruyama (the ensemble tests' model). */
export function ouModel(name: string, thetas: number[], options: string): string {
  return `system:
  name: ${name}
  equations: "dx = theta*(mu - x)"
  states: { x: 2 }
  parameters: { theta: 1, mu: 0.5, sigma: 0.8 }
  noise: { x: sigma }
parameters:
  theta: [${thetas.join(', ')}]
options:
  method: euler-maruyama
  dt: 0.0625
  saveEvery: 0.5
  seed: 77
${options}`;
}
