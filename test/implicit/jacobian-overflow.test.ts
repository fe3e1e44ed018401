/**
 * A system whose symbolic Jacobian overflows where its right-hand side does
 * not: dx = -x + a/(1 + exp((x - 1)/s)) from x = 10, s = 0.01. While
 * exp((x - 1)/s) overflows (x > 8.09) the rate is a finite 0 but its
 * derivative -a exp(z)/(s (1 + exp(z))^2) is inf/inf = NaN, the pattern of
 * the gating rates that stopped four of Chaste's cardiac models (README,
 * "Importing SBML and CellML"). The kernel replaces the non-finite entries
 * by finite differences of f (RunContext::jacobian and, for the matrix-free
 * solvers, RunContext::jvp, kernel/cubie/engine.h);
 * without that every implicit method below stopped at t = 0 with
 * NEWTON_FAILED (status 8). Compared with scipy's Radau at rtol 1e-12 on a
 * Jacobian written so that it cannot overflow
 * (scripts/reference/jacobian_overflow_reference.py).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, solveIvp } from '../../src';
import { generateSystemSource } from '../../src/codegen/system-source';

interface Reference {
  equations: string[];
  states: Record<string, number>;
  parameters: Record<string, number>;
  times: number[];
  values: number[][]; // [state][time]
  radau_bdf_spread: number;
}

const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'stiff', 'jacobian-overflow.json'), 'utf8')) as Reference;
const RTOL = 1e-6;
const ATOL = 1e-9;
// Global error within a few rtol, as on the stiff test problems (test/implicit/stiff.test.ts).
const WITHIN = 10;

const CASES: [string, Record<string, string>][] = [
  ['radau', {}],
  ['rodas4', { linearSolver: 'dense' }],
  ['rodas5p', { linearSolver: 'sparse' }], // J's values in pattern order: the generated SparseJacobian's fallback
  ['kvaerno5', { linearSolver: 'dense' }],
  ['kvaerno5', { linearSolver: 'sparse' }],
  // matrix-free: J v from the generated product, its non-finite components differenced (RunContext::jvp)
  ['radau', { linearSolver: 'gmres' }],
  ['rodas4', { linearSolver: 'gmres' }],
  ['kvaerno5', { linearSolver: 'gmres' }],
];

it('has a reference far more accurate than the bound tested', () => {
  expect(reference.radau_bdf_spread).toBeLessThan(0.01 * WITHIN * ATOL);
});

it.each(CASES)('%s (%j) solves it to the reference where the symbolic Jacobian is NaN', async (method, options) => {
  const system = createSystem({ name: 'jacobian_overflow', equations: reference.equations, states: reference.states, parameters: reference.parameters });
  const t = reference.times;
  const r = await solveIvp(system, {}, {}, {
    method, backend: 'cpu', threads: 1, rtol: RTOL, atol: ATOL, duration: t[t.length - 1], saveEvery: t[1] - t[0], outputTypes: ['state'], ...options,
  });
  expect(r.status[0]).toBe(0);
  Object.keys(reference.states).forEach((s, i) => {
    const got = Array.from(r.trajectory(s, 0));
    reference.values[i].forEach((want, k) => expect(Math.abs(got[k] - want)).toBeLessThanOrEqual(WITHIN * (ATOL + RTOL * Math.abs(want))));
  });
});

describe('which systems compile the check (src/codegen/jacobian-overflow.ts)', () => {
  const source = (equations: string[], states: Record<string, number>, parameters: Record<string, number> = { a: 1 }): string =>
    generateSystemSource(createSystem({ name: 'overflow_check', equations, states, parameters }), { precision: 'float64' });

  it('declares jacobian_may_overflow where J has exp, a division by a state or a fractional power', () => {
    expect(source(reference.equations, reference.states, reference.parameters)).toContain('constexpr bool jacobian_may_overflow = true;');
    expect(source(['dx = a/(1 + x^2)'], { x: 0 })).toContain('jacobian_may_overflow');
    expect(source(['dx = -sqrt(x)'], { x: 1 })).toContain('jacobian_may_overflow');
  });

  it('leaves a polynomial system without it (its generated text as before the fallback existed)', () => {
    expect(source(['dx = a*(y - x)', 'dy = x*(2 - x^2) - y + sin(x)'], { x: 1, y: 0 })).not.toContain('jacobian_may_overflow');
  });
});
