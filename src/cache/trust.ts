/**
 * Cached shared libraries are native code that cubie maps into the process,
 * so a file that someone else could have written is never loaded. By default
 * cache folders are created private (0700) and an artifact is refused when it,
 * or the folder holding it, belongs to another user or is writable by others.
 * A folder the user declares shared (clusters: `sharedCache`) trusts its
 * group instead: any owner, group-writable, but never world-writable.
 */
import type { Stats } from 'fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** setgid, so new entries keep the shared folder's group. */
export const SHARED_DIR_MODE = 0o2775;
export const SHARED_FILE_MODE = 0o644;

function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** Why a file or folder cannot be trusted, or undefined when it can. */
export function untrustedReason(stat: Pick<Stats, 'uid' | 'mode'>, shared: boolean): string | undefined {
  const uid = myUid();
  if (uid === undefined) return undefined; // no POSIX ownership to check (Windows)
  const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
  if (stat.mode & 0o002) return `it is writable by every user (mode ${mode})`;
  if (shared) return undefined;
  if (stat.uid !== uid) return `it is owned by uid ${stat.uid}, not by this user (uid ${uid})`;
  if (stat.mode & 0o020) return `it is writable by its group (mode ${mode})`;
  return undefined;
}

export function dirMode(shared: boolean): number {
  return shared ? SHARED_DIR_MODE : PRIVATE_DIR_MODE;
}

export function fileMode(shared: boolean): number {
  return shared ? SHARED_FILE_MODE : PRIVATE_FILE_MODE;
}
