import { defineDirk } from './define';

// Kvaerno's ESDIRK 3(2): four stages, the first explicit, gamma = 0.4358665215; A- and
// L-stable, stiffly accurate; the embedded solution is the third stage. The paper gives
// the coefficients as functions of gamma:
//   a31 = (-4g^2 + 6g - 1)/(4g), a32 = (1 - 2g)/(4g),
//   a41 = (6g - 1)/(12g), a42 = -1/((24g - 12)g), a43 = (-6g^2 + 6g - 1)/(6g - 3),
// evaluated here exactly for the 10-digit gamma and written to 30 digits.
const g = '0.4358665215';
const row3 = ['0.490563388419108113927488234492', '0.0735700900808918860725117655085', g];
const row4 = ['0.308809969973036037975829411497', '1.49056338825410789174776001354', '-1.23523987972714392972358942504', g];

export const kvaerno3 = defineDirk({
  name: 'kvaerno3',
  title: 'Kvaerno 3(2) ESDIRK',
  source: 'Kvaerno, Singly diagonally implicit Runge-Kutta methods with an explicit first stage, BIT 44 (2004) 489-502',
  order: 3,
  a: [['0'], [g, g], row3, row4],
  b: row4,
  c: ['0', '0.871733043', '1', '1'],
  embedded: { order: 2, solution: { bHat: [...row3, '0'] } },
});
