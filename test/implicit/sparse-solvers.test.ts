/**
 * The sparse linear solvers end to end on the CPU backend:
 * - rodas4, kvaerno5 and radau (its complex block factored on the same
 *   structure) on a 32-state Brusselator give the same answer with the
 *   dense and the sparse LU, and both match scipy's Radau at 1e-12
 *   (test/fixtures/sparse/brusselator.py);
 * - GMRES preconditioned by ILU(0) or Jacobi needs fewer iterations than
 *   plain GMRES on a chain whose reaction rates span four decades, with the
 *   same answer;
 * - a zero diagonal pivot fails the sparse factorisation: a fixed step ends
 *   with NEWTON_FAILED where the dense LU, exchanging rows, solves;
 * - the option: 'auto' by the rule (small systems whose pattern saves most
 *   of the dense LU's work included), Radau refusing the preconditioned kinds, bad
 *   values as CubieError INVALID_OPTION, the choice in result.kernel.
 * The host compiler accepts the sparse paths under strict warnings; NVRTC
 * compiles them, and ptxas assembles the sparse LU ones.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { hostCompilerStatus } from '../../src/backends/cpu/host-compiler';
import { implicitMethodNames, resolveMethod } from '../../src/methods/registry';
import { createSystem, Solver, solveIvp } from '../../src';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { kernelHeaders, kernelIncludeDir } from '../../src/codegen/kernel-source';
import { compileCuda } from '../../src/native/nvrtc';
import { CubieError } from '../../src/shared/errors';
import type { CubieSystem } from '../../src/system';
import { brusselator } from '../support/brusselator';
import { findPtxas, itNvrtc } from '../support/nvrtc';

const execFileAsync = promisify(execFile);
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sparse', 'brusselator32.json'), 'utf8')) as { cells: number; t1: number; final: number[] };
const bruss = brusselator(reference.cells);
const n = bruss.states.length;

function finalState(result: { timeDomain: Float64Array | Float32Array }, states: number): number[] {
  return Array.from(result.timeDomain.subarray(result.timeDomain.length - states));
}

const sum = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0);

describe('sparse LU in the implicit steppers', () => {
  for (const method of ['rodas4', 'kvaerno5', 'radau']) {
    it(`${method}: dense and sparse agree on a 32-state Brusselator, and match scipy`, async () => {
      const options = { method, backend: 'cpu' as const, threads: 1, duration: reference.t1, rtol: 1e-8, atol: 1e-10, outputTypes: ['state', 'iteration_counters'] };
      const dense = await solveIvp(bruss, {}, {}, { ...options, linearSolver: 'dense' });
      const sparse = await solveIvp(bruss, {}, {}, { ...options, linearSolver: 'sparse' });
      const auto = await solveIvp(bruss, {}, {}, options);
      expect([dense.status[0], sparse.status[0]]).toEqual([0, 0]);
      expect([dense.kernel.linearSolver, sparse.kernel.linearSolver, auto.kernel.linearSolver]).toEqual(['dense', 'sparse', 'sparse']);
      const d = finalState(dense, n);
      const s = finalState(sparse, n);
      // Same steps: the two LUs differ by rounding only.
      expect(sparse.iterationCounters!.accepted[0]).toBe(dense.iterationCounters!.accepted[0]);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(s[i] - d[i])).toBeLessThan(1e-12 * (1 + Math.abs(d[i])));
        expect(Math.abs(s[i] - reference.final[i])).toBeLessThan(1e-5 * (1 + Math.abs(reference.final[i])));
      }
      expect(finalState(auto, n)).toEqual(s);
    });
  }
});

describe('Radau on the sparse LU in float32', () => {
  it('agrees with the dense LU within the tolerance on the 32-state Brusselator', async () => {
    const options = { method: 'radau', precision: 'float32' as const, backend: 'cpu' as const, threads: 1, duration: reference.t1, rtol: 1e-4, atol: 1e-6 };
    const dense = await solveIvp(bruss, {}, {}, { ...options, linearSolver: 'dense' });
    const sparse = await solveIvp(bruss, {}, {}, options);
    expect([dense.status[0], sparse.status[0], sparse.kernel.linearSolver]).toEqual([0, 0, 'sparse']);
    const d = finalState(dense, n);
    const s = finalState(sparse, n);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(s[i] - d[i])).toBeLessThan(1e-6 + 1e-4 * Math.abs(d[i]));
      expect(Math.abs(s[i] - reference.final[i])).toBeLessThan(10 * (1e-6 + 1e-4 * Math.abs(reference.final[i])));
    }
  });
});

/** A diffusion chain whose decay rates k_i = 10^(4 i/(N-1)) span four decades: a badly scaled diagonal. */
function scaledChain(states: number): CubieSystem {
  const eq: string[] = [];
  const init: Record<string, number> = {};
  for (let i = 0; i < states; i++) {
    const left = i === 0 ? '0' : `u${i - 1}`;
    const right = i === states - 1 ? '0' : `u${i + 1}`;
    eq.push(`du${i} = D*(${left} - 2*u${i} + ${right}) - ${10 ** ((4 * i) / (states - 1))}*u${i}*(1 + u${i}^2)`);
    init[`u${i}`] = 1;
  }
  return createSystem({ name: `scaled_chain${states}`, equations: eq.join('\n'), states: init, parameters: { D: 50 } }) as CubieSystem;
}

