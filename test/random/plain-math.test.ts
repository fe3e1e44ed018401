/**
 * kernel/cubie/plain_math.h: fdlibm's exp in plain arithmetic (the step-size
 * controllers' powers, and with log_open Box–Muller's radius) within two ulps
 * of long double exp over its whole range, and lane_plain_math.h's vector log
 * and exp giving the scalar functions' bits in every lane, built as a CPU lane
 * kernel is (-O3 -march=native -ffp-contract=off -DCUBIE_LANES), which is what
 * makes a lane's adaptive steps the scalar engine's (test/solver/lanes.test.ts).
 */
import { buildHarness, fields, itGxx } from './support';

describe('plain_math.h', () => {
  let harness: (...args: string[]) => string;
  let lanes: (...args: string[]) => string;
  beforeAll(async () => {
    if (itGxx === it) {
      harness = await buildHarness('plain-math-check');
      lanes = await buildHarness('plain-math-check', ['-O3', '-march=native', '-ffp-contract=off', '-fno-tree-vectorize', '-fopenmp-simd', '-DCUBIE_LANES']);
    }
  }, 120_000);

  itGxx.each(['float64', 'float32'])('exp_open (%s) within two ulps of long double exp', (precision) => {
    const r = fields(harness('exp', precision, '1000000'));
    expect(r.max_ulps).toBeGreaterThan(0);
    expect(r.max_ulps).toBeLessThan(2);
  });

  itGxx.each(['float64', 'float32'])('lane log_open and exp_open (%s) give the scalar bits in every lane', (precision) => {
    const r = fields(lanes('lanes', precision, '1000000'));
    expect(r.width).toBeGreaterThan(1);
    expect(r.mismatches).toBe(0);
  });
});
