/** The object createSystem returns: public fields, defaults, orderings and immutability. */
import { generateSystemSource } from '../../src/codegen/system-source';
import { createSystem } from '../../src/system';

describe('createSystem', () => {
  const system = createSystem({
    equations: [
      '# auxiliaries may come in any order',
      'dx = v',
      'dv = -omega^2*x - damping + u',
      'damping = 2*zeta*omega*v',
      'energy = kinetic + 0.5*omega^2*x^2',
      'kinetic = 0.5*v^2',
    ],
    states: { x: 1, v: 0.5 },
    parameters: { omega: 2 },
    constants: { zeta: 0.1 },
    drivers: ['u'],
    observables: ['energy', 'x'],
  });

  it('exposes the public fields, frozen', () => {
    expect(system.states).toEqual(['x', 'v']);
    expect(system.parameters).toEqual(['omega']);
    expect(system.constants).toEqual({ zeta: 0.1 });
    expect(system.drivers).toEqual(['u']);
    expect(system.observables).toEqual(['energy', 'x']);
    expect(system.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const value of [system, system.states, system.parameters, system.constants, system.observables, system.drivers, system.stateDefaults, system.parameterDefaults, system.auxiliaries]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => (system.states as string[]).push('z')).toThrow(TypeError);
  });

  it('names a system without a name after its hash (nothing user-typed)', () => {
    expect(system.name).toBe(`system_${system.hash.slice(0, 8)}`);
    expect(createSystem({ name: 'oscillator', equations: 'dx = -x' }).name).toBe('oscillator');
  });

  it('fills in defaults: states 0 when only named, parameters undefined when only named', () => {
    expect(system.stateDefaults).toEqual({ x: 1, v: 0.5 });
    expect(system.parameterDefaults).toEqual({ omega: 2 });
    const bare = createSystem({ equations: 'dx = -k*x + q\ndy = x', states: ['x', 'y'], parameters: ['k', 'q'] });
    expect(bare.stateDefaults).toEqual({ x: 0, y: 0 });
    expect(bare.parameterDefaults).toEqual({ k: undefined, q: undefined });
  });

  it('orders auxiliaries so each comes after what it reads', () => {
    expect(system.auxiliaries).toEqual(['damping', 'kinetic', 'energy']);
  });

  it('infers states from derivative lines, in line order, when states are omitted', () => {
    const inferred = createSystem({ equations: 'dz = x\n\ndx = -z\nr = x*z\ndy = r' });
    expect(inferred.states).toEqual(['z', 'x', 'y']);
    expect(inferred.stateDefaults).toEqual({ z: 0, x: 0, y: 0 });
  });

  it('accepts states as observables (saved as y[i])', () => {
    const source = generateSystemSource(system, { precision: 'float64' });
    expect(source).toMatch(/obs\[1\] = y\[0\];/);
  });

  it('reads pi, e, t and implicit multiplication', () => {
    const s = createSystem({ equations: 'dx = 2pi*cos(t) + e x' });
    expect(generateSystemSource(s, { precision: 'float64' })).toContain('dy[0] = 6.283185307179586 * cos(t) + 2.718281828459045 * y[0];');
  });

  it('keeps the normalized definition', () => {
    expect(system.definition.equations[0]).toBe('# auxiliaries may come in any order');
    expect(system.definition.states).toEqual({ x: 1, v: 0.5 });
    expect(system.definition.strict).toBe(true);
    expect(system.definition.parameters).toEqual({ omega: 2 });
  });
});
