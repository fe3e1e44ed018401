import { defineTableau } from '../tableau';

// Cash & Karp, ACM Trans. Math. Softw. 16 (1990) 201-222, table 3; the fifth-order
// solution is propagated, as in Numerical Recipes' rkck.
export const cashKarp54 = defineTableau({
  name: 'cash-karp-54',
  aliases: ['cash-karp', 'rkck'],
  title: 'Cash–Karp 5(4)',
  source: 'Cash & Karp, A variable order Runge-Kutta method for initial value problems with rapidly varying right-hand sides, ACM TOMS 16 (1990) 201-222',
  order: 5,
  a: [
    ['1/5'],
    ['3/40', '9/40'],
    ['3/10', '-9/10', '6/5'],
    ['-11/54', '5/2', '-70/27', '35/27'],
    ['1631/55296', '175/512', '575/13824', '44275/110592', '253/4096'],
  ],
  b: ['37/378', '0', '250/621', '125/594', '0', '512/1771'],
  c: ['0', '1/5', '3/10', '3/5', '1', '7/8'],
  fsal: false,
  errorEstimator: {
    kind: 'embedded',
    embeddedOrder: 4,
    solution: { bHat: ['2825/27648', '0', '18575/48384', '13525/55296', '277/14336', '1/4'] },
  },
});
