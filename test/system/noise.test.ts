/**
 * Noise in the system definition: diagonal and general forms, calculus,
 * the resolved diffusion terms, the structure (diagonal, commutative,
 * general), the Milstein terms L^j g^j, the hash, and every error with the
 * state and process it names.
 */
import { parse as parseYaml } from 'yaml';
import { Solver } from '../../src/solver/solver';
import { createSystem, noiseDerivatives, systemFromObject } from '../../src/system';
import type { SystemDefinition } from '../../src/system';
import { MAX_LINE_LENGTH } from '../../src/system/parse';
import { MAX_NOISE_PROCESSES } from '../../src/system/noise';
import { expectCubieError } from './support/expect-error';
import { evaluateExprs } from './support/evaluate-expr';

/** Ornstein–Uhlenbeck in x, geometric Brownian motion in y. */
const base: SystemDefinition = {
  equations: ['dx = theta*(mu - x)', 'dy = r*y', 'vol = s*y'],
  states: { x: 0, y: 1 },
  parameters: { theta: 1, mu: 0, r: 0.05, s: 0.2 },
  constants: { c: 3 },
  drivers: ['u'],
};
const withNoise = (noise: SystemDefinition['noise'], extra: Partial<SystemDefinition> = {}): SystemDefinition => ({ ...base, noise, ...extra });

describe('valid noise', () => {
  it('diagonal: one process per listed state, named after it, in state order whatever the key order', () => {
    const s = createSystem(withNoise({ y: 'vol', x: 'c*u' }));
    const noise = s.model.noise;
    const b = s.model.builder;
    expect(noise?.form).toBe('diagonal');
    expect(noise?.calculus).toBe('ito');
    expect(noise?.processNames).toEqual(['x', 'y']);
    expect(noise?.terms).toEqual([
      { state: 0, process: 0, value: b.mul(b.num(3), b.variable('driver', 0)) },
      { state: 1, process: 1, value: b.mul(b.variable('parameter', 3), b.variable('state', 1)) },
    ]);
    expect(noise?.structure).toBe('diagonal');
    expect(noise?.commutative).toBe(true);
    expect(createSystem(withNoise({ x: 'c*u', y: 'vol' })).hash).toBe(s.hash);
  });

  it('general: named processes shared between states, in order of first appearance; t, pi and auxiliaries readable', () => {
    const s = createSystem(withNoise({ x: { W2: 'sin(pi*t)', W1: 'vol' }, y: { W1: 'theta' } }, { calculus: 'stratonovich' }));
    const noise = s.model.noise;
    expect(noise?.form).toBe('general');
    expect(noise?.calculus).toBe('stratonovich');
    expect(noise?.processNames).toEqual(['W2', 'W1']);
    expect(noise?.terms.map((term) => [term.process, term.state])).toEqual([[0, 0], [1, 0], [1, 1]]);
    expect(s.definition.noise?.entries).toEqual([
      { state: 'x', process: 'W2', text: 'sin(pi*t)' },
      { state: 'x', process: 'W1', text: 'vol' },
      { state: 'y', process: 'W1', text: 'theta' },
    ]);
  });

  it('a system without noise has none, and noise is read from YAML with comments', () => {
    expect(createSystem(base).model.noise).toBeUndefined();
    const yaml = 'equations: "dx = theta*(mu - x)"\nparameters: { theta: 1, mu: 0, sigma: 0.3 }\nnoise:\n  x: sigma  # additive\ncalculus: ito\n';
    const s = systemFromObject(parseYaml(yaml), { source: 'ou.yaml' });
    expect(s.model.noise?.terms).toHaveLength(1);
    expect(s.model.noise?.terms[0].value).toBe(s.model.builder.variable('parameter', 2));
  });

  it('strict: false turns an unknown symbol in noise into a parameter', () => {
    const s = createSystem(withNoise({ x: 'q*x' }, { strict: false }));
    expect(s.parameters).toContain('q');
  });
});

