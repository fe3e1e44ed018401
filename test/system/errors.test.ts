/**
 * Every validation error: its code, and a message that names the symbol and
 * the equation line (details.line / details.where carry them too).
 */
import { generateSystemSource } from '../../src/codegen/system-source';
import { createSystem } from '../../src/system';
import type { SystemDefinition } from '../../src/system';
import { expectCubieError } from './support/expect-error';

const lorenz = (equations: string | string[], extra: Partial<SystemDefinition> = {}): SystemDefinition => ({
  equations,
  states: ['x', 'y', 'z'],
  parameters: ['sigma', 'rho', 'beta'],
  ...extra,
});

describe('UNKNOWN_SYMBOL', () => {
  it('names the symbol, the line and the nearest known name', () => {
    const e = expectCubieError(
      () => createSystem(lorenz(['dz = x*y - beta*z', 'dx = sigmma*(y - x)', 'dy = x*(rho - z) - y'])),
      'UNKNOWN_SYMBOL',
    );
    expect(e.message).toBe("Unknown symbol 'sigmma' in equation line 2 ('dx = sigmma*(y - x)'); did you mean 'sigma'?");
    expect(e.details).toMatchObject({ line: 2, where: 'equation line 2', symbol: 'sigmma' });
  });

  it('counts blank and comment lines in line numbers, and leaves out the suggestion when nothing is close', () => {
    const e = expectCubieError(
      () => createSystem(lorenz('# Lorenz\n\ndx = sigma*(y - x)  # comment\ndy = x*(rho - z) - y + qqqqq\ndz = x*y - beta*z')),
      'UNKNOWN_SYMBOL',
      "'qqqqq'",
      'equation line 4',
    );
    expect(e.message).not.toContain('did you mean');
    expect(e.details.line).toBe(4);
  });

  it('says a derivative cannot be read as a value', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'dx = -x\ndy = dx + y', states: ['x', 'y'] }),
      'UNKNOWN_SYMBOL',
      "'dx'",
      'equation line 2',
      "derivative of state 'x'",
    );
    expect(e.details.line).toBe(2);
  });

  it('rejects an unknown observable with a suggestion', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'energy = x^2\ndx = -x', observables: ['enrgy'] }),
      'UNKNOWN_SYMBOL',
      "'enrgy'",
      "did you mean 'energy'?",
    );
    expect(e.details.where).toBe('observables[0]');
  });
});

describe('strict: false', () => {
  it('makes unknown symbols parameters, in order of first use, with a warning naming each', () => {
    const warnings: string[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => {
      warnings.push(typeof w === 'string' ? w : w.message);
    });
    try {
      const s = createSystem({ equations: 'dx = -k*x + q\ndy = k*x - m*y', parameters: ['m'], strict: false });
      expect(s.parameters).toEqual(['m', 'k', 'q']);
      expect(s.parameterDefaults).toEqual({ m: undefined, k: undefined, q: undefined });
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain("Unknown symbol 'k' in equation line 1 ('dx = -k*x + q') is treated as a parameter");
      expect(warnings[1]).toContain("'q'");
    } finally {
      spy.mockRestore();
    }
  });

  it('still rejects unknown functions, reserved words and unknown observables', () => {
    expectCubieError(() => createSystem({ equations: 'dx = foo(x)', strict: false }), 'UNKNOWN_FUNCTION', "'foo'");
    expectCubieError(() => createSystem({ equations: 'dx = int*x', strict: false }), 'RESERVED_NAME', "'int'");
    expectCubieError(() => createSystem({ equations: 'dx = x', strict: false, observables: ['nope'] }), 'UNKNOWN_SYMBOL', "'nope'");
  });
});

describe('MISSING_DERIVATIVE', () => {
  it('names the state without a derivative line', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'dx = -x', states: ['x', 'y'] }),
      'MISSING_DERIVATIVE',
      "State 'y' has no derivative: add a line 'dy = ...'",
    );
    expect(e.details).toMatchObject({ symbol: 'y', where: 'states' });
  });

  it('points at a probable typo in a derivative line', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'dx = -x\ndz = x - y', states: ['x', 'y'] }),
      'MISSING_DERIVATIVE',
      "State 'y'",
      "equation line 2 ('dz = x - y') assigns 'dz'",
      "did you mean 'dy'?",
    );
    expect(e.details.line).toBe(2);
  });
});

