import { defineTableau } from '../tableau';

// Heun's method (the explicit trapezoidal rule); Butcher, Numerical Methods for ODEs (2016), 232.
// Fixed-step only: Euler could be embedded (a 2(1) pair), but that estimate is only first
// order; rk23 is the cheap adaptive method.
export const heun = defineTableau({
  name: 'heun',
  aliases: ['explicit-trapezoid'],
  title: "Heun's method",
  source: 'Butcher, Numerical Methods for Ordinary Differential Equations (3rd ed., 2016), 232',
  order: 2,
  a: [['1']],
  b: ['1/2', '1/2'],
  c: ['0', '1'],
  fsal: false,
});
