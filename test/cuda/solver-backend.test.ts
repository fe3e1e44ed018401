/**
 * Backend selection through the public API, on the driver test double:
 * 'cuda' and 'auto' (a usable device) run on the GPU path, 'cpu' stays on the
 * CPU, and both give the same bits.
 */
import { Solver } from '../../src';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { expectSameBits, fakeCudaSuite } from '../support/cuda';
import { hostKernelFor } from '../support/fake-cuda';

const fake = fakeCudaSuite();

const decay = { name: 'decay_backend', equations: ['dx = -k*x + sin(t)'], states: { x: 1 }, parameters: { k: 1 } };
const settings = { duration: 2, saveEvery: 0.5, outputTypes: ['state', 'mean'] };

describe('Solver backend selection', () => {
  it("'cuda' and 'auto' run through the driver; 'cpu' does not; results agree bit for bit", async () => {
    fake.configure({ devices: 2 });
    const cpuSolver = new Solver(decay, { ...settings, backend: 'cpu', cpuLanes: 1 });
    // The double executes kernels as host builds of the same source: register it.
    await hostKernelFor(generateKernel(cpuSolver.system, settings).source);
    const k = Float64Array.from({ length: 40 }, (_, i) => 0.1 * (i + 1));
    const cpu = await cpuSolver.solve({ x: 1 }, { k });
    expect(cpu.kernel.backend).toBe('cpu');
    expect(fake.stats().launches).toBe(0);

    const cuda = await new Solver(decay, { ...settings, backend: 'cuda', devices: [0, 1], chunkRuns: 8 }).solve({ x: 1 }, { k });
    expect(cuda.kernel.backend).toBe('cuda');
    expectSameBits(cuda.timeDomain, cpu.timeDomain, 'timeDomain');
    expectSameBits(cuda.summaries, cpu.summaries, 'summaries');
    expect(fake.stats().launches).toBeGreaterThanOrEqual(5);

    const auto = await new Solver(decay, settings).solve({ x: 1 }, { k });
    expect(auto.kernel.backend).toBe('cuda');
    expectSameBits(auto.timeDomain, cpu.timeDomain, 'timeDomain (auto)');
  });
});
