/**
 * The cache settings of one solve, from its options, else the environment,
 * else the defaults. Every bad value is an INVALID_OPTION naming the option
 * or the environment variable it came from.
 */
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { parseAgeMs, parseBytes } from '../shared/units';
import { platformCacheRoot } from './layout';

/** 'hash': entries of every version stay, keyed by content; 'flush': a change replaces the system's entries. */
export type CachingMode = 'hash' | 'flush';

/** The cache options a solve can carry (a subset of SolveOptions). */
export interface CacheOptions {
  cache?: boolean;
  cachingMode?: CachingMode;
  cacheDir?: string;
  maxCacheBytes?: number;
  maxCacheAge?: number | string;
  sharedCache?: boolean;
}

export interface CacheSettings {
  /** false: compile in memory only (`cache: false`). */
  enabled: boolean;
  mode: CachingMode;
  root: string;
  maxBytes?: number;
  maxAgeMs?: number;
  /** The user declared the folder shared: artifacts of other users (in its group) are loaded. */
  shared: boolean;
  /** How long a process waits for another one compiling the same key before compiling itself. */
  lockWaitMs: number;
}

const DEFAULT_LOCK_WAIT_MS = 120_000;

function invalid(where: string, message: string): never {
  const subject = where.startsWith('CUBIE_') ? `Environment variable ${where}` : `Option '${where}'`;
  throw new CubieError('INVALID_OPTION', `${subject} ${message}`, { where });
}

function pick<T>(option: T | undefined, env: string | undefined, optionName: string, envName: string): { value: T | string; where: string } | undefined {
  if (option !== undefined) return { value: option, where: optionName };
  if (env !== undefined && env.trim() !== '') return { value: env.trim(), where: envName };
  return undefined;
}

export function booleanSetting(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && where.startsWith('CUBIE_')) {
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
  }
  return invalid(where, `must be a boolean (got ${JSON.stringify(value)})`);
}

/** The root folder: cacheDir, else CUBIE_CACHE_DIR, else the platform's per-user cache folder. */
export function resolveCacheRoot(cacheDir: unknown, env: NodeJS.ProcessEnv = process.env, optionName = 'cacheDir'): string {
  const chosen = pick(cacheDir, env.CUBIE_CACHE_DIR, optionName, 'CUBIE_CACHE_DIR');
  if (chosen === undefined) return platformCacheRoot(env);
  if (typeof chosen.value !== 'string' || chosen.value.trim() === '' || chosen.value.includes('\0')) {
    invalid(chosen.where, `must be a folder path (got ${JSON.stringify(chosen.value)})`);
  }
  return path.resolve(chosen.value);
}

export function cachingModeSetting(value: unknown, where: string): CachingMode {
  if (value !== 'hash' && value !== 'flush') invalid(where, `must be 'hash' or 'flush' (got ${JSON.stringify(value)})`);
  return value;
}

export function maxBytesSetting(value: unknown, where: string): number {
  const bytes = typeof value === 'number' || (typeof value === 'string' && where.startsWith('CUBIE_')) ? parseBytes(value as number | string) : undefined;
  if (bytes === undefined) invalid(where, `must be a positive number of bytes${where.startsWith('CUBIE_') ? " (suffixes K, M, G, T allowed, e.g. '2G')" : ''} (got ${JSON.stringify(value)})`);
  return bytes;
}

export function maxAgeSetting(value: unknown, where: string): number {
  const ms = typeof value === 'number' || typeof value === 'string' ? parseAgeMs(value) : undefined;
  if (ms === undefined) invalid(where, `must be a positive number of milliseconds or a duration such as '7d', '12h', '30m' (got ${JSON.stringify(value)})`);
  return ms;
}

export function resolveCacheSettings(options: CacheOptions = {}, env: NodeJS.ProcessEnv = process.env): CacheSettings {
  const enabled = options.cache === undefined ? true : booleanSetting(options.cache, 'cache');
  const modeSetting = pick(options.cachingMode, env.CUBIE_CACHING_MODE, 'cachingMode', 'CUBIE_CACHING_MODE');
  let mode: CachingMode = 'hash';
  if (modeSetting !== undefined) mode = cachingModeSetting(modeSetting.value, modeSetting.where);
  const bytes = pick(options.maxCacheBytes, env.CUBIE_CACHE_MAX_BYTES, 'maxCacheBytes', 'CUBIE_CACHE_MAX_BYTES');
  const age = pick(options.maxCacheAge, env.CUBIE_CACHE_MAX_AGE, 'maxCacheAge', 'CUBIE_CACHE_MAX_AGE');
  const shared = pick(options.sharedCache, env.CUBIE_CACHE_SHARED, 'sharedCache', 'CUBIE_CACHE_SHARED');
  const wait = env.CUBIE_CACHE_LOCK_WAIT;
  return {
    enabled,
    mode,
    root: resolveCacheRoot(options.cacheDir, env),
    maxBytes: bytes === undefined ? undefined : maxBytesSetting(bytes.value, bytes.where),
    maxAgeMs: age === undefined ? undefined : maxAgeSetting(age.value, age.where),
    shared: shared === undefined ? false : booleanSetting(shared.value, shared.where),
    lockWaitMs: wait === undefined || wait.trim() === '' ? DEFAULT_LOCK_WAIT_MS : maxAgeSetting(wait.trim(), 'CUBIE_CACHE_LOCK_WAIT'),
  };
}
