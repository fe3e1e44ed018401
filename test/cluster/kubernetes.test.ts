/**
 * The Kubernetes example (examples/kubernetes/): the manifests parse and fit
 * together (an Indexed Job whose completions equal --shard-count, a shared
 * ReadWriteMany volume holding the kernel cache and the results, a merge Job
 * over the same volume), and their commands, run here as the pods would run
 * them (4 processes at once, JOB_COMPLETION_INDEX 0..3, the volume a temporary
 * folder), compile the kernel once and merge into an unsharded run's files.
 * No cluster is needed.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { bin, cubieOk, examples, tempDir } from '../cli/support';

const folder = path.join(examples, 'kubernetes');

function manifests(file: string): Array<Record<string, any>> {
  const docs = parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf8'));
  for (const doc of docs) if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  return docs.map((doc) => doc.toJS() as Record<string, any>);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('examples/kubernetes', () => {
  const [volume] = manifests('volume.yaml');
  const [sweep] = manifests('sweep-job.yaml');
  const [merge] = manifests('merge-job.yaml');
  const pod = sweep.spec.template.spec;
  const container = pod.containers[0];
  const mountOf = (spec: Record<string, any>, c: Record<string, any>) => {
    const claim = spec.volumes.find((v: Record<string, any>) => v.persistentVolumeClaim?.claimName === volume.metadata.name);
    return c.volumeMounts.find((m: Record<string, any>) => m.name === claim?.name)?.mountPath as string | undefined;
  };

  it('an Indexed Job of 4 shards and a merge Job share one ReadWriteMany volume for the cache and the results', () => {
    expect([volume.kind, volume.spec.accessModes]).toEqual(['PersistentVolumeClaim', ['ReadWriteMany']]);
    expect([sweep.kind, sweep.spec.completionMode, sweep.spec.completions, sweep.spec.parallelism, pod.restartPolicy]).toEqual(['Job', 'Indexed', 4, 4, 'Never']);
    const args: string[] = container.command;
    expect(args[args.indexOf('--shard-count') + 1]).toBe(String(sweep.spec.completions));
    const mount = mountOf(pod, container);
    expect(mount).toBe('/work');
    const cache = container.env.find((e: Record<string, string>) => e.name === 'CUBIE_CACHE_DIR').value as string;
    const out = args[args.indexOf('--out') + 1];
    expect([cache.startsWith(`${mount}/`), out.startsWith(`${mount}/`)]).toEqual([true, true]);

    const mergePod = merge.spec.template.spec;
    expect([merge.kind, mergePod.restartPolicy, mountOf(mergePod, mergePod.containers[0])]).toEqual(['Job', 'Never', mount]);
    const script: string = mergePod.containers[0].command.at(-1);
    expect(script).toContain(`merge ${out.replace(/\.npy$/, '')}.shard-*-of-${sweep.spec.completions}.json --out ${out}`);
  });

  it("the pods' commands (4 at once, one cache) compile once, and the merge Job's equals an unsharded run byte for byte", async () => {
    const dir = tempDir('k8s');
    try {
      // The pod's filesystem here: /work is the shared volume, /model/model.yaml the ConfigMap (examples/lorenz.yaml).
      const local = (text: string) => text.replaceAll('/work/', `${dir}/work/`).replaceAll('/model/model.yaml', path.join(examples, 'lorenz.yaml'));
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of Object.keys(env)) if (name.startsWith('SLURM_')) delete env[name];
      for (const e of container.env) env[e.name] = local(e.value);
      const args: string[] = container.command.map(local);
      expect(args.slice(0, 4)).toEqual(['npx', '--yes', 'cubie', 'run']);
      const pods = await Promise.all([0, 1, 2, 3].map((i) => run(process.execPath, [bin, ...args.slice(3)], { ...env, JOB_COMPLETION_INDEX: String(i) })));
      const kernels = pods.map((p, i) => {
        if (p.status !== 0) throw new Error(`pod ${i} exited ${p.status}: ${p.stderr}`);
        const events = p.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
        expect(events.find((e) => e.event === 'start')?.shard).toEqual({ index: i, count: 4, source: 'JOB_COMPLETION_INDEX' });
        return events.find((e) => e.event === 'kernel')?.cache;
      });
      expect(kernels.sort()).toEqual(['compiled', 'disk', 'disk', 'disk']);

      const script = local(merge.spec.template.spec.containers[0].command.at(-1)).replace('npx --yes cubie', `"${process.execPath}" "${bin}"`);
      const merged = await run('sh', ['-c', script], env);
      if (merged.status !== 0) throw new Error(`the merge exited ${merged.status}: ${merged.stderr}`);
      expect(JSON.parse(merged.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ event: 'done', shards: 4, nRuns: 201 });

      cubieOk(['run', path.join(examples, 'lorenz.yaml'), '--out', path.join(dir, 'whole', 'lorenz.npy'), '--quiet']);
      for (const file of ['lorenz.npy', 'lorenz.summaries.npy', 'lorenz.status.npy']) {
        const a = fs.readFileSync(path.join(dir, 'work', 'results', file));
        expect({ file, same: a.equals(fs.readFileSync(path.join(dir, 'whole', file))) }).toEqual({ file, same: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
