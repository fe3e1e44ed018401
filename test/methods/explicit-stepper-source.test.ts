/**
 * The text of generated steppers: the contract's declarations, literals of the
 * right precision, zero coefficients left out, stage storage reused. That the
 * code computes the right thing is explicit-stepper-host.test.ts's job.
 */
import { generateExplicitStepper } from '../../src/codegen/explicit-stepper';
import { isCubieError } from '../../src/shared/errors';
import { allMethods, resolveMethod } from '../../src/methods/registry';
import type { ExplicitTableau } from '../../src/methods/tableau';

function explicit(name: string): ExplicitTableau {
  const method = resolveMethod(name);
  if (method.family !== 'explicit') throw new Error(`${name} is not explicit`);
  return method;
}

const dopri5 = explicit('dopri5');

/** The lines of step() that combine stage derivatives: stage inputs, the solution, the error. */
function combinationLines(source: string): string[] {
  return source.split('\n').filter((line) => /CUBIE_UNROLL for .*= (y\[i\] \+ )?dt \*/.test(line));
}

describe('generateExplicitStepper', () => {
  it('declares the contract the engine calls, in the default namespace', () => {
    const source = generateExplicitStepper(dopri5, { precision: 'float64', nStates: 4 });
    expect(source).toContain('namespace cubie_method {');
    expect(source).toContain('typedef cubie::lanes_of<double> real;');
    for (const declaration of [
      'inline constexpr int n_states = 4;',
      'inline constexpr int order = 5;',
      'inline constexpr int error_order = 4;',
      'inline constexpr bool adaptive = true;',
      'inline constexpr bool fsal = true;',
      'inline constexpr int n_stages = 7;',
      'inline constexpr int rhs_evaluations_per_step = 6;',
    ]) {
      expect(source).toContain(declaration);
    }
    expect(source).toContain(
      'CUBIE_FN real step(const Ctx& ctx, cubie::wide_of<real> t, real dt, const real* __restrict__ y, const real* __restrict__ f0,',
    );
    expect(source).toContain('cubie::scaled_rms_norm<real, n_states>(err, y, y_new, ctx.atol(), ctx.rtol())');
    expect(source).toContain('ctx.rhs(t + cubie::wide(dt), y_new, f1);');
  });

  it('uses the namespace and precision it is given', () => {
    const source = generateExplicitStepper(explicit('rk4'), { precision: 'float32', nStates: 1, namespace: 'rk4_f' });
    expect(source).toContain('namespace rk4_f {');
    expect(source).toContain('typedef cubie::lanes_of<float> real;');
    expect(source).toContain('inline constexpr bool adaptive = false;');
    expect(source).toContain('return real(0);');
  });

  it.each(allMethods().map((m) => [m.name, m] as const))('%s in float32 has only float literals, except in stage times', (_name, m) => {
    const source = generateExplicitStepper(m, { precision: 'float32', nStates: 2 });
    const code = source
      .slice(source.indexOf('CUBIE_FN real step'))
      .replace(/\/\/.*$/gm, '')
      .replace(/t [+-] [0-9.e+-]+ \* cubie::wide\(dt\)/g, 'TIME');
    // Floating literals have a '.' or an exponent (integers like the 0 in `i = 0` are not floating).
    const literals = code.match(/(?<![\w.])\d+(?:\.\d*(?:e[+-]?\d+)?|e[+-]?\d+)f?/g) ?? [];
    // Euler's only coefficient is 1, which needs no literal.
    if (m.name !== 'euler') expect(literals.length).toBeGreaterThan(0);
    expect(literals.filter((l) => !l.endsWith('f'))).toEqual([]);
  });

  it.each(allMethods().map((m) => [m.name, m] as const))('%s leaves out zero coefficients', (_name, m) => {
    const source = generateExplicitStepper(m, { precision: 'float64', nStates: 2 });
    const lines = combinationLines(source);
    const e = m.errorEstimator;
    const errorRows = e.kind === 'embedded' ? [e.weights] : e.kind === 'combined-5-3' ? [e.fifth, e.third] : [];
    const rows = [...m.a.slice(1), ...(m.fsal ? [] : [m.b]), ...errorRows];
    expect(lines).toHaveLength(rows.length);
    rows.forEach((row, i) => {
      const terms = (lines[i].match(/\b(f0|f1|k\d+)\[i\]/g) ?? []).length;
      expect(terms).toBe(row.filter((x) => x !== 0).length);
    });
  });

  it('drops the terms for dopri5 stage 7 and the solution where a_72 = b_2 = 0', () => {
    const source = generateExplicitStepper(dopri5, { precision: 'float64', nStates: 2 });
    const fsalLine = combinationLines(source).find((l) => l.includes('y_new[i] ='))!;
    expect(fsalLine).not.toContain('k2[i]');
    expect(fsalLine).toContain(`${35 / 384} * f0[i]`);
    expect(fsalLine).toContain(`- ${2187 / 6784} * k5[i]`);
  });

  it("reuses a stage's array once nothing reads it: DOP853 keeps 8 of its 11 stage arrays", () => {
    const source = generateExplicitStepper(explicit('dop853'), { precision: 'float64', nStates: 2 });
    const declared = source.match(/real k\d+\[n_states\];/g) ?? [];
    const reused = source.match(/real\* const k\d+ = k\d+;/g) ?? [];
    expect(declared).toHaveLength(8);
    expect(reused).toHaveLength(3);
  });

  it('unrolls through CUBIE_UNROLL (platform.h), so host compilers see no unknown pragma', () => {
    const source = generateExplicitStepper(dopri5, { precision: 'float64', nStates: 2 });
    expect(source).not.toMatch(/^#pragma unroll/m);
    expect(source).toContain('CUBIE_UNROLL for');
  });

  it('rejects a state count or a namespace it cannot emit', () => {
    const bad = [
      { precision: 'float64' as const, nStates: 0 },
      { precision: 'float64' as const, nStates: 2.5 },
      { precision: 'float64' as const, nStates: 2, namespace: 'a-b' },
      { precision: 'float64' as const, nStates: 2, namespace: '1x' },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        generateExplicitStepper(dopri5, options);
      } catch (e) {
        error = e;
      }
      expect(isCubieError(error, 'INVALID_OPTION')).toBe(true);
    }
  });
});
