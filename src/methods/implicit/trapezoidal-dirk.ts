import { defineDirk } from './define';

// The trapezoidal rule as an ESDIRK: an explicit first stage (f(t, y), given) and one
// implicit stage whose value is the new solution. A-stable, order 2. No error estimate
// (as in CuBIE): fixed steps; 'crank-nicolson' is the same rule with one.
export const trapezoidalDirk = defineDirk({
  name: 'trapezoidal-dirk',
  title: 'Trapezoidal rule (ESDIRK)',
  source: 'Hairer & Wanner, Solving Ordinary Differential Equations II (1996), IV.3',
  order: 2,
  a: [['0'], ['1/2', '1/2']],
  b: ['1/2', '1/2'],
  c: ['0', '1'],
});
