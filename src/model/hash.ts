/**
 * The model hash: SHA-256 over everything that decides a batch's numbers
 * (the system's math, constants, every input value with defaults filled in,
 * the grid type and every option that changes results), and over nothing
 * else. Shards of one batch carry the same hash whatever machine, backend
 * setting, thread count, chunk size or cache folder they ran with, which is
 * what `cubie merge` checks.
 */
import { createHash } from 'crypto';
import type { CubieSystem } from '../system';
import type { SolveOptions } from '../solver/options';
import type { RunInputs } from './run-inputs';

/** Options that change how or where a batch runs, not its numbers. */
const NOT_HASHED = new Set([
  'backend', 'devices', 'threads', 'chunkRuns', 'onProgress', 'signal',
  'cache', 'cachingMode', 'cacheDir', 'maxCacheBytes', 'maxCacheAge', 'sharedCache', 'gridType',
]);

/** JSON with keys sorted at every level and typed arrays as lists: one text per value. */
export function canonicalJson(value: unknown): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  return JSON.stringify(value);
}

/** The options that shape results, as stored in the sidecar and hashed. */
export function resultSettings(options: SolveOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => !NOT_HASHED.has(k) && v !== undefined && typeof v !== 'function'));
}

export function modelHash(system: CubieSystem, inputs: RunInputs, options: SolveOptions): string {
  const material = {
    format: 'cubie-model-hash/1',
    system: { hash: system.hash, constants: system.constants },
    inputs: { gridType: inputs.gridType, columns: inputs.columns.map((c) => ({ role: c.role, name: c.name, values: c.values })) },
    settings: resultSettings(options),
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}
