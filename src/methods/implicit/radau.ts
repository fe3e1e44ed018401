import { defineRadau } from './define';

// Radau IIA of order 5 (three stages), as Hairer & Wanner's RADAU5. A, b and c are the
// closed forms in sqrt(6) written to 30 digits. The embedded third-order formula
// (Hairer & Wanner IV.8, (8.19)) is y + dt (gamma0 f(t, y) + sum_j bHat_j k_j) with
// gamma0 = 1/realEigenvalue; the stepper filters it through (I - dt gamma0 J)^-1 as
// RADAU5 does. T, T^-1 and the eigenvalues of A^-1 are radau5.f's.
const row3 = ['0.376403062700467275050075442369', '0.51248582618842161383881344652', '1/9'];

export const radau = defineRadau({
  name: 'radau',
  aliases: ['radau5', 'radau-iia-5'],
  title: 'Radau IIA 5',
  source: 'Hairer & Wanner, Solving Ordinary Differential Equations II (1996), IV.5 and IV.8; constants of radau5.f',
  order: 5,
  a: [
    ['0.196815477223660425868386142992', '-0.0655354258501983881085227825696', '0.0237709743482201524204082321072'],
    ['0.394424314739087276997411671458', '0.292073411665228463020502745897', '-0.041548752125997930198186009885'],
    row3,
  ],
  b: row3,
  c: ['0.155051025721682190180271592529', '0.644948974278317809819728407471', '1'],
  embedded: {
    order: 3,
    startWeight: '0.274888829595677367747828603599',
    bHat: ['-0.0518952314149008295083446116201', '0.757524900573338139898681098109', '0.0194815012458853218618349099113'],
  },
  transform: {
    T: [
      ['9.1232394870892942792e-02', '-0.14125529502095420843', '-3.0029194105147424492e-02'],
      ['0.24171793270710701896', '0.20412935229379993199', '0.38294211275726193779'],
      ['0.96604818261509293619', '1', '0'],
    ],
    TInverse: [
      ['4.3255798900631553510', '0.33919925181580986954', '0.54177053993587487119'],
      ['-4.1787185915519047273', '-0.32768282076106238708', '0.47662355450055045196'],
      ['-0.50287263494578687595', '2.5719269498556054292', '-0.59603920482822492497'],
    ],
    realEigenvalue: '3.63783425274449573220841851358',
    complexEigenvalue: { re: '2.68108287362775213389579074321', im: '3.05043019924741056942637762479' },
  },
});