describe('NOT_A_STATE', () => {
  it('rejects the derivative of a parameter, constant or driver', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'dx = -k*x\ndk = 1', states: ['x'], parameters: ['k'] }),
      'NOT_A_STATE',
      "'dk' in equation line 2 ('dk = 1') would be the derivative of 'k', but 'k' is a parameter, not a state",
    );
    expect(e.details).toMatchObject({ line: 2, symbol: 'dk' });
    expectCubieError(() => createSystem({ equations: 'dx = -c*x\ndc = 1', constants: { c: 2 } }), 'NOT_A_STATE', "'c' is a constant");
    expectCubieError(() => createSystem({ equations: 'dx = -u*x\ndu = 1', drivers: ['u'] }), 'NOT_A_STATE', "'u' is a driver");
  });

  it('rejects the derivative of time and of an auxiliary', () => {
    expectCubieError(() => createSystem({ equations: 'dx = -x\ndt = 1' }), 'NOT_A_STATE', "'dt'", "'t' is time");
    expectCubieError(
      () => createSystem({ equations: 'a = 2\ndx = -x\nda = 1' }),
      'NOT_A_STATE',
      "'da' in equation line 3",
      "'a' is an auxiliary",
    );
  });

  it("reads 'dd = ...' as the derivative of a state 'd', also when 'dd' is a state", () => {
    const s = createSystem({ equations: 'dd = -dd\nddd = d', states: ['d', 'dd'] });
    expect(generateSystemSource(s, { precision: 'float64' })).toContain('dy[0] = -y[1];\n  dy[1] = y[0];');
  });

  it('lets dX be an auxiliary when it is read elsewhere', () => {
    const s = createSystem({ equations: 'dt = 0.01\ndist = sqrt(x^2)\ndx = -x*dt*dist' });
    expect(s.states).toEqual(['x']);
    expect(s.auxiliaries).toEqual(['dt', 'dist']);
  });
});

describe('DUPLICATE_NAME', () => {
  it('rejects a name listed twice or in two roles', () => {
    expectCubieError(() => createSystem({ equations: 'dx = -x', states: ['x', 'x'] }), 'DUPLICATE_NAME', "'x' is listed twice in states");
    const e = expectCubieError(
      () => createSystem({ equations: 'dx = -k*x', parameters: ['k'], constants: { k: 1 } }),
      'DUPLICATE_NAME',
      "'k' is declared both as a parameter (in parameters) and as a constant (in constants)",
    );
    expect(e.details.symbol).toBe('k');
    expectCubieError(() => createSystem({ equations: 'dx = -x', states: ['x'], drivers: ['x'] }), 'DUPLICATE_NAME', "'x'", 'a state', 'a driver');
  });

  it('rejects assigning a name twice, a derivative twice, a state or a declared name', () => {
    const twice = expectCubieError(
      () => createSystem({ equations: 'a = 1\ndx = -a*x\na = 2' }),
      'DUPLICATE_NAME',
      "'a' is assigned twice: equation lines 1 and 3",
    );
    expect(twice.details.line).toBe(3);
    expectCubieError(() => createSystem({ equations: 'dx = -x\ndx = x' }), 'DUPLICATE_NAME', "derivative of 'x' is given twice: equation lines 1 and 2");
    expectCubieError(
      () => createSystem({ equations: 'dx = -x\nx = 2', states: ['x'] }),
      'DUPLICATE_NAME',
      "'x' is a state and cannot also be assigned (equation line 2 ('x = 2'))",
    );
    expectCubieError(
      () => createSystem({ equations: 'dx = -k*x\nk = 2', parameters: ['k'] }),
      'DUPLICATE_NAME',
      "'k' is declared as a parameter and cannot also be assigned (equation line 2",
    );
  });
});

describe('CYCLIC_DEPENDENCY', () => {
  it('names every auxiliary in the loop with its line', () => {
    const e = expectCubieError(
      () => createSystem({ equations: 'a = b + 1\nc = x\nb = 2*c + a\ndx = a' }),
      'CYCLIC_DEPENDENCY',
      "'a' (line 1) -> 'b' (line 3) -> 'a' (line 1)",
    );
    expect(e.details).toMatchObject({ line: 1, cycle: ['a', 'b'] });
  });

  it('reports a self-reference', () => {
    expectCubieError(() => createSystem({ equations: 'a = a + 1\ndx = a' }), 'CYCLIC_DEPENDENCY', "'a' is defined in terms of itself (equation line 1)");
  });
});

