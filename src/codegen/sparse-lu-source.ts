/**
 * C++ for factorisations of sigma*I - J on a structure fixed at codegen
 * (sparsity.ts): straight-line code, one statement per nonzero, no index
 * tables. Straight-line code needs no constant memory on the GPU (NVRTC
 * cannot index a host constexpr array) and keeps every index a literal; it
 * is emitted once per structure and called through non-inlined functions
 * (kernel/cubie/sparse.h), so a stepper's six solves share one copy.
 *
 * The same emitter gives the full sparse LU (with fill), ILU(0) (A's own
 * structure) and Jacobi (the diagonal): what differs is the structure.
 */
import type { Precision } from '../system/types';
import type { JacobianPattern, LuStructure } from './sparsity';

/**
 * Structures with at most this many L+U entries are inlined at each solve on
 * the host (kernel/cubie/sparse.h CUBIE_SPARSE_SMALL_FN): measured on HIRES
 * (27 entries), radau took 17% less CPU time inlined than calling the -O1
 * functions; POLLU's 109 and the Ring Modulator's 67 are below it too. Larger
 * ones stay single -O1 copies, for compile time.
 */
export const SPARSE_INLINE_MAX_ENTRIES = 128;

export interface EmittedFactor {
  /** The C++ struct: n_factor, factor(jv, sigma, a), solve(a, b). */
  lines: string[];
  nnz: number;
}

function positions(structure: LuStructure): Map<string, number> {
  const at = new Map<string, number>();
  let p = 0;
  structure.rowEntries.forEach((row, k) => row.forEach((c) => at.set(`${k},${c}`, p++)));
  return at;
}

/**
 * One struct `name` for the structure: factor() assembles P (sigma I - J) P^T
 * into a[] from J's values (entries outside the structure are dropped: that is
 * ILU(0) and Jacobi), eliminates row by row (Doolittle, rows in elimination
 * order) with the pivots on the diagonal, and stores 1/u_kk there, so solves
 * multiply. A pivot that is not finite, or has shrunk below a few ulps of the
 * row's diagonal before elimination (cubie::sparse_pivot_ok), fails the
 * factorisation: the stepper then rejects the step and the controller retries
 * with a smaller one, whose larger sigma makes the matrix more diagonally
 * dominant. b in solve() is in the original state order.
 *
 * With `complex`, the struct factors (sr + i si) I - J into
 * cubie::complex_number entries (Radau's complex block, kernel/cubie/sparse.h
 * SparseComplexShiftedSystem) and solves for re + i im; the structure, the
 * order and the pivot test are the real one's.
 */
