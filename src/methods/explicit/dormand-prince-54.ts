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
  // Shampine (1986), "Some practical Runge-Kutta formulas", Math. Comp. 46: the fourth-order continuous
  // extension of dopri5.f (CONTD5, its d_j), expanded in powers of theta; stage 7 is the FSAL stage.
  denseOutput: {
    order: 4,
    coefficients: [
      ['1', '-8048581381/2820520608', '8663915743/2820520608', '-12715105075/11282082432'],
      ['0', '0', '0', '0'],
      ['0', '131558114200/32700410799', '-68118460800/10900136933', '87487479700/32700410799'],
      ['0', '-1754552775/470086768', '14199869525/1410260304', '-10690763975/1880347072'],
      ['0', '127303824393/49829197408', '-318862633887/49829197408', '701980252875/199316789632'],
      ['0', '-282668133/205662961', '2019193451/616988883', '-1453857185/822651844'],
      ['0', '40617522/29380423', '-110615467/29380423', '69997945/29380423'],
    ],
  },
  errorEstimator: {
    kind: 'embedded',
    embeddedOrder: 4,
    solution: { bHat: ['5179/57600', '0', '7571/16695', '393/640', '-92097/339200', '187/2100', '1/40'] },
  },
});
