/**
 * The file-backed CacheStore. Writes go to a unique temporary file in the
 * entry's own folder and are renamed into place, so a reader sees a whole
 * entry or none; reads verify the entry's header and checksum and the trust
 * rules before the payload is handed out, and take no lock.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { constants as FS, promises as fsp } from 'fs';
import type { FileHandle } from 'fs/promises';
import * as path from 'path';
import type { ArtifactKind } from './artifact';
import { decodeEntry, encodeHeader } from './entry';
import { acquireLock, HeldLock, removeIdleLock } from './lock';
import { checkSystemName, entryName, FLUSH_LOCK, isSystemName, isTmpName, lockKey, lockName, parseEntryName, systemDir, tmpName } from './layout';
import { unusable, warnBadEntry, warnUntrustedEntry } from './problems';
import type { CacheEntryInfo, CacheStore, PutOptions } from './store';
import { dirMode, fileMode, untrustedReason } from './trust';

/** A hit refreshes an entry's last-use stamp (its mtime) at most this often: access times are unreliable. */
export const STAMP_INTERVAL_MS = 60_000;
/** A temporary file this old belongs to a writer that died; housekeeping removes it. */
export const STALE_TMP_MS = 10 * 60_000;

export interface FileCacheStoreOptions {
  /** The folder is shared on purpose (clusters): see trust.ts. */
  shared?: boolean;
  /** Bound on waiting for another process's flush-mode write of the same system. */
  flushWaitMs?: number;
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Test hook: with CUBIE_TEST_PAUSE_MID_WRITE=<file>, a writer stops half-way
 * through the payload of its temporary file, touches <file> and blocks
 * forever, so a test can SIGKILL it mid-write deterministically.
 */
function pauseMidWriteForTests(): void {
  const marker = process.env.CUBIE_TEST_PAUSE_MID_WRITE;
  if (!marker) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('fs').writeFileSync(marker, String(process.pid));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

export class FileCacheStore implements CacheStore {
  readonly root: string;
  private readonly shared: boolean;
  private readonly flushWaitMs: number;

  constructor(root: string, options: FileCacheStoreOptions = {}) {
    this.root = path.resolve(root);
    this.shared = options.shared ?? false;
    this.flushWaitMs = options.flushWaitMs ?? 120_000;
  }

  /**
   * A hit is on the critical path of every fresh process, and entries are
   * small local files: the read is synchronous (one open, fstat, read,
   * close), which saves the thread-pool round trips of fs.promises (about
   * 2 ms cold).
   */
  async get(system: string, key: string, kind: ArtifactKind): Promise<Buffer | undefined> {
    const dir = systemDir(this.root, system);
    let dirStat;
    try {
      dirStat = fs.statSync(dir);
    } catch (e) {
      if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') return undefined;
      throw unusable('unreadable', dir, `cannot read the folder ${dir}: ${(e as Error).message}`, e);
    }
    if (!dirStat.isDirectory()) throw unusable('unwritable', dir, `${dir} is not a folder`);
    const folderProblem = untrustedReason(dirStat, this.shared);
    if (folderProblem !== undefined) throw unusable('untrusted', dir, `the folder ${dir} is not safe to load native code from: ${folderProblem}`);

    const file = path.join(dir, entryName(key, kind));
    let fd: number;
    try {
      fd = fs.openSync(file, FS.O_RDONLY | FS.O_NOFOLLOW);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      warnBadEntry(file, 'unreadable', errorCode(e) === 'ELOOP' ? 'a symbolic link' : (e as Error).message);
      return undefined;
    }
    try {
      // Checks and read go through one descriptor: what was checked is what is loaded.
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        warnBadEntry(file, 'foreign', 'not a regular file');
        return undefined;
      }
      const fileProblem = untrustedReason(stat, this.shared);
      if (fileProblem !== undefined) {
        warnUntrustedEntry(file, fileProblem);
        return undefined;
      }
      const bytes = Buffer.allocUnsafe(stat.size);
      let filled = 0;
      while (filled < bytes.length) {
        const n = fs.readSync(fd, bytes, filled, bytes.length - filled, filled);
        if (n === 0) break;
        filled += n;
      }
      const decoded = decodeEntry(bytes.subarray(0, filled), key, kind);
      if ('problem' in decoded) {
        warnBadEntry(file, decoded.problem, decoded.detail);
        return undefined;
      }
      if (Date.now() - stat.mtimeMs >= STAMP_INTERVAL_MS) {
        try {
          fs.futimesSync(fd, stat.atime, new Date());
        } catch {
          // best effort: a read-only cache still hits
        }
      }
      return decoded.payload;
    } finally {
      fs.closeSync(fd);
    }
  }

  async put(system: string, key: string, kind: ArtifactKind, payload: Buffer, options: PutOptions = {}): Promise<void> {
    const dir = await this.ensureSystemDir(system);
    const file = path.join(dir, entryName(key, kind));
    const tmp = path.join(dir, tmpName(key, `${process.pid}-${randomBytes(6).toString('hex')}`));
    try {
      const handle = await fsp.open(tmp, 'wx', fileMode(this.shared));
      try {
        await handle.chmod(fileMode(this.shared)); // the umask may have taken bits the shared mode needs
        await writeAll(handle, encodeHeader(key, kind, payload));
        const half = payload.length >> 1;
        await writeAll(handle, payload.subarray(0, half));
        pauseMidWriteForTests();
        await writeAll(handle, payload.subarray(half));
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.flush) {
        await this.flushInto(dir, key, tmp, file);
      } else {
        await fsp.rename(tmp, file);
      }
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      if (errorCode(e) === 'CACHE_ERROR') throw e;
      throw unusable('unwritable', dir, `cannot write ${file}: ${(e as Error).message}`, e);
    }
  }

  /** flush mode: under the system's flush lock, empty the folder of other entries, then land ours. */
  private async flushInto(dir: string, key: string, tmp: string, file: string): Promise<void> {
    let held: HeldLock | null = null;
    try {
      held = await acquireLock(path.join(dir, FLUSH_LOCK), this.flushWaitMs);
    } catch {
      held = null; // flushing without the lock can leave two entries for a moment; never a torn one
    }
    try {
      for (const name of await fsp.readdir(dir)) {
        const entry = parseEntryName(name);
        if (entry !== undefined && entry.key !== key) await fsp.rm(path.join(dir, name), { force: true });
      }
      await fsp.rename(tmp, file);
    } finally {
      held?.release();
    }
  }

  async lock(system: string, key: string, waitMs: number): Promise<HeldLock | null> {
    const dir = await this.ensureSystemDir(system);
    const file = path.join(dir, lockName(key));
    try {
      const held = await acquireLock(file, waitMs);
      if (held !== null && this.shared) await fsp.chmod(file, 0o664).catch(() => undefined);
      return held;
    } catch (e) {
      throw unusable('unwritable', dir, `cannot lock ${file}: ${(e as Error).message}`, e);
    }
  }

  async entries(system?: string): Promise<CacheEntryInfo[]> {
    const out: CacheEntryInfo[] = [];
    for (const name of system === undefined ? await this.systems() : [checkSystemName(system)]) {
      const dir = path.join(this.root, name);
      let files: string[];
      try {
        files = await fsp.readdir(dir);
      } catch {
        continue;
      }
      for (const file of files) {
        const parsed = parseEntryName(file);
        if (parsed === undefined) continue;
        try {
          const stat = await fsp.lstat(path.join(dir, file));
          if (!stat.isFile()) continue;
          out.push({ system: name, key: parsed.key, kind: parsed.kind, bytes: stat.size, lastUsed: stat.mtime, path: path.join(dir, file) });
        } catch {
          // removed while we looked
        }
      }
    }
    return out;
  }

  async remove(entry: CacheEntryInfo): Promise<boolean> {
    // Rebuilt from validated parts, never taken from entry.path: only cache entries are ever removed.
    const file = path.join(systemDir(this.root, entry.system), entryName(entry.key, entry.kind));
    try {
      await fsp.unlink(file);
      return true;
    } catch {
      return false;
    }
  }

  /** System folders under the root (identifier names only; anything else there is not ours). */
  async systems(): Promise<string[]> {
    try {
      const items = await fsp.readdir(this.root, { withFileTypes: true });
      return items.filter((d) => d.isDirectory() && isSystemName(d.name)).map((d) => d.name).sort();
    } catch {
      return [];
    }
  }

  /**
   * Removes what writers and lockers leave behind: temporary files of dead
   * writers and lock files of keys that have no entry and nobody holds.
   * Folders stay: removing one could race a writer that just created it.
   */
  async housekeep(system: string, options: { now?: number } = {}): Promise<void> {
    const dir = systemDir(this.root, system);
    let files: string[];
    try {
      files = await fsp.readdir(dir);
    } catch {
      return;
    }
    const now = options.now ?? Date.now();
    const keys = new Set(files.map((f) => parseEntryName(f)?.key).filter((k): k is string => k !== undefined));
    for (const name of files) {
      const file = path.join(dir, name);
      if (isTmpName(name)) {
        const stat = await fsp.lstat(file).catch(() => undefined);
        if (stat !== undefined && now - stat.mtimeMs > STALE_TMP_MS) await fsp.rm(file, { force: true }).catch(() => undefined);
      } else {
        const key = lockKey(name);
        if (key !== undefined && !keys.has(key)) await removeIdleLock(file);
      }
    }
  }

  /** The system's folder, created private (or shared) when missing, and checked. */
  private async ensureSystemDir(system: string): Promise<string> {
    const dir = systemDir(this.root, system);
    const mode = dirMode(this.shared);
    try {
      const createdRoot = await fsp.mkdir(this.root, { recursive: true, mode });
      if (createdRoot !== undefined) await fsp.chmod(this.root, mode);
      try {
        await fsp.mkdir(dir, { mode });
        await fsp.chmod(dir, mode);
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw e;
      }
      const stat = await fsp.stat(dir);
      if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
      const problem = untrustedReason(stat, this.shared);
      if (problem !== undefined) throw unusable('untrusted', dir, `the folder ${dir} is not safe to keep native code in: ${problem}`);
      return dir;
    } catch (e) {
      if (errorCode(e) === 'CACHE_ERROR') throw e;
      throw unusable('unwritable', dir, `cannot create ${dir}: ${(e as Error).message}`, e);
    }
  }
}
