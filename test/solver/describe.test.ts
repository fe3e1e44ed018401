/** Solver.describe: the output layout a solve will produce, checked against what solving produces. */
import { createSystem, Solver } from '../../src';

const system = createSystem({
  name: 'describe_decay',
  equations: 'dx = -k*x\ndy = k*x - y\ntotal = x + y',
  states: { x: 1, y: 0 },
  parameters: { k: 1 },
  observables: ['total'],
});

describe('Solver.describe', () => {
  it.each([
    [{ duration: 2, saveEvery: 0.5 }],
    [{ duration: 3, saveEvery: 0.25, outputTypes: ['state', 'observables', 'mean', 'max', 'peaks[2]', 'iteration_counters'], summariseEvery: 1, precision: 'float32' as const }],
    [{ duration: 1, outputTypes: ['observables', 'rms'], saveVariables: ['total'], summariseVariables: ['y'] }],
  ])('matches what a solve returns (%j)', async (options) => {
    const solver = new Solver(system, { backend: 'cpu', ...options });
    const described = solver.describe();
    const result = await solver.solve({ x: [1, 2, 3] }, { k: [0.5, 1, 2] });
    expect(described.precision).toBe(result.timeDomain instanceof Float32Array ? 'float32' : 'float64');
    expect(Array.from(described.time)).toEqual(Array.from(result.time));
    expect(described.variables).toEqual(result.variables);
    expect([...described.timeDomainShape, 3]).toEqual(result.shape);
    expect(described.summaryLegend).toEqual(result.summaryLegend);
    expect(described.summaryShape[0] * described.summaryShape[1] * 3).toBe(result.summaries.length);
    expect(described.counterLegend).toEqual(Object.keys(result.iterationCounters ?? {}));
    const item = described.precision === 'float32' ? 4 : 8;
    expect(described.bytesPerRun).toBe((result.timeDomain.length + result.summaries.length) / 3 * item + 4 * (1 + described.counterLegend.length));
    solver.close();
  });

  it('takes per-call options over the settings, and checks them', () => {
    const solver = new Solver(system, { duration: 1 });
    expect(solver.describe({ saveEvery: 0.1 }).time.length).toBe(11);
    expect(() => solver.describe({ saveVariables: ['z'] })).toThrow("Option 'saveVariables' names 'z', which is neither a state nor an observable");
  });
});
