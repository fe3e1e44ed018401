/**
 * replicates and ensembleOutputs: every input combination run R times
 * (replicate index fastest, each replicate its own Brownian path), and the
 * statistics over each combination's replicates at every save time.
 * Ornstein–Uhlenbeck with theta in {0.5, 1, 2}, R = 30 000, EM at dt = 2^-8:
 * mean within 5 standard errors and variance within 3% of the exact moments
 * at t = 1 (EM's bias at this dt is under 0.4 standard errors / 0.3%).
 */
import { Solver } from '../../src';

const ou = { name: 'ou_ensemble', equations: 'dx = theta*(mu - x)', states: { x: 2 }, parameters: { theta: 1, mu: 0.5, sigma: 0.8 }, noise: { x: 'sigma' } };
const R = 30_000; // 90 000 runs: two chunks of whole combinations (solver.ts ENSEMBLE_CHUNK_RUNS), merged
const thetas = [0.5, 1, 2];
const settings = { backend: 'cpu' as const, method: 'em', duration: 1, saveEvery: 0.5, dt: 2 ** -8, brownianTolerance: 2 ** -8, seed: 11, replicates: R };

describe('replicates and ensembleOutputs (CPU float64)', () => {
  it(`OU over 3 rates x ${R} replicates, outputTypes []: only the statistics, matching the exact moments`, async () => {
    const solver = new Solver(ou, { ...settings, outputTypes: [], ensembleOutputs: ['mean', 'var', 'std', 'min', 'max'] });
    const result = await solver.solve({}, { theta: thetas }, { gridType: 'combinatorial' });
    expect(result.nRuns).toBe(3 * R);
    expect(result.variables).toEqual([]);
    expect(result.timeDomain.length).toBe(0);
    expect(result.status.every((s) => s === 0)).toBe(true);
    const ensemble = result.ensemble!;
    expect(ensemble.legend).toEqual(['x.mean', 'x.var', 'x.std', 'x.min', 'x.max']);
    expect(ensemble.shape).toEqual([3, 5, 3]);
    const at = (k: number, j: number, c: number) => ensemble.values[(k * 5 + j) * 3 + c];
    const { mu, sigma } = ou.parameters;
    thetas.forEach((theta, c) => {
      expect([at(0, 0, c), at(0, 1, c), at(0, 3, c), at(0, 4, c)]).toEqual([2, 0, 2, 2]); // every replicate starts at x0
      const mean = mu + (2 - mu) * Math.exp(-theta);
      const variance = (sigma ** 2 / (2 * theta)) * (1 - Math.exp(-2 * theta));
      expect(Math.abs(at(2, 0, c) - mean)).toBeLessThan(5 * Math.sqrt(variance / R));
      expect(Math.abs(at(2, 1, c) - variance)).toBeLessThan(0.03 * variance);
      expect(at(2, 2, c)).toBeCloseTo(Math.sqrt(at(2, 1, c)), 14);
      expect(at(2, 3, c)).toBeLessThan(mean - 3 * Math.sqrt(variance));
      expect(at(2, 4, c)).toBeGreaterThan(mean + 3 * Math.sqrt(variance));
    });
  });

  it('the statistics equal those computed from the per-run saves, and replicates of one combination draw different paths', async () => {
    const r = 500;
    const solver = new Solver(ou, { ...settings, replicates: r, outputTypes: ['state'], ensembleOutputs: ['mean', 'var', 'min', 'max'] });
    const result = await solver.solve({}, { theta: [1, 2] });
    const n = 2 * r;
    expect(result.shape).toEqual([3, 1, n]);
    const last = result.timeDomain.subarray(2 * n, 3 * n);
    for (let c = 0; c < 2; c++) {
      const xs = Array.from(last.subarray(c * r, (c + 1) * r));
      expect(new Set(xs).size).toBe(r);
      const mean = xs.reduce((a, b) => a + b) / r;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (r - 1);
      const got = [0, 1, 2, 3].map((j) => result.ensemble!.values[(2 * 4 + j) * 2 + c]);
      expect(got[0]).toBeCloseTo(mean, 12);
      expect(got[1]).toBeCloseTo(variance, 12);
      expect(got[2]).toBe(Math.min(...xs));
      expect(got[3]).toBe(Math.max(...xs));
    }
  });
});

