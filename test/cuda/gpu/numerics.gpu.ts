/**
 * The numerical tests on a real GPU (`npm run test:gpu`; not part of `npm
 * test`, which has no device). The CUDA backend's results agree with the
 * analytic solutions and with the CPU backend to the precision's accuracy
 * (a GPU contracts a*b + c into one rounding, so not to the last bit), and
 * are bit-identical whatever the chunking or device split on one
 * architecture. `CUBIE_TEST_GPU_FAKE=1 npm run test:gpu` runs this file on
 * the driver test double instead, to check the suite itself.
 */
import { Solver } from '../../../src';
import { releaseCudaKernels } from '../../../src/backends/cuda/cuda-backend';
import { listDevices } from '../../../src/backends/cuda/devices';
import { implicitMethodNames, methodNames } from '../../../src/methods/registry';
import type { SolveResult } from '../../../src/solver/result';
import { expectSameBits, onCuda } from '../../support/cuda';

jest.setTimeout(600_000);

const decay = { name: 'gpu_decay', equations: ['dx = -k*x'], states: { x: 1 }, parameters: { k: 1 } };
const lorenz = {
  name: 'gpu_lorenz',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
};

// Van der Pol in the Lienard form, moderately stiff (mu 5 to 21): the implicit methods' test.
const vanDerPol = { name: 'gpu_van_der_pol', equations: ['dx = y', 'dy = mu*((1 - x^2)*y - x)'], states: { x: 2, y: 0 }, parameters: { mu: 100 } };

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-12, Math.abs(b[i])));
  return worst;
}

afterAll(async () => {
  await releaseCudaKernels();
});

