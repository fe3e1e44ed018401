import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createSystem } from '../../src';
import { kernelHeaders } from '../../src/codegen/kernel-source';
import { compileCuda } from '../../src/native/nvrtc';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import type { CubieSystem } from '../../src/system';
import { findPtxas, itNvrtc } from '../support/nvrtc';

// The kernel the CPU backend runs is, byte for byte, the one NVRTC compiles
// for the GPU: here NVRTC compiles it and ptxas accepts it for a real
// architecture, for each method and both precisions.
const lorenz = createSystem({
  name: 'lorenz',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z', 'r = sqrt(x^2 + y^2)'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 21, beta: 8 / 3 },
  observables: ['r'],
}) as CubieSystem;

const CASES: Array<{ method: string; controller?: string; outputs: string[] }> = [
  { method: 'euler', outputs: ['state'] },
  { method: 'rk4', outputs: ['state', 'observables'] },
  { method: 'bogacki-shampine-32', controller: 'i', outputs: ['state'] },
  { method: 'tsit5', controller: 'pi', outputs: ['state', 'observables', 'mean', 'peaks[2]', 'dxdt_extrema', 'iteration_counters'] },
  { method: 'dopri5', controller: 'pid', outputs: ['state'] },
  { method: 'cash-karp-54', controller: 'gustafsson', outputs: ['state'] },
  { method: 'fehlberg-45', outputs: ['state'] },
  { method: 'vern7', outputs: ['state'] },
  { method: 'dop853', outputs: ['state', 'max'] },
];

describe('the whole generated kernel under NVRTC', () => {
  for (const precision of ['float32', 'float64'] as const) {
    itNvrtc(`every method compiles to PTX for compute_80 and ptxas assembles it for sm_80 (${precision})`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-kernel-'));
      const ptxas = findPtxas();
      try {
        for (const c of CASES) {
          const plan = compilePlan(lorenz, { method: c.method, stepController: c.controller as 'pi' | undefined, precision, outputTypes: c.outputs });
          const source = generateKernel(lorenz, plan).source;
          const { ptx } = await compileCuda({ source, name: `${c.method}.cu`, headers: kernelHeaders(), options: ['-arch=compute_80', '--std=c++17'], target: 'ptx' });
          expect(ptx).toContain('.entry cubie_integrate');
          if (ptxas === undefined) continue;
          const file = path.join(dir, `${c.method}.ptx`);
          fs.writeFileSync(file, ptx!);
          execFileSync(ptxas, ['-arch=sm_80', file, '-o', `${file}.cubin`], { stdio: 'pipe' });
          expect(fs.statSync(`${file}.cubin`).size).toBeGreaterThan(0);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
