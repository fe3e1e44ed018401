/**
 * The canonical hash: the same for the same math however it is written,
 * different for anything that changes the computation or the interface.
 */
import { createSystem } from '../../src/system';
import type { SystemDefinition } from '../../src/system';

const base: SystemDefinition = {
  equations: [
    'r = k1*A*B - k2*C',
    'dA = -r',
    'dB = -r + 0.5*u',
    'dC = r - kd*C',
    'flux = r*C',
  ],
  states: ['A', 'B', 'C'],
  parameters: ['k1', 'k2'],
  constants: { kd: 0.1 },
  drivers: ['u'],
  observables: ['flux'],
};
const hashOf = (changes: Partial<SystemDefinition>): string => createSystem({ ...base, ...changes }).hash;
const baseHash = hashOf({});

describe('system hash', () => {
  it('is a fixed value for a fixed system (update deliberately when the canonical form changes)', () => {
    const lorenz = createSystem({
      equations: 'dx = sigma*(y - x)\ndy = x*(rho - z) - y\ndz = x*y - beta*z',
      parameters: ['sigma', 'rho', 'beta'],
    });
    expect(lorenz.hash).toBe('26d04031f15522bb1f1e510b62774177952c8484b0338656845e791d1f2675f4');
    expect(lorenz.name).toBe('system_26d04031');
    expect(baseHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<SystemDefinition>]>([
    ['whitespace', { equations: ['r=k1 * A*B-k2*C', '  dA = - r', 'dB =-r+0.5 * u', 'dC=r - kd*C', 'flux = r *C   '] }],
    ['comments and blank lines', { equations: '# kinetics\nr = k1*A*B - k2*C  # rate\n\ndA = -r\ndB = -r + 0.5*u\n# ---\ndC = r - kd*C\nflux = r*C\n' }],
    ['the order of independent lines', { equations: ['flux = r*C', 'dC = r - kd*C', 'dB = -r + 0.5*u', 'r = k1*A*B - k2*C', 'dA = -r'] }],
    ['number formatting', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -r + 5e-1*u', 'dC = r - kd*C', 'flux = r*C'], constants: { kd: 1e-1 } }],
    ['redundant parentheses', { equations: ['r = ((k1*A)*B) - (k2*C)', 'dA = -(r)', 'dB = (-r) + (0.5*u)', 'dC = r - kd*C', 'flux = r*C'] }],
    ['auxiliary names', { equations: ['rate = k1*A*B - k2*C', 'dA = -rate', 'dB = -rate + 0.5*u', 'dC = rate - kd*C', 'flux = rate*C'] }],
    ['how states are given (list or initial values)', { states: { A: 1, B: 2, C: 0 } }],
    ['parameter defaults', { parameters: { k1: 3, k2: 4 } }],
    ['the system name', { name: 'kinetics' }],
    ['a constant written as its value', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -r + 0.5*u', 'dC = r - 0.1*C', 'flux = r*C'], constants: {} }],
    ['equations as one string or a list', { equations: (base.equations as string[]).join('\n') }],
    ['unused auxiliaries', { equations: [...(base.equations as string[]), 'unused = A*B*C'] }],
  ])('does not change with %s', (_what, changes) => {
    expect(hashOf(changes)).toBe(baseHash);
  });

  it.each<[string, Partial<SystemDefinition>]>([
    ['a constant value', { constants: { kd: 0.2 } }],
    ['a sign', { equations: ['r = k1*A*B - k2*C', 'dA = r', 'dB = -r + 0.5*u', 'dC = r - kd*C', 'flux = r*C'] }],
    ['an operand', { equations: ['r = k1*A*B - k2*B', 'dA = -r', 'dB = -r + 0.5*u', 'dC = r - kd*C', 'flux = r*C'] }],
    ['grouping', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -(r + 0.5*u)', 'dC = r - kd*C', 'flux = r*C'] }],
    ['a literal', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -r + 0.50000001*u', 'dC = r - kd*C', 'flux = r*C'] }],
    ['the observable expression', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -r + 0.5*u', 'dC = r - kd*C', 'flux = r*B'] }],
    ['the order of states', { states: ['B', 'A', 'C'] }],
    ['the order of parameters', { parameters: ['k2', 'k1'] }],
    ['a parameter made a constant', { parameters: ['k1'], constants: { kd: 0.1, k2: 1 } }],
    ['a parameter made a driver', { parameters: ['k1'], drivers: ['u', 'k2'] }],
    ['an extra (unused) parameter', { parameters: ['k1', 'k2', 'k3'] }],
    ['a renamed state', { equations: ['r = k1*A*D - k2*C', 'dA = -r', 'dD = -r + 0.5*u', 'dC = r - kd*C', 'flux = r*C'], states: ['A', 'D', 'C'] }],
    ['no observables', { observables: [] }],
    ['a function', { equations: ['r = k1*A*B - k2*C', 'dA = -r', 'dB = -r + 0.5*sin(u)', 'dC = r - kd*C', 'flux = r*C'] }],
  ])('changes with %s', (_what, changes) => {
    expect(hashOf(changes)).not.toBe(baseHash);
  });

  it('distinguishes float-sensitive operand order and association', () => {
    const one = (eq: string): string => createSystem({ equations: eq }).hash;
    expect(one('dx = (x + 1e-20) + 1')).not.toBe(one('dx = x + (1e-20 + 1)'));
    expect(one('dx = x - y - z\ndy = 0\ndz = 0')).not.toBe(one('dx = x - (y - z)\ndy = 0\ndz = 0'));
    expect(one('dx = 2*x')).toBe(one('dx = 2.0 * x # doubled'));
  });
});
