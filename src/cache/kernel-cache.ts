/**
 * How a backend gets a kernel: from this process's memory, else a complete
 * entry on disk (read without a lock), else under the key's lock (re-check,
 * then compile and store) so that of several processes needing one missing
 * key, one compiles and the others load its result. The cache can only make
 * a solve faster: when the folder cannot be used, cubie warns once and
 * compiles in memory.
 */
import { isCubieError } from '../shared/errors';
import type { ArtifactKind } from './artifact';
import { FileCacheStore } from './file-store';
import { enforceLimits } from './limits';
import type { HeldLock } from './lock';
import type { MemoryLayer } from './memory';
import { isUnusable, warnBadEntry, warnUnusable } from './problems';
import type { CacheSettings } from './settings';
import type { CacheStore } from './store';

/** Where a kernel came from this time (SolveResult.kernel.cache). */
export type KernelOrigin = 'memory' | 'disk' | 'compiled' | 'disabled';

export interface Obtained<T> {
  value: T;
  cache: KernelOrigin;
  /** Time spent in the compiler; 0 unless cache is 'compiled' or 'disabled'. */
  compileMs: number;
}

export interface Built {
  payload: Buffer;
  compileMs: number;
}

export interface ObtainRequest<T> {
  settings: CacheSettings;
  /** A validated system name: the entry's folder. */
  system: string;
  key: string;
  kind: ArtifactKind;
  memory: MemoryLayer<T>;
  /** Compiles the artifact (in memory: the caller's own temporary files only). */
  build(): Promise<Built>;
  /** Loads an artifact's bytes into the process. */
  load(payload: Buffer): Promise<T>;
  /** Another store than the settings' folder (tests). */
  store?: CacheStore;
}

const stores = new Map<string, FileCacheStore>();

export function fileStoreFor(settings: Pick<CacheSettings, 'root' | 'shared' | 'lockWaitMs'>): FileCacheStore {
  const id = `${settings.shared ? 'shared' : 'private'}\0${settings.root}`;
  let store = stores.get(id);
  if (store === undefined) {
    store = new FileCacheStore(settings.root, { shared: settings.shared, flushWaitMs: settings.lockWaitMs });
    stores.set(id, store);
  }
  return store;
}

/** Roots whose limits this process has applied once already (so old entries go even in a process that only hits). */
const limitsApplied = new Set<string>();

async function applyLimits(store: CacheStore, settings: CacheSettings, keep?: { system: string; key: string }): Promise<void> {
  if (!(store instanceof FileCacheStore) || (settings.maxBytes === undefined && settings.maxAgeMs === undefined)) return;
  try {
    await enforceLimits(store, settings, { keep });
  } catch {
    // limits are housekeeping; a folder we cannot prune is still a working cache
  }
}

export async function obtain<T>(request: ObtainRequest<T>): Promise<Obtained<T>> {
  const { memory, key } = request;
  const loaded = memory.get(key);
  if (loaded !== undefined) return { value: await loaded, cache: 'memory', compileMs: 0 };

  let origin: Omit<Obtained<T>, 'value'> = { cache: 'compiled', compileMs: 0 };
  const pending = fetchOrBuild(request).then((got) => {
    origin = { cache: got.cache, compileMs: got.compileMs };
    return got.value;
  });
  memory.set(request.system, key, pending);
  try {
    const value = await pending;
    if (request.settings.mode === 'flush') memory.keepOnly(request.system, key);
    return { value, ...origin };
  } catch (e) {
    if (memory.get(key) === pending) memory.delete(key);
    throw e;
  }
}

async function fetchOrBuild<T>(request: ObtainRequest<T>): Promise<Obtained<T>> {
  const { settings, system, key, kind } = request;
  if (!settings.enabled) {
    const built = await request.build();
    return { value: await request.load(built.payload), cache: 'disabled', compileMs: built.compileMs };
  }
  const store = request.store ?? fileStoreFor(settings);
  if ((settings.maxBytes !== undefined || settings.maxAgeMs !== undefined) && !limitsApplied.has(store.root)) {
    limitsApplied.add(store.root);
    await applyLimits(store, settings);
  }

  let usable = true;
  const unusableHere = (e: unknown): void => {
    if (!isUnusable(e)) throw e;
    warnUnusable(store.root, e);
    usable = false;
  };
  let recheck = true;
  const fromDisk = async (): Promise<T | undefined> => {
    let payload: Buffer | undefined;
    try {
      payload = await store.get(system, key, kind);
    } catch (e) {
      unusableHere(e);
    }
    if (payload === undefined) return undefined;
    try {
      return await request.load(payload);
    } catch (e) {
      if (isCubieError(e, 'NATIVE_ADDON_MISSING')) throw e; // nothing would load: not the entry's fault
      // A verified entry that will not load (say, built against another ABI): rebuild and replace it.
      warnBadEntry(`${store.root}/${system}/${key}.${kind}`, 'unloadable', (e as Error).message);
      recheck = false;
      return undefined;
    }
  };

  // 1. A complete entry is read without any lock.
  const hit = await fromDisk();
  if (hit !== undefined) return { value: hit, cache: 'disk', compileMs: 0 };

  // 2. Miss: one process compiles, the others wait on the key's lock and then load its entry.
  let held: HeldLock | null = null;
  if (usable) {
    try {
      held = await store.lock(system, key, settings.lockWaitMs);
    } catch (e) {
      unusableHere(e);
    }
  }
  let built: Built;
  let stored = false;
  try {
    if (held !== null && recheck) {
      const late = await fromDisk();
      if (late !== undefined) return { value: late, cache: 'disk', compileMs: 0 };
    }
    built = await request.build();
    if (usable) {
      try {
        await store.put(system, key, kind, built.payload, { flush: settings.mode === 'flush' });
        stored = true;
      } catch (e) {
        unusableHere(e);
      }
    }
  } finally {
    held?.release();
  }
  if (stored) {
    await applyLimits(store, settings, { system, key });
    // Temporary files of writers that died in this folder go now and then: here, after a compile, it costs nothing noticeable.
    if (store instanceof FileCacheStore) await store.housekeep(system).catch(() => undefined);
  }
  return { value: await request.load(built.payload), cache: 'compiled', compileMs: built.compileMs };
}
