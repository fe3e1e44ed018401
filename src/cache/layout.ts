/**
 * Where things live in the cache, and the only place file names are made:
 *
 *   <root>/<system>/<key>.<kind>        an entry (see entry.ts)
 *   <root>/<system>/.<key>.lock         the per-key compile lock (flock)
 *   <root>/<system>/.flush.lock         serialises flush-mode writes for a system
 *   <root>/<system>/.<key>.<tag>.tmp    an entry being written
 *
 * One folder per system, so a system's entries can be listed, flushed or
 * cleared alone. Names come from validated identifiers and hex keys only.
 */
import * as os from 'os';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { ARTIFACT_KINDS, ArtifactKind } from './artifact';

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const KEY = /^[0-9a-f]{64}$/;
const ENTRY = /^([0-9a-f]{64})\.(so|ptx|cubin)$/;
const TMP = /^\.([0-9a-f]{64})\.[0-9a-z-]+\.tmp$/;
const LOCK = /^\.([0-9a-f]{64})\.lock$/;
export const FLUSH_LOCK = '.flush.lock';

/**
 * The default cache folder (used when neither cacheDir nor CUBIE_CACHE_DIR
 * is set): in Electron's main process `<userData>/cubie-cache`, the app's
 * own folder; elsewhere the platform's per-user cache folder for cubie.
 */
export function platformCacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, userData: string | undefined = electronUserData()): string {
  if (userData) return path.join(userData, 'cubie-cache');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'cubie');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'cubie', 'Cache');
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'cubie');
}

interface ElectronModule {
  app?: { getPath?: (name: string) => string };
}

/**
 * `app.getPath('userData')` in Electron's main process; undefined in plain
 * Node, in a renderer, a utility process or a worker (no `app` there).
 * `electron` is Electron's built-in module, not a dependency of cubie.
 */
export function electronUserData(versions: NodeJS.ProcessVersions = process.versions, load: () => unknown = () => module.require('electron')): string | undefined {
  if (!versions.electron) return undefined;
  try {
    const app = (load() as ElectronModule | undefined)?.app;
    const folder = typeof app?.getPath === 'function' ? app.getPath('userData') : undefined;
    return typeof folder === 'string' && path.isAbsolute(folder) ? folder : undefined;
  } catch {
    return undefined;
  }
}

export function isSystemName(name: string): boolean {
  return SYSTEM_NAME.test(name);
}

/** A system name made safe to use as a folder name; anything else is refused. */
export function checkSystemName(name: unknown, option = 'system'): string {
  if (typeof name !== 'string' || !SYSTEM_NAME.test(name)) {
    throw new CubieError('INVALID_OPTION', `Option '${option}' must be a system name ([A-Za-z][A-Za-z0-9_]*), got ${JSON.stringify(name)}`, {
      where: option,
    });
  }
  return name;
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new CubieError('INTERNAL', `not a cache key: ${JSON.stringify(key)}`);
  return key;
}

export function systemDir(root: string, system: string): string {
  return path.join(root, checkSystemName(system));
}

export function entryName(key: string, kind: ArtifactKind): string {
  if (!ARTIFACT_KINDS.includes(kind)) throw new CubieError('INTERNAL', `not an artifact kind: ${JSON.stringify(kind)}`);
  return `${checkKey(key)}.${kind}`;
}

export function lockName(key: string): string {
  return `.${checkKey(key)}.lock`;
}

export function tmpName(key: string, tag: string): string {
  return `.${checkKey(key)}.${tag}.tmp`;
}

export function parseEntryName(name: string): { key: string; kind: ArtifactKind } | undefined {
  const m = ENTRY.exec(name);
  return m ? { key: m[1], kind: m[2] as ArtifactKind } : undefined;
}

export function isTmpName(name: string): boolean {
  return TMP.test(name);
}

export function lockKey(name: string): string | undefined {
  return LOCK.exec(name)?.[1];
}
