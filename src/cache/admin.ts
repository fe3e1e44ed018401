/** The cache's public housekeeping: cacheStats, clearCache, pruneCache (and `cubie cache`). */
import { CubieError } from '../shared/errors';
import { FileCacheStore } from './file-store';
import { checkSystemName } from './layout';
import { enforceLimits, Removed } from './limits';
import { maxAgeSetting, maxBytesSetting, resolveCacheRoot } from './settings';

export interface CacheStats {
  root: string;
  entries: number;
  bytes: number;
  /** Systems with at least one entry, by name; lastUsed is an ISO 8601 time. */
  systems: Array<{ name: string; entries: number; bytes: number; lastUsed: string }>;
}

function checkKeys(options: object | undefined, allowed: string[], where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new CubieError('INVALID_OPTION', `${where} takes an options object`, { where });
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new CubieError('INVALID_OPTION', `Unknown option '${key}' in ${where}; known: ${allowed.join(', ')}`, { where: `${where}.${key}` });
    }
  }
}

function storeAt(cacheDir: unknown): FileCacheStore {
  return new FileCacheStore(resolveCacheRoot(cacheDir));
}

export async function cacheStats(options?: { cacheDir?: string }): Promise<CacheStats> {
  checkKeys(options, ['cacheDir'], 'cacheStats');
  const store = storeAt(options?.cacheDir);
  const bySystem = new Map<string, { name: string; entries: number; bytes: number; lastUsed: number }>();
  for (const entry of await store.entries()) {
    const s = bySystem.get(entry.system) ?? { name: entry.system, entries: 0, bytes: 0, lastUsed: 0 };
    s.entries++;
    s.bytes += entry.bytes;
    s.lastUsed = Math.max(s.lastUsed, entry.lastUsed.getTime());
    bySystem.set(entry.system, s);
  }
  const systems = [...bySystem.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({ name: s.name, entries: s.entries, bytes: s.bytes, lastUsed: new Date(s.lastUsed).toISOString() }));
  return {
    root: store.root,
    entries: systems.reduce((n, s) => n + s.entries, 0),
    bytes: systems.reduce((n, s) => n + s.bytes, 0),
    systems,
  };
}

/**
 * Removes every entry, or one system's. Kernels already loaded by running
 * processes keep working; their next cold start compiles again.
 */
export async function clearCache(options?: { system?: string | { readonly name: string }; cacheDir?: string }): Promise<Removed> {
  checkKeys(options, ['system', 'cacheDir'], 'clearCache');
  const store = storeAt(options?.cacheDir);
  const given = options?.system;
  const system = given === undefined ? undefined : checkSystemName(typeof given === 'object' && given !== null ? given.name : given);
  const removed: Removed = { entries: 0, bytes: 0 };
  for (const entry of await store.entries(system)) {
    if (await store.remove(entry)) {
      removed.entries++;
      removed.bytes += entry.bytes;
    }
  }
  for (const name of system === undefined ? await store.systems() : [system]) await store.housekeep(name);
  return removed;
}

/**
 * Applies size and age limits now: maxBytes evicts the least recently used
 * entries until the cache fits, maxAge removes entries unused for longer.
 * Either defaults to CUBIE_CACHE_MAX_BYTES / CUBIE_CACHE_MAX_AGE.
 */
export async function pruneCache(options?: { maxBytes?: number; maxAge?: number | string; cacheDir?: string }): Promise<Removed> {
  checkKeys(options, ['maxBytes', 'maxAge', 'cacheDir'], 'pruneCache');
  const env = process.env;
  const bytes = options?.maxBytes ?? env.CUBIE_CACHE_MAX_BYTES;
  const age = options?.maxAge ?? env.CUBIE_CACHE_MAX_AGE;
  const bytesWhere = options?.maxBytes !== undefined ? 'maxBytes' : 'CUBIE_CACHE_MAX_BYTES';
  const ageWhere = options?.maxAge !== undefined ? 'maxAge' : 'CUBIE_CACHE_MAX_AGE';
  return enforceLimits(storeAt(options?.cacheDir), {
    maxBytes: bytes === undefined || bytes === '' ? undefined : maxBytesSetting(bytes, bytesWhere),
    maxAgeMs: age === undefined || age === '' ? undefined : maxAgeSetting(age, ageWhere),
  });
}
