/**
 * A seed fixes every run's path, whatever the batch's execution: the same
 * numbers, bit for bit, on 1 or 2 threads, with any chunk size, and solved a
 * chunk at a time (solveChunks) where each chunk's runs keep their batch index
 * as their stream. Another seed gives other paths.
 */
import { Solver } from '../../src';
import type { SolveResult } from '../../src/solver/result';
import { expectSameBits } from '../support/cuda';

// Two states, a general noise with a shared process, an adaptive method on part of it.
const system = {
  name: 'coupled_noise',
  equations: ['dx = -k*x + y', 'dy = -y'],
  states: { x: 1, y: 0.5 },
  parameters: { k: 1, s: 0.4 },
  noise: { x: { A: 's*x', B: '0.1' }, y: { B: '0.2' } },
};
const N = 203;
const y0 = { x: Float64Array.from({ length: N }, (_, i) => 1 + (i % 5) * 0.1), y: new Float64Array(N).fill(0.5) };
const options = { duration: 1, saveEvery: 0.25, seed: 99, outputTypes: ['state', 'wiener', 'iteration_counters'] };

function same(a: SolveResult, b: SolveResult, what: string): void {
  expect(a.shape).toEqual(b.shape);
  expectSameBits(a.timeDomain, b.timeDomain, `${what}: timeDomain`);
  expectSameBits(a.status, b.status, `${what}: status`);
}

describe('the same seed, the same paths (CPU backend)', () => {
  for (const [method, settings] of [
    ['euler-maruyama', { dt: 2 ** -7 }],
    ['milstein-adaptive', { atol: 1e-3, rtol: 1e-3 }],
  ] as const) {
    it(`${method}: 1 and 2 threads, chunk sizes 1, 7 and 256, and solveChunks of 50 runs agree bit for bit`, async () => {
      // Only x's process A is multiplicative; milstein-adaptive needs commutative noise, so it gets the diagonal part alone.
      const sys = method === 'milstein-adaptive' ? { ...system, name: 'diag_noise', noise: { x: 's*x', y: '0.2' } } : system;
      const solver = new Solver(sys, { backend: 'cpu', method, ...settings });
      const reference = await solver.solve(y0, undefined, { ...options, threads: 1 });
      expect(reference.status.every((s) => s === 0)).toBe(true);
      for (const [threads, chunkRuns] of [[2, 1], [2, 7], [2, 256], [1, 7]]) {
        same(await solver.solve(y0, undefined, { ...options, threads, chunkRuns }), reference, `threads ${threads}, chunkRuns ${chunkRuns}`);
      }
      const pieces: SolveResult[] = [];
      await solver.solveChunks(y0, undefined, { ...options, threads: 2 }, { runsPerChunk: 50, onChunk: (r) => { pieces.push(r); } });
      const [nTimes, nVars] = reference.shape;
      let first = 0;
      for (const piece of pieces) {
        for (let k = 0; k < nTimes; k++) {
          for (let v = 0; v < nVars; v++) {
            const want = reference.timeDomain.subarray((k * nVars + v) * N + first, (k * nVars + v) * N + first + piece.nRuns);
            expectSameBits(piece.timeDomain.subarray((k * nVars + v) * piece.nRuns, (k * nVars + v + 1) * piece.nRuns), want, `chunk at ${first}`);
          }
        }
        first += piece.nRuns;
      }
      expect(first).toBe(N);

      const other = await solver.solve(y0, undefined, { ...options, seed: 100 });
      const last = (r: SolveResult) => r.timeDomain.subarray((nTimes - 1) * nVars * N, (nTimes - 1) * nVars * N + N);
      expect(last(other).every((x, i) => x !== last(reference)[i])).toBe(true);
    });
  }
});
