import { Solver } from '../../src';

describe('Solver.solveChunks', () => {
  it('hands over the batch chunk by chunk, and the chunks join into the one-shot result bit for bit', async () => {
    const solver = new Solver({ equations: ['dx = -k*x + sin(t)'], states: { x: 1 }, parameters: { k: 1 } }, { duration: 2, saveEvery: 0.5, outputTypes: ['state', 'mean'] });
    const k = Float64Array.from({ length: 103 }, (_, i) => 0.1 + i * 0.05);
    const whole = await solver.solve({ x: 1 }, { k });
    const seen: Array<[number, number]> = [];
    const joined = new Float64Array(whole.timeDomain.length);
    const joinedSummaries = new Float64Array(whole.summaries.length);
    const { nRuns } = await solver.solveChunks({ x: 1 }, { k }, undefined, {
      runsPerChunk: 25,
      onChunk: async (chunk, first, total) => {
        seen.push([first, chunk.nRuns]);
        expect(total).toBe(103);
        const [nTimes, nVars] = chunk.shape;
        for (let t = 0; t < nTimes; t++)
          for (let v = 0; v < nVars; v++)
            for (let r = 0; r < chunk.nRuns; r++) joined[(t * nVars + v) * 103 + first + r] = chunk.timeDomain[(t * nVars + v) * chunk.nRuns + r];
        for (let w = 0; w < chunk.summaries.length / chunk.nRuns; w++)
          for (let r = 0; r < chunk.nRuns; r++) joinedSummaries[w * 103 + first + r] = chunk.summaries[w * chunk.nRuns + r];
        await new Promise((resolve) => setTimeout(resolve, 1)); // the next chunk waits for this one
      },
    });
    expect(nRuns).toBe(103);
    expect(seen).toEqual([[0, 25], [25, 25], [50, 25], [75, 25], [100, 3]]);
    expect(Array.from(joined)).toEqual(Array.from(whole.timeDomain));
    expect(Array.from(joinedSummaries)).toEqual(Array.from(whole.summaries));
  });
});
