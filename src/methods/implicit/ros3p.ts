import { defineRosenbrock } from './define';

// Lang & Verwer's ROS3P: three stages, gamma = 1/2 + sqrt(3)/6, order 3 also for
// parabolic problems, A-stable; embedded second-order solution.
export const ros3p = defineRosenbrock({
  name: 'ros3p',
  title: 'ROS3P',
  source: 'Lang & Verwer, ROS3P - an accurate third-order Rosenbrock solver designed for parabolic problems, BIT 41 (2001) 731-738',
  order: 3,
  gamma: '0.7886751345948129',
  a: [['1.267949192431123'], ['1.267949192431123', '0']],
  coupling: [['-1.607695154586736'], ['-3.464101615137755', '-1.732050807568877']],
  c: ['0', '1', '1'],
  timeWeights: ['0.7886751345948129', '-0.2113248654051871', '-1.077350269189626'],
  b: ['2', '0.5773502691896258', '0.4226497308103742'],
  embedded: { order: 2, solution: { bHat: ['2.113248654051871', '1', '0.4226497308103742'] } },
});
