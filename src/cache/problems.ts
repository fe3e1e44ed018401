/**
 * How the cache reports trouble. A cache problem never fails a solve: it is
 * a warning (once per place, so a bad folder does not flood) and a compile
 * in memory. Internally, a folder that cannot be used is a CACHE_ERROR.
 */
import { CubieError } from '../shared/errors';
import { warn } from '../shared/warnings';

export type UnusableReason = 'unwritable' | 'untrusted' | 'unreadable';

export function unusable(reason: UnusableReason, where: string, message: string, cause?: unknown): CubieError {
  return new CubieError('CACHE_ERROR', message, { where, reason, cause: cause instanceof Error ? cause.message : undefined });
}

export function isUnusable(e: unknown): e is CubieError {
  return e instanceof CubieError && e.code === 'CACHE_ERROR';
}

/** The folder cannot hold the cache: say so once per folder and reason. */
export function warnUnusable(root: string, e: CubieError): void {
  const reason = String(e.details.reason ?? 'unusable');
  warn(
    `the kernel cache at ${root} cannot be used (${e.message}); compiling in memory instead. ` +
      `Point cacheDir or CUBIE_CACHE_DIR at a writable folder of your own, or pass cache: false to silence this.`,
    reason === 'untrusted' ? 'CUBIE_CACHE_UNTRUSTED' : 'CUBIE_CACHE_UNWRITABLE',
    // An untrusted folder is one system's problem; an unwritable root is everyone's.
    reason === 'untrusted' ? `cache-untrusted-folder:${String(e.details.where ?? root)}` : `cache-unusable:${reason}:${root}`,
  );
}

/** An entry that exists but cannot be used: ignored (a miss) and replaced by the next write. */
export function warnBadEntry(file: string, problem: string, detail: string): void {
  warn(`kernel cache entry ${file} is ${problem} (${detail}); it was ignored and will be replaced`, 'CUBIE_CACHE_CORRUPT', `cache-entry:${problem}:${file}`);
}

export function warnUntrustedEntry(file: string, reason: string): void {
  warn(
    `refusing to load the cached kernel ${file}: ${reason}. It will be replaced by a fresh compile. ` +
      `If this cache is shared on purpose (a cluster), pass sharedCache: true or set CUBIE_CACHE_SHARED=1.`,
    'CUBIE_CACHE_UNTRUSTED',
    `cache-untrusted:${file}`,
  );
}
