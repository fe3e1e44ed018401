import { defineRosenbrock } from './define';

// Hairer & Wanner's RODAS (METH = 1 of rodas.f): six stages, gamma = 1/4, stiffly
// accurate, L-stable, order 4 with an embedded third-order solution. Stage 6's input is
// the embedded solution, stage 6's unknown is the error estimate and y_new adds it.
const row5 = ['1.221224509226641', '6.019134481288629', '12.53708332932087', '-0.6878860361058950'];

export const rodas4 = defineRosenbrock({
  name: 'rodas4',
  title: 'RODAS4',
  source: 'Hairer & Wanner, Solving Ordinary Differential Equations II (1996), IV.7; coefficients of rodas.f (RODCOE, METH = 1)',
  order: 4,
  gamma: '0.25',
  a: [['1.544'], ['0.9466785280815826', '0.2557011698983284'], ['3.314825187068521', '2.896124015972201', '0.9986419139977817'], row5, [...row5, '1']],
  coupling: [
    ['-5.6688'],
    ['-2.430093356833875', '-0.2063599157091915'],
    ['-0.1073529058151375', '-9.594562251023355', '-20.47028614809616'],
    ['7.496443313967647', '-10.24680431464352', '-33.99990352819905', '11.70890893206160'],
    ['8.083246795921522', '-7.981132988064893', '-31.52159432874371', '16.31930543123136', '-6.058818238834054'],
  ],
  c: ['0', '0.386', '0.21', '0.63', '1', '1'],
  timeWeights: ['0.25', '-0.1043', '0.1035', '-0.3620000000000023e-1', '0', '0'],
  b: [...row5, '1', '1'],
  embedded: { order: 3, solution: { bHat: [...row5, '1', '0'] } },
  // rodas.f's D21..D25 and D31..D35 (its CONTRO); u6 does not enter.
  denseOutput: {
    order: 3,
    H: [
      ['0.1012623508344586e+02', '-0.7487995877610167e+01', '-0.3480091861555747e+02', '-0.7992771707568823e+01', '0.1025137723295662e+01', '0'],
      ['-0.6762803392801253e+00', '0.6087714651680015e+01', '0.1643084320892478e+02', '0.2476722511418386e+02', '-0.6594389125716872e+01', '0'],
    ],
  },
});
