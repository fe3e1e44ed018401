import { CubieError } from '../shared/errors';
import { nearestName } from '../shared/suggest';
import type { CubieSystem } from '../system';
import type { GridType, Precision } from '../options/solve-options';

export type Inputs = Record<string, number | ArrayLike<number>>;
export type RealArray = Float32Array | Float64Array;

export interface RunGrid {
  nRuns: number;
  /** One array of length nRuns per state, in system order. */
  y0: RealArray[];
  /** One array of length nRuns per parameter, in system order. */
  parameters: RealArray[];
}

function arrayType(precision: Precision): Float32ArrayConstructor | Float64ArrayConstructor {
  return precision === 'float32' ? Float32Array : Float64Array;
}

interface Column {
  role: 'y0' | 'parameters';
  name: string;
  values: ArrayLike<number>;
  given: boolean;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return typeof v === 'object' && v !== null && typeof (v as ArrayLike<number>).length === 'number';
}

function columnsFor(
  role: 'y0' | 'parameters',
  names: readonly string[],
  defaults: Readonly<Record<string, number | undefined>>,
  inputs: Inputs | undefined,
): Column[] {
  const given = inputs ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new CubieError('INVALID_INPUT', `${role} must be an object mapping names to numbers or arrays`, { where: role });
  }
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) {
      const hint = nearestName(key, names);
      const kind = role === 'y0' ? 'state' : 'parameter';
      throw new CubieError('INVALID_INPUT', `${role}: '${key}' is not a ${kind} of this system${hint ? `; did you mean '${hint}'?` : ''} (${kind}s: ${names.join(', ') || 'none'})`, {
        where: `${role}.${key}`,
      });
    }
  }
  return names.map((name) => {
    const value = given[name];
    if (value === undefined) {
      const fallback = defaults[name];
      if (fallback === undefined) {
        throw new CubieError('INVALID_INPUT', `${role}: parameter '${name}' has no default value and was not given`, { where: `${role}.${name}` });
      }
      return { role, name, values: [fallback], given: false };
    }
    if (typeof value === 'number') return { role, name, values: [value], given: true };
    if (!isArrayLike(value) || value.length === 0) {
      throw new CubieError('INVALID_INPUT', `${role}.${name} must be a number or a non-empty array of numbers`, { where: `${role}.${name}` });
    }
    return { role, name, values: value, given: true };
  });
}

function checkFinite(column: Column): void {
  for (let i = 0; i < column.values.length; i++) {
    const v = column.values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new CubieError('INVALID_INPUT', `${column.role}.${column.name}[${i}] is not a finite number (${String(v)})`, {
        where: `${column.role}.${column.name}`,
      });
    }
  }
}

/** Uses the caller's typed array as it is when it already has the kernel's type and length. */
function asColumn(values: ArrayLike<number>, nRuns: number, precision: Precision): RealArray {
  const Type = arrayType(precision);
  if (values instanceof Type && values.length === nRuns) return values;
  const out = new Type(nRuns);
  if (values.length === 1) out.fill(values[0]);
  else out.set(values);
  return out;
}

/**
 * Per-run inputs. `verbatim`: run i takes element i of every array (all
 * arrays the same length; scalars apply to every run). `combinatorial`: every
 * combination of the arrays' values, the last-listed input varying fastest
 * (states before parameters, each in system order).
 */
export function buildGrid(
  system: CubieSystem,
  y0: Inputs | undefined,
  parameters: Inputs | undefined,
  gridType: GridType,
  precision: Precision,
): RunGrid {
  const columns = [
    ...columnsFor('y0', system.states, system.stateDefaults, y0),
    ...columnsFor('parameters', system.parameters, system.parameterDefaults, parameters),
  ];
  columns.forEach(checkFinite);
  const swept = columns.filter((c) => c.values.length > 1);
  let nRuns: number;
  let expanded: RealArray[];
  if (gridType === 'verbatim') {
    nRuns = swept.length ? swept[0].values.length : 1;
    for (const c of swept) {
      if (c.values.length !== nRuns) {
        throw new CubieError(
          'INVALID_INPUT',
          `verbatim grid: ${c.role}.${c.name} has ${c.values.length} values but ${swept[0].role}.${swept[0].name} has ${nRuns}; every array must have one value per run (or use gridType 'combinatorial')`,
          { where: `${c.role}.${c.name}` },
        );
      }
    }
    expanded = columns.map((c) => asColumn(c.values, nRuns, precision));
  } else {
    nRuns = swept.reduce((n, c) => n * c.values.length, 1);
    if (!Number.isSafeInteger(nRuns) || nRuns > 2 ** 31 - 1) {
      throw new CubieError('INVALID_INPUT', `combinatorial grid of ${swept.map((c) => c.values.length).join(' x ')} runs is too large`, { where: 'gridType' });
    }
    const Type = arrayType(precision);
    let repeat = nRuns; // how many consecutive runs share one value, for the column being laid out
    const strides = new Map<Column, number>();
    for (const c of swept) {
      repeat /= c.values.length;
      strides.set(c, repeat);
    }
    expanded = columns.map((c) => {
      if (c.values.length === 1) return asColumn(c.values, nRuns, precision);
      const out = new Type(nRuns);
      const stride = strides.get(c)!;
      const n = c.values.length;
      for (let r = 0; r < nRuns; r++) out[r] = c.values[Math.floor(r / stride) % n];
      return out;
    });
  }
  return { nRuns, y0: expanded.slice(0, system.states.length), parameters: expanded.slice(system.states.length) };
}

/**
 * Each run of a grid `replicates` times, the replicate index fastest: run
 * c * R + k is replicate k of combination c. Combinations keep their order.
 * The replicated columns are made for a range of runs at a time (`columns`),
 * so a batch solved in pieces holds one piece's inputs, not the whole
 * batch's: memory does not grow with the replicates.
 */
export interface ReplicatedGrid {
  nRuns: number;
  /** The number of input columns: states, then parameters. */
  nColumns: number;
  /** The y0 and parameter columns of runs first .. end - 1 (views of the grid's own arrays without replicates). */
  columns(first: number, end: number): RealArray[];
}

export function replicateGrid(grid: RunGrid, replicates: number): ReplicatedGrid {
  const nRuns = grid.nRuns * replicates;
  if (nRuns > 2 ** 31 - 1) {
    throw new CubieError('INVALID_INPUT', `${grid.nRuns} input combinations x ${replicates} replicates is ${nRuns} runs, more than ${2 ** 31 - 1}`, { where: 'replicates' });
  }
  const base = [...grid.y0, ...grid.parameters];
  const columns = (first: number, end: number): RealArray[] => {
    if (replicates === 1) return base.map((column) => (first === 0 && end === column.length ? column : column.subarray(first, end)));
    return base.map((column) => {
      const out = new (column instanceof Float32Array ? Float32Array : Float64Array)(end - first);
      for (let c = Math.floor(first / replicates); c * replicates < end; c++) {
        out.fill(column[c], Math.max(c * replicates, first) - first, Math.min((c + 1) * replicates, end) - first);
      }
      return out;
    });
  };
  return { nRuns, nColumns: base.length, columns };
}
