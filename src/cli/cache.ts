/** `cubie cache ls | stats | clear [SYSTEM] | prune [--max-bytes N] [--max-age D]`. */
import { cacheStats, clearCache, pruneCache } from '../cache/admin';
import { formatBytes, parseAgeMs, parseBytes } from '../shared/units';
import { FileCacheStore } from '../cache/file-store';
import { checkSystemName } from '../cache/layout';
import { resolveCacheRoot } from '../cache/settings';

export const CACHE_USAGE = `usage: cubie cache <command> [options]

commands:
  ls [SYSTEM]                        every entry (or one system's): system, key, kind, size, last used
  stats                              entries and bytes, in all and per system
  clear [SYSTEM]                     remove every entry, or one system's
  prune [--max-bytes N] [--max-age D]
                                     evict least recently used entries until the cache fits in N bytes
                                     (suffixes K, M, G), remove entries unused for D (7d, 12h, 30m);
                                     defaults: CUBIE_CACHE_MAX_BYTES, CUBIE_CACHE_MAX_AGE

options:
  --cache-dir DIR   the cache root (default: CUBIE_CACHE_DIR, else the per-user cache folder)
  --json            machine-readable output
`;

interface Parsed {
  command?: string;
  positional: string[];
  json: boolean;
  cacheDir?: string;
  maxBytes?: string;
  maxAge?: string;
}

class UsageError extends Error {}

function parse(args: string[]): Parsed {
  const out: Parsed = { positional: [], json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') out.json = true;
    else if (flag === '--cache-dir') out.cacheDir = value();
    else if (flag === '--max-bytes') out.maxBytes = value();
    else if (flag === '--max-age') out.maxAge = value();
    else if (flag.startsWith('-')) throw new UsageError(`unknown option '${flag}'`);
    else if (out.command === undefined) out.command = arg;
    else out.positional.push(arg);
  }
  return out;
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

export async function cache(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    process.stdout.write(CACHE_USAGE);
    return 0;
  }
  let p: Parsed;
  try {
    p = parse(args);
    if (p.command === undefined) throw new UsageError('which command?');
    if ((p.maxBytes !== undefined || p.maxAge !== undefined) && p.command !== 'prune') throw new UsageError('--max-bytes and --max-age go with prune');
    if ((p.command === 'stats' || p.command === 'prune') && p.positional.length > 0) throw new UsageError(`${p.command} takes no arguments`);
    if ((p.command === 'ls' || p.command === 'clear') && p.positional.length > 1) throw new UsageError(`${p.command} takes at most one SYSTEM`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`cubie cache: ${e.message}\n\n${CACHE_USAGE}`);
    return 2;
  }
  const cacheDir = p.cacheDir;
  switch (p.command) {
    case 'ls': {
      const system = p.positional[0];
      const store = new FileCacheStore(resolveCacheRoot(cacheDir, process.env, '--cache-dir'));
      const entries = (await store.entries(system === undefined ? undefined : checkSystemName(system, 'SYSTEM'))).sort(
        (a, b) => a.system.localeCompare(b.system) || b.lastUsed.getTime() - a.lastUsed.getTime(),
      );
      if (p.json) {
        print(JSON.stringify({ root: store.root, entries: entries.map((e) => ({ ...e, lastUsed: e.lastUsed.toISOString() })) }, null, 2));
      } else if (entries.length === 0) {
        print(`no entries in ${store.root}`);
      } else {
        print(`${store.root}\n`);
        print(table([['SYSTEM', 'KEY', 'KIND', 'SIZE', 'LAST USED'], ...entries.map((e) => [e.system, e.key.slice(0, 16), e.kind, formatBytes(e.bytes), e.lastUsed.toISOString()])]));
      }
      return 0;
    }
    case 'stats': {
      const stats = await cacheStats({ cacheDir: cacheDir === undefined ? undefined : resolveCacheRoot(cacheDir, process.env, '--cache-dir') });
      if (p.json) {
        print(JSON.stringify(stats, null, 2));
      } else {
        print(`${stats.root}: ${stats.entries} entries, ${formatBytes(stats.bytes)}`);
        if (stats.systems.length > 0) {
          print(`\n${table([['SYSTEM', 'ENTRIES', 'SIZE', 'LAST USED'], ...stats.systems.map((s) => [s.name, String(s.entries), formatBytes(s.bytes), s.lastUsed])])}`);
        }
      }
      return 0;
    }
    case 'clear': {
      const system = p.positional[0];
      const root = resolveCacheRoot(cacheDir, process.env, '--cache-dir');
      const removed = await clearCache({ cacheDir: root, system: system === undefined ? undefined : checkSystemName(system, 'SYSTEM') });
      print(p.json ? JSON.stringify({ root, ...removed }) : `removed ${removed.entries} entries (${formatBytes(removed.bytes)}) from ${system === undefined ? root : `${root}/${system}`}`);
      return 0;
    }
    case 'prune': {
      const root = resolveCacheRoot(cacheDir, process.env, '--cache-dir');
      let maxBytes: number | undefined;
      let maxAge: number | undefined;
      if (p.maxBytes !== undefined && (maxBytes = parseBytes(p.maxBytes)) === undefined) return usage(`--max-bytes must be a positive size such as 500M or 2G (got '${p.maxBytes}')`);
      if (p.maxAge !== undefined && (maxAge = parseAgeMs(p.maxAge)) === undefined) return usage(`--max-age must be a duration such as 7d, 12h or 30m (got '${p.maxAge}')`);
      const removed = await pruneCache({ cacheDir: root, maxBytes, maxAge });
      print(p.json ? JSON.stringify({ root, ...removed }) : `pruned ${removed.entries} entries (${formatBytes(removed.bytes)}) from ${root}`);
      return 0;
    }
    default:
      return usage(`unknown command '${p.command}'`);
  }
}

function usage(message: string): number {
  process.stderr.write(`cubie cache: ${message}\n\n${CACHE_USAGE}`);
  return 2;
}
