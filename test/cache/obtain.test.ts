/** The get-or-build flow with fake builds: memory layer, modes, limits, unusable folders. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HEADER_BYTES } from '../../src/cache/entry';
import { FileCacheStore } from '../../src/cache/file-store';
import { obtain } from '../../src/cache/kernel-cache';
import { MemoryLayer } from '../../src/cache/memory';
import { CacheOptions, resolveCacheSettings } from '../../src/cache/settings';
import { collectWarnings, compileLog, keyOf, lastJson, requireDist, startChild, tick, tmpRoot } from './support';

const DAY = 86_400_000;

function fakeBackend(system = 'sys') {
  const memory = new MemoryLayer<Buffer>();
  let builds = 0;
  return {
    memory,
    get builds() {
      return builds;
    },
    get: (key: string, options: CacheOptions, size = 1000) =>
      obtain({
        settings: resolveCacheSettings(options),
        system,
        key,
        kind: 'so',
        memory,
        build: async () => {
          builds++;
          return { payload: Buffer.alloc(size, builds), compileMs: 5 };
        },
        load: async (b) => Buffer.from(b),
      }),
  };
}

function setLastUsed(file: string, msAgo: number): void {
  const t = new Date(Date.now() - msAgo);
  fs.utimesSync(file, t, t);
}

describe('obtain', () => {
  it('compiles once, then hits memory without touching the disk, and a new process layer hits the disk', async () => {
    const root = tmpRoot();
    const backend = fakeBackend();
    const key = keyOf('flow');
    expect(await backend.get(key, { cacheDir: root })).toMatchObject({ cache: 'compiled', compileMs: 5 });
    fs.rmSync(root, { recursive: true }); // a memory hit must not notice
    expect(await backend.get(key, { cacheDir: root })).toMatchObject({ cache: 'memory', compileMs: 0 });
    expect(fs.existsSync(root)).toBe(false);
    expect(backend.builds).toBe(1);

    await fakeBackend().get(key, { cacheDir: root }); // rewrites the entry removed above
    expect(await fakeBackend().get(key, { cacheDir: root })).toMatchObject({ cache: 'disk', compileMs: 0 });
  });

  it('concurrent requests for one key in one process build once', async () => {
    const backend = fakeBackend();
    const root = tmpRoot();
    const all = await Promise.all(Array.from({ length: 5 }, () => backend.get(keyOf('concurrent'), { cacheDir: root })));
    expect(backend.builds).toBe(1);
    expect(all.map((g) => g.cache).sort()).toEqual(['compiled', 'memory', 'memory', 'memory', 'memory']);
  });

  it('a failed build is not remembered', async () => {
    const memory = new MemoryLayer<Buffer>();
    const settings = resolveCacheSettings({ cacheDir: tmpRoot() });
    const request = { settings, system: 'sys', key: keyOf('fails'), kind: 'so' as const, memory, load: async (b: Buffer) => b };
    await expect(obtain({ ...request, build: async () => Promise.reject(new Error('no compiler')) })).rejects.toThrow('no compiler');
    expect(await obtain({ ...request, build: async () => ({ payload: Buffer.from('ok'), compileMs: 1 }) })).toMatchObject({ cache: 'compiled' });
  });

  it('cache: false compiles in memory only', async () => {
    const root = tmpRoot();
    const backend = fakeBackend();
    expect(await backend.get(keyOf('off'), { cacheDir: root, cache: false })).toMatchObject({ cache: 'disabled', compileMs: 5 });
    expect(fs.readdirSync(root)).toEqual([]);
  });

  describe('flush mode', () => {
    it('one configuration per system: a new one empties the folder (other systems untouched), reverting recompiles', async () => {
      const root = tmpRoot();
      const backend = fakeBackend('flushed');
      const other = fakeBackend('bystander');
      const [a, b] = [keyOf('flush a'), keyOf('flush b')];
      await other.get(keyOf('bystander'), { cacheDir: root, cachingMode: 'flush' });
      expect((await backend.get(a, { cacheDir: root, cachingMode: 'flush' })).cache).toBe('compiled');
      const kernelA = (await backend.get(a, { cacheDir: root, cachingMode: 'flush' })).value;
      expect((await backend.get(b, { cacheDir: root, cachingMode: 'flush' })).cache).toBe('compiled');
      const store = new FileCacheStore(root);
      expect((await store.entries('flushed')).map((e) => e.key)).toEqual([b]);
      expect((await store.entries('bystander'))).toHaveLength(1);
      expect(kernelA).toEqual(Buffer.alloc(1000, 1)); // what a solve already holds keeps working
      expect((await backend.get(a, { cacheDir: root, cachingMode: 'flush' })).cache).toBe('compiled');
      expect((await store.entries('flushed')).map((e) => e.key)).toEqual([a]);
      expect(backend.builds).toBe(3);
    });

    it('empties a folder that holds other configurations found on disk', async () => {
      const root = tmpRoot();
      const hash = fakeBackend();
      for (let i = 0; i < 3; i++) await hash.get(keyOf(`hash ${i}`), { cacheDir: root });
      expect(await new FileCacheStore(root).entries('sys')).toHaveLength(3);
      await fakeBackend().get(keyOf('flush new'), { cacheDir: root, cachingMode: 'flush' });
      expect((await new FileCacheStore(root).entries('sys')).map((e) => e.key)).toEqual([keyOf('flush new')]);
    });

    it('a hit leaves the folder as it is', async () => {
      const root = tmpRoot();
      const hash = fakeBackend();
      for (let i = 0; i < 2; i++) await hash.get(keyOf(`kept ${i}`), { cacheDir: root });
      expect((await fakeBackend().get(keyOf('kept 0'), { cacheDir: root, cachingMode: 'flush' })).cache).toBe('disk');
      expect(await new FileCacheStore(root).entries('sys')).toHaveLength(2);
    });
  });

  describe('limits', () => {
    it('maxCacheBytes evicts the least recently used entries first (use, not creation, order)', async () => {
      const root = tmpRoot();
      const store = new FileCacheStore(root);
      const keys = Array.from({ length: 5 }, (_, i) => keyOf(`lru ${i}`));
      for (const [i, key] of keys.entries()) {
        await store.put(i % 2 ? 'odd' : 'even', key, 'so', Buffer.alloc(1000, i));
        setLastUsed(path.join(root, i % 2 ? 'odd' : 'even', `${key}.so`), (10 - i) * 60_000); // 0 oldest ... 4 newest
      }
      // Using entry 0 makes it the most recently used.
      expect((await fakeBackend('even').get(keys[0], { cacheDir: root })).cache).toBe('disk');
      const entryBytes = HEADER_BYTES + 1000;
      const fresh = keyOf('lru new');
      await fakeBackend('even').get(fresh, { cacheDir: root, maxCacheBytes: 3 * entryBytes + 10 });
      const left = (await store.entries()).map((e) => e.key).sort();
      expect(left).toEqual([fresh, keys[0], keys[4]].sort());
    });

    it('never evicts the entry just written, even when it alone is over the limit', async () => {
      const root = tmpRoot();
      const key = keyOf('big');
      await fakeBackend().get(key, { cacheDir: root, maxCacheBytes: 100 }, 5000);
      expect((await new FileCacheStore(root).entries()).map((e) => e.key)).toEqual([key]);
    });

    it('maxCacheAge prunes entries unused for longer', async () => {
      const root = tmpRoot();
      const store = new FileCacheStore(root);
      const [ancient, recent] = [keyOf('ancient'), keyOf('recent')];
      await store.put('sys', ancient, 'so', Buffer.alloc(10));
      await store.put('sys', recent, 'so', Buffer.alloc(10));
      setLastUsed(path.join(root, 'sys', `${ancient}.so`), 8 * DAY);
      setLastUsed(path.join(root, 'sys', `${recent}.so`), 1 * DAY);
      await fakeBackend().get(keyOf('age new'), { cacheDir: root, maxCacheAge: '7d' });
      expect((await store.entries()).map((e) => e.key).sort()).toEqual([recent, keyOf('age new')].sort());
    });
  });

  describe('a cache folder that cannot be used never fails a solve', () => {
    it('unwritable (a file where a folder should be): compile in memory, warn once', async () => {
      const file = path.join(tmpRoot(), 'a-file');
      fs.writeFileSync(file, '');
      const warnings = collectWarnings();
      try {
        const backend = fakeBackend();
        expect(await backend.get(keyOf('nowhere 1'), { cacheDir: path.join(file, 'cache') })).toMatchObject({ cache: 'compiled' });
        expect(await backend.get(keyOf('nowhere 2'), { cacheDir: path.join(file, 'cache') })).toMatchObject({ cache: 'compiled' });
        await tick();
        expect(warnings.list.map((w) => w.code)).toEqual(['CUBIE_CACHE_UNWRITABLE']);
        expect(warnings.list[0].message).toContain('compiling in memory');
      } finally {
        warnings.stop();
      }
    });
  });
});

describe('read-only and full cache folders (real processes)', () => {
  beforeAll(requireDist);
  const nobody = 65534;

  function shared(dir: string): string {
    fs.chmodSync(dir, 0o777);
    return dir;
  }

  it('a read-only folder still serves hits; misses compile in memory with one warning; nothing is written', async () => {
    const root = tmpRoot();
    const log = path.join(shared(tmpRoot('log')), 'compiles');
    const present = keyOf('read-only present');
    await new FileCacheStore(root).put('ro', present, 'so', Buffer.from('cached kernel'));
    // The cache belongs to the user who runs the child, and is read-only to it.
    for (const p of [root, path.join(root, 'ro'), path.join(root, 'ro', `${present}.so`)]) fs.chownSync(p, nobody, nobody);
    setLastUsed(path.join(root, 'ro', `${present}.so`), 10 * 60_000); // a hit would like to refresh the stamp
    fs.chmodSync(path.join(root, 'ro'), 0o500);
    fs.chmodSync(root, 0o500);
    fs.chmodSync(path.dirname(root), 0o755);
    const before = fs.readdirSync(path.join(root, 'ro'));
    const run = await startChild('obtain.js', { root, system: 'ro', keys: [present, keyOf('read-only 1'), keyOf('read-only 2')], log }, {
      uid: nobody,
      gid: nobody,
      env: { ...process.env, TMPDIR: '/tmp' },
    }).done;
    const out = lastJson(run);
    expect(out.results.map((r: { cache: string }) => r.cache)).toEqual(['disk', 'compiled', 'compiled']);
    expect(out.warnings.map((w: { code: string }) => w.code)).toEqual(['CUBIE_CACHE_UNWRITABLE']);
    expect(fs.readdirSync(path.join(root, 'ro'))).toEqual(before);
  });

  it('a full disk (writes fail mid-file) compiles in memory with one warning and leaves no temporary file', async () => {
    const root = tmpRoot();
    const log = path.join(tmpRoot('log'), 'compiles');
    const script = path.join(__dirname, 'fixtures', 'obtain.js');
    const args = JSON.stringify({ root, system: 'full', keys: [keyOf('full 1'), keyOf('full 2')], log, payloadBytes: 1 << 20, ignoreXfsz: true });
    // RLIMIT_FSIZE of 64 KiB: the entry's write fails with EFBIG, as a full disk fails with ENOSPC.
    const child = spawnSync('/bin/sh', ['-c', 'ulimit -f 128 && exec "$0" "$@"', process.execPath, script, args], { encoding: 'utf8' });
    const out = lastJson({ code: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr });
    expect(out.results.map((r: { cache: string }) => r.cache)).toEqual(['compiled', 'compiled']);
    expect(out.warnings.map((w: { code: string }) => w.code)).toEqual(['CUBIE_CACHE_UNWRITABLE']);
    expect(compileLog(log)).toHaveLength(2);
    expect(fs.readdirSync(path.join(root, 'full')).filter((f) => !f.endsWith('.lock'))).toEqual([]);
  });
});
