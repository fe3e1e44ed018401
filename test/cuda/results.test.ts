/**
 * The CUDA backend through the driver test double gives the CPU backend's
 * results to the last bit: both run host builds of the same source with the
 * same compiler and flags, so any difference is the backend's plumbing
 * (argument block, chunking, staging, copies, reassembly). The CPU side runs
 * the scalar engine (cpuLanes 1), one run at a time as a GPU thread does; in
 * SIMD lanes it would differ in libmvec's last bits (README, "The CPU backend").
 */
import { Solver } from '../../src';
import type { SolveResult } from '../../src/solver/result';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';
import { FIXED_BUFFER_SLOTS, SCALAR_SLOTS } from '../../src/backends/kernel-abi';

const fake = fakeCudaSuite();

const lorenz = {
  name: 'lorenz_cuda',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z', 'r = sqrt(x^2 + y^2)'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
  observables: ['r'],
};

function expectSameResult(gpu: SolveResult, cpu: SolveResult): void {
  expect(gpu.shape).toEqual(cpu.shape);
  expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
  expectSameBits(gpu.summaries, cpu.summaries, 'summaries');
  expectSameBits(gpu.status, cpu.status, 'status');
  expect(Object.keys(gpu.iterationCounters ?? {})).toEqual(Object.keys(cpu.iterationCounters ?? {}));
  for (const [name, counts] of Object.entries(cpu.iterationCounters ?? {})) expectSameBits(gpu.iterationCounters![name], counts, name);
}

describe('CUDA backend (driver test double) against the CPU backend', () => {
  it('float64, saves + observables + summaries + counters, 3 devices and many chunks: bit for bit, in run order', async () => {
    fake.configure({ devices: 3, launchDelayUs: 2000 });
    const settings = {
      method: 'tsit5',
      precision: 'float64' as const,
      duration: 2,
      saveEvery: 0.25,
      summariseEvery: 0.5,
      outputTypes: ['state', 'observables', 'mean', 'max', 'iteration_counters'],
    };
    const rho = Float64Array.from({ length: 257 }, (_, i) => 0.5 + i * 0.11);
    const x = Float64Array.from({ length: 257 }, (_, i) => 1 + (i % 7) * 0.1);
    const cpu = await new Solver(lorenz, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({ x }, { rho });
    const cuda = onCuda(new Solver(lorenz, settings), { devices: [0, 1, 2], chunkRuns: 16 });
    const gpu = await cuda.solver.solve({ x }, { rho });
    expectSameResult(gpu, cpu);
    expect(gpu.kernel.backend).toBe('cuda');

    const [run] = cuda.runs;
    expect(run.devices.map((d) => d.device)).toEqual([0, 1, 2]);
    expect(run.devices.reduce((n, d) => n + d.runs, 0)).toBe(257);
    expect(run.devices.reduce((n, d) => n + d.chunks, 0)).toBe(Math.ceil(257 / 16));
    const s = fake.stats();
    // Every device took chunks (a kernel takes 2 ms here), each chunk's launch covered its runs.
    const launches = s.launchLog.map((l) => l.split(' ').map(Number));
    expect(new Set(launches.map(([device]) => device))).toEqual(new Set([0, 1, 2]));
    for (const [, grid, block, runs] of launches) expect(grid * block).toBeGreaterThanOrEqual(runs);
    expect(launches.reduce((n, l) => n + l[3], 0)).toBe(257);
    // Copies went through page-locked staging, and two streams per device had work at once.
    expect(s.pageableAsyncCopies).toBe(0);
    expect(Math.max(...s.devices.map((d) => d.maxBusyStreams))).toBe(2);
    expect(s.cubinLoads).toBe(3);
  });

  it('float32 with a sampled driver and runs that stop early (NaN fill): bit for bit', async () => {
    const forced = { name: 'forced_cuda', equations: ['dx = -k*x + u', 'dv = x - v*u'], states: { x: 0, v: 1 }, parameters: { k: 1 }, drivers: ['u'] };
    const samples = Array.from({ length: 201 }, (_, i) => Math.sin(0.1 * i));
    const settings = {
      method: 'dormand-prince-54',
      precision: 'float32' as const,
      duration: 4,
      saveEvery: 0.5,
      outputTypes: ['state', 'mean', 'iteration_counters'],
      drivers: { u: samples, dt: 0.02 },
      maxSteps: 200,
      rtol: 1e-6,
      atol: 1e-8,
    };
    const k = Float32Array.from({ length: 90 }, (_, i) => 0.2 + i * 0.5);
    const cpu = await new Solver(forced, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { k });
    expect(new Set(cpu.status)).toEqual(new Set([0, 1])); // some runs hit maxSteps: NaN from there on
    const cuda = onCuda(new Solver(forced, settings), { chunkRuns: 25 });
    const gpu = await cuda.solver.solve({}, { k });
    expectSameResult(gpu, cpu);
    expect(cuda.runs[0].devices[0].chunks).toBe(4);
  });

  it('without chunkRuns a small batch is one chunk on device 0', async () => {
    const settings = { method: 'rk4', dt: 0.01, duration: 0.5, saveEvery: 0.1, precision: 'float64' as const };
    const rho = Float64Array.from({ length: 40 }, (_, i) => i);
    const cpu = await new Solver(lorenz, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { rho });
    const cuda = onCuda(new Solver(lorenz, settings));
    expectSameResult(await cuda.solver.solve({}, { rho }), cpu);
    expect(cuda.runs[0].devices).toMatchObject([{ device: 0, chunks: 1, runs: 40 }]);
    // A zero-run batch launches nothing.
    const launches = fake.stats().launches;
    const kernel = cuda.kernels[0];
    const scalars = new Float64Array(SCALAR_SLOTS);
    expect(await kernel.run(scalars, new Array(FIXED_BUFFER_SLOTS + 3 + 3).fill(null))).toMatchObject({ devices: [] });
    expect(fake.stats().launches).toBe(launches);
  });
});
