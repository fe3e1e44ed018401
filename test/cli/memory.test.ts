/**
 * Bounded memory: `cubie run --out FILE.npy` on a sweep whose result is 12
 * times its chunk peaks at the memory of a one-chunk run plus a constant,
 * not plus the result. Peak resident memory is measured by the kernel
 * (getrusage maxRSS of the cubie process, reported in its --json log).
 *
 * The bound: peak(12 chunks) <= peak(1 chunk) + 64 MiB + 2 chunks.
 *   - peak(1 chunk): Node, the compiled kernel and one chunk's arrays;
 *   - 64 MiB: V8 frees ArrayBuffers (each chunk's result arrays) in a full
 *     collection that it starts once 64 MiB of them are outstanding, so up
 *     to that much of finished chunks can still be resident;
 *   - 2 chunks: the chunk being solved and the one before it.
 * Holding the whole result would add 11 chunks = 352 MiB here, well past
 * the bound's 128 MiB.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cubieOk, events, tempDir, writeModel } from './support';

const MIB = 2 ** 20;
const N_SAVES = 1001;
const BYTES_PER_RUN = N_SAVES * 8; // one float64 state
const CHUNK_RUNS = Math.floor((32 * MIB) / BYTES_PER_RUN);
const CHUNK_BYTES = CHUNK_RUNS * BYTES_PER_RUN;

function sweep(dir: string, nRuns: number): string {
  return writeModel(
    dir,
    `decay-${nRuns}.yaml`,
    [
      'system:',
      '  name: decay_memory',
      '  equations: "dx = -k*x"',
      '  states: { x: 1 }',
      '  parameters: { k: 1 }',
      'parameters:',
      `  k: { linspace: [0.5, 1.5, ${nRuns}] }`,
      'options: { method: euler, dt: 0.001, duration: 1, saveEvery: 0.001 }',
      '',
    ].join('\n'),
  );
}

describe('cubie run memory', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('memory');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function peak(chunks: number): { maxRssBytes: number; resultBytes: number } {
    const out = path.join(dir, `decay-${chunks}.npy`);
    const log = events(cubieOk(['run', sweep(dir, CHUNK_RUNS * chunks), '--out', out, '--json', '--runs-per-chunk', String(CHUNK_RUNS)]).stdout);
    expect(log.done).toMatchObject({ chunks, runsPerChunk: CHUNK_RUNS, failedRuns: 0 });
    const resultBytes = fs.statSync(out).size;
    fs.rmSync(out);
    return { maxRssBytes: log.done.maxRssBytes as number, resultBytes };
  }

  it('a sweep 12 chunks large peaks within 64 MiB + 2 chunks of a one-chunk sweep', () => {
    const one = peak(1);
    const many = peak(12);
    expect(many.resultBytes).toBeGreaterThanOrEqual(10 * CHUNK_BYTES);
    const bound = one.maxRssBytes + 64 * MIB + 2 * CHUNK_BYTES;
    const report = `peak RSS: 1 chunk ${(one.maxRssBytes / MIB).toFixed(1)} MiB, 12 chunks ${(many.maxRssBytes / MIB).toFixed(1)} MiB; bound ${(bound / MIB).toFixed(1)} MiB; result ${(many.resultBytes / MIB).toFixed(0)} MiB`;
    expect({ report, withinBound: many.maxRssBytes <= bound }).toEqual({ report, withinBound: true });
  });
});
