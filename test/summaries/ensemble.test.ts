/**
 * Ensemble statistics (src/summaries/ensemble.ts): per-slot Welford within a
 * chunk and Chan's merge across chunks give NumPy's mean, var (ddof = 1),
 * std, min and max for any chunking; the option and the legend.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EnsembleMoments, ENSEMBLE_OUTPUTS, ensembleLegend, parseEnsembleOutputs } from '../../src/summaries/ensemble';
import type { EnsembleOutput } from '../../src/summaries/ensemble';
import { Random } from '../system/support/random';
import { expectCubieError } from '../system/support/expect-error';

interface SlotFixture extends Record<EnsembleOutput, number> {
  samples: number[];
}
// Written by test/fixtures/ensemble/make-moments.py with NumPy.
const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'ensemble', 'moments.json'), 'utf8')) as { slots: SlotFixture[] };
const SLOTS = FIXTURE.slots;

/** Every slot's samples cut into chunks at random places, each chunk reduced on its own, then merged in order. */
function chunkedMoments(random: Random, maxChunk: number): EnsembleMoments {
  const total = new EnsembleMoments(SLOTS.length);
  const cursors = SLOTS.map(() => 0);
  while (cursors.some((c, s) => c < SLOTS[s].samples.length)) {
    const chunk = new EnsembleMoments(SLOTS.length);
    SLOTS.forEach((slot, s) => {
      const take = random.int(maxChunk + 1); // 0 too: a chunk may hold no replicate of a slot
      for (const x of slot.samples.slice(cursors[s], cursors[s] + take)) chunk.add(s, x);
      cursors[s] = Math.min(slot.samples.length, cursors[s] + take);
    });
    total.merge(chunk);
  }
  return total;
}

/**
 * Relative agreement with NumPy (two-pass, pairwise sums): 1e-9, min and max
 * exact. Slot 1 (mean 1e8, sd 1e-2) has condition number |mean|/sd = 1e10:
 * a one-pass update's variance is good to about n eps |mean|/sd ~ 1e-4 in
 * the worst case, and 1e-5 is asked (observed: about 2e-7); summing x and
 * x^2 is off by more than 1e-3 there (the test below).
 */
function expectNumpy(moments: EnsembleMoments): void {
  SLOTS.forEach((slot, s) => {
    for (const output of ENSEMBLE_OUTPUTS) {
      const got = moments.value(s, output);
      const want = slot[output];
      const relative = s === 1 && (output === 'var' || output === 'std') ? 1e-5 : 1e-9;
      const tolerance = output === 'min' || output === 'max' ? 0 : relative * Math.abs(want);
      if (Math.abs(got - want) > tolerance) throw new Error(`slot ${s} ${output}: got ${got}, NumPy ${want}`);
    }
  });
}

describe('ensemble moments', () => {
  it('one chunk (Welford) matches NumPy', () => {
    const m = new EnsembleMoments(SLOTS.length);
    SLOTS.forEach((slot, s) => slot.samples.forEach((x) => m.add(s, x)));
    expectNumpy(m);
  });

  it.each([1, 2, 7, 64, 1000])('random chunkings of at most %d replicates merge to NumPy\'s values', (maxChunk) => {
    const random = new Random(1000 + maxChunk);
    for (let trial = 0; trial < 5; trial++) expectNumpy(chunkedMoments(random, maxChunk));
  });

  it('merging is order-independent up to rounding, and the check can fail', () => {
    const random = new Random(7);
    const a = chunkedMoments(random, 3);
    const b = chunkedMoments(random, 500);
    SLOTS.forEach((_, s) => expect(a.value(s, 'var')).toBeCloseTo(b.value(s, 'var'), 9));
    // Dropping one replicate is seen.
    const short = new EnsembleMoments(SLOTS.length);
    SLOTS.forEach((slot, s) => slot.samples.slice(1).forEach((x) => short.add(s, x)));
    expect(() => expectNumpy(short)).toThrow(/NumPy/);
  });

  it('sums of squares would fail where the merge does not (large mean, small spread)', () => {
    const { samples, var: want } = SLOTS[1];
    const n = samples.length;
    const sum = samples.reduce((acc, x) => acc + x, 0);
    const sumSq = samples.reduce((acc, x) => acc + x * x, 0);
    const naive = (sumSq - sum * sum / n) / (n - 1);
    expect(Math.abs(naive - want) / want).toBeGreaterThan(1e-3);
  });

  it('empty slots and single replicates: NaN where a statistic is undefined; NaN samples propagate', () => {
    const m = new EnsembleMoments(3);
    m.add(1, 4);
    m.add(2, 1);
    m.add(2, NaN);
    expect(ENSEMBLE_OUTPUTS.map((o) => m.value(0, o)).every(Number.isNaN)).toBe(true);
    expect(ENSEMBLE_OUTPUTS.map((o) => m.value(1, o))).toEqual([4, NaN, NaN, 4, 4]);
    expect(ENSEMBLE_OUTPUTS.map((o) => m.value(2, o)).every(Number.isNaN)).toBe(true);
    expect(() => m.merge(new EnsembleMoments(2))).toThrow(RangeError);
  });
});

describe('ensembleOutputs and the legend', () => {
  it('parses names in order and lays out the legend variable by variable', () => {
    const outputs = parseEnsembleOutputs(['mean', 'std', 'max']);
    expect(ensembleLegend(['x', 'W.x'], outputs)).toEqual(['x.mean', 'x.std', 'x.max', 'W.x.mean', 'W.x.std', 'W.x.max']);
    expect(parseEnsembleOutputs([])).toEqual([]);
  });

  it('refuses unknown names (with a suggestion), duplicates and non-lists', () => {
    expectCubieError(() => parseEnsembleOutputs(['var', 'maen']), 'INVALID_OPTION', 'ensembleOutputs[1]', "did you mean 'mean'");
    expectCubieError(() => parseEnsembleOutputs(['variance']), 'INVALID_OPTION', 'must be one of mean, var, std, min, max');
    expectCubieError(() => parseEnsembleOutputs(['min', 'min']), 'INVALID_OPTION', "'min' twice");
    expectCubieError(() => parseEnsembleOutputs('mean'), 'INVALID_OPTION', 'must be a list');
  });
});
