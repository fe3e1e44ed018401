import { defineRosenbrock } from './define';

// Shampine & Reichelt's ode23s (MATLAB): W = I - dt d J with d = 1/(2 + sqrt(2)), a
// second-order solution and a third stage, at the new point, for a third-order error
// estimate dt/6 (k1 - 2 k2 + k3). Written as a Rosenbrock method, its Gamma is
//   [[d, 0, 0], [-d, d, 0], [d (e32 - 2), -d e32, d]],  e32 = 6 + sqrt(2),
// with alpha21 = 1/2, alpha32 = 1, b = (0, 1, 0); the coefficients below are that
// method transformed to the J-free form (a = alpha Gamma^-1, coupling = diag(1/d) - Gamma^-1,
// m = b Gamma^-1), evaluated to 30 digits.
const inverseD = '3.41421356237309504880168872421'; // 1/d = 2 + sqrt(2)

export const rosenbrock23 = defineRosenbrock({
  name: 'rosenbrock23',
  aliases: ['ros23'],
  title: 'Rosenbrock 2(3) (ode23s)',
  source: 'Shampine & Reichelt, The MATLAB ODE Suite, SIAM J. Sci. Comput. 18 (1997) 1-22',
  order: 2,
  gamma: '0.292893218813452475599155637895',
  a: [['1.7071067811865475244008443621'], [inverseD, inverseD]],
  coupling: [['-3.41421356237309504880168872421'], ['-6.82842712474619009760337744842', '-25.3137084989847603904135097937']],
  c: ['0', '1/2', '1'],
  timeWeights: ['0.292893218813452475599155637895', '0', '-0.292893218813452475599155637895'],
  b: [inverseD, inverseD, '0'],
  // b - bHat, bHat the third-order solution y + dt/6 (k1 + 4 k2 + k3), in these variables:
  // the error is dt/6 (k1 - 2 k2 + k3) up to its sign, and scales like dt^3.
  embedded: {
    order: 3,
    solution: { weights: ['-0.569035593728849174800281454035', '-3.08088022903976171546835539088', '-0.569035593728849174800281454035'] },
  },
});
