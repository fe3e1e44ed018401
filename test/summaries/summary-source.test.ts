/**
 * The generator's options and the shape of what it emits. Whether the code
 * computes the right numbers is summary-gxx.test.ts's job; here: the State
 * holds only what the requested metrics read (it lives in every GPU
 * thread), and bad options are refused.
 */
import { CubieError } from '../../src/shared/errors';
import { generateSummarySource } from '../../src/codegen/summary-source';
import { parseSummaryMetrics } from '../../src/summaries/metrics';

function source(names: string[], precision: 'float32' | 'float64' = 'float32'): string {
  return generateSummarySource({ precision, metrics: parseSummaryMetrics(names, []), nSummarised: 2 });
}

/** Member names of `struct State`. */
function stateMembers(text: string): string[] {
  const body = /struct State \{\n([\s\S]*?)\};/.exec(text)?.[1] ?? 'no State';
  return body.split('\n').filter((line) => line !== '').map((line) => /^\s*(?:real|double|int) (\w+)/.exec(line)?.[1] ?? `unparsed: ${line}`);
}

describe('generateSummarySource', () => {
  it('declares the contract: namespace, real, sizes', () => {
    const text = source(['mean', 'extrema', 'peaks[3]'], 'float64');
    expect(text).toContain('namespace cubie_summary {');
    expect(text).toContain('typedef double real;');
    expect(text).toContain('constexpr int n_summarised = 2;');
    expect(text).toContain('constexpr int columns_per_variable = 6;');
    expect(text).toContain('constexpr int n_columns = n_summarised * columns_per_variable;');
    expect(text).toContain('constexpr int n_peaks = 3;');
    for (const signature of [
      'CUBIE_FN void init(State& s)',
      'CUBIE_FN void begin_window(State& s)',
      'CUBIE_FN void sample(State& s, const real* __restrict__ x, double t)',
      'CUBIE_FN void write_window(const State& s, real* __restrict__ out, long long stride)',
    ]) expect(text).toContain(signature);
  });

  it.each([
    [['mean'], ['sum', 'count']],
    [['mean', 'std'], ['shift', 'sum_shifted', 'sum_shifted_sq', 'count']],
    [['rms'], ['sum_sq', 'count']],
    [['max', 'extrema', 'max_magnitude'], ['max_value', 'min_value', 'count']],
    [['max_magnitude'], ['max_abs', 'count']],
    [['max', 'max_magnitude'], ['max_value', 'max_abs', 'count']],
    [['dxdt_min'], ['t1', 'x1', 'dxdt_min', 'history', 'slope_count']],
    [['d2xdt2_max'], ['t1', 't2', 'x1', 'x2', 'd2xdt2_max', 'history', 'curvature_count']],
    [['peaks[4]'], ['t1', 't2', 'x1', 'x2', 'peak_times', 'peaks_found', 'history']],
    [[], []],
  ])('keeps only what %j reads: %j', (names, members) => {
    expect(stateMembers(source(names))).toEqual(members);
  });

  it('sizes the peak slots by the requested counts', () => {
    const text = source(['negative_peaks[5]', 'peaks[2]']);
    expect(text).toContain('constexpr int n_peaks = 2;');
    expect(text).toContain('constexpr int n_negative_peaks = 5;');
    expect(text).toContain('real negative_peak_times[n_summarised][n_negative_peaks];');
  });

  it('uses float functions and literals in float32, double ones in float64', () => {
    const f32 = source(['std', 'max_magnitude', 'd2xdt2_max']);
    expect(f32).toMatch(/sqrtf\(fmaxf\(variance, 0\.0f\)\)/);
    expect(f32).toContain('fabsf(v)');
    expect(f32).toContain('nanf("")');
    expect(f32).toContain('2.0f * (slope - previous_slope)');
    const f64 = source(['std', 'max_magnitude'], 'float64');
    expect(f64).toMatch(/sqrt\(fmax\(variance, 0\.0\)\)/);
    expect(f64).toContain('nan("")');
  });

  it('takes a namespace', () => {
    expect(generateSummarySource({ precision: 'float32', metrics: [], nSummarised: 1, namespace: 'sums_b' })).toContain('namespace sums_b {');
  });

  function refusal(options: Record<string, unknown>): CubieError {
    const base = { precision: 'float32', metrics: [{ metric: 'mean' }], nSummarised: 1 };
    try {
      generateSummarySource({ ...base, ...options } as unknown as Parameters<typeof generateSummarySource>[0]);
    } catch (e) {
      if (e instanceof CubieError) return e;
      throw e;
    }
    throw new Error('expected a CubieError');
  }

  it.each([
    [{ precision: 'float16' }, 'precision', "precision must be 'float32' or 'float64'"],
    [{ namespace: '2x' }, 'namespace', 'namespace must be a C++ identifier'],
    [{ namespace: 'double' }, 'namespace', 'not a keyword'],
    [{ nSummarised: 0 }, 'summariseVariables', 'at least one variable'],
    [{ nSummarised: 1.5 }, 'summariseVariables', 'nSummarised = 1.5'],
    [{ metrics: [{ metric: 'peaks', n: 65 }] }, 'outputTypes', 'from 1 to 64'],
    [{ metrics: [{ metric: 'median' }] }, 'outputTypes', "Unknown outputTypes entry 'median'"],
  ] as [Record<string, unknown>, string, string][])('refuses %j', (options, where, message) => {
    const error = refusal(options);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details.where).toBe(where);
    expect(error.message).toContain(message);
  });
});
