import { defineDirk } from './define';

// Alexander's two-stage SDIRK, gamma = 1 - 1/sqrt(2): L-stable, stiffly accurate, order 2.
// Embedded first-order solution y + dt k2 as in Diffrax's Alexander2.
const gamma = '0.2928932188134524755991556378951509607151640623115259634116601310046337607';
const oneMinusGamma = '0.7071067811865475244008443621048490392848359376884740365883398689953662393';

export const sdirk22 = defineDirk({
  name: 'sdirk-2-2',
  title: 'SDIRK 2(1) (Alexander)',
  source: 'Alexander, SIAM J. Numer. Anal. 14 (1977) 1006-1021; embedded weights as Diffrax (alexander2.py)',
  order: 2,
  a: [[gamma], [oneMinusGamma, gamma]],
  b: [oneMinusGamma, gamma],
  c: [gamma, '1'],
  embedded: { order: 1, solution: { bHat: ['0', '1'] } },
});
