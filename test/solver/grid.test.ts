import { createSystem, CubieError } from '../../src';
import type { CubieSystem } from '../../src/system';
import { buildGrid, replicateGrid } from '../../src/solver/grid';

const system = createSystem({ equations: ['dx = -a*x', 'dy = b*y'], states: { x: 1, y: 2 }, parameters: { a: 1, b: 0.5 } }) as CubieSystem;

describe('run grids', () => {
  it('combinatorial: every combination, the last-listed input fastest, defaults filled in', () => {
    const grid = buildGrid(system, { x: [1, 2] }, { a: [10, 20, 30] }, 'combinatorial', 'float64');
    expect(grid.nRuns).toBe(6);
    expect(Array.from(grid.y0[0])).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(grid.y0[1])).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(grid.parameters[0])).toEqual([10, 20, 30, 10, 20, 30]);
    expect(Array.from(grid.parameters[1])).toEqual(new Array(6).fill(0.5));
  });

  it('verbatim: element by element; a typed array of the right type and length is used without a copy', () => {
    const a = new Float64Array([1, 2, 3]);
    const grid = buildGrid(system, { x: [4, 5, 6] }, { a }, 'verbatim', 'float64');
    expect(grid.nRuns).toBe(3);
    expect(grid.parameters[0]).toBe(a);
    const single = buildGrid(system, { x: [4, 5, 6] }, { a }, 'verbatim', 'float32');
    expect(single.parameters[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(single.parameters[0])).toEqual([1, 2, 3]);
  });

  it('replicates: any range of runs gets its combinations repeated, the replicate fastest; without replicates, views', () => {
    const grid = buildGrid(system, { x: [1, 2, 3] }, { a: [10, 20, 30] }, 'verbatim', 'float64');
    const replicated = replicateGrid(grid, 4);
    expect(replicated.nRuns).toBe(12);
    expect(replicated.nColumns).toBe(4);
    const whole = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
    for (const [first, end] of [[0, 12], [5, 9], [3, 4], [11, 12], [4, 8], [0, 1]]) {
      const [x, y, a] = replicated.columns(first, end);
      expect(Array.from(x)).toEqual(whole.slice(first, end));
      expect(Array.from(y)).toEqual(new Array(end - first).fill(2));
      expect(Array.from(a)).toEqual(whole.slice(first, end).map((v) => 10 * v));
    }
    const single = replicateGrid(grid, 1);
    expect(single.columns(0, 3)[0]).toBe(grid.y0[0]);
    expect(single.columns(1, 3)[2].buffer).toBe(grid.parameters[0].buffer);
  });

  it('verbatim arrays of different lengths are an error naming both', () => {
    expect(() => buildGrid(system, { x: [1, 2] }, { a: [1, 2, 3] }, 'verbatim', 'float64')).toThrow(/verbatim grid: parameters.a has 3 values but y0.x has 2/);
  });

  it('unknown names, missing defaults and non-finite values are INVALID_INPUT', () => {
    const attempt = (fn: () => unknown): CubieError => {
      try {
        fn();
      } catch (e) {
        return e as CubieError;
      }
      throw new Error('expected an error');
    };
    const unknown = attempt(() => buildGrid(system, { xx: 1 }, {}, 'verbatim', 'float64'));
    expect(unknown.code).toBe('INVALID_INPUT');
    expect(unknown.message).toContain("did you mean 'x'");
    const noDefault = createSystem({ equations: 'dx = -k*x', parameters: ['k'] }) as CubieSystem;
    expect(attempt(() => buildGrid(noDefault, {}, {}, 'verbatim', 'float64')).message).toContain("parameter 'k' has no default value");
    expect(attempt(() => buildGrid(system, { x: [1, NaN] }, {}, 'verbatim', 'float64')).message).toContain('y0.x[1] is not a finite number');
  });
});