describe('preconditioned GMRES', () => {
  it('converges in fewer iterations with ILU(0) or Jacobi than without, to the same answer', async () => {
    const system = scaledChain(24);
    const options = { method: 'kvaerno5', backend: 'cpu' as const, threads: 1, duration: 1, rtol: 1e-7, atol: 1e-9, outputTypes: ['state', 'iteration_counters'] };
    const results: Record<string, { iterations: number; final: number[]; status: number; newton: number }> = {};
    for (const linearSolver of ['dense', 'gmres', 'gmres-jacobi', 'gmres-ilu0'] as const) {
      const r = await solveIvp(system, {}, {}, { ...options, linearSolver });
      expect(r.kernel.linearSolver).toBe(linearSolver);
      results[linearSolver] = { iterations: sum(r.iterationCounters!.linearIterations), final: finalState(r, 24), status: r.status[0], newton: sum(r.iterationCounters!.newtonIterations) };
    }
    for (const r of Object.values(results)) expect(r.status).toBe(0);
    const { gmres, 'gmres-jacobi': jacobi, 'gmres-ilu0': ilu0, dense } = results;
    expect(jacobi.iterations).toBeLessThan(gmres.iterations);
    expect(ilu0.iterations).toBeLessThan(jacobi.iterations);
    // ILU(0) of a tridiagonal matrix is its LU: one product a solve.
    expect(ilu0.iterations).toBe(ilu0.newton);
    for (const r of [gmres, jacobi, ilu0]) for (let i = 0; i < 24; i++) expect(Math.abs(r.final[i] - dense.final[i])).toBeLessThan(1e-6 * (1e-9 / 1e-7 + Math.abs(dense.final[i])) + 1e-8);
  });
});

describe('the sparse LU pivots on the diagonal', () => {
  it('fails a step whose shifted matrix has a zero diagonal, where the dense LU exchanges rows', async () => {
    // backwards-euler, dt = 0.5: sigma = 2, and sigma I - J = [[0, -1], [-1, 0]], nonsingular.
    const system = createSystem({ name: 'zero_pivot', equations: 'dx = 2*x + y\ndy = x + 2*y', states: { x: 1, y: 0 } });
    const options = { method: 'backwards-euler', stepController: 'fixed' as const, dt: 0.5, duration: 1, backend: 'cpu' as const, threads: 1 };
    const dense = await solveIvp(system, {}, {}, { ...options, linearSolver: 'dense' });
    const sparse = await solveIvp(system, {}, {}, { ...options, linearSolver: 'sparse' });
    expect(dense.status[0]).toBe(0);
    expect(sparse.status[0]).toBe(8); // NEWTON_FAILED: the step cannot be solved, and is flagged rather than guessed
  });
});

