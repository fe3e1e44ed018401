/**
 * Stochastic runs on the CUDA backend (driver test double) give the CPU
 * backend's numbers to the last bit: the seed and each run's batch index
 * (B_RUN_INDEX, sliced with the runs into every device chunk) pick the same
 * Brownian paths, whatever device or chunk a run lands in.
 */
import { Solver } from '../../src';
import { Buffer as Slot, Scalar } from '../../src/backends/kernel-abi';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';

const fake = fakeCudaSuite();

const system = {
  name: 'gbm_cuda',
  equations: ['dx = mu*x', 'dy = -y'],
  states: { x: 1, y: 1 },
  parameters: { mu: 0.5, sigma: 0.6 },
  noise: { x: 'sigma*x', y: '0.3' },
};

describe('SDEs on the CUDA backend (driver test double) against the CPU backend', () => {
  for (const [method, precision] of [['milstein', 'float64'], ['euler-maruyama', 'float32'], ['milstein-adaptive', 'float64'], ['platen-w2', 'float32']] as const) {
    it(`${method}, ${precision}, 3 devices in chunks of 16: bit for bit, and the seed reaches the kernel`, async () => {
      fake.configure({ devices: 3 });
      const settings = { method, precision, duration: 1, saveEvery: 0.25, outputTypes: ['state', 'wiener', 'iteration_counters'], dt: 2 ** -6, atol: 1e-3, rtol: 1e-3, seed: 2 ** 40 + 12345 };
      const x = Float64Array.from({ length: 101 }, (_, i) => 1 + (i % 3) * 0.5);
      const cpu = await new Solver(system, { ...settings, backend: 'cpu' }).solve({ x });
      const cuda = onCuda(new Solver(system, settings), { devices: [0, 1, 2], chunkRuns: 16 });
      const gpu = await cuda.solver.solve({ x });
      expect(gpu.kernel.backend).toBe('cuda');
      expect(gpu.seed).toBe(settings.seed);
      expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
      expectSameBits(gpu.status, cpu.status, 'status');
      for (const [name, counts] of Object.entries(cpu.iterationCounters ?? {})) expectSameBits(gpu.iterationCounters![name], counts, name);
      const [call] = cuda.calls;
      expect([call.scalars[Scalar.SEED_HIGH], call.scalars[Scalar.SEED_LOW]]).toEqual([256, 12345]);
      expect(Array.from(call.buffers[Slot.RUN_INDEX] as Float64Array)).toEqual(Array.from({ length: 101 }, (_, i) => i));
      expect(cuda.runs[0].devices.reduce((n, d) => n + d.chunks, 0)).toBe(Math.ceil(101 / 16));
    });
  }

  // Without saved Wiener paths, fixed-step methods run in CPU lanes (kernel/cubie/lane_sde.h),
  // whose normals are drawn on vectors with the scalar code's operations: still the device's bits.
  for (const [method, precision] of [['euler-maruyama', 'float64'], ['milstein', 'float32']] as const) {
    it(`${method}, ${precision}: the CPU backend in SIMD lanes gives the device's numbers bit for bit`, async () => {
      fake.configure({ devices: 1 });
      const settings = { method, precision, duration: 1, saveEvery: 0.25, outputTypes: ['state'], dt: 1e-3, seed: 77 };
      const x = Float64Array.from({ length: 101 }, (_, i) => 1 + (i % 3) * 0.5);
      const cpu = await new Solver(system, { ...settings, backend: 'cpu' }).solve({ x });
      expect(cpu.kernel.lanes).toBeGreaterThan(1);
      const gpu = await onCuda(new Solver(system, settings), { chunkRuns: 32 }).solver.solve({ x });
      expect(gpu.kernel.backend).toBe('cuda');
      expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
      expectSameBits(gpu.status, cpu.status, 'status');
    });
  }
});
