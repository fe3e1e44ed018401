/**
 * The generated steppers, compiled by the host C++ compiler with the warnings
 * the CPU backend cares about (no double promotion in float32, no narrowing)
 * and run: they agree with the tableau step for step, converge at their
 * order, estimate their error at the right order, and count their f calls.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { hostCompilerStatus } from '../../src/backends/cpu/host-compiler';
import { allMethods } from '../../src/methods/registry';
import type { ButcherTableau } from '../../src/methods/tableau';
import type { Precision } from '../../src/system/types';
import { referenceStep } from './support/reference-step';
import { type HarnessOutput, hostHarness, KERNEL_INCLUDE_DIR, parseHarnessOutput } from './support/stepper-harness';
import { problemRhs, REFERENCE_STEP } from './support/test-problem';

const execFileAsync = promisify(execFile);

// kernel/ is passed with -isystem: its headers are tested where they are written,
// and this file is about the generated code (g++ -Wall also flags norm.h's
// `#pragma unroll`, which only NVRTC knows).
const FLAGS = ['-std=c++17', '-O2', '-Wall', '-Wextra', '-Werror', '-Wdouble-promotion', '-Wconversion', '-Wno-unused-parameter'];

// Fixed-step runs with N and 2N steps over [0, 2]: N such that both errors are in the
// asymptotic range and far above roundoff (higher orders need coarser steps for that).
const STEPS_BY_ORDER: Record<number, number> = { 1: 64, 2: 32, 3: 32, 4: 64, 5: 64, 7: 16, 8: 8 };
const LOCAL_STEPS = [0.25, 0.125];

const methods = allMethods();
const stepsFor = (m: ButcherTableau): number => STEPS_BY_ORDER[m.order];
const observedOrder = (coarse: number, fine: number): number => Math.log2(coarse / fine);

let dir: string;
const output: Partial<Record<Precision, HarnessOutput>> = {};

async function buildAndRun(compiler: string, precision: Precision): Promise<HarnessOutput> {
  const source = path.join(dir, `steppers-${precision}.cc`);
  const executable = path.join(dir, `steppers-${precision}`);
  fs.writeFileSync(source, hostHarness(methods, precision, (m) => ({ steps: [stepsFor(m), 2 * stepsFor(m)], localSteps: LOCAL_STEPS })));
  try {
    await execFileAsync(compiler, [...FLAGS, '-isystem', KERNEL_INCLUDE_DIR, source, '-o', executable]);
  } catch (e) {
    throw new Error(`${precision} steppers do not compile cleanly:\n${(e as { stderr?: string }).stderr ?? e}`);
  }
  const { stdout } = await execFileAsync(executable);
  return parseHarnessOutput(stdout);
}

beforeAll(async () => {
  const compiler = await hostCompilerStatus();
  if (!compiler.available || compiler.path === undefined) throw new Error(`no host C++ compiler: ${compiler.error}`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-steppers-'));
  const [float64, float32] = await Promise.all([buildAndRun(compiler.path, 'float64'), buildAndRun(compiler.path, 'float32')]);
  output.float64 = float64;
  output.float32 = float32;
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(methods.map((m) => [m.name, m] as const))('%s, generated and compiled', (name, method) => {
  const stages = method.b.length;

  it('exposes the tableau facts the engine reads', () => {
    expect(output.float64!.meta.get(name)).toEqual({
      order: method.order,
      errorOrder: method.errorOrder,
      adaptive: method.errorEstimator.kind !== 'none',
      fsal: method.fsal,
      stages,
      rhsPerStep: method.fsal ? stages - 1 : stages,
    });
  });

  it('takes the same step as the tableau, in float64', () => {
    const r = REFERENCE_STEP;
    const expected = referenceStep(method, problemRhs, r.t, r.h, r.y, r.atol, r.rtol);
    const got = output.float64!.reference.get(name)!;
    got.yNew.forEach((v, i) => expect(Math.abs(v - expected.yNew[i])).toBeLessThan(1e-13));
    // Without FSAL, f1 is left as it was (zeros).
    const f1 = expected.f1 ?? [0, 0, 0];
    got.f1.forEach((v, i) => expect(Math.abs(v - f1[i])).toBeLessThan(1e-13));
    if (expected.norm === 0) expect(got.norm).toBe(0);
    else expect(Math.abs(got.norm / expected.norm - 1)).toBeLessThan(1e-8);
  });

  it('takes the same step in float32, to float precision', () => {
    const r = REFERENCE_STEP;
    const expected = referenceStep(method, problemRhs, r.t, r.h, r.y, r.atol, r.rtol);
    const got = output.float32!.reference.get(name)!;
    got.yNew.forEach((v, i) => expect(Math.abs(v - expected.yNew[i])).toBeLessThan(1e-5));
    const f1 = expected.f1 ?? [0, 0, 0];
    got.f1.forEach((v, i) => expect(Math.abs(v - f1[i])).toBeLessThan(1e-5));
  });

  it(`converges at order ${method.order} on the linear and the nonlinear problem`, () => {
    const [coarse, fine] = output.float64!.global.get(name)!;
    expect(coarse.steps * 2).toBe(fine.steps);
    expect(Math.abs(observedOrder(coarse.linear, fine.linear) - method.order)).toBeLessThan(0.3);
    expect(Math.abs(observedOrder(coarse.nonlinear, fine.nonlinear) - method.order)).toBeLessThan(0.3);
  });

  it('makes rhs_evaluations_per_step calls of f per step, with the engine refreshing f0 when not FSAL', () => {
    const perStep = method.fsal ? stages - 1 : stages;
    for (const run of output.float64!.global.get(name)!) expect(run.rhsCalls).toBe(1 + run.steps * perStep);
  });

  if (method.errorEstimator.kind === 'none') {
    it('reports no error (0) in every step', () => {
      for (const run of output.float64!.local.get(name)!) expect(run.norm).toBe(0);
    });
  } else {
    const expected = Math.min(method.order, method.errorOrder) + 1;
    it(`estimates an error that scales like dt^${expected}`, () => {
      const [coarse, fine] = output.float64!.local.get(name)!;
      expect(coarse.h).toBe(2 * fine.h);
      expect(Math.abs(observedOrder(coarse.norm, fine.norm) - expected)).toBeLessThan(0.3);
    });
  }
});