describe('the linearSolver option', () => {
  it("chooses by the rule for 'auto', and reports the choice", () => {
    const robertson = createSystem({ name: 'rob', equations: 'dy1 = -0.04*y1 + 1e4*y2*y3\ndy2 = 0.04*y1 - 3e7*y2^2 - 1e4*y2*y3\ndy3 = 3e7*y2^2', states: { y1: 1, y2: 0, y3: 0 } });
    expect(compilePlan(robertson, { method: 'rodas4' }).linearSolver).toBe('dense');
    expect(compilePlan(robertson, { method: 'tsit5' }).linearSolver).toBe('none');
    expect(compilePlan(bruss, { method: 'rodas4' }).linearSolver).toBe('sparse');
    expect(compilePlan(bruss, { method: 'radau' }).linearSolver).toBe('sparse');
    // Small systems: sparse when its LU costs at most a quarter of the dense one's multiply-adds.
    const hires = createSystem({
      name: 'hires_pattern',
      equations: [
        'dy1 = -1.71*y1 + 0.43*y2 + 8.32*y3 + 0.0007',
        'dy2 = 1.71*y1 - 8.75*y2',
        'dy3 = -10.03*y3 + 0.43*y4 + 0.035*y5',
        'dy4 = 8.32*y2 + 1.71*y3 - 1.12*y4',
        'dy5 = -1.745*y5 + 0.43*y6 + 0.43*y7',
        'dy6 = -280*y6*y8 + 0.69*y4 + 1.71*y5 - 0.43*y6 + 0.69*y7',
        'dy7 = 280*y6*y8 - 1.81*y7',
        'dy8 = -280*y6*y8 + 1.81*y7',
      ].join('\n'),
      states: { y1: 1, y2: 0, y3: 0, y4: 0, y5: 0, y6: 0, y7: 0, y8: 0.0057 },
    });
    for (const method of ['rodas5p', 'kvaerno5', 'radau']) expect(compilePlan(hires, { method }).linearSolver).toBe('sparse');
    expect(compilePlan(bruss, { method: 'rodas4', linearSolver: 'gmres-ilu0' }).linearSolver).toBe('gmres-ilu0');
    // A dense Jacobian: the sparse LU would fill it all.
    const eq = Array.from({ length: 20 }, (_, i) => `dx${i} = -x${i} + 0.01*(${Array.from({ length: 20 }, (_, j) => `x${j}`).join(' + ')})`);
    const full = createSystem({ name: 'full20', equations: eq.join('\n'), states: Object.fromEntries(eq.map((_, i) => [`x${i}`, 1])) });
    expect(compilePlan(full, { method: 'rodas4' }).linearSolver).toBe('dense');
  });

  it('refuses bad values and the preconditioned kinds for Radau with INVALID_OPTION', () => {
    const bad = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CubieError);
        return `${(e as CubieError).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(bad(() => new Solver(bruss, { method: 'rodas4', linearSolver: 'lu' as never }))).toMatch(/^INVALID_OPTION: .*linearSolver/);
    expect(compilePlan(bruss, { method: 'radau', linearSolver: 'sparse' }).linearSolver).toBe('sparse');
    expect(bad(() => compilePlan(bruss, { method: 'radau', linearSolver: 'gmres-ilu0' }))).toMatch(/^INVALID_OPTION: .*Radau/);
    expect(bad(() => compilePlan(bruss, { method: 'radau', linearSolver: 'gmres-jacobi' }))).toMatch(/^INVALID_OPTION: .*Radau/);
  });

  it('leaves the kernel text of dense and matrix-free choices as before', () => {
    const dense = generateKernel(bruss, { method: 'rodas4', linearSolver: 'dense' }).source;
    expect(dense).not.toContain('jacobian_values');
    expect(dense).not.toContain('sparse.h');
    expect(dense).toContain('cubie::KeptShiftedSystem<real, n_states> linear;');
    const sparse = generateKernel(bruss, { method: 'rodas4', linearSolver: 'sparse' }).source;
    expect(sparse).toContain('cubie::KeptShiftedSystem<real, n_states, cubie::SparseShiftedSystem<real, SparseJacobian, SparseLu>> linear;');
  });
});

describe('the sparse paths on the host compiler', () => {
  it('compile under -Wall -Wextra -Wdouble-promotion -Wconversion -Wshadow -Werror for every DIRK and Rosenbrock method, and Radau', async () => {
    const compiler = await hostCompilerStatus();
    if (!compiler.available || compiler.path === undefined) throw new Error(`no host C++ compiler: ${compiler.error}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-sparse-strict-'));
    const flags = ['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-Wdouble-promotion', '-Wconversion', '-Wshadow', '-I', kernelIncludeDir()];
    const cases = [
      ...implicitMethodNames().filter((m) => resolveMethod(m).family !== 'firk').map((method) => ({ method, precision: 'float64' as const, linearSolver: 'sparse' as const })),
      { method: 'kvaerno5', precision: 'float32' as const, linearSolver: 'sparse' as const },
      { method: 'radau', precision: 'float64' as const, linearSolver: 'sparse' as const },
      { method: 'radau', precision: 'float32' as const, linearSolver: 'sparse' as const },
      { method: 'rodas4', precision: 'float32' as const, linearSolver: 'gmres-ilu0' as const },
      { method: 'kvaerno5', precision: 'float64' as const, linearSolver: 'gmres-jacobi' as const },
    ];
    try {
      for (const c of cases) {
        const file = path.join(dir, `${c.method}-${c.precision}-${c.linearSolver}.cc`);
        fs.writeFileSync(file, generateKernel(scaledChain(6), c).source);
        try {
          await execFileAsync(compiler.path, [...flags, file]);
        } catch (e) {
          throw new Error(`${path.basename(file)} does not compile cleanly:\n${(e as { stderr?: string }).stderr ?? e}`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the sparse paths on the GPU compiler', () => {
  itNvrtc('compile with NVRTC for compute_80, and ptxas assembles them for sm_80', async () => {
    const ptxas = findPtxas();
    // ptxas (tens of seconds for the unrolled GMRES) assembles the sparse LU kernels only.
    const cases = [
      { method: 'rodas4', precision: 'float64' as const, linearSolver: 'sparse' as const, assemble: true },
      { method: 'kvaerno5', precision: 'float32' as const, linearSolver: 'sparse' as const, assemble: true },
      { method: 'radau', precision: 'float32' as const, linearSolver: 'sparse' as const, assemble: true },
      { method: 'kvaerno5', precision: 'float64' as const, linearSolver: 'gmres-ilu0' as const, assemble: false },
      { method: 'rodas4', precision: 'float32' as const, linearSolver: 'gmres-jacobi' as const, assemble: false },
    ];
    for (const c of cases) {
      const { source } = generateKernel(bruss, { method: c.method, precision: c.precision, linearSolver: c.linearSolver });
      const { ptx } = await compileCuda({ source, name: `${c.method}-${c.linearSolver}.cu`, headers: kernelHeaders(), options: ['-arch=compute_80', '--std=c++17'], target: 'ptx' });
      expect(ptx).toContain('.entry cubie_integrate');
      if (ptxas === undefined || !c.assemble) continue;
      const file = path.join(os.tmpdir(), `cubie-sparse-${process.pid}-${c.method}-${c.linearSolver}-${c.precision}.ptx`);
      fs.writeFileSync(file, ptx!);
      try {
        await execFileAsync(ptxas, ['-arch=sm_80', file, '-o', `${file}.cubin`]);
        expect(fs.statSync(`${file}.cubin`).size).toBeGreaterThan(0);
      } finally {
        fs.rmSync(file, { force: true });
        fs.rmSync(`${file}.cubin`, { force: true });
      }
    }
  });
});
