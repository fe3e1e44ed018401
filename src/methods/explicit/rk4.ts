import { defineTableau } from '../tableau';

// Kutta, Z. Math. Phys. 46 (1901) 435-453: the classical fourth-order method.
export const rk4 = defineTableau({
  name: 'rk4',
  aliases: ['classical-rk4'],
  title: 'Classical Runge–Kutta 4',
  source: 'Kutta, Beitrag zur naeherungsweisen Integration totaler Differentialgleichungen, Z. Math. Phys. 46 (1901)',
  order: 4,
  a: [['1/2'], ['0', '1/2'], ['0', '0', '1']],
  b: ['1/6', '1/3', '1/3', '1/6'],
  c: ['0', '1/2', '1/2', '1'],
  fsal: false,
});
