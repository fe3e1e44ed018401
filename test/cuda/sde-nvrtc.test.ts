/**
 * The stochastic kernels, the very text the CPU backend runs, under NVRTC:
 * every stochastic method with 'wiener' outputs, Itô and Stratonovich, both
 * precisions, to PTX for compute_80 and (where ptxas is found) to sm_80.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createSystem } from '../../src';
import { kernelHeaders } from '../../src/codegen/kernel-source';
import { compileCuda } from '../../src/native/nvrtc';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { sdeMethodNames } from '../../src/methods/stochastic/methods';
import type { CubieSystem } from '../../src/system';
import { findPtxas, itNvrtc } from '../support/nvrtc';

const definition = {
  name: 'noisy_oscillator',
  equations: ['dx = v', 'dv = -w^2*x - c*v + u'],
  states: { x: 1, v: 0 },
  parameters: { w: 2, c: 0.1, s: 0.3 },
  drivers: ['u'],
  noise: { x: 's*x', v: '0.2*sin(v)' },
};

describe('stochastic kernels under NVRTC', () => {
  for (const precision of ['float32', 'float64'] as const) {
    itNvrtc(`every stochastic method, Itô and Stratonovich, compiles and assembles (${precision})`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-sde-kernel-'));
      const ptxas = findPtxas();
      try {
        for (const calculus of ['ito', 'stratonovich'] as const) {
          const system = createSystem({ ...definition, calculus }) as CubieSystem;
          for (const method of sdeMethodNames()) {
            const plan = compilePlan(system, { method, precision, outputTypes: ['state', 'wiener', 'iteration_counters'] });
            const source = generateKernel(system, plan).source;
            const { ptx } = await compileCuda({ source, name: `${method}.cu`, headers: kernelHeaders(), options: ['-arch=compute_80', '--std=c++17'], target: 'ptx' });
            expect(ptx).toContain('.entry cubie_integrate');
            if (ptxas === undefined) continue;
            const file = path.join(dir, `${method}-${calculus}.ptx`);
            fs.writeFileSync(file, ptx!);
            execFileSync(ptxas, ['-arch=sm_80', file, '-o', `${file}.cubin`], { stdio: 'pipe' });
            expect(fs.statSync(`${file}.cubin`).size).toBeGreaterThan(0);
          }
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
