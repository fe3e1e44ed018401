/**
 * Per-key locks over flock(2), through the addon: the operating system drops
 * a lock when its holder exits or is killed, so a crash never leaves a stale
 * lock behind. Waiting is bounded; after it the caller goes on without the
 * lock (and compiles for itself).
 */
import * as fs from 'fs';
import { nativeAddon } from '../native/addon';

export interface HeldLock {
  release(): void;
}

/**
 * Whether the locked descriptor is still the file at `file`: a cleaner that
 * unlinks a lock file (holding it) leaves an orphan that a late opener could
 * lock while others lock a new file under the same name.
 */
function stillLinked(fd: number, file: string): boolean {
  try {
    const held = fs.fstatSync(fd);
    const named = fs.statSync(file);
    return held.ino === named.ino && held.dev === named.dev;
  } catch {
    return false;
  }
}

/** Locks `file` (creating it), waiting at most waitMs; null when it is still held by another process. */
export async function acquireLock(file: string, waitMs: number): Promise<HeldLock | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const fd = await nativeAddon().lockFile(file, Math.max(0, deadline - Date.now()));
    if (fd === null) return null;
    if (stillLinked(fd, file)) {
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          nativeAddon().unlockFile(fd);
        },
      };
    }
    nativeAddon().unlockFile(fd);
  }
}

/** Removes a lock file nobody holds (an orphan of a removed entry); leaves it when it is in use. */
export async function removeIdleLock(file: string): Promise<boolean> {
  let held: HeldLock | null;
  try {
    held = await acquireLock(file, 0);
  } catch {
    return false;
  }
  if (held === null) return false;
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  } finally {
    held.release();
  }
}
