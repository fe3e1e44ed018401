/**
 * The generated sparse factorisations (src/codegen/sparse-lu-source.ts on
 * structures from sparsity.ts), compiled by the host compiler and run:
 * - on random patterns, sparse LU solves agree with the dense partial-pivoting
 *   LU of kernel/cubie/linalg.h;
 * - on the Jacobians a generated kernel evaluates (jacobian_values against the
 *   dense jacobian), the same;
 * - a zero, cancelled or non-finite pivot fails the factorisation (the step is
 *   then rejected) where the dense LU, free to exchange rows, succeeds;
 * - ILU(0) on a pattern without fill is the exact LU.
 * And the orderings: minimum degree never fills more than the natural order
 * on these patterns, and keeps a banded chain free of fill.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { hostCompilerStatus } from '../../src/backends/cpu/host-compiler';
import { generateKernel } from '../../src/codegen/generate';
import { kernelIncludeDir } from '../../src/codegen/kernel-source';
import { emitFactorStruct } from '../../src/codegen/sparse-lu-source';
import { type JacobianPattern, jacobianPattern, luStructure, minimumDegreeOrder, naturalOrder, sparseLuStructure } from '../../src/codegen/sparsity';
import { brusselator } from '../support/brusselator';

const execFileAsync = promisify(execFile);

/** A deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPattern(n: number, perRow: number, rand: () => number): JacobianPattern {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    const cs = new Set<number>([i]);
    for (let k = 0; k < perRow; k++) cs.add(Math.floor(rand() * n));
    for (const j of [...cs].sort((a, b) => a - b)) {
      rows.push(i);
      cols.push(j);
    }
  }
  return { n, rows, cols };
}

const lit = (x: number): string => (Number.isFinite(x) ? x.toPrecision(17) : x > 0 ? 'INFINITY' : x < 0 ? '-INFINITY' : 'NAN');

/**
 * One case: a namespace with the factor struct, J's values, sigma and b; its
 * check() prints "name ok|fail maxdiff" for sparse against dense.
 */
function caseSource(name: string, pattern: JacobianPattern, values: number[], sigma: number, b: number[], factorName = 'SparseLu', fill = true): string {
  const n = pattern.n;
  const structure = fill ? sparseLuStructure(pattern) : luStructure(pattern, naturalOrder(n), false);
  const emitted = emitFactorStruct(factorName, name, pattern, structure, 'float64');
  const dense = new Array<number>(n * n).fill(0);
  pattern.rows.forEach((i, k) => (dense[i * n + pattern.cols[k]] = values[k]));
  return [
    `namespace ${name} {`,
    'typedef double real;',
    ...emitted.lines,
    `const real jv[] = {${values.map(lit).join(', ')}};`,
    `const real jdense[] = {${dense.map(lit).join(', ')}};`,
    `const real rhs[] = {${b.map(lit).join(', ')}};`,
    'void check() {',
    `  real a[${factorName}::n_factor]; real x[${n}]; real lu[${n * n}]; int pivot[${n}]; real y[${n}];`,
    `  const bool sparse_ok = ${factorName}::factor(jv, ${lit(sigma)}, a);`,
    `  for (int k = 0; k < ${n * n}; ++k) lu[k] = -jdense[k];`,
    `  for (int i = 0; i < ${n}; ++i) lu[i * ${n} + i] += ${lit(sigma)};`,
    `  const bool dense_ok = cubie::lu_factor<real, ${n}>(lu, pivot);`,
    `  for (int i = 0; i < ${n}; ++i) x[i] = y[i] = rhs[i];`,
    `  double diff = 0, scale = 0;`,
    `  if (sparse_ok) ${factorName}::solve(a, x);`,
    `  if (dense_ok) cubie::lu_solve<real, ${n}>(lu, pivot, y);`,
    `  for (int i = 0; i < ${n}; ++i) { diff = fmax(diff, fabs(x[i] - y[i])); scale = fmax(scale, fabs(y[i])); }`,
    `  printf("${name} %d %d %.3e\\n", sparse_ok ? 1 : 0, dense_ok ? 1 : 0, diff / (scale > 0 ? scale : 1));`,
    '}',
    `}  // namespace ${name}`,
  ].join('\n');
}

