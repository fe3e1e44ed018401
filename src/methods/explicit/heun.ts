import { defineTableau } from '../tableau';

// Heun's method (explicit trapezoid); Butcher, Numerical Methods for ODEs (2016), 232.
// Fixed-step only: its Euler embedding would make a 2(1) pair whose error
// estimate is the whole first-order error; rk23 is the low-order adaptive choice.
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