describe('noise structure', () => {
  const structureOf = (noise: SystemDefinition['noise']): [string | undefined, boolean | undefined] => {
    const n = createSystem(withNoise(noise)).model.noise;
    return [n?.structure, n?.commutative];
  };

  it('diagonal noise reading only its own state is commutative; reading another state is not', () => {
    expect(structureOf({ x: 's*x*t', y: 'vol' })).toEqual(['diagonal', true]);
    expect(structureOf({ x: 'y', y: 'x' })).toEqual(['diagonal', false]);
  });

  it('general noise: additive and one-state multiplicative are commutative; a coupled one is not', () => {
    expect(structureOf({ x: { W1: 's', W2: 'theta' }, y: { W1: 'r', W2: 'mu' } })).toEqual(['commutative', true]);
    // L^1 g^2 = (s*x)*theta and L^2 g^1 = (theta*x)*s: equal by commutativity of *, which the check proves.
    expect(structureOf({ x: { W1: 's*x', W2: 'theta*x' } })).toEqual(['commutative', true]);
    // L^1 g^2 = (0, s) but L^2 g^1 = 0.
    expect(structureOf({ x: { W1: 's', W2: 'y' }, y: { W2: 'x' } })).toEqual(['general', false]);
    // Diagonal even when written in the general form.
    expect(structureOf({ x: { W1: 's' }, y: { W2: 'x' } })).toEqual(['diagonal', false]);
    // One process is always commutative, even shared by states.
    expect(structureOf({ x: { W: 'y' }, y: { W: 'x*y' } })).toEqual(['commutative', true]);
  });

  it('zero entries are dropped, so a listed zero does not make noise non-diagonal', () => {
    expect(structureOf({ x: { W1: 's*x', W2: '0' }, y: { W2: 'y' } })).toEqual(['diagonal', true]);
  });
});

describe('Milstein terms', () => {
  it('L^j g^j matches finite differences of g, and lie(a, b) the cross terms', () => {
    const s = createSystem(withNoise({ x: { W1: 's*x*y', W2: 'sin(x)' }, y: { W1: 'exp(y/4)', W2: 'x^2' } }));
    const d = noiseDerivatives(s.model);
    const env = { state: [0.7, -0.3], parameter: [1, 0, 0.05, 0.2], driver: [0.5] };
    const g = (state: number[]): number[][] => d.diffusion.map((column) => evaluateExprs(column, { ...env, state }));
    const h = 1e-6;
    for (const [a, c] of [[0, 0], [1, 1], [0, 1], [1, 0]]) {
      const got = evaluateExprs(a === c ? d.milstein[a] : d.lie(a, c), env);
      const g0 = g(env.state);
      // sum_k g_ka * d g_ic / d x_k by central differences.
      const expected = [0, 1].map((i) => [0, 1].reduce((acc, k) => {
        const up = [...env.state];
        const down = [...env.state];
        up[k] += h;
        down[k] -= h;
        return acc + g0[a][k] * (g(up)[c][i] - g(down)[c][i]) / (2 * h);
      }, 0));
      got.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    }
  });

  it('geometric Brownian motion: L g = sigma^2 x exactly; a system without noise has no terms', () => {
    const s = createSystem(withNoise({ y: 's*y' }));
    const b = s.model.builder;
    const sy = b.mul(b.variable('parameter', 3), b.variable('state', 1));
    expect(noiseDerivatives(s.model).milstein[0]).toEqual([b.zero, b.mul(sy, b.variable('parameter', 3))]);
    expect(noiseDerivatives(createSystem(base).model).milstein).toEqual([]);
    expect(() => noiseDerivatives(s.model).lie(0, 1)).toThrow(RangeError);
  });
});

