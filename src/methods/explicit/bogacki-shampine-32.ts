import { defineTableau } from '../tableau';

// Bogacki & Shampine, Appl. Math. Lett. 2 (1989) 321-325 (MATLAB's ode23, scipy's RK23).
const b = ['2/9', '1/3', '4/9'];

export const bogackiShampine32 = defineTableau({
  name: 'bogacki-shampine-32',
  aliases: ['rk23', 'bs32'],
  title: 'Bogacki–Shampine 3(2)',
  source: 'Bogacki & Shampine, A 3(2) pair of Runge-Kutta formulas, Appl. Math. Lett. 2 (1989) 321-325',
  order: 3,
  a: [['1/2'], ['0', '3/4'], b],
  b: [...b, '0'],
  c: ['0', '1/2', '3/4', '1'],
  fsal: true,
  errorEstimator: { kind: 'embedded', embeddedOrder: 2, solution: { bHat: ['7/24', '1/4', '1/3', '1/8'] } },
});