describe('UNKNOWN_FUNCTION', () => {
  it('names the function and suggests an allowed one', () => {
    const e = expectCubieError(() => createSystem({ equations: 'dx = -sine(x)' }), 'UNKNOWN_FUNCTION', "Unknown function 'sine' in equation line 1", "did you mean 'sin'?");
    expect(e.details).toMatchObject({ line: 1, symbol: 'sine' });
    expectCubieError(() => createSystem({ equations: 'dx = gamma(x)' }), 'UNKNOWN_FUNCTION', "'gamma'", 'allowed:');
  });

  it('explains a symbol written like a call', () => {
    expectCubieError(
      () => createSystem({ equations: 'dx = k(x + 1)', parameters: ['k'] }),
      'UNKNOWN_FUNCTION',
      "'k' is a parameter, not a function: write 'k*(...)' to multiply",
    );
  });

  it('checks argument counts', () => {
    expectCubieError(() => createSystem({ equations: 'dx = sin(x, 2)' }), 'PARSE_ERROR', "Function 'sin' takes 1 argument but is given 2 in equation line 1");
    expectCubieError(() => createSystem({ equations: 'dx = log(x, 2)' }), 'PARSE_ERROR', 'log(x)/log(b)');
    expectCubieError(() => createSystem({ equations: 'dx = min(x)' }), 'PARSE_ERROR', "'min' takes 2 to 16 arguments");
  });
});

describe('RESERVED_NAME and INVALID_NAME', () => {
  it.each([
    ['t', "'t' is the time symbol"],
    ['pi', "'pi' is the mathematical constant"],
    ['e', "'e' is the mathematical constant"],
    ['int', "'int' is a C++ keyword"],
    ['double', "'double' is a C++ keyword"],
    ['return', "'return' is a C++ keyword"],
    ['sin', "'sin' is a function name"],
    ['fabsf', "'fabsf' is a function name"],
    ['NaN', "'NaN' is a reserved word"],
  ])('refuses %s as a declared name', (name, reason) => {
    const e = expectCubieError(() => createSystem({ equations: `dx = -x`, parameters: [name] }), 'RESERVED_NAME', `'${name}'`, reason);
    expect(e.details).toMatchObject({ where: 'parameters[0]', symbol: name });
  });

  it('refuses reserved words as assigned names and as values, but reads t, pi and e', () => {
    expectCubieError(() => createSystem({ equations: 'e = 2\ndx = e' }), 'RESERVED_NAME', "'e'", 'equation line 1');
    expectCubieError(() => createSystem({ equations: 'dx = sin*x' }), 'RESERVED_NAME', "'sin' used as a value in equation line 1", 'function name');
    expectCubieError(() => createSystem({ equations: 'dx = x\nfloat = 2' }), 'RESERVED_NAME', "'float'", 'equation line 2');
    expect(createSystem({ equations: 'dx = pi*e*t' }).states).toEqual(['x']);
  });

  it.each([
    ['\u0445', "'\u0445' (U+0445)"],
    ['x\u200by', 'U+200B'],
    ['2x', 'must start with an ASCII letter'],
    ['_x', 'must start with an ASCII letter'],
    ['a-b', 'U+002D'],
    ['', 'cannot be empty'],
    ['a'.repeat(65), 'at most 64 characters (this one has 65)'],
  ])('refuses %j as a name', (name, reason) => {
    expectCubieError(() => createSystem({ equations: 'dx = -x', states: { x: 0, [name]: 0 } }), 'INVALID_NAME', reason);
  });

  it('refuses non-ASCII names in equations', () => {
    const e = expectCubieError(() => createSystem({ equations: 'dx = -\u03b1*x' }), 'INVALID_NAME', "'\u03b1' (U+03B1)", 'equation line 1');
    expect(e.details.line).toBe(1);
  });
});

