/**
 * The generated C++ compiles with NVRTC (device code: each function called
 * from a probe kernel), and float32 kernels contain no double-precision
 * arithmetic at all.
 */
import { generateSystemSource } from '../../src/codegen/system-source';
import * as fs from 'fs';
import * as path from 'path';
import { compileCuda } from '../../src/native/nvrtc';
import { itNvrtc } from '../support/nvrtc';
import { createSystem } from '../../src/system';
import type { SystemDefinition } from '../../src/system';
import { PLATFORM_HEADER, REPO_ROOT } from './support/gxx';
import { probeKernels } from './support/nvrtc-probe';

const fixture = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/system/reference.json'), 'utf8')) as {
  systems: { name: string; definition: SystemDefinition }[];
};
const definitions: SystemDefinition[] = [
  ...fixture.systems.map((s) => s.definition),
  {
    name: 'piecewise',
    equations: [
      'ramp = t > 1 and not (a < 0 or b == 3) ? a - b : b != 2 ? 2*a*b : 0',
      'da = abs(a - 0.3)*b + min(a, b, c) - max(a, 2*c) + sign(b - a)*c^2 + a^-3 + b^17 + c^0.5',
      'db = floor(3*a)*b + ceil(2*b)*a + ramp + (0 < c <= 1 ? c^3 : -c)',
      'dc = a > 0 ? sqrt(a) * c : c/(1 + a^2) - u*b + 1e-40 + 3.4e38',
    ],
    states: ['a', 'b', 'c'],
    drivers: ['u'],
    observables: ['ramp'],
  },
];

describe('NVRTC', () => {
  const platform = fs.readFileSync(PLATFORM_HEADER, 'utf8');
  const systems = definitions.map((d) => createSystem(d));

  const compile = (source: string, name: string, extra: string[] = []) =>
    compileCuda({ source, name, headers: { 'cubie/platform.h': platform }, options: ['--std=c++17', '-arch=compute_80', ...extra], target: 'ptx' });
  const program = (precision: 'float32' | 'float64'): string => [
    '#include "cubie/platform.h"',
    ...systems.map((s) => generateSystemSource(s, { precision, namespace: s.name })),
    probeKernels(systems.map((s) => s.name), precision),
  ].join('\n');

  itNvrtc.each(['float32', 'float64'] as const)('compiles every named system to PTX through probe kernels (%s)', async (precision) => {
    const ptx = (await compile(program(precision), `systems_${precision}.cu`)).ptx ?? '';
    for (const s of systems) expect(ptx).toContain(`.entry probe_${s.name}(`);
  });

  itNvrtc('float32 kernels do no double-precision arithmetic', async () => {
    // CUDA's own sinf/cosf/tanf use doubles in their slow-path argument reduction;
    // --use_fast_math swaps those for intrinsics, so any .f64 left would be ours.
    const ptx = (await compile(program('float32'), 'systems_float32_fast.cu', ['--use_fast_math'])).ptx ?? '';
    expect(ptx).toContain('.entry probe_');
    expect(ptx).not.toMatch(/\.f64\b/);
    // And the check can fail: the float64 program is full of them.
    expect((await compile(program('float64'), 'systems_float64_fast.cu', ['--use_fast_math'])).ptx).toMatch(/\.f64\b/);
  });

  itNvrtc('rejects broken code (the checks above can fail)', async () => {
    const broken = `${generateSystemSource(systems[1], { precision: 'float64', namespace: 'broken' })}\nCUBIE_FN void oops() { undefined_function(); }\n`;
    await expect(compile(`#include "cubie/platform.h"\n${broken}`, 'broken.cu')).rejects.toMatchObject({ code: 'COMPILE_FAILED' });
  });
});
