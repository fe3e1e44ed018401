import { defineDirk } from './define';

// The trapezoidal rule with CuBIE's error estimate: a backward Euler step from the same
// point (a third stage with its own diagonal, 1) is the embedded first-order solution.
// Unlike an explicit embedded method, that estimate stays meaningful on stiff problems,
// at the price of a second Newton solve per step.
export const crankNicolson = defineDirk({
  name: 'crank-nicolson',
  title: 'Crank–Nicolson with a backward Euler estimate',
  source: 'Crank & Nicolson, Proc. Camb. Phil. Soc. 43 (1947) 50-67; embedded backward Euler as in CuBIE (crank_nicolson.py)',
  order: 2,
  a: [['0'], ['1/2', '1/2'], ['0', '0', '1']],
  b: ['1/2', '1/2', '0'],
  c: ['0', '1', '1'],
  embedded: { order: 1, solution: { bHat: ['0', '0', '1'] } },
});
