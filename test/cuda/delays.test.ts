/**
 * delay() on the GPU path: the very text the CPU backend runs compiles
 * under NVRTC for compute_80 (and through ptxas to sm_80 where one is found)
 * in both precisions, explicit, Rosenbrock, DIRK and Radau methods, with
 * events; and on the CUDA backend through the driver test double each run's
 * past (its own ring, in its thread's frame) gives the CPU backend's
 * results to the last bit, in chunks on two devices.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createSystem, Solver, StatusBits } from '../../src';
import { kernelHeaders } from '../../src/codegen/kernel-source';
import { compileCuda } from '../../src/native/nvrtc';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import type { CubieSystem } from '../../src/system';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';
import { findPtxas, itNvrtc } from '../support/nvrtc';

// Two states, two lags, an event: a damped oscillator fed back from its past.
const feedback = {
  name: 'dde_feedback',
  equations: ['dx = v', 'dv = -x - c*v + k*delay(x, tau) - 0.2*delay(v*v, 2*tau)'],
  states: { x: 1, v: 0 },
  parameters: { c: 0.3, k: 0.5, tau: 0.8 },
  events: [{ name: 'kick', at: [1.3], then: 'v = v + 0.5' }],
};

describe('delay() kernels under NVRTC', () => {
  itNvrtc('explicit, Rosenbrock, DIRK and Radau methods, both precisions, compile and assemble', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-dde-kernel-'));
    const ptxas = findPtxas();
    try {
      const system = createSystem(feedback) as CubieSystem;
      for (const precision of ['float64', 'float32'] as const) {
        for (const method of ['tsit5', 'rk4', 'rodas4', 'kvaerno5', 'radau']) {
          const plan = compilePlan(system, { method, precision, outputTypes: ['state', 'iteration_counters'], ...(method === 'rk4' ? { dt: 0.01 } : {}) });
          const source = generateKernel(system, plan).source;
          expect(source).toContain('constexpr int n_delayed = 2;');
          const { ptx } = await compileCuda({ source, name: `${method}.cu`, headers: kernelHeaders(), options: ['-arch=compute_80', '--std=c++17'], target: 'ptx' });
          expect(ptx).toContain('.entry cubie_integrate');
          if (ptxas === undefined) continue;
          const file = path.join(dir, `${method}-${precision}.ptx`);
          fs.writeFileSync(file, ptx!);
          execFileSync(ptxas, ['-arch=sm_80', file, '-o', `${file}.cubin`], { stdio: 'pipe' });
          expect(fs.statSync(`${file}.cubin`).size).toBeGreaterThan(0);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('delay() on the CUDA backend (driver test double) against the CPU backend', () => {
  const fake = fakeCudaSuite();

  it.each([['tsit5', 'float64'], ['rodas4', 'float64'], ['tsit5', 'float32']] as const)('%s %s: a lag per run, in chunks on 2 devices: bit for bit', async (method, precision) => {
    fake.configure({ devices: 2 });
    const rtol = precision === 'float32' ? 1e-5 : 1e-7;
    const settings = { method, precision, duration: 8, saveEvery: 0.25, rtol, atol: rtol / 100, outputTypes: ['state', 'iteration_counters'] };
    // 0 is not a lag: that run ends with DELAY on both backends
    const tau = Float64Array.from({ length: 23 }, (_, i) => (i === 7 ? 0 : 0.2 + 0.05 * i));
    const cpu = await new Solver(feedback, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { tau });
    const gpu = await onCuda(new Solver(feedback, settings), { devices: [0, 1], chunkRuns: 5 }).solver.solve({}, { tau });
    expect(gpu.kernel.backend).toBe('cuda');
    expectSameBits(gpu.status, cpu.status, 'status');
    expect(cpu.status[7]).toBe(StatusBits.DELAY);
    expect(Array.from(cpu.status).filter((s) => s === 0)).toHaveLength(22);
    expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
    expectSameBits(gpu.iterationCounters!.accepted, cpu.iterationCounters!.accepted, 'accepted');
  });
});
