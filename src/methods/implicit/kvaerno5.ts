import { defineDirk } from './define';

// Kvaerno's ESDIRK 5(4): seven stages, the first explicit, gamma = 0.26; A- and L-stable,
// stiffly accurate; the embedded solution is the sixth stage.
const g = '0.26';
const row6 = ['0.13855640231268224', '0', '-0.04245337201752043', '0.02446657898003141', '0.61943039072480676', g];
const row7 = ['0.13659751177640291', '0', '-0.05496908796538376', '-0.04118626728321046', '0.62993304899016403', '0.06962479448202728', g];

export const kvaerno5 = defineDirk({
  name: 'kvaerno5',
  title: 'Kvaerno 5(4) ESDIRK',
  source: 'Kvaerno, Singly diagonally implicit Runge-Kutta methods with an explicit first stage, BIT 44 (2004) 489-502',
  order: 5,
  a: [
    ['0'],
    [g, g],
    ['0.13', '0.84033320996790809', g],
    ['0.22371961478320505', '0.47675532319799699', '-0.06470895363112615', g],
    ['0.16648564323248321', '0.10450018841591720', '0.03631482272098715', '-0.13090704451073998', g],
    row6,
    row7,
  ],
  b: row7,
  c: ['0', '0.52', '1.230333209967908', '0.895765984350076', '0.436393609858648', '1', '1'],
  embedded: { order: 4, solution: { bHat: [...row6, '0'] } },
});
