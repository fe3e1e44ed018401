import { CubieError } from '../../src/shared/errors';
import { columnsPerVariable, metricColumns, summaryLegend } from '../../src/summaries/legend';
import { MAX_COUNT, metricLabel, parseSummaryMetric, parseSummaryMetrics } from '../../src/summaries/metrics';

/** The non-summary output types a solver would pass; they are skipped, and offered as suggestions. */
const OTHERS = ['state', 'observables', 'time'];

function failure(run: () => unknown): CubieError {
  try {
    run();
  } catch (e) {
    if (e instanceof CubieError) return e;
    throw e;
  }
  throw new Error('expected a CubieError');
}

describe('parseSummaryMetrics', () => {
  it('keeps the summaries in the order requested, skipping the other output types', () => {
    expect(parseSummaryMetrics(['state', 'peaks[3]', 'mean', 'time', 'negative_peaks[1]', 'd2xdt2_extrema'], OTHERS)).toEqual([
      { metric: 'peaks', n: 3 },
      { metric: 'mean' },
      { metric: 'negative_peaks', n: 1 },
      { metric: 'd2xdt2_extrema' },
    ]);
  });

  it('accepts every documented name', () => {
    const names = ['mean', 'std', 'rms', 'min', 'max', 'extrema', 'max_magnitude', 'peaks[2]', 'negative_peaks[64]',
      'dxdt_max', 'dxdt_min', 'dxdt_extrema', 'd2xdt2_max', 'd2xdt2_min', 'd2xdt2_extrema'];
    expect(parseSummaryMetrics(names, []).map(metricLabel)).toEqual(names);
  });

  it('returns nothing when only other outputs are requested', () => {
    expect(parseSummaryMetrics(['state', 'time'], OTHERS)).toEqual([]);
  });

  it('names the option and the entry for an unknown name, suggests the nearest, and lists what is known', () => {
    const error = failure(() => parseSummaryMetrics(['state', 'maen'], OTHERS));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toMatchObject({ where: 'outputTypes', entry: 'maen' });
    expect(error.message).toContain("Unknown outputTypes entry 'maen'; did you mean 'mean'?");
    expect(error.message).toContain('Known output types: state, observables, time, mean, std');
    expect(error.message).toContain('peaks[n], negative_peaks[n]');
  });

  it('suggests among the other output types too', () => {
    expect(failure(() => parseSummaryMetrics(['stat'], OTHERS)).message).toContain("did you mean 'state'?");
  });

  it('keeps the count when suggesting a misspelt counted metric', () => {
    expect(failure(() => parseSummaryMetrics(['peak[3]'], OTHERS)).message).toContain("did you mean 'peaks[3]'?");
  });

  it('offers no suggestion when nothing is close', () => {
    const message = failure(() => parseSummaryMetrics(['histogram'], OTHERS)).message;
    expect(message).not.toContain('did you mean');
    expect(message).toContain("Unknown outputTypes entry 'histogram'");
  });

  it.each([
    ['peaks', "needs a count: 'peaks[n]' records the first n per window, e.g. 'peaks[3]'"],
    ['peaks[0]', 'must be an integer from 1 to 64'],
    [`negative_peaks[${MAX_COUNT + 1}]`, "got '65'"],
    ['peaks[1.5]', "got '1.5'"],
    ['peaks[-2]', "got '-2'"],
    ['peaks[]', "got ''"],
    ['peaks[ 3]', "got ' 3'"],
    ['mean[2]', "'mean' takes no count"],
  ])('refuses %s', (entry, expected) => {
    const error = failure(() => parseSummaryMetrics([entry], OTHERS));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toMatchObject({ where: 'outputTypes', entry });
    expect(error.message).toContain(expected);
  });

  it('refuses a metric listed twice, even with different counts', () => {
    expect(failure(() => parseSummaryMetrics(['mean', 'mean'], OTHERS)).message).toContain("lists 'mean' twice");
    expect(failure(() => parseSummaryMetrics(['peaks[2]', 'peaks[4]'], OTHERS)).message).toContain("('peaks[2]' and 'peaks[4]')");
  });

  it('refuses entries that are not strings', () => {
    const error = failure(() => parseSummaryMetrics(['mean', 3], OTHERS));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('outputTypes entries must be strings, got number 3');
  });

  it('parses a single entry', () => {
    expect(parseSummaryMetric('negative_peaks[7]')).toEqual({ metric: 'negative_peaks', n: 7 });
    expect(parseSummaryMetric('rms')).toEqual({ metric: 'rms' });
  });
});

describe('summary legend', () => {
  it('gives each metric its columns', () => {
    expect(metricColumns({ metric: 'mean' })).toEqual(['mean']);
    expect(metricColumns({ metric: 'extrema' })).toEqual(['extrema.max', 'extrema.min']);
    expect(metricColumns({ metric: 'dxdt_extrema' })).toEqual(['dxdt_extrema.max', 'dxdt_extrema.min']);
    expect(metricColumns({ metric: 'd2xdt2_extrema' })).toEqual(['d2xdt2_extrema.max', 'd2xdt2_extrema.min']);
    expect(metricColumns({ metric: 'peaks', n: 3 })).toEqual(['peaks[0]', 'peaks[1]', 'peaks[2]']);
    expect(metricColumns({ metric: 'negative_peaks', n: 1 })).toEqual(['negative_peaks[0]']);
  });

  it('orders columns variable by variable, then metric by metric as requested', () => {
    const metrics = parseSummaryMetrics(['max', 'peaks[2]', 'extrema'], []);
    expect(summaryLegend(metrics, ['x', 'obs'])).toEqual([
      'x.max', 'x.peaks[0]', 'x.peaks[1]', 'x.extrema.max', 'x.extrema.min',
      'obs.max', 'obs.peaks[0]', 'obs.peaks[1]', 'obs.extrema.max', 'obs.extrema.min',
    ]);
    expect(columnsPerVariable(metrics)).toBe(5);
  });

  it('is empty without metrics or without variables', () => {
    expect(summaryLegend([], ['x'])).toEqual([]);
    expect(summaryLegend([{ metric: 'mean' }], [])).toEqual([]);
  });
});
