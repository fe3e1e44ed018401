/**
 * Numbers in a model file: a number, a list, a generated sequence or a
 * column of a data file. Sweeps of hundreds of values are written as
 * `{ linspace: [0, 30, 200] }` rather than spelled out, and sampled signals
 * (driver samples, measured initial conditions) come from files next to the
 * model.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readCsvColumn } from './csv';
import { readNpy } from './npy';
import type { KeyPath, ModelDocument } from './model-document';
import { describeValue, modelError } from './model-document';

export const NUMBERS_EXPECTED =
  'a number, a list of numbers, { linspace: [start, stop, count] }, { logspace: [start, stop, count] }, ' +
  '{ geomspace: [start, stop, count] } or { file: data.csv, column: name } (also .npy, .json)';

const GENERATORS = ['linspace', 'logspace', 'geomspace'] as const;
type Generator = (typeof GENERATORS)[number];

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** numpy.linspace with the endpoint: the last value is `stop` exactly. */
export function linspace(start: number, stop: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  if (count > 1) out[count - 1] = stop;
  return out;
}

function generate(doc: ModelDocument, keyPath: KeyPath, kind: Generator, spec: unknown): Float64Array {
  const at = [...keyPath, kind];
  const shape = `{ ${kind}: [start, stop, count] }`;
  if (!Array.isArray(spec) || spec.length !== 3 || spec.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw modelError(doc, 'INVALID_INPUT', at, `expected ${shape} with three finite numbers, got ${describeValue(spec)}`);
  }
  const [start, stop, count] = spec as number[];
  if (!Number.isInteger(count) || count < 1) throw modelError(doc, 'INVALID_INPUT', at, `the count (third value) must be a whole number >= 1, got ${count}`);
  if (kind === 'linspace') return linspace(start, stop, count);
  if (kind === 'logspace') return linspace(start, stop, count).map((e) => 10 ** e);
  if (start === 0 || stop === 0 || Math.sign(start) !== Math.sign(stop)) {
    throw modelError(doc, 'INVALID_INPUT', at, `geomspace needs start and stop of the same sign and not zero, got ${start} and ${stop}`);
  }
  const out = linspace(Math.log(Math.abs(start)), Math.log(Math.abs(stop)), count).map((e) => Math.sign(start) * Math.exp(e));
  out[0] = start;
  if (count > 1) out[count - 1] = stop;
  return out;
}

function fromFile(doc: ModelDocument, keyPath: KeyPath, spec: Record<string, unknown>): Float64Array {
  for (const key of Object.keys(spec)) {
    if (key !== 'file' && key !== 'column') throw modelError(doc, 'INVALID_INPUT', [...keyPath, key], `unknown key '${key}' in a file reference; expected { file: data.csv, column: name }`);
  }
  const { file, column } = spec;
  if (typeof file !== 'string' || file.length === 0) throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'file'], `expected a file name, got ${describeValue(file)}`);
  if (column !== undefined && typeof column !== 'string') throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'column'], `expected a column name, got ${describeValue(column)}`);
  const resolved = path.resolve(doc.dir, file);
  const ext = path.extname(file).toLowerCase();
  const where = `${doc.file}: ${keyPath.join('.')}`;
  try {
    if (ext === '.csv') return readCsvColumn(resolved, column, where);
    if (ext === '.npy') {
      if (column !== undefined) throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'column'], "'column' applies to .csv files; a .npy file must hold a 1-D array");
      const { header, data } = readNpy(resolved);
      if (header.shape.length !== 1) throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'file'], `${file} holds an array of shape (${header.shape.join(', ')}); expected a 1-D array`);
      return Float64Array.from(data);
    }
    if (ext === '.json') {
      const values: unknown = JSON.parse(fs.readFileSync(resolved, 'utf8'));
      const picked = column === undefined ? values : isMapping(values) ? values[column] : undefined;
      if (!Array.isArray(picked) || picked.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'file'], `${file} must hold a list of finite numbers${column ? ` under '${column}'` : ''}`);
      }
      return Float64Array.from(picked as number[]);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw modelError(doc, 'FILE_NOT_FOUND', [...keyPath, 'file'], `no such file: ${resolved}`);
    throw e;
  }
  throw modelError(doc, 'INVALID_INPUT', [...keyPath, 'file'], `'${file}': expected a .csv, .npy or .json file`);
}

/** The numbers at `keyPath`: a single number stays a number; anything else becomes an array (never empty). */
export function readNumbers(doc: ModelDocument, keyPath: KeyPath, value: unknown): number | Float64Array {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw modelError(doc, 'INVALID_INPUT', keyPath, `expected a finite number, got ${value}`);
    return value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw modelError(doc, 'INVALID_INPUT', keyPath, `expected ${NUMBERS_EXPECTED}; got an empty list`);
    value.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw modelError(doc, 'INVALID_INPUT', [...keyPath, i], `expected a finite number, got ${describeValue(v)}`);
    });
    return Float64Array.from(value as number[]);
  }
  if (isMapping(value)) {
    const keys = Object.keys(value);
    const generator = GENERATORS.find((g) => g in value);
    if (generator !== undefined && keys.length === 1) return generate(doc, keyPath, generator, value[generator]);
    if ('file' in value) return fromFile(doc, keyPath, value);
  }
  throw modelError(doc, 'INVALID_INPUT', keyPath, `expected ${NUMBERS_EXPECTED}; got ${describeValue(value)}`);
}
