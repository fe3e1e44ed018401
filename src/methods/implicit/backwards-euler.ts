import { defineDirk } from './define';

// The one-stage, L-stable method of order 1. No error estimate: fixed steps.
export const backwardsEuler = defineDirk({
  name: 'backwards-euler',
  aliases: ['implicit-euler', 'backward-euler'],
  title: 'Backward Euler',
  source: 'Hairer & Wanner, Solving Ordinary Differential Equations II (1996), IV.3',
  order: 1,
  a: [['1']],
  b: ['1'],
  c: ['1'],
});
