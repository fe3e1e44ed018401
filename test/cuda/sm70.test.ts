/**
 * sm_70 (Volta): CUDA 13's NVRTC no longer compiles for it, so these checks
 * use NVRTC 12 (Debian's, fetched by scripts/fetch-nvrtc12.js into
 * .nvrtc12/) in a child process (one NVRTC per process). Every method, both
 * precisions, on Lorenz and an 8-state system: a CUBIN for sm_70 from
 * NVRTC 12's own ptxas, with no spill stores or loads.
 *
 * Skipped where NVRTC 12 could not be fetched, except under
 * CUBIE_REQUIRE_NVRTC12=1 (CI), where a missing NVRTC 12 fails.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { createSystem } from '../../src';
import { NVRTC_FLAGS } from '../../src/backends/cuda/build';
import { kernelHeaders } from '../../src/codegen/kernel-source';
import { implicitMethodNames, methodNames } from '../../src/methods/registry';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import type { CubieSystem } from '../../src/system';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { localCopy } = require('../../scripts/fetch-nvrtc12.js') as { localCopy(): string | undefined };

const root = path.join(__dirname, '..', '..');
const nvrtc12 = localCopy();
const required = process.env.CUBIE_REQUIRE_NVRTC12 === '1';
const itNvrtc12: jest.It = nvrtc12 || required ? it : it.skip;

const systems = [
  createSystem({
    name: 'lorenz_sm70',
    equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
    states: { x: 1, y: 1, z: 1 },
    parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
  }),
  createSystem({
    name: 'lorenz96_sm70',
    equations: Array.from({ length: 8 }, (_, i) => `dx${i} = (x${(i + 1) % 8} - x${(i + 6) % 8})*x${(i + 7) % 8} - x${i} + F`),
    states: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, 8])),
    parameters: { F: 8 },
  }),
] as CubieSystem[];

interface Report {
  name: string;
  ok: boolean;
  registers?: number;
  spillStores?: number;
  spillLoads?: number;
  error?: string;
}

function compileWithNvrtc12(jobs: Array<{ name: string; source: string; headers: Record<string, string>; options: string[]; arch: number }>) {
  const child = spawnSync(process.execPath, [path.join(root, 'scripts', 'compile-with-nvrtc.js')], {
    input: JSON.stringify({ nvrtc: nvrtc12, jobs }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (child.status !== 0) throw new Error(`compile-with-nvrtc.js failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { available: boolean; version?: string; error?: string; results: Report[] };
}

describe('sm_70 through NVRTC 12', () => {
  itNvrtc12('every method in both precisions builds a CUBIN for sm_70 without spills (Lorenz, 8-state Lorenz-96)', () => {
    if (!nvrtc12) throw new Error('CUBIE_REQUIRE_NVRTC12=1 but .nvrtc12/ has no NVRTC 12: run `node scripts/fetch-nvrtc12.js`');
    const headers = kernelHeaders();
    const jobs = [];
    for (const system of systems) {
      for (const method of [...methodNames(), ...implicitMethodNames()]) {
        for (const precision of ['float32', 'float64'] as const) {
          const source = generateKernel(system, { method, precision }).source;
          jobs.push({ name: `${system.name}_${method}_${precision}.cu`, source, headers, options: NVRTC_FLAGS, arch: 70 });
        }
      }
    }
    const report = compileWithNvrtc12(jobs);
    expect(report).toMatchObject({ available: true, version: expect.stringMatching(/^12\./) });
    const failed = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error ?? 'no CUBIN'}`);
    expect(failed).toEqual([]);
    const spilled = report.results.filter((r) => r.spillStores !== 0 || r.spillLoads !== 0).map((r) => r.name);
    expect(spilled).toEqual([]);
    expect(report.results).toHaveLength(jobs.length);
  });
});