export function emitFactorStruct(name: string, what: string, pattern: JacobianPattern, structure: LuStructure, precision: Precision, complex = false): EmittedFactor {
  const at = positions(structure);
  const { order } = structure;
  const position = new Array<number>(structure.n);
  order.forEach((state, k) => (position[state] = k));
  const zero = precision === 'float32' ? '0.0f' : '0.0';
  const diag = (k: number): number => at.get(`${k},${k}`)!;

  const assembled = new Set<number>();
  const assemble: string[] = [];
  pattern.rows.forEach((i, k) => {
    const p = at.get(`${position[i]},${position[pattern.cols[k]]}`);
    if (p === undefined) return;
    assembled.add(p);
    if (complex) assemble.push(i === pattern.cols[k] ? `a[${p}] = complex{sr - jv[${k}], si};` : `a[${p}] = complex{-jv[${k}], real(0)};`);
    else assemble.push(i === pattern.cols[k] ? `a[${p}] = sigma - jv[${k}];` : `a[${p}] = -jv[${k}];`);
  });
  for (let k = 0; k < structure.n; k++) {
    if (!assembled.has(diag(k))) {
      assembled.add(diag(k));
      assemble.push(complex ? `a[${diag(k)}] = complex{sr, si};` : `a[${diag(k)}] = sigma;`);
    }
  }
  const fill = [...at.values()].filter((p) => !assembled.has(p));
  const fillLines = fill.map((p) => (complex ? `a[${p}] = complex{real(0), real(0)};` : `a[${p}] = ${zero};`));

  const eliminate: string[] = [];
  structure.rowEntries.forEach((row, k) => {
    const lower = row.filter((c) => c < k);
    const here = new Set(row);
    const body: string[] = [];
    for (const j of lower) {
      const lkj = at.get(`${k},${j}`)!;
      body.push(complex ? `a[${lkj}] = a[${lkj}] * a[${diag(j)}];` : `a[${lkj}] *= a[${diag(j)}];`);
      for (const c of structure.rowEntries[j]) {
        if (c <= j || !here.has(c)) continue;
        const x = at.get(`${k},${c}`);
        body.push(complex ? `a[${x}] = a[${x}] - a[${lkj}] * a[${at.get(`${j},${c}`)}];` : `a[${x}] -= a[${lkj}] * a[${at.get(`${j},${c}`)}];`);
      }
    }
    const d = diag(k);
    const invert = complex ? `a[${d}] = cubie::reciprocal(a[${d}]);` : `a[${d}] = real(1) / a[${d}];`;
    // A bad pivot ends the factorisation (CUBIE_REQUIRE_PIVOT; in CPU lanes it marks that lane, platform.h).
    const check = (before: string): string => `CUBIE_REQUIRE_PIVOT(ok, cubie::sparse_pivot_ok(a[${d}], ${before}));`;
    if (body.length === 0) {
      eliminate.push(check(`a[${d}]`), invert);
    } else {
      eliminate.push('{', `  const ${complex ? 'complex' : 'real'} before = a[${d}];`, ...body.map((l) => `  ${l}`), `  ${check('before')}`, `  ${invert}`, '}');
    }
  });

  const forward: string[] = [];
  const backward: string[] = [];
  structure.rowEntries.forEach((row, k) => {
    const terms = row.filter((c) => c < k).map((j) => `a[${at.get(`${k},${j}`)}] * b[${order[j]}]`);
    if (terms.length > 0) forward.push(complex ? `b[${order[k]}] = b[${order[k]}] - (${terms.join(' + ')});` : `b[${order[k]}] -= ${terms.join(' + ')};`);
  });
  for (let k = structure.n - 1; k >= 0; k--) {
    const terms = structure.rowEntries[k].filter((c) => c > k).map((c) => `a[${at.get(`${k},${c}`)}] * b[${order[c]}]`);
    backward.push(
      terms.length > 0
        ? `b[${order[k]}] = (b[${order[k]}] - (${terms.join(' + ')})) * a[${diag(k)}];`
        : complex
          ? `b[${order[k]}] = b[${order[k]}] * a[${diag(k)}];`
          : `b[${order[k]}] *= a[${diag(k)}];`,
    );
  }

  const indent = (lines: string[]): string[] => lines.map((l) => `    ${l}`);
  const fn = structure.nnz <= SPARSE_INLINE_MAX_ENTRIES ? 'CUBIE_SPARSE_SMALL_FN' : 'CUBIE_SPARSE_FN';
  const header = [`// ${what}: ${structure.nnz} stored entries, ${structure.flops} multiply-adds per factorisation.`, `// Elimination order: ${order.length <= 32 ? order.join(' ') : `${order.slice(0, 32).join(' ')} ...`}`, `struct ${name} {`];
  if (complex) {
    return {
      nnz: structure.nnz,
      lines: [
        ...header,
        '  typedef cubie::complex_number<real> complex;',
        `  static constexpr int n_factor = ${structure.nnz};`,
        `  static ${fn} cubie::mask_of<real> factor(const real* __restrict__ jv, real sr, real si, complex* __restrict__ a) {`,
        '    cubie::mask_of<real> ok = cubie::all_lanes<real>();',
        ...indent(assemble),
        ...indent(fillLines),
        ...indent(eliminate),
        '    return ok;',
        '  }',
        `  static ${fn} void solve(const complex* __restrict__ a, real* __restrict__ re, real* __restrict__ im) {`,
        `    complex b[${structure.n}];`,
        `    for (int i = 0; i < ${structure.n}; ++i) b[i] = complex{re[i], im[i]};`,
        ...indent(forward),
        ...indent(backward),
        `    for (int i = 0; i < ${structure.n}; ++i) {`,
        '      re[i] = b[i].re;',
        '      im[i] = b[i].im;',
        '    }',
        '  }',
        '};',
      ],
    };
  }
  return {
    nnz: structure.nnz,
    lines: [
      ...header,
      `  static constexpr int n_factor = ${structure.nnz};`,
      `  static ${fn} cubie::mask_of<real> factor(const real* __restrict__ jv, real sigma, real* __restrict__ a) {`,
      '    cubie::mask_of<real> ok = cubie::all_lanes<real>();',
      ...indent(assemble),
      ...indent(fillLines),
      ...indent(eliminate),
      '    return ok;',
      '  }',
      `  static ${fn} void solve(const real* __restrict__ a, real* __restrict__ b) {`,
      ...indent(forward),
      ...indent(backward),
      '  }',
      '};',
    ],
  };
}

