/**
 * The cache's storage interface (after Triton's CacheManager): what the
 * kernel cache needs from a place that keeps compiled artifacts by key. The
 * file-backed implementation is FileCacheStore; the in-process layer in
 * front of it is MemoryLayer.
 */
import type { ArtifactKind } from './artifact';
import type { HeldLock } from './lock';

export interface CacheEntryInfo {
  system: string;
  key: string;
  kind: ArtifactKind;
  bytes: number;
  /** The last-use stamp (refreshed on hits, at most once a minute). */
  lastUsed: Date;
  path: string;
}

export interface PutOptions {
  /** flush mode: empty the system's folder of every other entry before this one lands. */
  flush?: boolean;
}

export interface CacheStore {
  readonly root: string;
  /** The verified payload under a key, or undefined (absent, or unusable: warned and left to be replaced). */
  get(system: string, key: string, kind: ArtifactKind): Promise<Buffer | undefined>;
  /** Stores a payload so that no reader ever sees part of it. */
  put(system: string, key: string, kind: ArtifactKind, payload: Buffer, options?: PutOptions): Promise<void>;
  /** The per-key lock that makes one process compile while others wait; null when the wait ran out. */
  lock(system: string, key: string, waitMs: number): Promise<HeldLock | null>;
  /** Entries of one system, or of all. */
  entries(system?: string): Promise<CacheEntryInfo[]>;
  remove(entry: CacheEntryInfo): Promise<boolean>;
}
