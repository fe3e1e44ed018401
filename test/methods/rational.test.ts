import { equal, parseCoefficient, subtract, toDouble } from '../../src/methods/rational';

describe('coefficients read exactly', () => {
  it('reads integers, ratios and decimals (with exponents, signs, no leading digit)', () => {
    expect(parseCoefficient('-8')).toEqual({ num: -8n, den: 1n });
    expect(parseCoefficient('44/45')).toEqual({ num: 44n, den: 45n });
    expect(parseCoefficient('-2187/6784')).toEqual({ num: -2187n, den: 6784n });
    expect(equal(parseCoefficient('0.161'), parseCoefficient('161/1000'))).toBe(true);
    expect(equal(parseCoefficient('-.8480e-2'), parseCoefficient('-848/100000'))).toBe(true);
    expect(equal(parseCoefficient('2.75e1'), parseCoefficient('55/2'))).toBe(true);
  });

  it('rejects what is not a number', () => {
    for (const text of ['', '.', '1/0', 'a/b', '1/2/3', '0x10', '1e']) expect(() => parseCoefficient(text)).toThrow();
  });

  it('subtracts without rounding', () => {
    // 35/384 - 5179/57600 = 71/57600, Dormand–Prince's first error weight.
    expect(equal(subtract(parseCoefficient('35/384'), parseCoefficient('5179/57600')), parseCoefficient('71/57600'))).toBe(true);
  });
});

describe('toDouble', () => {
  it('agrees with the correctly rounded parse of random long decimals', () => {
    // Number() rounds decimal text correctly (ECMAScript), so it is the oracle.
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 2000; n++) {
      const digits = `${1 + Math.floor(random() * 9)}${Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 10)).join('')}`;
      const text = `${random() < 0.5 ? '-' : ''}${digits.slice(0, 3)}.${digits.slice(3)}e${Math.floor(random() * 40) - 20}`;
      expect(toDouble(parseCoefficient(text))).toBe(Number(text));
    }
  });

  it('rounds halfway cases to even', () => {
    // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2; 2^53 + 3 between 2^53 + 2 and 2^53 + 4.
    expect(toDouble({ num: 2n ** 53n + 1n, den: 1n })).toBe(2 ** 53);
    expect(toDouble({ num: 2n ** 53n + 3n, den: 1n })).toBe(2 ** 53 + 4);
    // Just above halfway rounds up.
    expect(toDouble({ num: (2n ** 53n + 1n) * 3n + 1n, den: 3n })).toBe(2 ** 53 + 2);
  });

  it('divides huge ratios correctly (Verner-sized numerators and denominators)', () => {
    const num = 1148577938985388929671582486744843844943428041509n;
    const den = 1141532118233823914568777901158338927629837500000n;
    // Compare with a decimal expansion to 40 digits, which Number() rounds correctly.
    const digits = ((num * 10n ** 40n) / den).toString();
    expect(toDouble({ num, den })).toBe(Number(`${digits.slice(0, 1)}.${digits.slice(1)}`));
    expect(toDouble({ num: 1n, den: 3n })).toBe(1 / 3);
    expect(toDouble({ num: -2n, den: 3n })).toBe(-2 / 3);
    expect(toDouble({ num: 0n, den: 7n })).toBe(0);
  });
});