/**
 * The struct `SparseJacobian`: J's values in pattern order (from the system's
 * generated jacobian_values, drivers evaluated at t) and the product J v from them.
 */
export function emitJacobianStruct(pattern: JacobianPattern): string[] {
  const byRow: string[][] = Array.from({ length: pattern.n }, () => []);
  pattern.rows.forEach((i, k) => byRow[i].push(`jv[${k}] * v[${pattern.cols[k]}]`));
  return [
    `// J's ${pattern.rows.length} structural nonzeros (of ${pattern.n * pattern.n}), row-major, as cubie_sys::jacobian_values writes them.`,
    'struct SparseJacobian {',
    `  static constexpr int n_jacobian = ${Math.max(pattern.rows.length, 1)};`,
    '  template <class Ctx>',
    '  static CUBIE_FN void evaluate(const Ctx& ctx, cubie::wide_of<real> t, const real* __restrict__ y, real* __restrict__ jv) {',
    pattern.delays === true ? '    real d[cubie_sys::n_drivers + cubie_sys::n_delayed];' : '    real d[cubie_sys::n_drivers > 0 ? cubie_sys::n_drivers : 1];',
    '    ctx.drivers_at(t, d, nullptr);',
    '    cubie_sys::jacobian_values(y, ctx.p, d, static_cast<real>(t), jv);',
    '    ++ctx.jacobian_evaluations;',
    '  }',
    '  // out = J v',
    '  static CUBIE_SPARSE_FN void multiply(const real* __restrict__ jv, const real* __restrict__ v, real* __restrict__ out) {',
    '    (void)jv; (void)v;',
    ...byRow.map((terms, i) => `    out[${i}] = ${terms.length > 0 ? terms.join(' + ') : 'real(0)'};`),
    '  }',
    ...(pattern.mayOverflow === true ? columnFallback(pattern) : []),
    '};',
  ];
}

/**
 * Column access for RunContext::replace_nonfinite_values (engine.h), the symbolic J's overflow fallback: only where J may overflow.
 * Written for lanes too (LaneContext::replace_nonfinite_values, lane_engine.h): a column's test is a mask, the replacement a select.
 */
function columnFallback(pattern: JacobianPattern): string[] {
  const byColumn: number[][] = Array.from({ length: pattern.n }, () => []);
  pattern.cols.forEach((j, k) => byColumn[j].push(k));
  const finite = (k: number): string => `jv[${k}] - jv[${k}] == real(0)`;
  const columns = byColumn.flatMap((ks, j) => (ks.length === 0 ? [] : [j]));
  return [
    "  // Column j's values all finite?",
    '  static CUBIE_SPARSE_FN cubie::mask_of<real> column_finite(int j, const real* __restrict__ jv) {',
    '    (void)jv;',
    '    switch (j) {',
    ...columns.map((j) => `      case ${j}: return ${byColumn[j].map(finite).join(' && ')};`),
    '      default: return cubie::all_lanes<real>();',
    '    }',
    '  }',
    "  // Column j's values that are not finite <- c[their rows], c a finite-difference column of J.",
    '  static CUBIE_SPARSE_FN void replace_nonfinite(int j, const real* __restrict__ c, real* __restrict__ jv) {',
    '    (void)c; (void)jv;',
    '    switch (j) {',
    ...columns.map((j) => `      case ${j}: ${byColumn[j].map((k) => `jv[${k}] = CUBIE_SELECT(${finite(k)}, jv[${k}], c[${pattern.rows[k]}]); `).join('')}break;`),
    '      default: break;',
    '    }',
    '  }',
  ];
}