describe('noise and the hash', () => {
  const hashOf = (extra: Partial<SystemDefinition>): string => createSystem({ ...base, ...extra }).hash;

  it('changing the noise, its process names or order, or the calculus changes the hash', () => {
    const hashes = [
      hashOf({}),
      hashOf({ noise: { x: 's' } }),
      hashOf({ noise: { x: 'theta' } }),
      hashOf({ noise: { x: 's' }, calculus: 'stratonovich' }),
      hashOf({ noise: { x: { W1: 's' } } }),
      hashOf({ noise: { x: { W2: 's' } } }),
      hashOf({ noise: { x: { W1: 's' }, y: { W2: 's' } } }),
      hashOf({ noise: { x: { W2: 's' }, y: { W1: 's' } } }),
      hashOf({ noise: { x: 's', y: 's' } }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('spelling does not: ito is the default, and the same math hashes alike', () => {
    expect(hashOf({ noise: { x: 's' }, calculus: 'ito' })).toBe(hashOf({ noise: { x: 's' } }));
    expect(hashOf({ noise: { x: '1.0*s  # comment' } })).toBe(hashOf({ noise: { x: 's' } }));
  });
});

describe('noise errors name the state and the process', () => {
  it('unknown symbols, with details', () => {
    const e = expectCubieError(() => createSystem(withNoise({ x: { W1: 'q*x' } })), 'UNKNOWN_SYMBOL', "Unknown symbol 'q' in noise for state 'x', process 'W1'");
    expect(e.details).toMatchObject({ where: 'noise.x.W1', state: 'x', process: 'W1', symbol: 'q' });
    const d = expectCubieError(() => createSystem(withNoise({ y: 'sigmma*y' })), 'UNKNOWN_SYMBOL', "noise for state 'y', process 'W.y'");
    expect(d.details).toMatchObject({ where: 'noise.y', state: 'y' });
    expectCubieError(() => createSystem(withNoise({ x: 'dx' })), 'UNKNOWN_SYMBOL', 'derivative of state');
  });

  it('the text: parse errors, assignments, conditions, disallowed syntax, functions', () => {
    expectCubieError(() => createSystem(withNoise({ x: 's*' })), 'PARSE_ERROR', "noise for state 'x'");
    expectCubieError(() => createSystem(withNoise({ x: 'dx = s' })), 'PARSE_ERROR', 'is an assignment');
    expectCubieError(() => createSystem(withNoise({ x: '  # nothing' })), 'PARSE_ERROR', 'is empty');
    expectCubieError(() => createSystem(withNoise({ x: 's\n+1' })), 'PARSE_ERROR', 'one expression on one line');
    expect(() => createSystem(withNoise({ x: 'x < 1' }))).toThrow(/noise for state 'x'/);
    expect(() => createSystem(withNoise({ x: 'a.b' }))).toThrow(/noise for state 'x'/);
    expect(() => createSystem(withNoise({ x: { W1: 'evaluate(1)' } }))).toThrow(/noise for state 'x', process 'W1'/);
  });

  it('hostile input: the equation limits apply', () => {
    expectCubieError(() => createSystem(withNoise({ x: 's+'.repeat(MAX_LINE_LENGTH) + 's' })), 'PARSE_ERROR', 'the limit is');
    expectCubieError(() => createSystem(withNoise({ x: `${'('.repeat(200)}s${')'.repeat(200)}` })), 'PARSE_ERROR', 'nested');
    const many: Record<string, string> = {};
    for (let j = 0; j <= MAX_NOISE_PROCESSES; j++) many[`W${j}`] = 's';
    expectCubieError(() => createSystem(withNoise({ x: many })), 'INVALID_SYSTEM', 'Wiener processes; the limit is');
  });

  it('hostile names are checked before any message quotes them', () => {
    const hidden = 'x\u200by';
    const long = 'a'.repeat(10_000);
    const cases: NonNullable<SystemDefinition['noise']>[] = [{ [hidden]: 's' }, { [long]: { W1: 's' } }, { x: { W1: 's' }, [hidden]: 's' }, { x: { [long]: 's' } }, { x: { [`W\u202e1`]: 's' } }];
    for (const noise of cases) {
      const e = expectCubieError(() => createSystem(withNoise(noise)), 'INVALID_NAME');
      expect(e.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      expect(e.message.length).toBeLessThan(700);
    }
  });

  it('keys must be states; process names must be free', () => {
    expectCubieError(() => createSystem(withNoise({ theta: 's' })), 'NOT_A_STATE', "'theta' in 'noise' is a parameter");
    expectCubieError(() => createSystem(withNoise({ vol: 's' })), 'NOT_A_STATE', 'an auxiliary');
    const e = expectCubieError(() => createSystem(withNoise({ xx: 's' })), 'UNKNOWN_SYMBOL', "Unknown state 'xx' in 'noise'", "did you mean 'x'");
    expect(e.details).toMatchObject({ where: 'noise.xx', state: 'xx' });
    const clash = expectCubieError(() => createSystem(withNoise({ x: { mu: 's' } })), 'DUPLICATE_NAME', "Wiener process name 'mu'", 'a parameter');
    expect(clash.details).toMatchObject({ where: 'noise.x.mu', state: 'x', process: 'mu' });
    expectCubieError(() => createSystem(withNoise({ x: { y: 's' } })), 'DUPLICATE_NAME', 'a state');
    expectCubieError(() => createSystem(withNoise({ x: { vol: 's' } })), 'DUPLICATE_NAME', 'an auxiliary');
    expectCubieError(() => createSystem(withNoise({ x: { sin: 's' } })), 'RESERVED_NAME');
    expectCubieError(() => createSystem(withNoise({ x: { '1W': 's' } })), 'INVALID_NAME');
    expectCubieError(() => createSystem(withNoise({ x: { kick: 's' } }, { events: [{ name: 'kick', at: [1] }] })), 'DUPLICATE_NAME', 'an event');
  });

  it('the shape of noise and calculus', () => {
    expectCubieError(() => createSystem(withNoise('s' as unknown as SystemDefinition['noise'])), 'INVALID_SYSTEM', "'noise' must be an object");
    expectCubieError(() => createSystem(withNoise({})), 'INVALID_SYSTEM', "'noise' is empty");
    expectCubieError(() => createSystem(withNoise({ x: {} })), 'INVALID_SYSTEM', 'noise.x is empty');
    expectCubieError(() => createSystem(withNoise({ x: 's', y: { W1: 's' } })), 'INVALID_SYSTEM', 'mixes the diagonal form');
    expectCubieError(() => createSystem(withNoise({ x: 2 } as unknown as SystemDefinition['noise'])), 'INVALID_SYSTEM', 'noise.x must be an expression as text');
    expectCubieError(() => createSystem(withNoise({ x: { W1: 2 } } as unknown as SystemDefinition['noise'])), 'INVALID_SYSTEM', 'noise.x.W1 must be an expression');
    expectCubieError(() => createSystem({ ...base, calculus: 'ito' }), 'INVALID_SYSTEM', "'calculus' applies only to a system with 'noise'");
    expectCubieError(() => createSystem(withNoise({ x: 's' }, { calculus: 'Stratonovitch' as 'ito' })), 'INVALID_SYSTEM', "did you mean 'stratonovich'");
  });
});

it('a Solver solves a system with noise only with a stochastic method: an ODE method is refused rather than solving the drift alone', () => {
  const e = expectCubieError(() => new Solver(createSystem(withNoise({ x: 's' })), { method: 'tsit5' }), 'INVALID_OPTION', 'has noise', 'euler-maruyama');
  expect(e.details).toMatchObject({ where: 'method' });
  expect(new Solver(withNoise({ x: { W1: 's' } })).describe({ outputTypes: ['state', 'wiener'] }).variables).toEqual(['x', 'y', 'W.W1']);
});
