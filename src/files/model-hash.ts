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
import type { SolveOptions } from '../options/solve-options';
import type { RunInputs } from './run-inputs';
import { OPTION_TABLE } from '../options/table';

/**
 * The options in a batch's settings: those that can change its numbers
 * (the table's changesResults), less gridType, which the inputs carry.
 */
const HASHED: ReadonlySet<string> = new Set(OPTION_TABLE.filter((row) => row.changesResults && row.name !== 'gridType').map((row) => row.name));

/** Numbers of a long list are written this many at a time: one string per block, not per number. */
const NUMBER_BLOCK = 4096;

function isNumberList(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * JSON with keys sorted at every level and typed arrays as lists (one text
 * per value), handed to `write` piece by piece so that hashing a sweep of a
 * million values never builds a million strings.
 */
export function writeCanonicalJson(value: unknown, write: (text: string) => void): void {
  if (isNumberList(value)) {
    write('[');
    for (let i = 0; i < value.length; i += NUMBER_BLOCK) {
      const block = Array.prototype.slice.call(value, i, Math.min(value.length, i + NUMBER_BLOCK)) as number[];
      const text = JSON.stringify(block.map((v) => (Number.isFinite(v) ? v : String(v))));
      write((i > 0 ? ',' : '') + text.slice(1, -1));
    }
    write(']');
  } else if (Array.isArray(value)) {
    write('[');
    value.forEach((v, i) => {
      if (i > 0) write(',');
      writeCanonicalJson(v, write);
    });
    write(']');
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    write('{');
    entries.forEach(([k, v], i) => {
      write(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
      writeCanonicalJson(v, write);
    });
    write('}');
  } else if (typeof value === 'number' && !Number.isFinite(value)) {
    write(JSON.stringify(String(value)));
  } else {
    write(JSON.stringify(value) ?? 'null');
  }
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJson(value, (text) => parts.push(text));
  return parts.join('');
}

/** The options that shape results, as stored in the sidecar and hashed. */
export function resultSettings(options: SolveOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => HASHED.has(k) && v !== undefined && typeof v !== 'function'));
}

export function modelHash(system: CubieSystem, inputs: RunInputs, options: SolveOptions): string {
  const material = {
    format: 'cubie-model-hash/1',
    system: { hash: system.hash, constants: system.constants },
    inputs: { gridType: inputs.gridType, columns: inputs.columns.map((c) => ({ role: c.role, name: c.name, values: c.values })) },
    settings: resultSettings(options),
  };
  const hash = createHash('sha256');
  writeCanonicalJson(material, (text) => hash.update(text));
  return hash.digest('hex');
}
