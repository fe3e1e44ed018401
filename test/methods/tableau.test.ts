import { resolveMethod } from '../../src/methods/registry';
import { type TableauDefinition, defineTableau } from '../../src/methods/tableau';

const heunEuler: TableauDefinition = {
  name: 'heun-euler',
  title: 'Heun–Euler 2(1)',
  source: 'test',
  order: 2,
  a: [['1']],
  b: ['1/2', '1/2'],
  c: ['0', '1'],
  fsal: false,
  errorEstimator: { kind: 'embedded', embeddedOrder: 1, solution: { bHat: ['1', '0'] } },
};

describe('defineTableau', () => {
  it('forms the error weights b - bHat exactly before rounding', () => {
    // Dormand–Prince: 35/384 - 5179/57600 = 71/57600, -2187/6784 + 92097/339200 = -17253/339200.
    const e = resolveMethod('dopri5').errorEstimator;
    expect(e.kind).toBe('embedded');
    if (e.kind !== 'embedded') return;
    expect(e.weights[0]).toBe(71 / 57600);
    expect(e.weights[4]).toBe(-17253 / 339200);
    expect(e.weights[1]).toBe(0);
  });

  it('takes the embedded order as the error order unless told otherwise', () => {
    const m = defineTableau(heunEuler);
    expect(m.errorOrder).toBe(1);
    expect(m.errorEstimator).toEqual({ kind: 'embedded', weights: [-0.5, 0.5], embeddedOrder: 1 });
  });

  it.each([
    ['a row of the wrong length', { a: [['1', '0']] }, /row 2 of a needs 1 entries/],
    ['c of the wrong length', { c: ['0'] }, /same 2 stages/],
    ['c1 != 0', { c: ['1/2', '1'] }, /starts at c1 = 0/],
    ['an embedded solution of the wrong length', { errorEstimator: { kind: 'embedded', embeddedOrder: 1, solution: { bHat: ['1'] } } }, /needs 2 weights/],
    ['FSAL without a last row equal to b', { fsal: true }, /FSAL needs/],
    ['a coefficient that is not a number', { b: ['1/2', 'half'] }, /not a coefficient/],
  ])('rejects %s', (_what, change, message) => {
    expect(() => defineTableau({ ...heunEuler, ...change } as TableauDefinition)).toThrow(message);
  });
});
