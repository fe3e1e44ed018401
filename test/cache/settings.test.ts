/** Cache options and environment: precedence, defaults and every bad value named. */
import * as os from 'os';
import * as path from 'path';
import { parseAgeMs, parseBytes } from '../../src/shared/units';
import { platformCacheRoot } from '../../src/cache/layout';
import { resolveCacheSettings } from '../../src/cache/settings';
import { normalizeOptions } from '../../src/options/solve-options';

describe('cache settings', () => {
  const noEnv = {} as NodeJS.ProcessEnv;

  it('defaults: on, hash mode, the per-user cache folder, no limits, private', () => {
    expect(resolveCacheSettings({}, { HOME: os.homedir() })).toEqual({
      enabled: true,
      mode: 'hash',
      root: platformCacheRoot({ HOME: os.homedir() }),
      maxBytes: undefined,
      maxAgeMs: undefined,
      shared: false,
      lockWaitMs: 120_000,
    });
  });

  it('the per-user folder follows the platform', () => {
    expect(platformCacheRoot({ XDG_CACHE_HOME: '/x/cache' }, 'linux')).toBe('/x/cache/cubie');
    expect(platformCacheRoot({ XDG_CACHE_HOME: 'relative' }, 'linux')).toBe(path.join(os.homedir(), '.cache', 'cubie'));
    expect(platformCacheRoot({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Caches', 'cubie'));
    expect(platformCacheRoot({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toContain(path.join('cubie', 'Cache'));
  });

  it('options win over the environment, which wins over defaults', () => {
    const env = { CUBIE_CACHE_DIR: '/env/dir', CUBIE_CACHING_MODE: 'flush', CUBIE_CACHE_MAX_BYTES: '2G', CUBIE_CACHE_MAX_AGE: '7d', CUBIE_CACHE_SHARED: '1' };
    expect(resolveCacheSettings({}, env)).toMatchObject({ root: '/env/dir', mode: 'flush', maxBytes: 2 * 2 ** 30, maxAgeMs: 7 * 86_400_000, shared: true });
    expect(resolveCacheSettings({ cacheDir: '/opt/dir', cachingMode: 'hash', maxCacheBytes: 1000, maxCacheAge: 60_000, sharedCache: false }, env)).toMatchObject({
      root: '/opt/dir',
      mode: 'hash',
      maxBytes: 1000,
      maxAgeMs: 60_000,
      shared: false,
    });
    expect(resolveCacheSettings({ cacheDir: 'rel' }, noEnv).root).toBe(path.resolve('rel'));
    expect(resolveCacheSettings({ cache: false }, noEnv).enabled).toBe(false);
  });

  it.each<[string, object, NodeJS.ProcessEnv]>([
    ['cache', { cache: 'no' }, {}],
    ['cachingMode', { cachingMode: 'lru' }, {}],
    ['CUBIE_CACHING_MODE', {}, { CUBIE_CACHING_MODE: 'fast' }],
    ['cacheDir', { cacheDir: '' }, {}],
    ['cacheDir', { cacheDir: 42 }, {}],
    ['maxCacheBytes', { maxCacheBytes: -1 }, {}],
    ['maxCacheBytes', { maxCacheBytes: '2G' }, {}],
    ['CUBIE_CACHE_MAX_BYTES', {}, { CUBIE_CACHE_MAX_BYTES: 'lots' }],
    ['maxCacheAge', { maxCacheAge: '7 days' }, {}],
    ['maxCacheAge', { maxCacheAge: 0 }, {}],
    ['CUBIE_CACHE_MAX_AGE', {}, { CUBIE_CACHE_MAX_AGE: 'forever' }],
    ['sharedCache', { sharedCache: 'yes' }, {}],
    ['CUBIE_CACHE_SHARED', {}, { CUBIE_CACHE_SHARED: 'maybe' }],
  ])('a bad %s is INVALID_OPTION naming it', (name, options, env) => {
    let error: unknown;
    try {
      resolveCacheSettings(options, env);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_OPTION', details: { where: name } });
    expect((error as Error).message).toContain(name);
  });

  it('sharedCache is a solve option', () => {
    expect(normalizeOptions({ sharedCache: true, shared_cache: true })).toEqual({ sharedCache: true });
  });
});

describe('durations and sizes', () => {
  it.each<[number | string, number | undefined]>([
    [1500, 1500],
    ['1500', 1500],
    ['1500ms', 1500],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    ['0', undefined],
    [-5, undefined],
    ['7 days', undefined],
    ['d', undefined],
  ])('age %p', (value, ms) => {
    expect(parseAgeMs(value)).toBe(ms);
  });

  it.each<[number | string, number | undefined]>([
    [1000, 1000],
    ['1000', 1000],
    ['64k', 65_536],
    ['500M', 500 * 2 ** 20],
    ['2G', 2 * 2 ** 30],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['1tb', 2 ** 40],
    ['0', undefined],
    ['-1', undefined],
    ['big', undefined],
  ])('size %p', (value, bytes) => {
    expect(parseBytes(value)).toBe(bytes);
  });
});
