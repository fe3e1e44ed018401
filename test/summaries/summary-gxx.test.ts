/**
 * Generated summary code compiled with g++ (strict warnings, -Werror) in
 * both precisions, fed the test signals exactly as the engine feeds it, and
 * compared with the TypeScript reference (tolerances: see tolerance.ts).
 * Besides all metrics together, every metric alone and a few mixes are
 * built, because the State keeps only what the requested metrics need and
 * shares accumulators between them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { summaryLegend } from '../../src/summaries/legend';
import type { SummaryMetric } from '../../src/summaries/metrics';
import { parseSummaryMetrics } from '../../src/summaries/metrics';
import type { Precision } from '../../src/system/types';
import type { HarnessOutput, MetricSet } from './harness';
import { runHarness } from './harness';
import type { Samples } from './reference';
import { referenceSummaries } from './reference';
import { ALL_NAMES, HAND_CASE, signalCases } from './signals';
import { columnTolerances, mismatches } from './tolerance';

const metrics = (names: string[]): SummaryMetric[] => parseSummaryMetrics(names, []);

const SETS: MetricSet[] = [
  { namespace: 'all_metrics', metrics: metrics(ALL_NAMES) },
  // Each alone: mean without std's shifted sums, max_magnitude with its own accumulator, d2xdt2 without dxdt columns...
  ...ALL_NAMES.map((name) => ({ namespace: `only_${name.replace(/\[.*$/, '')}`, metrics: metrics([name === 'peaks[3]' ? 'peaks[1]' : name]) })),
  { namespace: 'mixed', metrics: metrics(['negative_peaks[4]', 'max_magnitude', 'max', 'rms', 'dxdt_min', 'd2xdt2_max', 'mean']) },
  { namespace: 'spread', metrics: metrics(['std', 'extrema', 'max_magnitude', 'mean']) },
  { namespace: 'none', metrics: [] },
];
const CASES = [...signalCases(), HAND_CASE];
const VARIABLES = ['a', 'b', 'c'];
const PRECISIONS: Precision[] = ['float64', 'float32'];

/** The values as the kernel receives them: float32 rounds each on the way in. */
function asFed(samples: Samples, precision: Precision): Samples {
  return precision === 'float64' ? samples : { ...samples, values: samples.values.map((x) => x.map(Math.fround)) };
}

const outputs = new Map<Precision, HarnessOutput>();
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-summaries-'));
  const runs = await Promise.all(PRECISIONS.map((precision) => runHarness(dir, precision, SETS, CASES)));
  PRECISIONS.forEach((precision, i) => outputs.set(precision, runs[i]));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(PRECISIONS)('summaries compiled by g++, %s', (precision) => {
  it.each(SETS.map((set) => [set.namespace, set] as const))('%s matches the reference on every signal', (_, set) => {
    const output = outputs.get(precision)!;
    const legend = summaryLegend(set.metrics, VARIABLES);
    const problems = CASES.flatMap((signal, index) => {
      const fed = asFed(signal, precision);
      const want = referenceSummaries(fed, set.metrics);
      const got = output.summaries.get(`${set.namespace}/${index}`) ?? want.map(() => []);
      return mismatches(got, want, columnTolerances(set.metrics, fed, precision), legend, `${signal.name}`);
    });
    expect(problems).toEqual([]);
  });

  it('writes only its own run\'s columns (stride and offsets right)', () => {
    expect(outputs.get(precision)!.clobbered).toEqual([]);
  });

  it('writes NaN in every column of a window that received no sample', () => {
    for (const set of SETS) {
      const columns = outputs.get(precision)!.emptyWindow.get(set.namespace) ?? [];
      expect(columns).toHaveLength(summaryLegend(set.metrics, VARIABLES).length);
      expect(columns.every(Number.isNaN)).toBe(true);
    }
  });
});
