import { defineTableau } from '../tableau';

// Ralston, Math. Comp. 16 (1962) 431-437: the two-stage method of least truncation error.
export const ralston = defineTableau({
  name: 'ralston',
  title: "Ralston's second-order method",
  source: 'Ralston, Runge-Kutta methods with minimum error bounds, Math. Comp. 16 (1962) 431-437',
  order: 2,
  a: [['2/3']],
  b: ['1/4', '3/4'],
  c: ['0', '2/3'],
  fsal: false,
});
