/**
 * Size and age limits. Entries are ranked by their last-use stamp (the
 * entry's mtime, refreshed on hits), never by access time, which many
 * filesystems do not keep. Past maxBytes the least recently used go first;
 * entries unused for longer than maxAge go regardless of size.
 */
import type { FileCacheStore } from './file-store';

export interface Limits {
  maxBytes?: number;
  maxAgeMs?: number;
}

export interface Removed {
  entries: number;
  bytes: number;
}

export async function enforceLimits(
  store: FileCacheStore,
  limits: Limits,
  options: { keep?: { system: string; key: string }; now?: number } = {},
): Promise<Removed> {
  const now = options.now ?? Date.now();
  const kept = (e: { system: string; key: string }): boolean => options.keep !== undefined && e.system === options.keep.system && e.key === options.keep.key;
  const removed: Removed = { entries: 0, bytes: 0 };
  const entries = await store.entries();
  const live = [];
  for (const entry of entries) {
    if (limits.maxAgeMs !== undefined && now - entry.lastUsed.getTime() > limits.maxAgeMs && !kept(entry)) {
      if (await store.remove(entry)) {
        removed.entries++;
        removed.bytes += entry.bytes;
      }
    } else {
      live.push(entry);
    }
  }
  if (limits.maxBytes !== undefined) {
    let total = live.reduce((sum, e) => sum + e.bytes, 0);
    const oldestFirst = live.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime() || a.path.localeCompare(b.path));
    for (const entry of oldestFirst) {
      if (total <= limits.maxBytes) break;
      if (kept(entry)) continue;
      total -= entry.bytes;
      if (await store.remove(entry)) {
        removed.entries++;
        removed.bytes += entry.bytes;
      }
    }
  }
  for (const system of await store.systems()) await store.housekeep(system, { now });
  return removed;
}