interface Outcome {
  sparseOk: boolean;
  denseOk: boolean;
  relativeDiff: number;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-sparse-lu-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Compiles `body` (namespaces with check()) and a main calling `checks`, runs it, and parses its lines. */
async function run(label: string, prelude: string, body: string, checks: string[]): Promise<Map<string, Outcome>> {
  const compiler = await hostCompilerStatus();
  if (!compiler.available || compiler.path === undefined) throw new Error(`no host C++ compiler: ${compiler.error}`);
  const file = path.join(dir, `${label}.cc`);
  const exe = path.join(dir, label);
  const source = [
    prelude,
    '#include <cstdio>',
    '#include "cubie/linalg.h"',
    '#include "cubie/sparse.h"',
    body,
    'int main() {',
    ...checks.map((c) => `  ${c}::check();`),
    '  return 0;',
    '}',
  ].join('\n');
  fs.writeFileSync(file, source);
  // -Werror on the test's own code; a whole kernel (prelude) is checked strictly by test/implicit/kernels.test.ts.
  const strict = prelude === '' ? ['-Werror'] : [];
  await execFileAsync(compiler.path, ['-std=c++17', '-O0', '-Wall', '-Wextra', ...strict, '-I', kernelIncludeDir(), file, '-o', exe]);
  const { stdout } = await execFileAsync(exe);
  const out = new Map<string, Outcome>();
  for (const line of stdout.trim().split('\n')) {
    const [name, s, d, r] = line.split(' ');
    out.set(name, { sparseOk: s === '1', denseOk: d === '1', relativeDiff: Number(r) });
  }
  return out;
}

describe('the generated sparse LU', () => {
  it('solves like the dense partial-pivoting LU on random patterns, and ILU(0) without fill is exact', async () => {
    const rand = random(15);
    const cases: string[] = [];
    const names: string[] = [];
    let k = 0;
    for (const n of [4, 9, 17, 40]) {
      for (const perRow of [1, 2, 4]) {
        for (let rep = 0; rep < 2; rep++) {
          const pattern = randomPattern(n, perRow, rand);
          const values = pattern.rows.map(() => rand() * 2 - 1);
          // Not diagonally dominant (sigma below the rows' sums), but shifted clear of J's
          // eigenvalues, as sigma = 1/(h gamma) is for the steps a controller takes.
          const sigma = 1 + (0.5 + rand()) * perRow;
          const b = Array.from({ length: n }, () => rand() * 2 - 1);
          const name = `r${k++}`;
          cases.push(caseSource(name, pattern, values, sigma, b));
          names.push(name);
        }
      }
    }
    // A tridiagonal pattern has no fill in its natural order: ILU(0) is its LU.
    const n = 40;
    const tri: JacobianPattern = { n, rows: [], cols: [] };
    for (let i = 0; i < n; i++) for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < n) (tri.rows.push(i), tri.cols.push(j));
    cases.push(caseSource('ilu_tridiagonal', tri, tri.rows.map(() => rand() - 0.5), 2, Array.from({ length: n }, () => rand()), 'Ilu0', false));
    names.push('ilu_tridiagonal');

    const results = await run('random', '', cases.join('\n'), names);
    expect(results.size).toBe(names.length);
    for (const name of names) {
      const r = results.get(name)!;
      expect({ name, ...r, close: r.relativeDiff < 1e-9 }).toEqual({ name, sparseOk: true, denseOk: true, relativeDiff: r.relativeDiff, close: true });
    }
  });

  it('fails the factorisation on a zero, cancelled or non-finite pivot, where the dense LU exchanges rows', async () => {
    const full2: JacobianPattern = { n: 2, rows: [0, 0, 1, 1], cols: [0, 1, 0, 1] };
    const cases = [
      // sigma I - J = [[0, -1], [-1, 0]]: nonsingular, but its diagonal is zero.
      caseSource('zero_pivot', full2, [1, 1, 1, 1], 1, [1, 2]),
      // [[1, 1], [1, 1 + 1e-17]] after the shift: the second pivot cancels to rounding.
      caseSource('cancelled', full2, [0, -1, -1, -1e-17], 1, [1, 2]),
      caseSource('not_finite', full2, [Number.NaN, 0, 0, 1], 3, [1, 2]),
      caseSource('infinite', full2, [Number.POSITIVE_INFINITY, 0, 0, 1], 3, [1, 2]),
    ];
    const results = await run('pivots', '', cases.join('\n'), ['zero_pivot', 'cancelled', 'not_finite', 'infinite']);
    expect(results.get('zero_pivot')).toMatchObject({ sparseOk: false, denseOk: true });
    expect(results.get('cancelled')!.sparseOk).toBe(false);
    expect(results.get('not_finite')!.sparseOk).toBe(false);
    expect(results.get('infinite')!.sparseOk).toBe(false);
  });

  it('solves with the Jacobian a generated kernel evaluates as the dense LU does', async () => {
    const system = brusselator(12);
    const { source } = generateKernel(system, { method: 'rodas4', linearSolver: 'sparse' });
    const n = system.states.length;
    const rand = random(7);
    const y = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 + rand() : 3 + rand()));
    const b = Array.from({ length: n }, () => rand() - 0.5);
    const check = [
      'namespace generated {',
      'using cubie_sys::real;',
      'void check() {',
      `  const real y[] = {${y.map(lit).join(', ')}};`,
      `  const real rhs[] = {${b.map(lit).join(', ')}};`,
      '  const real p[] = {3.38}; const real d[1] = {0};',
      `  real jv[cubie_method::SparseJacobian::n_jacobian]; real jd[${n * n}]; real a[cubie_method::SparseLu::n_factor];`,
      `  int pivot[${n}]; real x[${n}], z[${n}];`,
      '  cubie_sys::jacobian_values(y, p, d, 0, jv);',
      '  cubie_sys::jacobian(y, p, d, 0, jd);',
      '  double diff = 0, scale = 0; bool all_ok = true, dense_ok = true;',
      '  const real sigmas[] = {real(0.5), real(20), real(3000)};',
      '  for (const real sigma : sigmas) {',
      '    all_ok = cubie_method::SparseLu::factor(jv, sigma, a) && all_ok;',
      `    for (int k = 0; k < ${n * n}; ++k) jd[k] = -jd[k];`,
      `    for (int i = 0; i < ${n}; ++i) jd[i * ${n} + i] += sigma;`,
      `    dense_ok = cubie::lu_factor<real, ${n}>(jd, pivot) && dense_ok;`,
      `    for (int i = 0; i < ${n}; ++i) x[i] = z[i] = rhs[i];`,
      '    cubie_method::SparseLu::solve(a, x);',
      `    cubie::lu_solve<real, ${n}>(jd, pivot, z);`,
      `    for (int i = 0; i < ${n}; ++i) { diff = fmax(diff, fabs(x[i] - z[i])); scale = fmax(scale, fabs(z[i])); }`,
      '    cubie_sys::jacobian(y, p, d, 0, jd);',
      '  }',
      '  printf("generated %d %d %.3e\\n", all_ok ? 1 : 0, dense_ok ? 1 : 0, diff / scale);',
      '}',
      '}  // namespace generated',
    ].join('\n');
    const results = await run('generated', source, check, ['generated']);
    const r = results.get('generated')!;
    expect(r.sparseOk && r.denseOk).toBe(true);
    expect(r.relativeDiff).toBeLessThan(1e-12);
  });
});

describe('the fill-reducing order', () => {
  it('fills no more than the natural order on random patterns, and not at all on a banded chain', () => {
    const rand = random(3);
    for (const n of [20, 60, 120]) {
      const pattern = randomPattern(n, 2, rand);
      const natural = luStructure(pattern, naturalOrder(n));
      const md = luStructure(pattern, minimumDegreeOrder(pattern));
      expect(md.nnz).toBeLessThanOrEqual(natural.nnz);
      expect([...md.order].sort((a, b) => a - b)).toEqual(naturalOrder(n));
    }
    const bruss = jacobianPattern(brusselator(64));
    const structure = sparseLuStructure(bruss);
    // J's nonzeros and the diagonal, and fill only inside the band (bandwidth 2 in the interleaved order).
    expect(structure.nnz).toBeLessThanOrEqual(5 * 128);
    expect(structure.nnz).toBeGreaterThanOrEqual(bruss.rows.length);
  });
});
