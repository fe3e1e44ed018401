/**
 * Slurm for real (issue 18): a one-node cluster (munged, slurmctld, slurmd,
 * brought up by slurm-up.sh) runs examples/slurm/sweep.sbatch as an array of
 * 4 shards sharing one kernel cache folder, then examples/slurm/merge.sbatch
 * after it (--dependency=afterok). Checks that every task succeeded, that
 * exactly one task compiled the kernel and the three others loaded it from
 * disk, that the cache holds one entry, and that the merged files equal an
 * unsharded run's byte for byte (the sidecar too, apart from where and when
 * it ran).
 *
 * Slurm is installed from the distribution (slurm-install.sh: apt-get, as
 * root, at most SLURM_INSTALL_TIMEOUT seconds) when slurmctld is missing. The
 * test is skipped, saying why, where Slurm cannot be installed or started
 * (not Linux, not root, no apt-get or no network); CUBIE_REQUIRE_SLURM=1
 * makes that a failure instead.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cubieOk, examples, root } from '../cli/support';

const scripts = __dirname;
const sweepScript = path.join(examples, 'slurm', 'sweep.sbatch');
const mergeScript = path.join(examples, 'slurm', 'merge.sbatch');
const model = path.join(examples, 'lorenz.yaml');

function sh(command: string, args: string[], options: SpawnSyncOptions = {}): { status: number | null; out: string; err: string; ms: number } {
  const started = Date.now();
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options });
  const error = run.error ? `${run.error.message}\n` : '';
  return { status: run.error ? null : run.status, out: String(run.stdout ?? ''), err: error + String(run.stderr ?? ''), ms: Date.now() - started };
}

/** Installs (when needed) and starts the cluster; the reason it cannot, or its state folder. */
function bringUp(): { state?: string; skip?: string } {
  if (process.platform !== 'linux') return { skip: `Slurm test needs Linux (this is ${process.platform})` };
  const install = sh('bash', [path.join(scripts, 'slurm-install.sh')], { timeout: (Number(process.env.SLURM_INSTALL_TIMEOUT) || 600) * 1000 + 30_000 });
  if (install.status !== 0) return { skip: `Slurm cannot be installed here: ${install.err.trim() || `slurm-install.sh exited ${install.status}`}` };
  console.log(`${install.out.trim()} (${(install.ms / 1000).toFixed(1)} s)`);
  if (process.getuid?.() !== 0) return { skip: 'Slurm is installed but this test starts slurmd, which needs root' };
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-slurm-'));
  const up = sh('bash', [path.join(scripts, 'slurm-up.sh'), state], { timeout: 120_000 });
  if (up.status !== 0) {
    sh('bash', [path.join(scripts, 'slurm-down.sh'), state], { timeout: 60_000 });
    return { skip: `the one-node Slurm cluster did not start:\n${up.err.trim()}` };
  }
  return { state };
}

const cluster = bringUp();
if (cluster.skip) {
  if (process.env.CUBIE_REQUIRE_SLURM === '1') throw new Error(`CUBIE_REQUIRE_SLURM=1, but: ${cluster.skip}`);
  console.warn(`SKIP test/cluster/slurm.test.ts: ${cluster.skip}`);
}
const slurmIt = cluster.state ? it : it.skip;