describe('CUDA backend on a GPU', () => {
  it('exponential decay matches exp(-k t) in float64 and float32', async () => {
    const k = Float64Array.from({ length: 4096 }, (_, i) => 0.01 + i * 0.001);
    for (const [precision, tol, bound] of [['float64', 1e-10, 1e-8], ['float32', 1e-6, 1e-4]] as const) {
      const result = await onCuda(new Solver(decay, { method: 'tsit5', precision, duration: 2, saveEvery: 0.5, atol: tol, rtol: tol })).solver.solve({}, { k });
      expect(result.kernel.backend).toBe('cuda');
      expect(Array.from(new Set(result.status))).toEqual([0]);
      for (let run = 0; run < k.length; run += 97) {
        const x = result.trajectory('x', run);
        result.time.forEach((t, j) => expect(Math.abs(x[j] - Math.exp(-k[run] * t))).toBeLessThan(bound));
      }
    }
  });

  it('every explicit method agrees with the CPU backend on Lorenz (float64, short horizon)', async () => {
    const rho = Float64Array.from({ length: 1000 }, (_, i) => 1 + i * 0.03);
    for (const method of methodNames()) {
      const settings = { method, precision: 'float64' as const, duration: 0.5, saveEvery: 0.1, dt: 1e-4, atol: 1e-10, rtol: 1e-10 };
      const cpu = await new Solver(lorenz, { ...settings, backend: 'cpu' }).solve({}, { rho });
      const gpu = await onCuda(new Solver(lorenz, settings)).solver.solve({}, { rho });
      expect(gpu.status).toEqual(cpu.status);
      expect(maxRelativeDifference(gpu.timeDomain, cpu.timeDomain)).toBeLessThan(1e-7);
    }
  });

  // The implicit kernels keep their LU matrices in local memory on the GPU
  // (CUBIE_KEEP_LOOP), a path the host build never takes.
  it('every implicit method agrees with the CPU backend on Van der Pol (float64)', async () => {
    const mu = Float64Array.from({ length: 64 }, (_, i) => 5 + i * 0.25);
    for (const method of implicitMethodNames()) {
      // dt: the step of the fixed-step methods, the first step of the others.
      const settings = { method, precision: 'float64' as const, duration: 2, saveEvery: 0.5, atol: 1e-8, rtol: 1e-6, dt: 1e-3 };
      const cpu = await new Solver(vanDerPol, { ...settings, backend: 'cpu' }).solve({}, { mu });
      const gpu = await onCuda(new Solver(vanDerPol, settings)).solver.solve({}, { mu });
      expect({ method, status: Array.from(new Set(gpu.status)) }).toEqual({ method, status: [0] });
      expect({ method, status: Array.from(new Set(cpu.status)) }).toEqual({ method, status: [0] });
      // Step choices may differ by a rounding (contracted a*b + c), so compare to the tolerance, not to the bit:
      // |gpu - cpu| <= 1e-4 max(1, |cpu|), since x and y pass through zero.
      const worst = Math.max(...Array.from(gpu.timeDomain, (g, i) => Math.abs(g - cpu.timeDomain[i]) / Math.max(1, Math.abs(cpu.timeDomain[i]))));
      expect({ method, within: worst <= 1e-4 }).toEqual({ method, within: true });
    }
  });

  it('summaries and counters agree with the CPU backend (float32)', async () => {
    const rho = Float32Array.from({ length: 2000 }, (_, i) => 1 + i * 0.01);
    const settings = { method: 'dormand-prince-54', precision: 'float32' as const, duration: 1, saveEvery: 0.05, summariseEvery: 0.5, outputTypes: ['state', 'mean', 'max', 'iteration_counters'] };
    const cpu = await new Solver(lorenz, { ...settings, backend: 'cpu' }).solve({}, { rho });
    const gpu = await onCuda(new Solver(lorenz, settings)).solver.solve({}, { rho });
    expect(maxRelativeDifference(gpu.summaries, cpu.summaries)).toBeLessThan(1e-3);
    const steps = (r: SolveResult) => r.iterationCounters!.accepted.reduce((a, b) => a + b, 0);
    expect(Math.abs(steps(gpu) - steps(cpu)) / steps(cpu)).toBeLessThan(0.01);
  });

  it('a large batch in many chunks is bit-identical to the same batch in as few chunks as fit', async () => {
    const n = 200_000;
    const rho = Float64Array.from({ length: n }, (_, i) => 1 + (i % 1000) * 0.03);
    const settings = { method: 'tsit5', precision: 'float64' as const, duration: 0.5, saveEvery: 0.05 };
    const whole = onCuda(new Solver(lorenz, settings));
    const one = await whole.solver.solve({}, { rho });
    const chunked = onCuda(new Solver(lorenz, settings), { maxDeviceBytes: 8 * 1024 * 1024 });
    const many = await chunked.solver.solve({}, { rho });
    expect(chunked.runs[0].devices[0].chunks).toBeGreaterThan(10);
    expectSameBits(many.timeDomain, one.timeDomain, 'timeDomain');
    expectSameBits(many.status, one.status, 'status');
  });

  it('all devices of one architecture split a batch bit-identically to one device', async () => {
    const devices = await listDevices();
    const same = devices.filter((d) => d.major === devices[0].major && d.minor === devices[0].minor).map((d) => d.index);
    if (same.length < 2) {
      console.log(`one device of ${devices[0].name}'s architecture: the multi-device test needs two`);
      return;
    }
    const rho = Float64Array.from({ length: 100_000 }, (_, i) => 1 + (i % 500) * 0.05);
    const settings = { method: 'tsit5', precision: 'float64' as const, duration: 0.5, saveEvery: 0.1 };
    const single = await onCuda(new Solver(lorenz, settings), { devices: [same[0]] }).solver.solve({}, { rho });
    const split = onCuda(new Solver(lorenz, settings), { devices: same, chunkRuns: 8192 });
    const all = await split.solver.solve({}, { rho });
    expect(split.runs[0].devices.filter((d) => d.runs > 0).length).toBeGreaterThan(1);
    expectSameBits(all.timeDomain, single.timeDomain, 'timeDomain');
  });

  it('an abort between chunks stops the batch', async () => {
    const rho = Float64Array.from({ length: 100_000 }, (_, i) => 1 + (i % 500) * 0.05);
    const controller = new AbortController();
    const cuda = onCuda(new Solver(lorenz, { method: 'tsit5', duration: 5, saveEvery: 0.5 }), { chunkRuns: 10_000 });
    await expect(cuda.solver.solve({}, { rho }, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
