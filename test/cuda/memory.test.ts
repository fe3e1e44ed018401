/**
 * Memory behaviour of the CUDA backend on the driver test double: chunks
 * sized from free device memory or the user's limit, out of memory met with
 * smaller chunks, progress per chunk, cancellation between chunks.
 */
import { Solver } from '../../src';
import type { CubieError } from '../../src/shared/errors';
import type { SolveResult } from '../../src/solver/result';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';

const fake = fakeCudaSuite();

// One saved value per run and step: 2 states x 21 saves x 8 bytes + inputs and status, ~360 bytes a run.
const decay = { name: 'decay_cuda', equations: ['dx = -k*x', 'dy = k*x - y'], states: { x: 1, y: 0 }, parameters: { k: 1 } };
const settings = { method: 'bogacki-shampine-32', precision: 'float64' as const, duration: 2, saveEvery: 0.1 };
const N = 600;
const k = Float64Array.from({ length: N }, (_, i) => 0.1 + i * 0.01);
let cpu: SolveResult;

beforeAll(async () => {
  cpu = await new Solver(decay, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { k });
});

function expectCpuResult(gpu: SolveResult): void {
  expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
  expectSameBits(gpu.status, cpu.status, 'status');
}

function launchedRuns(): number[] {
  return fake.stats().launchLog.map((l) => Number(l.split(' ')[3]));
}

describe('CUDA chunking and memory', () => {
  it('a device with little free memory gets the batch in chunks that fit it, reassembled in order', async () => {
    fake.configure({ freeBytes: 64 * 1024 });
    const cuda = onCuda(new Solver(decay, settings));
    expectCpuResult(await cuda.solver.solve({}, { k }));
    const [device] = cuda.runs[0].devices;
    // Two slots of chunkRuns runs fit in the free memory, less headroom.
    expect(device.deviceBytes).toBeLessThanOrEqual(64 * 1024);
    expect(device.chunks).toBeGreaterThanOrEqual(8);
    expect(device.chunks).toBe(Math.ceil(N / device.chunkRuns));
    expect(launchedRuns().reduce((a, b) => a + b, 0)).toBe(N);
    expect(fake.stats().devices[0].peakBytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('maxDeviceBytes caps what cubie allocates', async () => {
    const cuda = onCuda(new Solver(decay, settings), { maxDeviceBytes: 32 * 1024 });
    expectCpuResult(await cuda.solver.solve({}, { k }));
    expect(fake.stats().devices[0].peakBytes).toBeLessThanOrEqual(32 * 1024);
    expect(cuda.runs[0].devices[0].chunks).toBeGreaterThan(1);
  });

  it('out of memory at allocation (the driver reported more than it gives) halves the chunk until it fits', async () => {
    fake.configure({ freeBytes: 1024 * 1024, capacityBytes: 48 * 1024 });
    const cuda = onCuda(new Solver(decay, settings));
    expectCpuResult(await cuda.solver.solve({}, { k }));
    const [device] = cuda.runs[0].devices;
    expect(device.outOfMemoryRetries).toBeGreaterThan(0);
    expect(fake.stats().allocationFailures).toBe(device.outOfMemoryRetries);
    expect(device.deviceBytes).toBeLessThanOrEqual(48 * 1024);
  });

  it('out of memory for page-locked staging, or at a launch, also halves the chunk', async () => {
    fake.configure({ faults: 'host-oom-at:1,launch-oom-at:2' });
    const cuda = onCuda(new Solver(decay, settings), { chunkRuns: 200 });
    expectCpuResult(await cuda.solver.solve({}, { k }));
    const [device] = cuda.runs[0].devices;
    expect(device.outOfMemoryRetries).toBe(2);
    expect(device.chunkRuns).toBe(50);
    expect(fake.stats().hostAllocationFailures).toBe(1);
  });

  it('when not even one run fits, the error names the call, the result, what cubie was doing and the size', async () => {
    fake.configure({ freeBytes: 200 });
    const cuda = onCuda(new Solver(decay, settings));
    const error = (await cuda.solver.solve({}, { k }).catch((e) => e)) as CubieError;
    expect(error).toMatchObject({ code: 'CUDA_ERROR', details: { call: 'cuMemAlloc_v2', result: 'CUDA_ERROR_OUT_OF_MEMORY', device: 0 } });
    expect(error.message).toMatch(
      /cuMemAlloc_v2 failed with CUDA_ERROR_OUT_OF_MEMORY \(out of memory\) while allocating \d+ B of device memory for the \w+ \w+ of a chunk of 1 runs; a single run needs \d+ B of device memory for its inputs and outputs .* on device 0/,
    );
  });

  it('reports progress per chunk and stops between chunks when the signal aborts', async () => {
    fake.configure({ launchDelayUs: 3000 });
    const progress: number[] = [];
    const done = onCuda(new Solver(decay, settings), { chunkRuns: 100 });
    await done.solver.solve({}, { k }, { onProgress: (p) => progress.push(p.done) });
    expect(progress[progress.length - 1]).toBe(N);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((p) => p % 100 === 0)).toBe(true);

    fake.configure({ launchDelayUs: 20000 });
    const controller = new AbortController();
    const cuda = onCuda(new Solver(decay, settings), { chunkRuns: 100 });
    const error = (await cuda.solver
      .solve({}, { k }, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e) => e)) as CubieError;
    expect(error.code).toBe('ABORTED');
    // Six chunks of 20 ms; the abort after the first lets the ones in flight finish, and no more start.
    expect(fake.stats().launches).toBeLessThanOrEqual(4);
  });

  it('a signal aborted before the start launches nothing', async () => {
    const cuda = onCuda(new Solver(decay, settings));
    await expect(cuda.solver.solve({}, { k }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(fake.stats().launches).toBe(0);
  });
});
