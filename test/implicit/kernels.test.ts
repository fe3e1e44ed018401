/**
 * Every implicit kernel, in both precisions and with both linear solvers,
 * is one text that the host compiler accepts with strict warnings as errors
 * and NVRTC compiles for the GPU, and ptxas assembles for a real
 * architecture; float32 kernels carry no double literals but stage times.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { createSystem } from '../../src';
import { hostCompilerStatus } from '../../src/backends/cpu/host-compiler';
import { generateDirkStepper } from '../../src/codegen/dirk-stepper';
import { kernelHeaders, kernelIncludeDir } from '../../src/codegen/kernel-source';
import * as linearSolver from '../../src/codegen/linear-solver';
import { generateRadauStepper } from '../../src/codegen/radau-stepper';
import { generateRosenbrockStepper } from '../../src/codegen/rosenbrock-stepper';
import { implicitMethodNames, resolveMethod } from '../../src/methods/registry';
import { compileCuda } from '../../src/native/nvrtc';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import type { CubieSystem } from '../../src/system';
import { findPtxas, itNvrtc } from '../support/nvrtc';

const execFileAsync = promisify(execFile);
const FLAGS = ['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-Wdouble-promotion', '-Wconversion', '-Wshadow'];

// Robertson with a driver-free time dependence, so df/dt is not all zeros.
const system = createSystem({
  name: 'robertson_forced',
  equations: ['dy1 = -k1*y1 + k3*y2*y3 + 1e-3*sin(t)', 'dy2 = k1*y1 - k2*y2^2 - k3*y2*y3', 'dy3 = k2*y2^2 - 1e-3*sin(t)'],
  states: { y1: 1, y2: 0, y3: 0 },
  parameters: { k1: 0.04, k2: 3e7, k3: 1e4 },
}) as CubieSystem;

interface Kernel {
  label: string;
  source: string;
  precision: 'float32' | 'float64';
  kind: linearSolver.LinearSolverKind;
}

const kernels: Kernel[] = [];
for (const method of implicitMethodNames()) {
  for (const precision of ['float32', 'float64'] as const) {
    for (const kind of ['lu', 'krylov'] as const) {
      const spy = jest.spyOn(linearSolver, 'linearSolverFor').mockReturnValue(kind);
      const source = generateKernel(system, { method, precision, outputTypes: ['state', 'iteration_counters'] }).source;
      spy.mockRestore();
      kernels.push({ label: `${method}-${precision}-${kind}`, source, precision, kind });
    }
  }
}

/** Runs `work` over `items`, `limit` at a time. */
async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(work));
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-implicit-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the implicit kernels', () => {
  it('pick the linear solver the test asked for', () => {
    const lu = kernels.find((k) => k.label === 'radau-float64-lu')!.source;
    const krylov = kernels.find((k) => k.label === 'radau-float64-krylov')!.source;
    expect(lu).toContain('cubie::DenseComplexShiftedSystem<real, n_states>');
    expect(lu).not.toContain('krylov.h');
    expect(krylov).toContain('cubie::MatrixFreeComplexShiftedSystem<Ctx, real, n_states, 3>');
  });

  it('in float32 write every literal of the stepper as a float, except stage times (double)', () => {
    for (const k of kernels.filter((x) => x.precision === 'float32')) {
      const stepper = k.source.slice(k.source.indexOf('namespace cubie_method {'), k.source.indexOf('}  // namespace cubie_method')).replace(/\/\/.*$/gm, '');
      const withoutTimes = stepper.replace(/t [+-] [0-9.e+-]+ \* cubie::wide\(dt\)/g, '');
      const doubles = withoutTimes.match(/(?<![\w.])\d+\.\d*(?:e[+-]?\d+)?(?![\w.])/g) ?? [];
      expect({ kernel: k.label, doubles }).toEqual({ kernel: k.label, doubles: [] });
    }
  });

  it('compile with the host compiler under -Wall -Wextra -Wdouble-promotion -Wconversion -Werror', async () => {
    const compiler = await hostCompilerStatus();
    if (!compiler.available || compiler.path === undefined) throw new Error(`no host C++ compiler: ${compiler.error}`);
    // One translation unit per precision and solver: the first method's whole kernel, and
    // every method's stepper in a namespace of its own, instantiated with the engine's context.
    const units = (['float32', 'float64'] as const).flatMap((precision) =>
      (['lu', 'krylov'] as const).map((kind) => {
        const first = kernels.find((k) => k.precision === precision && k.kind === kind)!;
        const steppers = implicitMethodNames().map((name) => {
          const ns = `m_${name.replace(/-/g, '_')}`;
          const method = resolveMethod(name);
          const options = { precision, nStates: 3, namespace: ns, linearSolver: kind };
          const stepper =
            method.family === 'dirk' ? generateDirkStepper(method, options)
            : method.family === 'rosenbrock' ? generateRosenbrockStepper(method, options)
            : method.family === 'firk' ? generateRadauStepper(method, options)
            : '';
          return `${stepper}template ${ns}::real ${ns}::step<cubie::RunContext>(const cubie::RunContext&, ${ns}::Memory&, double, ${ns}::real, const ${ns}::real*, const ${ns}::real*, ${ns}::real*, ${ns}::real*);\n`;
        });
        return { label: `${precision}-${kind}`, source: [first.source, ...steppers].join('\n') };
      }),
    );
    await inBatches(units, 2, async (unit) => {
      const file = path.join(dir, `${unit.label}.cc`);
      fs.writeFileSync(file, unit.source);
      try {
        await execFileAsync(compiler.path!, [...FLAGS, '-I', kernelIncludeDir(), file]);
      } catch (e) {
        throw new Error(`${unit.label} does not compile cleanly:\n${(e as { stderr?: string }).stderr ?? e}`);
      }
    });
  });

  // The host compiler above saw every combination; NVRTC (about 0.3 s a kernel) compiles
  // every method twice, in float64 with LU and in float32 with Krylov, and ptxas (slower
  // still) assembles every method's float64 kernel and one Krylov kernel per family.
  itNvrtc('compile with NVRTC for compute_80, and ptxas assembles them for sm_80', async () => {
    const ptxas = findPtxas();
    const compiled = kernels.filter((k) => (k.precision === 'float64') === (k.kind === 'lu'));
    const assembled = new Set([
      ...implicitMethodNames().map((name) => `${name}-float64-lu`),
      ...['kvaerno5', 'rodas4', 'radau'].map((name) => `${name}-float32-krylov`),
    ]);
    const toAssemble: string[] = [];
    for (const k of compiled) {
      const { ptx } = await compileCuda({ source: k.source, name: `${k.label}.cu`, headers: kernelHeaders(), options: ['-arch=compute_80', '--std=c++17'], target: 'ptx' });
      expect(ptx).toContain('.entry cubie_integrate');
      if (ptxas === undefined || !assembled.has(k.label)) continue;
      const file = path.join(dir, `${k.label}.ptx`);
      fs.writeFileSync(file, ptx!);
      toAssemble.push(file);
    }
    await inBatches(toAssemble, 2, async (file) => {
      await execFileAsync(ptxas!, ['-arch=sm_80', file, '-o', `${file}.cubin`]);
      expect(fs.statSync(`${file}.cubin`).size).toBeGreaterThan(0);
    });
    if (ptxas !== undefined) expect(toAssemble).toHaveLength(assembled.size);
  });
});
