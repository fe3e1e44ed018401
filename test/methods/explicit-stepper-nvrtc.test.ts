/**
 * Every generated stepper, float32 and float64, compiled by NVRTC in one
 * program with a kernel that instantiates each step with a device Ctx.
 */
import { compileCuda } from '../../src/native/nvrtc';
import { allMethods } from '../../src/methods/registry';
import type { Precision } from '../../src/system/types';
import { itNvrtc } from '../support/nvrtc';
import { kernelHeaders, namespaceFor, steppersSource } from './support/stepper-harness';
import { N_STATES, PROBLEM_CPP } from './support/test-problem';

const methods = allMethods();

/** A kernel that takes one step of every method and stores each y_new and error norm. */
function stepAllKernel(precision: Precision, prefix: string): string {
  const real = precision === 'float32' ? 'float' : 'double';
  const name = `step_all_${precision}`;
  const steps = methods.map((m, k) => {
    const ns = namespaceFor(m, prefix);
    return [
      `  out[${2 * k}] = ${ns}::step(problem, t, dt, y, f0, y_new, f1);`,
      `  out[${2 * k + 1}] = y_new[0] + f1[0];`,
    ].join('\n');
  });
  return `
CUBIE_KERNEL void ${name}(const ${real}* __restrict__ y0, ${real}* __restrict__ out) {
  typedef ${real} real;
  const real atol[${N_STATES}] = {real(1e-6), real(1e-6), real(1e-6)};
  const real rtol[${N_STATES}] = {real(1e-3), real(1e-3), real(1e-3)};
  const TestProblem<real> problem = {atol, rtol, 0};
  const double t = 0.1 * threadIdx.x;
  const real dt = real(0.01);
  real y[${N_STATES}], f0[${N_STATES}], y_new[${N_STATES}], f1[${N_STATES}] = {real(0), real(0), real(0)};
  for (int i = 0; i < ${N_STATES}; ++i) y[i] = y0[${N_STATES} * threadIdx.x + i];
  problem.rhs(t, y, f0);
${steps.join('\n')}
}
`;
}

describe('generated steppers under NVRTC', () => {
  itNvrtc('compile, float32 and float64, in one program with no std headers', async () => {
    const source = [
      '#include "cubie/platform.h"',
      '#include "cubie/norm.h"',
      steppersSource(methods, 'float32', 'f32_'),
      steppersSource(methods, 'float64', 'f64_'),
      PROBLEM_CPP,
      stepAllKernel('float32', 'f32_'),
      stepAllKernel('float64', 'f64_'),
    ].join('\n');
    const result = await compileCuda({
      source,
      name: 'steppers.cu',
      headers: kernelHeaders(),
      options: ['-arch=compute_80', '--std=c++17'],
      target: 'ptx',
    });
    expect(result.ptx).toContain('.entry step_all_float32');
    expect(result.ptx).toContain('.entry step_all_float64');
    expect(result.log).not.toMatch(/warning/i);
  });
});
