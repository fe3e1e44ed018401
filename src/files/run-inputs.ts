/**
 * A batch's inputs as a description (each input's values and the grid
 * type), never expanded to one value per run for the whole batch: any run's
 * inputs are computed from its index, so a chunk of runs (or a shard) is
 * expanded on its own and memory stays bounded by the chunk.
 *
 * The run order is the solver's (src/solver/grid.ts, buildGrid):
 *   combinatorial: every combination, the last-listed input varying fastest,
 *     inputs listed states first, then parameters, each in system order;
 *   verbatim: run i takes element i of every list (lists of one value, and
 *     numbers, apply to every run).
 * With R replicates (`replicates`), each of those input combinations is run
 * R times, the replicate fastest: run c*R + k is replicate k of combination c
 * (src/solver/grid.ts, replicateGrid).
 */
import { CubieError } from '../shared/errors';
import type { GridType } from '../options/solve-options';

export type InputRole = 'y0' | 'parameters';

export interface InputColumn {
  role: InputRole;
  name: string;
  /** One value for an input that is the same in every run. */
  values: Float64Array;
}

/** What the sidecar stores: enough to rebuild the RunInputs. */
export interface RunInputsJson {
  gridType: GridType;
  y0: Record<string, number | number[]>;
  parameters: Record<string, number | number[]>;
  /** The inputs that vary between runs, slowest first: `parameters.rho`. */
  swept: string[];
  /** Runs: the input combinations times the replicates. */
  nRuns: number;
  /** Runs per input combination, when more than one. */
  replicates?: number;
}

export class RunInputs {
  /** Runs: combinations x replicates. */
  readonly nRuns: number;
  /** Input combinations (the grid's runs before replication). */
  readonly combinations: number;
  /** Inputs with more than one value, in grid order (the slowest-varying first for combinatorial). */
  readonly swept: readonly InputColumn[];
  /** For combinatorial grids: how many consecutive runs share one value of each swept input. */
  private readonly strides: Map<InputColumn, number>;

  /** `columns`: every state then every parameter, in system order. */
  constructor(readonly columns: readonly InputColumn[], readonly gridType: GridType, readonly replicates = 1) {
    if (!Number.isSafeInteger(replicates) || replicates < 1) throw new CubieError('INVALID_OPTION', `replicates must be a whole number >= 1, got ${replicates}`, { where: 'replicates', option: 'replicates' });
    this.swept = columns.filter((c) => c.values.length > 1);
    this.strides = new Map();
    if (gridType === 'verbatim') {
      this.combinations = this.swept.length ? this.swept[0].values.length : 1;
      for (const c of this.swept) {
        if (c.values.length !== this.combinations) {
          throw new CubieError(
            'INVALID_INPUT',
            `verbatim grid: ${c.role}.${c.name} has ${c.values.length} values but ${this.swept[0].role}.${this.swept[0].name} has ${this.combinations}; ` +
              "every list must have one value per run (or use gridType 'combinatorial')",
            { where: `${c.role}.${c.name}` },
          );
        }
      }
    } else {
      let n = 1;
      for (const c of this.swept) n *= c.values.length;
      if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) {
        throw new CubieError('INVALID_INPUT', `combinatorial grid of ${this.swept.map((c) => c.values.length).join(' x ')} runs is too large (at most ${2 ** 31 - 1})`, { where: 'gridType' });
      }
      this.combinations = n;
      let repeat = n;
      for (const c of this.swept) {
        repeat /= c.values.length;
        this.strides.set(c, repeat);
      }
    }
    this.nRuns = this.combinations * replicates;
    if (this.nRuns > 2 ** 31 - 1) {
      throw new CubieError('INVALID_INPUT', `${this.combinations} input combinations x ${replicates} replicates is too many runs (at most ${2 ** 31 - 1})`, { where: 'replicates' });
    }
  }

  /** The same inputs with each combination run `replicates` times. */
  withReplicates(replicates: number): RunInputs {
    return new RunInputs(this.columns, this.gridType, replicates);
  }

  /** The input combination run `run` is a replicate of. */
  combinationOf(run: number): number {
    return this.replicates === 1 ? run : Math.floor(run / this.replicates);
  }

  column(role: InputRole, name: string): InputColumn | undefined {
    return this.columns.find((c) => c.role === role && c.name === name);
  }

  /** Index into `column.values` of run `run`'s value. */
  valueIndex(run: number, column: InputColumn): number {
    if (column.values.length === 1) return 0;
    const combination = this.combinationOf(run);
    if (this.gridType === 'verbatim') return combination;
    return Math.floor(combination / this.strides.get(column)!) % column.values.length;
  }

  value(run: number, column: InputColumn): number {
    return column.values[this.valueIndex(run, column)];
  }

  /**
   * Runs first .. end-1 as verbatim inputs for Solver.solve: a list per
   * swept input, a number for the rest.
   */
  slice(first: number, end: number): { y0: Record<string, number | Float64Array>; parameters: Record<string, number | Float64Array> } {
    const y0: Record<string, number | Float64Array> = {};
    const parameters: Record<string, number | Float64Array> = {};
    for (const c of this.columns) {
      const target = c.role === 'y0' ? y0 : parameters;
      if (c.values.length === 1) {
        target[c.name] = c.values[0];
        continue;
      }
      const out = new Float64Array(end - first);
      for (let r = first; r < end; r++) out[r - first] = this.value(r, c);
      target[c.name] = out;
    }
    return { y0, parameters };
  }

  toJSON(): RunInputsJson {
    const side = (role: InputRole): Record<string, number | number[]> =>
      Object.fromEntries(this.columns.filter((c) => c.role === role).map((c) => [c.name, c.values.length === 1 ? c.values[0] : Array.from(c.values)]));
    return { gridType: this.gridType, y0: side('y0'), parameters: side('parameters'), swept: this.swept.map((c) => `${c.role}.${c.name}`), nRuns: this.nRuns, ...(this.replicates > 1 ? { replicates: this.replicates } : {}) };
  }

  static fromJSON(json: RunInputsJson): RunInputs {
    const columns: InputColumn[] = [];
    for (const role of ['y0', 'parameters'] as const) {
      for (const [name, v] of Object.entries(json[role])) columns.push({ role, name, values: Float64Array.from(typeof v === 'number' ? [v] : v) });
    }
    return new RunInputs(columns, json.gridType, json.replicates ?? 1);
  }
}
