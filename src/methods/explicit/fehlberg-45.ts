import { defineTableau } from '../tableau';

// Fehlberg, NASA TR R-315 (1969), table III (RKF45). As in Fehlberg's own use, the
// fourth-order solution is propagated and the fifth-order one only measures its error,
// so the error estimate scales like dt^5 = dt^(order + 1).
export const fehlberg45 = defineTableau({
  name: 'fehlberg-45',
  aliases: ['rkf45', 'fehlberg'],
  title: 'Runge–Kutta–Fehlberg 4(5)',
  source: 'Fehlberg, Low-order classical Runge-Kutta formulas with stepsize control, NASA TR R-315 (1969)',
  order: 4,
  a: [
    ['1/4'],
    ['3/32', '9/32'],
    ['1932/2197', '-7200/2197', '7296/2197'],
    ['439/216', '-8', '3680/513', '-845/4104'],
    ['-8/27', '2', '-3544/2565', '1859/4104', '-11/40'],
  ],
  b: ['25/216', '0', '1408/2565', '2197/4104', '-1/5', '0'],
  c: ['0', '1/4', '3/8', '12/13', '1', '1/2'],
  fsal: false,
  errorEstimator: {
    kind: 'embedded',
    embeddedOrder: 5,
    solution: { bHat: ['16/135', '0', '6656/12825', '28561/56430', '-9/50', '2/55'] },
  },
});
