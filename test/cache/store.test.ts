/** The file-backed store with fake payloads of every artifact kind: layout, permissions, corruption, trust, stamps. */
import * as fs from 'fs';
import * as path from 'path';
import { ArtifactKind } from '../../src/cache/artifact';
import { CACHE_FORMAT_VERSION, encodeEntry, HEADER_BYTES } from '../../src/cache/entry';
import { FileCacheStore, STAMP_INTERVAL_MS } from '../../src/cache/file-store';
import { obtain } from '../../src/cache/kernel-cache';
import { MemoryLayer } from '../../src/cache/memory';
import { resolveCacheSettings } from '../../src/cache/settings';
import { collectWarnings, keyOf, tick, tmpRoot } from './support';

const payload = (n: number, size = 4096): Buffer => Buffer.alloc(size, n);

describe('FileCacheStore', () => {
  it.each<ArtifactKind>(['so', 'ptx', 'cubin'])('stores and returns %s payloads under <root>/<system>/<key>.<kind>', async (kind) => {
    const root = tmpRoot();
    const store = new FileCacheStore(root);
    const key = keyOf(kind);
    expect(await store.get('sys', key, kind)).toBeUndefined();
    await store.put('sys', key, kind, payload(7));
    expect(await store.get('sys', key, kind)).toEqual(payload(7));
    expect(await store.get('sys', key, kind === 'so' ? 'ptx' : 'so')).toBeUndefined();
    const file = path.join(root, 'sys', `${key}.${kind}`);
    expect(fs.statSync(file).size).toBe(HEADER_BYTES + 4096);
    expect(fs.readdirSync(path.join(root, 'sys'))).toEqual([`${key}.${kind}`]); // no temporary file left behind
  });

  it('creates its folders private to the user and its files readable by the user only', async () => {
    const root = path.join(tmpRoot(), 'nested', 'root');
    const store = new FileCacheStore(root);
    await store.put('sys', keyOf(1), 'so', payload(1));
    expect(fs.statSync(root).mode & 0o7777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'sys')).mode & 0o7777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'sys', `${keyOf(1)}.so`)).mode & 0o777).toBe(0o600);
  });

  it('shared folders are group-writable, setgid, with group-readable entries', async () => {
    const root = tmpRoot();
    const store = new FileCacheStore(root, { shared: true });
    await store.put('sys', keyOf(1), 'so', payload(1));
    expect(fs.statSync(path.join(root, 'sys')).mode & 0o7777).toBe(0o2775);
    expect(fs.statSync(path.join(root, 'sys', `${keyOf(1)}.so`)).mode & 0o777).toBe(0o644);
  });

  it('never builds a path from an invalid system name', async () => {
    const store = new FileCacheStore(tmpRoot());
    for (const bad of ['../escape', 'a/b', '', '1abc', 'x.y']) {
      await expect(store.put(bad, keyOf(1), 'so', payload(1))).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      await expect(store.get(bad, keyOf(1), 'so')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    }
  });

  it('lists entries with size and last-use stamp', async () => {
    const root = tmpRoot();
    const store = new FileCacheStore(root);
    await store.put('a', keyOf(1), 'so', payload(1, 100));
    await store.put('b', keyOf(2), 'ptx', payload(2, 200));
    fs.writeFileSync(path.join(root, 'a', 'README'), 'not an entry');
    fs.mkdirSync(path.join(root, 'not a system'));
    const entries = (await store.entries()).sort((x, y) => x.system.localeCompare(y.system));
    expect(entries.map((e) => [e.system, e.key, e.kind, e.bytes])).toEqual([
      ['a', keyOf(1), 'so', HEADER_BYTES + 100],
      ['b', keyOf(2), 'ptx', HEADER_BYTES + 200],
    ]);
    expect(entries[0].lastUsed.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('damaged entries are misses that warn once and are replaced', () => {
  const key = keyOf('damaged');
  const good = encodeEntry(key, 'so', payload(3));
  const cases: Array<[string, (file: string) => void, string]> = [
    ['truncated payload', (f) => fs.writeFileSync(f, good.subarray(0, good.length - 100)), 'truncated'],
    ['truncated header', (f) => fs.writeFileSync(f, good.subarray(0, 40)), 'truncated'],
    ['empty file', (f) => fs.writeFileSync(f, Buffer.alloc(0)), 'truncated'],
    ['flipped payload bit', (f) => { const b = Buffer.from(good); b[HEADER_BYTES + 10] ^= 1; fs.writeFileSync(f, b); }, 'corrupt'],
    ['flipped checksum bit', (f) => { const b = Buffer.from(good); b[70] ^= 0x80; fs.writeFileSync(f, b); }, 'corrupt'],
    ['bytes after the payload', (f) => fs.writeFileSync(f, Buffer.concat([good, Buffer.from('xx')])), 'corrupt'],
    ['a file that is no cubie entry', (f) => fs.writeFileSync(f, Buffer.from('\x7fELF not ours at all, but long enough to hold a header'.repeat(3))), 'foreign'],
    ['another key\'s entry under this name', (f) => fs.writeFileSync(f, encodeEntry(keyOf('other'), 'so', payload(3))), 'foreign'],
    ['another kind\'s entry under this name', (f) => fs.writeFileSync(f, encodeEntry(key, 'ptx', payload(3))), 'foreign'],
    ['an old-format entry', (f) => { const b = Buffer.from(good); b.writeUInt32LE(CACHE_FORMAT_VERSION - 1, 8); fs.writeFileSync(f, b); }, 'old-format'],
    ['a future-format entry', (f) => { const b = Buffer.from(good); b.writeUInt32LE(CACHE_FORMAT_VERSION + 1, 8); fs.writeFileSync(f, b); }, 'old-format'],
    ['a symbolic link to a good entry', (f) => { fs.writeFileSync(`${f}.real`, good); fs.symlinkSync(`${f}.real`, f); }, 'unreadable'],
  ];

  it.each(cases)('%s', async (_name, damage, problem) => {
    const root = tmpRoot();
    const store = new FileCacheStore(root);
    fs.mkdirSync(path.join(root, 'sys'), { mode: 0o700 });
    const file = path.join(root, 'sys', `${key}.so`);
    damage(file);
    const warnings = collectWarnings();
    try {
      expect(await store.get('sys', key, 'so')).toBeUndefined();
      expect(await store.get('sys', key, 'so')).toBeUndefined();
      await tick();
      expect(warnings.list).toHaveLength(1);
      expect(warnings.list[0].code).toBe('CUBIE_CACHE_CORRUPT');
      expect(warnings.list[0].message).toContain(`is ${problem}`);
      expect(warnings.list[0].message).toContain(file);
      // The next compile replaces it with a whole entry.
      const settings = resolveCacheSettings({ cacheDir: root });
      const got = await obtain({ settings, system: 'sys', key, kind: 'so', memory: new MemoryLayer<Buffer>(), build: async () => ({ payload: payload(9), compileMs: 1 }), load: async (b) => b });
      expect(got.cache).toBe('compiled');
      expect(fs.lstatSync(file).isFile()).toBe(true);
      expect(await store.get('sys', key, 'so')).toEqual(payload(9));
    } finally {
      warnings.stop();
    }
  });
});

describe('trust: native code from files others could have written is never loaded', () => {
  const key = keyOf('trust');
  const ownedByOther = 65534;

  async function cacheWithEntry(options: { shared?: boolean } = {}): Promise<{ root: string; dir: string; file: string; store: FileCacheStore }> {
    const root = tmpRoot();
    const store = new FileCacheStore(root, options);
    await store.put('sys', key, 'so', payload(5));
    return { root, dir: path.join(root, 'sys'), file: path.join(root, 'sys', `${key}.so`), store };
  }

  async function obtainIn(root: string, shared = false) {
    const settings = resolveCacheSettings({ cacheDir: root, sharedCache: shared });
    return obtain({ settings, system: 'sys', key, kind: 'so', memory: new MemoryLayer<Buffer>(), build: async () => ({ payload: payload(6), compileMs: 1 }), load: async (b) => b });
  }

  it('refuses an entry owned by another user, warns, and replaces it with its own compile', async () => {
    const { root, file, store } = await cacheWithEntry();
    fs.chownSync(file, ownedByOther, ownedByOther);
    const warnings = collectWarnings();
    try {
      expect(await store.get('sys', key, 'so')).toBeUndefined();
      const got = await obtainIn(root);
      await tick();
      expect(got).toMatchObject({ cache: 'compiled', value: payload(6) });
      expect(warnings.list.map((w) => w.code)).toEqual(['CUBIE_CACHE_UNTRUSTED']);
      expect(warnings.list[0].message).toContain('owned by uid 65534');
      expect(fs.statSync(file).uid).toBe(process.getuid!());
      expect(await store.get('sys', key, 'so')).toEqual(payload(6));
    } finally {
      warnings.stop();
    }
  });

  it('refuses an entry writable by others', async () => {
    const { file, store } = await cacheWithEntry();
    fs.chmodSync(file, 0o666);
    const warnings = collectWarnings();
    try {
      expect(await store.get('sys', key, 'so')).toBeUndefined();
      await tick();
      expect(warnings.list[0].message).toContain('writable by every user');
    } finally {
      warnings.stop();
    }
  });

  it.each([
    ['owned by another user', (dir: string) => fs.chownSync(dir, ownedByOther, ownedByOther), 'owned by uid 65534'],
    ['writable by others (0777)', (dir: string) => fs.chmodSync(dir, 0o777), 'writable by every user'],
    ['writable by its group (0770)', (dir: string) => fs.chmodSync(dir, 0o770), 'writable by its group'],
  ])('a system folder %s is not used at all: compile in memory, warn once, write nothing', async (_name, spoil, reason) => {
    const { root, dir, store } = await cacheWithEntry();
    spoil(dir);
    const before = fs.readdirSync(dir).sort();
    const warnings = collectWarnings();
    try {
      await expect(store.get('sys', key, 'so')).rejects.toMatchObject({ code: 'CACHE_ERROR', details: { reason: 'untrusted' } });
      const first = await obtainIn(root);
      expect(first).toMatchObject({ cache: 'compiled', value: payload(6) });
      await obtainIn(root);
      await tick();
      expect(warnings.list.map((w) => w.code)).toEqual(['CUBIE_CACHE_UNTRUSTED']);
      expect(warnings.list[0].message).toContain(reason);
      expect(fs.readdirSync(dir).sort()).toEqual(before);
    } finally {
      warnings.stop();
    }
  });

  it('a folder declared shared loads entries other users wrote', async () => {
    const { root, dir, file } = await cacheWithEntry({ shared: true });
    fs.chownSync(dir, ownedByOther, ownedByOther);
    fs.chownSync(file, ownedByOther, ownedByOther);
    const got = await obtainIn(root, true);
    expect(got).toMatchObject({ cache: 'disk', value: payload(5) });
    // ... but not from a world-writable folder, even shared
    fs.chmodSync(dir, 0o777);
    const warnings = collectWarnings();
    try {
      expect(await obtainIn(root, true)).toMatchObject({ cache: 'compiled' });
      await tick();
      expect(warnings.list.map((w) => w.code)).toEqual(['CUBIE_CACHE_UNTRUSTED']);
    } finally {
      warnings.stop();
    }
  });
});

describe('last-use stamps', () => {
  it('a hit refreshes an entry last used over a minute ago, and leaves a recent one alone', async () => {
    const root = tmpRoot();
    const store = new FileCacheStore(root);
    const [old, recent] = [keyOf('old'), keyOf('recent')];
    await store.put('sys', old, 'so', payload(1));
    await store.put('sys', recent, 'so', payload(2));
    const oldFile = path.join(root, 'sys', `${old}.so`);
    const recentFile = path.join(root, 'sys', `${recent}.so`);
    const longAgo = new Date(Date.now() - 5 * STAMP_INTERVAL_MS);
    const justNow = new Date(Date.now() - STAMP_INTERVAL_MS / 4);
    fs.utimesSync(oldFile, longAgo, longAgo);
    fs.utimesSync(recentFile, justNow, justNow);
    await store.get('sys', old, 'so');
    await store.get('sys', recent, 'so');
    expect(fs.statSync(oldFile).mtimeMs).toBeGreaterThan(Date.now() - STAMP_INTERVAL_MS);
    expect(Math.round(fs.statSync(recentFile).mtimeMs)).toBe(justNow.getTime());
  });
});
