import { defineDirk } from './define';

// One implicit stage at the midpoint: A-stable and symplectic, order 2. No error estimate: fixed steps.
export const implicitMidpoint = defineDirk({
  name: 'implicit-midpoint',
  title: 'Implicit midpoint',
  source: 'Hairer & Wanner, Solving Ordinary Differential Equations II (1996), IV.3; Sanz-Serna, BIT 28 (1988) 877-883',
  order: 2,
  a: [['1/2']],
  b: ['1'],
  c: ['1/2'],
});
