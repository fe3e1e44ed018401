/** Systems from plain objects read from YAML or JSON (what the command line does). */
import { parse as parseYaml } from 'yaml';
import { createSystem, systemFromObject } from '../../src/system';
import { camelCase, canonicalKeys } from '../../src/system/definition';
import { expectCubieError } from './support/expect-error';

const LORENZ_YAML = `
name: lorenz
equations: |
  # the Lorenz system
  dx = sigma*(y - x)
  dy = x*(rho - z) - y   # rho: Rayleigh number
  dz = x*y - beta*z
states: {x: 1, y: 1, z: 1}
parameters:
  sigma: 10
  rho: 28
  beta: 2.6666666666666665
`;

describe('systemFromObject', () => {
  it('loads a YAML model with the same result as createSystem', () => {
    const fromYaml = systemFromObject(parseYaml(LORENZ_YAML), { source: 'lorenz.yaml' });
    const direct = createSystem({
      name: 'lorenz',
      equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
      states: { x: 1, y: 1, z: 1 },
      parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
    });
    expect(fromYaml.hash).toBe(direct.hash);
    expect(fromYaml.name).toBe('lorenz');
    expect(fromYaml.stateDefaults).toEqual({ x: 1, y: 1, z: 1 });
    expect(fromYaml.parameterDefaults).toEqual({ sigma: 10, rho: 28, beta: 8 / 3 });
    expect(fromYaml.definition.equations[1]).toBe('dx = sigma*(y - x)');
  });

  it('loads JSON, with equations as a list and observables and drivers', () => {
    const json = JSON.stringify({
      equations: ['f = F0*cos(w*t) + u', 'dx = v', 'dv = -x + f'],
      states: ['x', 'v'],
      parameters: ['F0'],
      constants: { w: 2 },
      drivers: ['u'],
      observables: ['f'],
    });
    const s = systemFromObject(JSON.parse(json), { source: 'forced.json' });
    expect([s.states, s.parameters, s.drivers, s.observables, s.constants]).toEqual([['x', 'v'], ['F0'], ['u'], ['f'], { w: 2 }]);
  });

  it('prefixes errors with the file name and keeps the equation line', () => {
    const yaml = LORENZ_YAML.replace('x*y - beta*z', 'x*y - betta*z');
    const e = expectCubieError(
      () => systemFromObject(parseYaml(yaml), { source: 'models/lorenz.yaml' }),
      'UNKNOWN_SYMBOL',
      "models/lorenz.yaml: Unknown symbol 'betta' in equation line 4 ('dz = x*y - betta*z'); did you mean 'beta'?",
    );
    expect(e.details).toMatchObject({ source: 'models/lorenz.yaml', line: 4, where: 'models/lorenz.yaml, equation line 4' });
  });

  it('names the file and the key for values of the wrong type', () => {
    const yaml = `equations: "dx = -k*x"\nparameters:\n  k: "2"\n`;
    const e = expectCubieError(() => systemFromObject(parseYaml(yaml), { source: 'decay.yaml' }), 'INVALID_SYSTEM', 'decay.yaml: parameters.k must be a finite number');
    expect(e.details.where).toBe('decay.yaml, parameters.k');
  });

  it('refuses a file that does not hold a mapping', () => {
    expectCubieError(() => systemFromObject(parseYaml('- dx = 1\n'), { source: 'list.yaml' }), 'INVALID_SYSTEM', 'list.yaml: A system file must hold an object');
    expectCubieError(() => systemFromObject(null), 'INVALID_SYSTEM', 'must hold an object');
  });

  it('passes errors through unchanged without a source', () => {
    const e = expectCubieError(() => systemFromObject({ equations: 'dx = q' }), 'UNKNOWN_SYMBOL', "Unknown symbol 'q'");
    expect(e.message.startsWith('Unknown')).toBe(true);
  });
});

describe('option key spelling', () => {
  it('maps snake_case to camelCase', () => {
    expect(camelCase('initial_values')).toBe('initialValues');
    expect(camelCase('max__step_size')).toBe('maxStepSize');
    expect(camelCase('equations')).toBe('equations');
  });

  it('accepts either spelling of a key, but not both at once, and suggests known keys', () => {
    const known = ['equations', 'initialValues'] as const;
    expect([...canonicalKeys({ initial_values: 1, equations: 2 }, known, 'a file').entries()]).toEqual([['initialValues', 1], ['equations', 2]]);
    expectCubieError(() => canonicalKeys({ initial_values: 1, initialValues: 2 }, known, 'a file'), 'INVALID_SYSTEM', "'initial_values' and 'initialValues' in a file are the same key");
    expectCubieError(() => canonicalKeys({ initial_valus: 1 }, known, 'a file'), 'INVALID_SYSTEM', "Unknown key 'initial_valus' in a file; did you mean 'initialValues'?");
  });

  it('applies the same rule to system definitions given in code', () => {
    expectCubieError(
      () => createSystem({ equations: 'dx = 1', Equations: 'dx = 2' } as unknown as Parameters<typeof createSystem>[0]),
      'INVALID_SYSTEM',
      "Unknown key 'Equations'",
      "did you mean 'equations'?",
    );
  });
});
