import { defineTableau } from '../tableau';

// Dormand & Prince, J. Comput. Appl. Math. 6 (1980) 19-26, table 2 (DOPRI5).
const b = ['35/384', '0', '500/1113', '125/192', '-2187/6784', '11/84'];

export const dormandPrince54 = defineTableau({
  name: 'dormand-prince-54',
  aliases: ['rk45', 'dopri5'],
  title: 'Dormand–Prince 5(4)',
  source: 'Dormand & Prince, A family of embedded Runge-Kutta formulae, J. Comput. Appl. Math. 6 (1980) 19-26',
  order: 5,
  a: [
    ['1/5'],
    ['3/40', '9/40'],
    ['44/45', '-56/15', '32/9'],
    ['19372/6561', '-25360/2187', '64448/6561', '-212/729'],
    ['9017/3168', '-355/33', '46732/5247', '49/176', '-5103/18656'],
    b,
  ],
  b: [...b, '0'],
  c: ['0', '1/5', '3/10', '4/5', '8/9', '1', '1'],
  fsal: true,
  errorEstimator: {
    kind: 'embedded',
    embeddedOrder: 4,
    solution: { bHat: ['5179/57600', '0', '7571/16695', '393/640', '-92097/339200', '187/2100', '1/40'] },
  },
});
