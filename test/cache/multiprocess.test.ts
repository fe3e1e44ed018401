/**
 * Several real processes on one cache folder (fake builds, so the many
 * processes cost milliseconds; one case with real compiles at the end).
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeEntry } from '../../src/cache/entry';
import { FileCacheStore } from '../../src/cache/file-store';
import { compileLog, keyOf, lastJson, requireDist, runTogether, startChild, tmpRoot, waitForFile } from './support';

const N = 8;

beforeAll(requireDist);

function filesIn(root: string, system: string): string[] {
  return fs.readdirSync(path.join(root, system)).sort();
}

describe('many processes, one cache folder', () => {
  it('hash mode, one missing key wanted by 8 processes at once: exactly one compiles, all load the same kernel', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const key = keyOf('same');
    const runs = await runTogether('obtain.js', () => ({ root, system: 'shared_key', keys: [key], log, buildMs: 300 }), N);
    const outs = runs.map((r) => lastJson(r));
    expect(compileLog(log)).toHaveLength(1);
    expect(new Set(outs.map((o) => o.results[0].digest)).size).toBe(1);
    expect(outs.filter((o) => o.results[0].cache === 'compiled')).toHaveLength(1);
    expect(outs.filter((o) => o.results[0].cache === 'disk')).toHaveLength(N - 1);
    expect(outs.flatMap((o) => o.warnings)).toEqual([]);
    expect(filesIn(root, 'shared_key')).toEqual([`.${key}.lock`, `${key}.so`]);
  });

  it('hash mode, different keys at once: each compiled once and all kept', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const keys = Array.from({ length: N }, (_, i) => keyOf(`different ${i}`));
    const runs = await runTogether('obtain.js', (i) => ({ root, system: 'many_keys', keys: [keys[i]], log, buildMs: 200 }), N);
    const outs = runs.map((r) => lastJson(r));
    expect(outs.every((o) => o.results[0].cache === 'compiled')).toBe(true);
    expect(compileLog(log).map((l) => l.split(' ')[1]).sort()).toEqual([...keys].sort());
    const entries = await new FileCacheStore(root).entries('many_keys');
    expect(entries.map((e) => e.key).sort()).toEqual([...keys].sort());
    // a second wave finds everything on disk
    const again = (await runTogether('obtain.js', (i) => ({ root, system: 'many_keys', keys: [keys[i]], log }), N)).map((r) => lastJson(r));
    expect(again.every((o) => o.results[0].cache === 'disk')).toBe(true);
    expect(again.map((o) => o.results[0].digest)).toEqual(outs.map((o) => o.results[0].digest));
    expect(compileLog(log)).toHaveLength(N);
  });

  it('flush mode, one key at once: exactly one compile, one entry', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const key = keyOf('flush same');
    const outs = (await runTogether('obtain.js', () => ({ root, system: 'flush_same', keys: [key], log, mode: 'flush', buildMs: 300 }), N)).map((r) =>
      lastJson(r),
    );
    expect(compileLog(log)).toHaveLength(1);
    expect(new Set(outs.map((o) => o.results[0].digest)).size).toBe(1);
    expect((await new FileCacheStore(root).entries('flush_same')).map((e) => e.key)).toEqual([key]);
  });

  it('flush mode, different keys at once: every process gets its kernel and the folder ends with exactly one whole entry', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const keys = Array.from({ length: N }, (_, i) => keyOf(`flush different ${i}`));
    const outs = (await runTogether('obtain.js', (i) => ({ root, system: 'flush_many', keys: [keys[i]], log, mode: 'flush', buildMs: 100 }), N)).map((r) =>
      lastJson(r),
    );
    expect(outs.every((o) => o.results[0].cache === 'compiled')).toBe(true);
    expect(compileLog(log)).toHaveLength(N);
    const entries = await new FileCacheStore(root).entries('flush_many');
    expect(entries).toHaveLength(1);
    expect(keys).toContain(entries[0].key);
    const winner = outs.find((o) => o.results[0].key === entries[0].key)!;
    const decoded = decodeEntry(fs.readFileSync(entries[0].path), entries[0].key, 'so');
    expect('payload' in decoded).toBe(true);
    expect(require('crypto').createHash('sha256').update((decoded as { payload: Buffer }).payload).digest('hex')).toBe(winner.results[0].digest);
  });

  it('flush mode, a sweep in one process: every change of configuration recompiles and leaves one entry', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const keys = [keyOf('sweep 0'), keyOf('sweep 1'), keyOf('sweep 2')];
    const sweep = [...keys, ...keys];
    const run = startChild('obtain.js', { root, system: 'sweep', keys: sweep, log, mode: 'flush' });
    const out = lastJson(await run.done);
    expect(out.results.map((r: { cache: string }) => r.cache)).toEqual(Array(6).fill('compiled'));
    expect((await new FileCacheStore(root).entries('sweep')).map((e) => e.key)).toEqual([keys[2]]);
    // the same sweep in hash mode: three compiles, then three memory hits
    const hash = lastJson(await startChild('obtain.js', { root: tmpRoot(), system: 'sweep', keys: sweep, log: `${log}.hash` }).done);
    expect(hash.results.map((r: { cache: string }) => r.cache)).toEqual(['compiled', 'compiled', 'compiled', 'memory', 'memory', 'memory']);
  });

  it('a writer SIGKILLed in the middle of writing leaves nothing that is ever loaded; the process waiting on its lock compiles', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const marker = path.join(tmpRoot('marker'), 'paused');
    const key = keyOf('killed writer');
    const writer = startChild('obtain.js', { root, system: 'torn', keys: [key], log, payloadBytes: 1 << 20 }, {
      env: { ...process.env, CUBIE_TEST_PAUSE_MID_WRITE: marker },
    });
    await waitForFile(marker);
    const during = filesIn(root, 'torn');
    expect(during).not.toContain(`${key}.so`);
    const tmp = during.filter((f) => f.endsWith('.tmp'));
    expect(tmp).toHaveLength(1);

    const go = path.join(tmpRoot('go'), 'go');
    const waiter = startChild('obtain.js', { root, system: 'torn', keys: [key], log, go, lockWaitMs: 600_000 });
    await waiter.printed('ready');
    fs.writeFileSync(go, '');
    await new Promise((r) => setTimeout(r, 200)); // give it time to block on the lock (not needed for correctness)
    writer.process.kill('SIGKILL');
    expect((await writer.done).signal).toBe('SIGKILL');

    const out = lastJson(await waiter.done);
    expect(out.results[0].cache).toBe('compiled');
    expect(compileLog(log)).toHaveLength(2); // the dead writer's and the waiter's
    // The dead writer's temporary file is torn (it would never verify) and was never renamed into place.
    const torn = fs.readFileSync(path.join(root, 'torn', tmp[0]));
    expect(decodeEntry(torn, key, 'so')).toMatchObject({ problem: 'truncated' });
    // What is in place is the waiter's whole entry: a new process loads exactly it.
    const reader = lastJson(await startChild('obtain.js', { root, system: 'torn', keys: [key], log }).done);
    expect(reader.results[0]).toMatchObject({ cache: 'disk', digest: out.results[0].digest });
    expect(reader.warnings).toEqual([]);
  });

  it('a process killed while holding the lock releases it: the next process proceeds', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const marker = path.join(tmpRoot('marker'), 'holding');
    const key = keyOf('killed holder');
    const holder = startChild('hold-lock.js', { root, system: 'holder', key, marker });
    await waitForFile(marker);
    const go = path.join(tmpRoot('go'), 'go');
    // A bounded wait far beyond this test's time: only the OS releasing the dead holder's lock lets it through.
    const next = startChild('obtain.js', { root, system: 'holder', keys: [key], log, go, lockWaitMs: 600_000 });
    await next.printed('ready');
    fs.writeFileSync(go, '');
    await new Promise((r) => setTimeout(r, 200));
    holder.process.kill('SIGKILL');
    await holder.done;
    const out = lastJson(await next.done);
    expect(out.results[0].cache).toBe('compiled');
    expect(compileLog(log)).toHaveLength(1);
    expect((await new FileCacheStore(root).entries('holder')).map((e) => e.key)).toEqual([key]);
  }, 60_000);

  it('real solves: 8 fresh processes, one host compile, identical results', async () => {
    const cacheDir = tmpRoot();
    const outs = (await runTogether('solve.js', () => ({ cacheDir, name: 'decay_many' }), N)).map((r) => lastJson(r));
    expect(outs.filter((o) => o.kernel.cache === 'compiled')).toHaveLength(1);
    expect(outs.filter((o) => o.kernel.cache === 'disk')).toHaveLength(N - 1);
    expect(new Set(outs.map((o) => o.kernel.key)).size).toBe(1);
    expect(new Set(outs.map((o) => o.digest)).size).toBe(1);
    expect((await new FileCacheStore(cacheDir).entries('decay_many')).map((e) => e.key)).toEqual([outs[0].kernel.key]);
  });
});
