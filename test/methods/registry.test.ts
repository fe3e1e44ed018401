import { CubieError, isCubieError } from '../../src/shared/errors';
import { allMethods, methodNames, implicitMethodNames, resolveMethod } from '../../src/methods/registry';

describe('method registry', () => {
  it('lists the canonical names', () => {
    expect(methodNames()).toEqual([
      'euler',
      'heun',
      'ralston',
      'bogacki-shampine-32',
      'rk4',
      'fehlberg-45',
      'dormand-prince-54',
      'tsit5',
      'cash-karp-54',
      'vern7',
      'dop853',
    ]);
    expect(allMethods().map((m) => m.name)).toEqual(methodNames());
  });

  it.each([
    ['rk45', 'dormand-prince-54'],
    ['dopri5', 'dormand-prince-54'],
    ['rk23', 'bogacki-shampine-32'],
    ['classical-rk4', 'rk4'],
    ['rkf45', 'fehlberg-45'],
  ])('resolves the alias %s to %s', (alias, name) => {
    expect(resolveMethod(alias).name).toBe(name);
  });

  it('ignores case and surrounding space', () => {
    expect(resolveMethod('DOPRI5')).toBe(resolveMethod('dormand-prince-54'));
    expect(resolveMethod('  Tsit5 ').name).toBe('tsit5');
    expect(resolveMethod('Vern7').name).toBe('vern7');
  });

  it('gives every method a name and aliases no other method uses', () => {
    const all = allMethods().flatMap((m) => [m.name, ...m.aliases].map((n) => n.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
  });

  it('rejects an unknown name with INVALID_OPTION, the nearest name and the known ones', () => {
    let error: unknown;
    try {
      resolveMethod('dorpi5');
    } catch (e) {
      error = e;
    }
    expect(isCubieError(error, 'INVALID_OPTION')).toBe(true);
    const e = error as CubieError;
    expect(e.message).toContain("Unknown method 'dorpi5'");
    expect(e.message).toContain("did you mean 'dopri5'?");
    expect(e.message).toContain('dormand-prince-54');
    expect(e.details).toMatchObject({ where: 'method', method: 'dorpi5', suggestion: 'dopri5', known: [...methodNames(), ...implicitMethodNames()] });
  });

  it('suggests across case and for misspelt long names', () => {
    expect(() => resolveMethod('Dormand-Prince-45')).toThrow(/did you mean 'dormand-prince-54'\?/);
    expect(() => resolveMethod('tsit')).toThrow(/did you mean 'tsit5'\?/);
  });

  it('suggests nothing when nothing is close', () => {
    expect(() => resolveMethod('leapfrog-verlet-nine')).toThrow(/^Unknown method 'leapfrog-verlet-nine'\. Known methods: euler, /);
  });
});