describe('Slurm: a job array of shards, a shared kernel cache, the merge', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-slurm-work-'));
    fs.mkdirSync(path.join(work, 'logs'));
    // The jobs find `cubie` (and node) on the PATH they inherit from sbatch, as the script says.
    fs.mkdirSync(path.join(work, 'bin'));
    fs.symlinkSync(path.join(root, 'bin', 'cubie.js'), path.join(work, 'bin', 'cubie'));
    env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('SLURM_') || name.startsWith('SBATCH_') || name === 'JOB_COMPLETION_INDEX') delete env[name];
    Object.assign(env, {
      SLURM_CONF: path.join(cluster.state ?? '', 'slurm.conf'),
      PATH: [path.join(work, 'bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
      CUBIE_CACHE_DIR: path.join(work, 'shared-cache'), // one cache folder for every task
    });
  });
  afterAll(() => {
    if (cluster.state) {
      const down = sh('bash', [path.join(scripts, 'slurm-down.sh'), cluster.state], { timeout: 60_000 });
      if (down.status !== 0) console.warn(`slurm-down.sh exited ${down.status}: ${down.err}`);
      fs.rmSync(cluster.state, { recursive: true, force: true });
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const at = (...parts: string[]) => path.join(work, ...parts);
  /** A log file's JSON events (stderr shares the file: other lines are kept for messages). */
  const logEvents = (file: string) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>);
  /** `scontrol show job` of a job (each array task on a line): state and exit code per task. */
  const jobStates = (id: string) =>
    sh('scontrol', ['show', 'job', '-o', id], { env })
      .out.trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ task: line.match(/ArrayTaskId=(\S+)/)?.[1] ?? null, state: line.match(/JobState=(\S+)/)?.[1], exit: line.match(/ExitCode=(\S+)/)?.[1] }))
      .sort((a, b) => Number(a.task) - Number(b.task));
  const logsOf = () => fs.readdirSync(at('logs')).map((f) => `--- ${f}\n${fs.readFileSync(at('logs', f), 'utf8')}`).join('\n');

  slurmIt('sweep.sbatch as a 4-task array: one task compiles, three load from disk; merge.sbatch after it equals an unsharded run byte for byte', () => {
    const started = Date.now();
    // One CPU per task (the script asks for 4): the node has 4, so the four tasks run at once and race for the kernel.
    const submit = sh('sbatch', ['--parsable', '--cpus-per-task=1', sweepScript, model, 'results/lorenz.npy'], { cwd: work, env });
    expect({ status: submit.status, err: submit.err }).toEqual({ status: 0, err: '' });
    const arrayId = submit.out.trim().split(';')[0];
    const merge = sh('sbatch', ['--parsable', `--dependency=afterok:${arrayId}`, '--kill-on-invalid-dep=yes', mergeScript, 'results/lorenz.npy'], { cwd: work, env });
    expect({ status: merge.status, err: merge.err }).toEqual({ status: 0, err: '' });
    const mergeId = merge.out.trim().split(';')[0];
    // Until neither job is queued or running (squeue polls sooner than sbatch --wait).
    const deadline = Date.now() + 240_000;
    while (sh('squeue', ['-h', '-j', `${arrayId},${mergeId}`, '-o', '%i'], { env }).out.trim() !== '') {
      if (Date.now() > deadline) throw new Error(`the jobs did not finish in 240 s\n${logsOf()}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    const tasks = jobStates(arrayId);
    const mergeState = jobStates(mergeId);
    if (mergeState[0]?.state !== 'COMPLETED') throw new Error(`the merge job did not succeed: ${JSON.stringify(mergeState)}\narray: ${JSON.stringify(tasks)}\n${logsOf()}`);
    expect(tasks).toEqual([0, 1, 2, 3].map((i) => ({ task: String(i), state: 'COMPLETED', exit: '0:0' })));
    expect(mergeState).toEqual([{ task: null, state: 'COMPLETED', exit: '0:0' }]);
    console.log(`Slurm: array ${arrayId} (4 tasks) and merge ${mergeId} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Each task found its shard in SLURM_ARRAY_TASK_ID and says where its kernel came from.
    const runs = [0, 1, 2, 3].map((i) => {
      const events = logEvents(at('logs', `cubie-sweep-${arrayId}_${i}.out`));
      const start = events.find((e) => e.event === 'start');
      const kernel = events.find((e) => e.event === 'kernel');
      const done = events.find((e) => e.event === 'done');
      const sidecar = JSON.parse(fs.readFileSync(at('results', `lorenz.shard-${i}-of-4.json`), 'utf8'));
      expect(start?.shard).toEqual({ index: i, count: 4, source: 'SLURM_ARRAY_TASK_ID' });
      expect([done?.nRuns, done?.failedRuns]).toEqual([sidecar.runs.end - sidecar.runs.first, 0]);
      expect(sidecar.execution.kernel.cache).toBe(kernel?.cache);
      return { shard: i, cache: kernel?.cache as string, compileMs: kernel?.compileMs as number, elapsedMs: kernel?.elapsedMs as number, key: kernel?.key as string };
    });
    console.log(`kernel per task: ${runs.map((r) => `${r.shard}: ${r.cache} (compile ${r.compileMs.toFixed(0)} ms, compile() took ${r.elapsedMs.toFixed(0)} ms)`).join('; ')}`);
    expect(runs.map((r) => r.cache).sort()).toEqual(['compiled', 'disk', 'disk', 'disk']);
    expect(new Set(runs.map((r) => r.key)).size).toBe(1);
    expect(runs.filter((r) => r.cache === 'disk').map((r) => r.compileMs)).toEqual([0, 0, 0]);
    // The shared folder holds that one kernel.
    const entries = JSON.parse(cubieOk(['cache', 'ls', '--cache-dir', env.CUBIE_CACHE_DIR as string, '--json']).stdout);
    expect((entries.entries as Array<{ system: string; key: string }>).map((e) => [e.system, e.key])).toEqual([['lorenz', runs[0].key]]);

    // The merge job joined the four shards; an unsharded run (outside Slurm) writes the same files.
    const mergeDone = logEvents(at('logs', `cubie-merge-${mergeId}.out`)).find((e) => e.event === 'done');
    expect([mergeDone?.shards, mergeDone?.nRuns, mergeDone?.status?.failedRuns]).toEqual([4, 201, 0]);
    const whole = at('whole', 'lorenz.npy');
    cubieOk(['run', model, '--out', whole, '--quiet']);
    for (const file of ['lorenz.npy', 'lorenz.summaries.npy', 'lorenz.status.npy']) {
      const a = fs.readFileSync(at('results', file));
      const b = fs.readFileSync(at('whole', file));
      expect({ file, bytes: a.length, same: a.equals(b) }).toEqual({ file, bytes: b.length, same: true });
    }
    const merged = JSON.parse(fs.readFileSync(at('results', 'lorenz.json'), 'utf8'));
    const single = JSON.parse(fs.readFileSync(at('whole', 'lorenz.json'), 'utf8'));
    // Where and when each ran differs: execution (backend, kernel, times, host), createdAt; mergedFrom only after a merge.
    const { execution, createdAt, mergedFrom, ...mergedRest } = merged;
    const { execution: singleExecution, createdAt: singleCreated, ...singleRest } = single;
    expect(mergedRest).toEqual(singleRest);
    expect([execution, typeof createdAt, singleExecution.backend, typeof singleCreated]).toEqual([null, 'string', 'cpu', 'string']);
    expect(mergedFrom.map((m: Record<string, any>) => [m.shard, m.execution.kernel.cache, m.execution.host])).toEqual(runs.map((r) => [{ index: r.shard, count: 4 }, r.cache, os.hostname()]));
  });
});