it('one combination with more replicates than a piece (65 536 runs) is cut inside it: the same statistics as from all its saves at once', async () => {
  const big = { ...settings, dt: 2 ** -4, brownianTolerance: 2 ** -4, replicates: 70_000, ensembleOutputs: ['mean', 'var', 'min', 'max'] };
  const cut = await new Solver(ou, { ...big, outputTypes: [] }).solve({}, { theta: [1] });
  const whole = await new Solver(ou, { ...big, outputTypes: ['state'] }).solve({}, { theta: [1] });
  expect(cut.ensemble!.shape).toEqual([3, 4, 1]);
  cut.ensemble!.values.forEach((v, i) => expect(v).toBeCloseTo(whole.ensemble!.values[i], 12));
});

it('describe() says an ensemble-only solve keeps no per-run series', () => {
  const solver = new Solver(ou, { outputTypes: [], ensembleOutputs: ['mean'] });
  expect(solver.describe().variables).toEqual([]);
  expect(solver.describe().timeDomainShape).toEqual([2, 0]);
  expect(solver.describe({ ensembleOutputs: ['mean', 'std'] }).ensembleLegend).toEqual(['x.mean', 'x.std']);
  expect(new Solver(ou).describe().ensembleLegend).toBeUndefined();
  expect(new Solver(ou, { ensembleOutputs: ['mean'] }).describe().variables).toEqual(['x']);
  expect(() => new Solver(ou, { ensembleOutputs: ['median'] })).toThrow(/ensembleOutputs\[0\] must be one of mean, var, std, min, max/);
});

describe('solveChunks with ensembleOutputs', () => {
  const small = { ...settings, replicates: 50, ensembleOutputs: ['mean', 'var', 'min', 'max'] };

  it('chunks that cut inside combinations give the statistics of the one-shot solve; the chunks hold statuses, not saves', async () => {
    const solver = new Solver(ou, { ...small, outputTypes: [] });
    const whole = await solver.solve({}, { theta: thetas }, { gridType: 'combinatorial' });
    const seen: Array<[number, number, number]> = [];
    const statuses = new Int32Array(150).fill(-1);
    const { nRuns, ensemble } = await solver.solveChunks({}, { theta: thetas }, undefined, {
      runsPerChunk: 37,
      gridType: 'combinatorial',
      onChunk: (chunk, first) => {
        seen.push([first, chunk.nRuns, chunk.timeDomain.length]);
        statuses.set(chunk.status, first);
      },
    });
    expect(nRuns).toBe(150);
    expect(seen).toEqual([[0, 37, 0], [37, 37, 0], [74, 37, 0], [111, 37, 0], [148, 2, 0]]);
    expect(Array.from(statuses)).toEqual(Array.from(whole.status));
    expect(ensemble!.legend).toEqual(whole.ensemble!.legend);
    expect(ensemble!.shape).toEqual([3, 4, 3]);
    ensemble!.values.forEach((v, i) => expect(v).toBeCloseTo(whole.ensemble!.values[i], 12));
    // min and max are exact, whatever the cut
    for (let k = 0; k < 3; k++) for (let j = 2; j < 4; j++) for (let c = 0; c < 3; c++) {
      const i = (k * 4 + j) * 3 + c;
      expect(ensemble!.values[i]).toBe(whole.ensemble!.values[i]);
    }
  });

  it('with per-run outputs besides, each chunk holds its saves, equal to the one-shot solve\'s', async () => {
    const solver = new Solver(ou, { ...small, outputTypes: ['state'] });
    const whole = await solver.solve({}, { theta: [1, 2] });
    const chunks: Array<{ first: number; values: Float64Array | Float32Array; n: number }> = [];
    const { ensemble } = await solver.solveChunks({}, { theta: [1, 2] }, undefined, {
      runsPerChunk: 64,
      onChunk: (chunk, first) => { chunks.push({ first, values: chunk.timeDomain, n: chunk.nRuns }); },
    });
    expect(chunks.map((c) => c.n)).toEqual([64, 36]);
    for (const { first, values, n } of chunks)
      for (let k = 0; k < 3; k++)
        for (let r = 0; r < n; r++) expect(values[k * n + r]).toBe(whole.timeDomain[k * 100 + first + r]);
    ensemble!.values.forEach((v, i) => expect(v).toBeCloseTo(whole.ensemble!.values[i], 12));
  });

  it('without ensembleOutputs the resolved value has no ensemble', async () => {
    const solver = new Solver(ou, { ...settings, replicates: 1 });
    const out = await solver.solveChunks({}, { theta: [1, 2] }, undefined, { runsPerChunk: 1, onChunk: () => undefined });
    expect(out.nRuns).toBe(2);
    expect('ensemble' in out).toBe(false);
  });
});
