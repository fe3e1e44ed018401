/**
 * Which method goes with which system: every mismatch is refused when the
 * Solver is made, with a code, the option it concerns and what to do.
 */
import { Solver } from '../../src';
import { CubieError } from '../../src/shared/errors';

const noisy = { name: 'noisy', equations: 'dx = -x', states: { x: 1 }, parameters: { s: 0.3 }, noise: { x: 's*x' } };
const plain = { name: 'plain', equations: 'dx = -x', states: { x: 1 } };
// Two processes driving x through g = (x, y) and y through (0, 1): L^1 g^2 = (0, 0) but L^2 g^1 = (1, 0), not commutative.
const general = { name: 'general', equations: ['dx = -x', 'dy = -y'], states: { x: 1, y: 1 }, noise: { x: { A: 'x', B: 'y' }, y: { B: '1' } } };

function refusal(make: () => unknown): CubieError {
  try {
    make();
  } catch (e) {
    if (e instanceof CubieError) return e;
    throw e;
  }
  throw new Error('expected a CubieError');
}

describe('stochastic methods and the systems they accept', () => {
  it('an ODE method on a system with noise is refused, naming the stochastic methods', () => {
    const e = refusal(() => new Solver(noisy, { method: 'tsit5' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.details?.where).toBe('method');
    expect(e.message).toMatch(/has noise/);
    expect(e.message).toMatch(/'euler-maruyama' \['em'\], 'milstein'/);
  });

  it('a misspelt method on a system with noise gets the nearest stochastic method', () => {
    const e = refusal(() => new Solver(noisy, { method: 'milstien' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toMatch(/Unknown method 'milstien' \(did you mean 'milstein'\?\)/);
  });

  it('a stochastic method on a system without noise is refused, saying to add noise or use an ODE method', () => {
    const e = refusal(() => new Solver(plain, { method: 'em' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.details?.where).toBe('method');
    expect(e.message).toMatch(/has no noise; add 'noise'.*'tsit5'/);
  });

  it('a system with noise defaults to euler-maruyama at fixed steps', () => {
    const solver = new Solver(noisy);
    expect(solver.describe().variables).toEqual(['x']);
    expect(() => new Solver(noisy, { stepController: 'pi' })).toThrow(/no error estimate.*'milstein-adaptive'/);
  });

  it('milstein on noise that is not commutative is refused with the reason (Lévy areas)', () => {
    for (const method of ['milstein', 'milstein-adaptive']) {
      const e = refusal(() => new Solver(general, { method }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.details?.where).toBe('method');
      expect(e.message).toMatch(/needs commutative noise.*Lévy areas.*'euler-maruyama'/);
    }
    expect(() => new Solver(general, { method: 'em' })).not.toThrow();
  });

  it('platen-w2 takes one process or diagonal commutative noise, and refuses the rest with the reason', () => {
    const e = refusal(() => new Solver(general, { method: 'platen-w2' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.details?.where).toBe('method');
    expect(e.message).toMatch(/needs one Wiener process or diagonal commutative noise/);
    // Two processes, commutative but not diagonal (both drive x additively): refused too.
    const shared = { name: 'shared', equations: 'dx = -x', states: { x: 1 }, noise: { x: { A: '0.1', B: '0.2' } } };
    expect(refusal(() => new Solver(shared, { method: 'weak2' })).message).toMatch(/needs one Wiener process/);
    expect(() => new Solver(noisy, { method: 'platen-w2' })).not.toThrow();
  });

  it("interpolated saves, crossing events and 'wiener' without noise are refused", () => {
    expect(refusal(() => new Solver(noisy, { saveMode: 'interpolate' })).details?.where).toBe('saveMode');
    const bouncing = { ...noisy, events: [{ name: 'low', when: 'x - 0.5', direction: 'falling', then: 'x = 1' }] };
    expect(refusal(() => new Solver(bouncing as never)).details?.where).toBe('events');
    expect(refusal(() => new Solver(plain, { outputTypes: ['wiener'] })).details?.where).toBe('outputTypes');
  });

  it("'wiener' names each process W.<name> (diagonal: W.<state>), after the saved states", () => {
    expect(new Solver(noisy, { outputTypes: ['state', 'wiener'] }).describe().variables).toEqual(['x', 'W.x']);
    expect(new Solver(general, { outputTypes: ['wiener'] }).describe().variables).toEqual(['W.A', 'W.B']);
  });
});
