/** cacheStats, clearCache, pruneCache and `cubie cache`. */
import * as fs from 'fs';
import * as path from 'path';
import { cacheStats, clearCache, pruneCache } from '../../src/cache/admin';
import { HEADER_BYTES } from '../../src/cache/entry';
import { FileCacheStore, STALE_TMP_MS } from '../../src/cache/file-store';
import { cache } from '../../src/cli/cache';
import { keyOf, tmpRoot } from './support';

const HOUR = 3_600_000;

async function filled(): Promise<{ root: string; store: FileCacheStore }> {
  const root = tmpRoot();
  const store = new FileCacheStore(root);
  await store.put('alpha', keyOf('a1'), 'so', Buffer.alloc(100));
  await store.put('alpha', keyOf('a2'), 'ptx', Buffer.alloc(200));
  await store.put('beta', keyOf('b1'), 'cubin', Buffer.alloc(300));
  const aged = (system: string, file: string, hours: number): void => {
    const t = new Date(Date.now() - hours * HOUR);
    fs.utimesSync(path.join(root, system, file), t, t);
  };
  aged('alpha', `${keyOf('a1')}.so`, 48);
  aged('alpha', `${keyOf('a2')}.ptx`, 2);
  aged('beta', `${keyOf('b1')}.cubin`, 30);
  return { root, store };
}

describe('cacheStats', () => {
  it('counts entries and bytes in all and per system', async () => {
    const { root } = await filled();
    const stats = await cacheStats({ cacheDir: root });
    expect(stats).toMatchObject({ root, entries: 3, bytes: 3 * HEADER_BYTES + 600 });
    expect(stats.systems.map((s) => [s.name, s.entries, s.bytes])).toEqual([
      ['alpha', 2, 2 * HEADER_BYTES + 300],
      ['beta', 1, HEADER_BYTES + 300],
    ]);
    expect(Date.parse(stats.systems[0].lastUsed)).toBeGreaterThan(Date.now() - 3 * HOUR);
  });

  it('an absent root is an empty cache', async () => {
    expect(await cacheStats({ cacheDir: path.join(tmpRoot(), 'absent') })).toMatchObject({ entries: 0, bytes: 0, systems: [] });
  });
});

describe('clearCache', () => {
  it('clears one system, by name or by system object, and leaves the others', async () => {
    const { root } = await filled();
    expect(await clearCache({ cacheDir: root, system: 'alpha' })).toEqual({ entries: 2, bytes: 2 * HEADER_BYTES + 300 });
    expect((await cacheStats({ cacheDir: root })).systems.map((s) => s.name)).toEqual(['beta']);
    expect(await clearCache({ cacheDir: root, system: { name: 'beta' } as never })).toEqual({ entries: 1, bytes: HEADER_BYTES + 300 });
    expect((await cacheStats({ cacheDir: root })).entries).toBe(0);
  });

  it('clears everything, with idle lock files and dead writers\' temporary files, but nothing that is not the cache\'s', async () => {
    const { root, store } = await filled();
    (await store.lock('alpha', keyOf('a1'), 0))!.release();
    const staleTmp = path.join(root, 'beta', `.${keyOf('b1')}.123-abc.tmp`);
    fs.writeFileSync(staleTmp, 'half');
    const old = new Date(Date.now() - STALE_TMP_MS - 1000);
    fs.utimesSync(staleTmp, old, old);
    fs.writeFileSync(path.join(root, 'alpha', 'notes.txt'), 'mine');
    expect((await clearCache({ cacheDir: root })).entries).toBe(3);
    expect(fs.readdirSync(path.join(root, 'alpha'))).toEqual(['notes.txt']);
    expect(fs.readdirSync(path.join(root, 'beta'))).toEqual([]);
  });

  it('refuses names that are not system names, and unknown options', async () => {
    await expect(clearCache({ cacheDir: tmpRoot(), system: '../etc' })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { where: 'system' } });
    await expect(clearCache({ cacheDir: tmpRoot(), sytem: 'alpha' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('pruneCache', () => {
  it('maxAge removes entries unused for longer', async () => {
    const { root } = await filled();
    expect(await pruneCache({ cacheDir: root, maxAge: '1d' })).toEqual({ entries: 2, bytes: 2 * HEADER_BYTES + 400 });
    expect((await new FileCacheStore(root).entries()).map((e) => e.key)).toEqual([keyOf('a2')]);
  });

  it('maxBytes evicts least recently used first', async () => {
    const { root } = await filled();
    expect(await pruneCache({ cacheDir: root, maxBytes: 2 * HEADER_BYTES + 500 })).toEqual({ entries: 1, bytes: HEADER_BYTES + 100 });
    expect((await new FileCacheStore(root).entries()).map((e) => e.key).sort()).toEqual([keyOf('a2'), keyOf('b1')].sort());
  });

  it('numbers are milliseconds; bad values name the option', async () => {
    const { root } = await filled();
    expect((await pruneCache({ cacheDir: root, maxAge: 36 * HOUR })).entries).toBe(1);
    await expect(pruneCache({ cacheDir: root, maxAge: 'soon' })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { where: 'maxAge' } });
    await expect(pruneCache({ cacheDir: root, maxBytes: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { where: 'maxBytes' } });
  });
});

describe('cubie cache', () => {
  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: await cache(args), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('ls, stats, prune and clear', async () => {
    const { root } = await filled();
    const ls = await run('ls', '--cache-dir', root);
    expect(ls.code).toBe(0);
    expect(ls.out).toContain(keyOf('a1').slice(0, 16));
    expect(ls.out).toMatch(/SYSTEM\s+KEY\s+KIND\s+SIZE\s+LAST USED/);
    const lsJson = JSON.parse((await run('ls', 'beta', '--json', `--cache-dir=${root}`)).out);
    expect(lsJson.entries.map((e: { key: string }) => e.key)).toEqual([keyOf('b1')]);

    const stats = JSON.parse((await run('stats', '--json', '--cache-dir', root)).out);
    expect(stats).toMatchObject({ root, entries: 3 });
    expect((await run('stats', '--cache-dir', root)).out).toContain('3 entries');

    const pruned = await run('prune', '--max-age', '1d', '--cache-dir', root, '--json');
    expect(JSON.parse(pruned.out)).toMatchObject({ entries: 2 });
    expect((await run('clear', 'alpha', '--cache-dir', root)).out).toContain('removed 1 entries');
    expect((await cacheStats({ cacheDir: root })).entries).toBe(0);
  });

  it('usage errors exit 2', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('frobnicate')).err).toContain("unknown command 'frobnicate'");
    expect((await run('prune', '--max-age', 'soon', '--cache-dir', tmpRoot())).code).toBe(2);
    expect((await run('ls', '--cache-dir')).code).toBe(2);
    expect((await run('stats', 'extra')).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
    await expect(run('clear', '../x', '--cache-dir', tmpRoot())).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