describe('PARSE_ERROR', () => {
  it.each([
    ['dx = (x', "Cannot parse equation line 2 ('dx = (x'): Parenthesis ) expected"],
    ['x + 1', 'is not an assignment'],
    ['f(x) = x', 'defines a function'],
    ['dx = 1; dy = 2', 'more than one statement'],
    ['x[1] = 2', 'indexed or dotted target'],
    ['dx = y = 2', "use '==' to compare"],
    ['dx = "text"', 'Text in quotes'],
    ["dx = 'text'", 'Text in quotes'],
    ['dx = [1, 2]', 'Arrays and matrices'],
    ['dx = {a: 1}', 'Objects'],
    ['dx = x.y', 'Property access'],
    ['dx = 1:3', 'Ranges'],
    ['dx = x!', 'factorials are not supported'],
    ['dx = x mod 2', 'remainder is not supported'],
    ['dx = x .* 2', "use '*'"],
    ["dx = x'", 'transposes are not supported'],
    ['dx = x & 1', "Operator '&' is not supported"],
    ['dx = true', "'true' is not a number"],
    ['dx = x > 1', "conditions belong in 'c ? a : b'"],
    ['dx = x ? 1 : 2', 'is a number; a condition is a comparison'],
    ['dx = 1e400', 'too large to represent'],
    ['dx = 5 cm to m', "Operator 'to' is not supported"],
  ])('%j', (line, fragment) => {
    const e = expectCubieError(() => createSystem({ equations: `# header\n${line}`, strict: false }), 'PARSE_ERROR', fragment);
    expect(e.details.line).toBe(2);
  });

  it("accepts one trailing semicolon ('dx = -x;'), a C habit", () => {
    expect(createSystem({ equations: 'dx = -x;\ndy = x;' }).states).toEqual(['x', 'y']);
    expectCubieError(() => createSystem({ equations: 'dx = -x; dy = x' }), 'PARSE_ERROR', 'more than one statement');
  });

  it('bounds line length, bracket nesting and expression depth before they can exhaust the parser', () => {
    expectCubieError(() => createSystem({ equations: `dx = ${'x+'.repeat(6000)}x` }), 'PARSE_ERROR', 'characters long; the limit is 10000');
    expectCubieError(() => createSystem({ equations: `dx = ${'('.repeat(65)}x${')'.repeat(65)}` }), 'PARSE_ERROR', 'nested 65 deep; the limit is 64');
    expectCubieError(() => createSystem({ equations: `dx = ${'-'.repeat(9000)}x` }), 'PARSE_ERROR', 'nested');
    expectCubieError(() => createSystem({ equations: `dx = ${'x^'.repeat(4000)}x` }), 'PARSE_ERROR', 'nested');
    expectCubieError(() => createSystem({ equations: `dx = ${'x+'.repeat(300)}x` }), 'PARSE_ERROR', 'nested more than 256 levels deep');
  });
});

describe('INVALID_SYSTEM', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'dx = 1', 'must be an object'],
    ['no equations', { states: ['x'] }, "needs 'equations'"],
    ['equations of the wrong type', { equations: 3 }, "'equations' must be a string or an array of strings"],
    ['a non-string equation', { equations: ['dx = 1', 2] }, 'equations[1] must be a string'],
    ['an unknown key', { equations: 'dx = 1', observable: ['x'] }, "Unknown key 'observable' in the system definition; did you mean 'observables'?"],
    ['a non-numeric constant', { equations: 'dx = k', constants: { k: '2' } }, "constants.k must be a finite number, got the text '2'"],
    ['a non-finite initial value', { equations: 'dx = 1', states: { x: Infinity } }, 'states.x must be a finite number'],
    ['constants as a list', { equations: 'dx = 1', constants: ['k'] }, "'constants' must be an object of name: value"],
    ['strict of the wrong type', { equations: 'dx = 1', strict: 'yes' }, "'strict' must be true or false"],
    ['empty states', { equations: 'a = 1', states: [] }, "'states' is empty"],
    ['no derivative lines', { equations: 'a = 1' }, 'has no states'],
    ['an observable that is a parameter', { equations: 'dx = -k*x', parameters: ['k'], observables: ['k'] }, "Observable 'k' is a parameter"],
  ])('%s', (_what, definition, fragment) => {
    expectCubieError(() => createSystem(definition as SystemDefinition), 'INVALID_SYSTEM', fragment);
  });

  it('refuses a float32 kernel for constants beyond float range', () => {
    const s = createSystem({ equations: 'dx = 1e39*x' });
    expect(generateSystemSource(s, { precision: 'float64' })).toContain('1e+39');
    expectCubieError(() => generateSystemSource(s, { precision: 'float32' }), 'INVALID_SYSTEM', 'outside the float32 range');
  });
});

describe('INVALID_OPTION for code generation', () => {
  const s = createSystem({ equations: 'dx = -x' });
  it.each<[string, unknown]>([
    ['precision', { precision: 'float16' }],
    ['namespace', { precision: 'float64', namespace: 'a b' }],
    ['namespace', { precision: 'float64', namespace: 'namespace' }],
    ['namespace', { precision: 'float64', namespace: 'x}; int main(){' }],
  ])('%s', (where, options) => {
    const e = expectCubieError(() => generateSystemSource(s, options as { precision: 'float64' }), 'INVALID_OPTION');
    expect(e.details.where).toBe(where);
  });
});
