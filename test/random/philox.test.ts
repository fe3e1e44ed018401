/**
 * kernel/cubie/random.h: Philox4x32 against Random123's published
 * known-answer vectors (kat_vectors), uniforms strictly inside (0, 1), and
 * the Box–Muller normals against the normal distribution, and their sin and
 * cos of 2 pi u against long double ones.
 */
import { buildHarness, fields, itGxx } from './support';

// Random123's kat_vectors, the philox4x32 lines: rounds, counter[4], key[2] -> output[4].
const KAT: readonly [number, string[], string[], string][] = [
  [10, ['00000000', '00000000', '00000000', '00000000'], ['00000000', '00000000'], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  [10, ['ffffffff', 'ffffffff', 'ffffffff', 'ffffffff'], ['ffffffff', 'ffffffff'], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  [10, ['243f6a88', '85a308d3', '13198a2e', '03707344'], ['a4093822', '299f31d0'], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  [7, ['00000000', '00000000', '00000000', '00000000'], ['00000000', '00000000'], '5f6fb709 0d893f64 4f121f81 4f730a48'],
  [7, ['ffffffff', 'ffffffff', 'ffffffff', 'ffffffff'], ['ffffffff', 'ffffffff'], '5207ddc2 45165e59 4d8ee751 8c52f662'],
  [7, ['243f6a88', '85a308d3', '13198a2e', '03707344'], ['a4093822', '299f31d0'], '4dfccaba 190a87f0 c47362ba b6b5242a'],
];

const N = 1_000_000;
// Kolmogorov–Smirnov at significance 0.001: sqrt(n) D > 1.949 rejects (the asymptotic critical value).
const KS_CRITICAL = 1.949 / Math.sqrt(N);

describe('Philox4x32 (kernel/cubie/random.h)', () => {
  let harness: (...args: string[]) => string;
  beforeAll(async () => {
    harness = await buildHarness('philox-check');
  });

  itGxx.each(KAT)('known answer: philox4x32 %d', (rounds, counter, key, expected) => {
    expect(harness('kat', String(rounds), ...counter, ...key).trim()).toBe(expected);
  });

  itGxx('a wrong answer is caught: another key gives another output', () => {
    expect(harness('kat', '10', '0', '0', '0', '0', '1', '0').trim()).not.toBe(KAT[0][3]);
  });

  itGxx('uniforms are strictly inside (0, 1) at the extreme words, and the normals finite', () => {
    const [floatLine, doubleLine, zeroLine] = harness('edges').trim().split('\n');
    const [, f0, f1] = floatLine.split(' ').map(Number);
    const [, d0, d1] = doubleLine.split(' ').map(Number);
    expect(f0).toBe(2 ** -24);
    expect(f1).toBe(1 - 2 ** -24);
    expect(d0).toBe(2 ** -53);
    expect(d1).toBe(1 - 2 ** -53);
    // All-zero words: u1 is the smallest uniform, so |z| is the largest possible: sqrt(-2 log u1).
    const [, zf, zd] = zeroLine.split(' ').map(Number);
    expect(zf).toBeCloseTo(Math.sqrt(-2 * Math.log(2 ** -24)), 5);
    expect(zd).toBeCloseTo(Math.sqrt(-2 * Math.log(2 ** -53)), 12);
  });

  // Box–Muller's angle: sin and cos of 2 pi u by sincos_two_pi's own polynomials, within a few ulps of the exact values.
  itGxx.each([['float64', 4e-16], ['float32', 2.5e-7]] as const)('sincos_two_pi (%s) against long double sin and cos', (precision, bound) => {
    const r = fields(harness('sincos', precision, '1000000'));
    expect(r.max_error).toBeGreaterThan(0);
    expect(r.max_error).toBeLessThan(bound);
  });

  // Box–Muller's radius: log_open (fdlibm's log in plain arithmetic, so GPU, scalar and lane builds agree bit for bit).
  itGxx.each(['float64', 'float32'])('log_open (%s) within two ulps of long double log', (precision) => {
    const r = fields(harness('log', precision, '1000000'));
    expect(r.max_ulps).toBeGreaterThan(0);
    expect(r.max_ulps).toBeLessThan(2);
  });

  itGxx.each(['float64', 'float32'])('10^6 normals (%s): mean, variance and KS against the normal CDF', (precision) => {
    const r = fields(harness('normals', precision, String(N)));
    expect(r.n).toBe(N);
    expect(r.finite).toBe(1);
    // Five standard errors: the mean's is 1/sqrt(n), the variance's sqrt(2/n).
    expect(Math.abs(r.mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(r.var - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(r.ks).toBeLessThan(KS_CRITICAL);
    // The test has the power to see a 1% error in the standard deviation.
    expect(r.ks_wide).toBeGreaterThan(KS_CRITICAL);
  });
});
