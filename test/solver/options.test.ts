import { CubieError, solveIvp } from '../../src';
import { normalizeOptions } from '../../src/options/solve-options';

async function rejection(p: Promise<unknown>): Promise<CubieError> {
  try {
    await p;
  } catch (e) {
    return e as CubieError;
  }
  throw new Error('expected a rejection');
}

describe('solve options', () => {
  it("accepts CuBIE's snake_case spellings as aliases", () => {
    expect(normalizeOptions({ save_every: 0.1, dt_min: 1e-7, step_controller: 'pid', caching_mode: 'flush', output_types: ['state'] })).toEqual({
      saveEvery: 0.1,
      dtMin: 1e-7,
      stepController: 'pid',
      cachingMode: 'flush',
      outputTypes: ['state'],
    });
  });

  it('rejects an unknown option with the nearest name, and the same option given twice', () => {
    expect(() => normalizeOptions({ saveEvry: 1 })).toThrow(/Unknown option 'saveEvry' in options; did you mean 'saveEvery'\?/);
    expect(() => normalizeOptions({ saveEvery: 1, save_every: 2 })).toThrow(/given twice/);
  });

  const decay = { equations: 'dx = -x' };

  it('an adaptive controller on a method with no error estimate is refused, naming both', async () => {
    const e = await rejection(solveIvp(decay, {}, {}, { method: 'rk4', stepController: 'pi' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toMatch(/'pi'.*'rk4'.*no error estimate/);
  });

  it('bad values name the option', async () => {
    expect((await rejection(solveIvp(decay, {}, {}, { duration: -1 }))).message).toContain("Option 'duration' must be a positive finite number");
    expect((await rejection(solveIvp(decay, {}, {}, { precision: 'float16' as 'float32' }))).message).toContain("Option 'precision' must be one of");
    expect((await rejection(solveIvp(decay, {}, {}, { method: 'tsit6' }))).code).toBe('INVALID_OPTION');
    expect((await rejection(solveIvp(decay, {}, {}, { saveVariables: ['q'] }))).message).toContain("'q', which is neither a state nor an observable");
    expect((await rejection(solveIvp(decay, {}, {}, { atol: [1, 2] }))).message).toContain("Option 'atol' has 2 values but the system has 1 states");
    expect((await rejection(solveIvp(decay, {}, {}, { dtMin: 1, dtMax: 0.1 }))).message).toContain("'dtMin' (1) exceeds 'dtMax' (0.1)");
  });
});
