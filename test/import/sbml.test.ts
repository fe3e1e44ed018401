/**
 * SBML import: a fixed set of SBML Test Suite semantic cases that pass
 * (fixtures in test/fixtures/sbml-test-suite, LGPL 2.1, see its README),
 * solved on the CPU and checked by the suite's own rule, and the error paths:
 * malformed XML, unsupported elements and hostile ids or MathML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, createSystemFromSbml, importSbml, outputExpression, solveIvp } from '../../src';
import { thrown } from '../support/thrown';
import type { CubieSystem } from '../../src/system';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sbml-test-suite');

/** Cases the import passes (scripts/sbml-test-suite.js on the full odd half picked them; see README "Importing SBML"). */
const PASSING = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((d) => /^\d{5}$/.test(d)).sort() : [];

function settingsOf(text: string) {
  const s: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
    if (m) s[m[1]] = m[2].trim();
  }
  const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);
  return {
    start: Number(s.start ?? 0), duration: Number(s.duration), steps: Number(s.steps), variables: list(s.variables),
    absolute: Number(s.absolute), relative: Number(s.relative), amount: new Set(list(s.amount)), concentration: new Set(list(s.concentration)),
  };
}

async function runCase(id: string): Promise<string[]> {
  const dir = path.join(FIXTURES, id);
  const files = fs.readdirSync(dir);
  const xml = files.filter((f) => /-sbml-l\dv\d\.xml$/.test(f)).sort().pop()!;
  const settings = settingsOf(fs.readFileSync(path.join(dir, `${id}-settings.txt`), 'utf8'));
  const csv = fs.readFileSync(path.join(dir, `${id}-results.csv`), 'utf8').trim().split(/\r?\n/);
  const header = csv[0].split(',').map((h) => h.trim());
  const rows = csv.slice(1).map((l) => l.split(',').map(Number));
  const model = importSbml(fs.readFileSync(path.join(dir, xml), 'utf8'), { t0: settings.start });
  const lines: string[] = [];
  const outs: string[] = [];
  settings.variables.forEach((v, k) => {
    const as = settings.amount.has(v) ? 'amount' : settings.concentration.has(v) ? 'concentration' : undefined;
    const expr = outputExpression(model, v, as);
    if (expr === undefined) throw new Error(`${id}: no variable ${v}`);
    outs.push(`zout${k}`);
    lines.push(`zout${k} = ${expr}`);
  });
  const eqs = model.definition.equations as string[];
  const system = createSystem({ ...model.definition, equations: [...eqs, ...lines], observables: outs });
  const result = await solveIvp(system, {}, {}, {
    method: 'rodas4', backend: 'cpu', outputTypes: ['state', 'observables'], t0: settings.start, duration: settings.duration,
    saveAt: rows.map((r) => r[0]), rtol: 1e-10, atol: 1e-14, maxSteps: 1e6, threads: 1,
    // as scripts/sbml-test-suite.js: steps no longer than the output interval
    ...(settings.steps > 0 ? { dtMax: settings.duration / settings.steps } : {}),
  });
  const problems: string[] = [];
  if (result.status[0] !== 0) problems.push(`${id}: status ${result.status[0]}`);
  settings.variables.forEach((v, k) => {
    const sim = result.trajectory(outs[k], 0);
    const col = header.indexOf(v, 1);
    rows.forEach((r, i) => {
      const exp = r[col];
      if (!(Math.abs(sim[i] - exp) <= settings.absolute + settings.relative * Math.abs(exp))) problems.push(`${id}: ${v} at t=${r[0]}: ${sim[i]} vs ${exp}`);
    });
  });
  return problems;
}

describe('SBML Test Suite cases that pass', () => {
  it('has the fixture cases', () => {
    expect(PASSING.length).toBeGreaterThanOrEqual(20);
  });
  it.each(PASSING)('case %s', async (id) => {
    expect(await runCase(id)).toEqual([]);
  });
});

const doc = (model: string, level = 3, version = 2): string => `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level${level}/version${version}/core" level="${level}" version="${version}">
  <model id="m">${model}</model>
</sbml>`;

const ci = (id: string) => `<math xmlns="http://www.w3.org/1998/Math/MathML"><ci> ${id} </ci></math>`;

const decay = (kinetic: string, extra = '') => doc(`
  <listOfCompartments><compartment id="c" size="2" constant="true"/></listOfCompartments>
  <listOfSpecies><species id="S" compartment="c" initialAmount="4" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>
  <listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>
  <listOfReactions><reaction id="R" reversible="false">
    <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">${kinetic}</math></kineticLaw>
  </reaction></listOfReactions>${extra}`);

describe('importSbml: mapping', () => {
  it('maps a decay reaction to a concentration state, a rate observable and parameters', () => {
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci><ci>c</ci></apply>'));
    expect(m.y0).toEqual({ S: 2 });
    expect(m.parameters).toEqual({ c: 2, k: 0.5 });
    expect(m.definition.observables).toEqual(['R']);
    expect(m.definition.equations).toEqual(['dS = ((-(1 * R)) / c)', 'R = (k * S * c)']);
    expect(outputExpression(m, 'S', 'amount')).toBe('(S * c)');
    expect(createSystemFromSbml(decay('<apply><times/><ci>k</ci><ci>S</ci></apply>')).states).toEqual(['S']);
  });

  it('renames ids that are reserved in cubie and keeps the mapping back', () => {
    const xml = doc(`
      <listOfCompartments><compartment id="e" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="t" compartment="e" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
      <listOfParameters><parameter id="pi" value="2" constant="true"/><parameter id="double" value="3" constant="true"/><parameter id="_x" value="1" constant="true"/><parameter id="dt" value="1" constant="true"/><parameter id="dt_" value="1" constant="true"/></listOfParameters>
      <listOfRules><rateRule variable="t"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>pi</ci><ci>double</ci><ci>_x</ci><ci>dt</ci><ci>dt_</ci><ci>e</ci></apply></math></rateRule></listOfRules>`);
    const m = importSbml(xml);
    const names = Object.keys(m.sbmlIds);
    for (const n of names) expect(n).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(m.symbols.get('t')!.name).not.toBe('t');
    expect(m.symbols.get('pi')!.name).not.toBe('pi');
    const state = m.symbols.get('t')!.name;
    expect(names).not.toContain(`d${state}`); // would read as the state's derivative
    expect(m.sbmlIds[m.symbols.get('double')!.name]).toBe('double');
    const system = createSystem(m.definition);
    expect(system.states).toEqual([m.symbols.get('t')!.name]);
  });

  it('inlines function definitions and turns piecewise into c ? a : b', () => {
    const fn = `<listOfFunctionDefinitions><functionDefinition id="f"><math xmlns="http://www.w3.org/1998/Math/MathML">
      <lambda><bvar><ci>x</ci></bvar><apply><times/><cn>2</cn><ci>x</ci></apply></lambda></math></functionDefinition></listOfFunctionDefinitions>`;
    const xml = decay(`<piecewise><piece><apply><ci>f</ci><ci>k</ci></apply><apply><gt/><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">time</csymbol><cn type="e-notation">1<sep/>-1</cn></apply></piece><otherwise><cn>0</cn></otherwise></piecewise>`).replace('<listOfCompartments>', `${fn}<listOfCompartments>`);
    const m = importSbml(xml);
    expect(m.definition.equations).toContain('R = ((t > 0.1) ? (2 * k) : 0)');
    createSystem(m.definition);
  });

  it('ignores a function definition without math (SBML L3V2, Test Suite 01271), with a warning; calling it is refused', () => {
    const empty = '<listOfFunctionDefinitions><functionDefinition id="foo"/></listOfFunctionDefinitions>';
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci></apply>').replace('<listOfCompartments>', `${empty}<listOfCompartments>`));
    expect(m.warnings).toContain("The function definition 'foo' has no math and is ignored");
    createSystem(m.definition);
    const called = decay('<apply><times/><apply><ci>foo</ci><ci>k</ci></apply><ci>S</ci></apply>').replace('<listOfCompartments>', `${empty}<listOfCompartments>`);
    expect(() => importSbml(called)).toThrow(/'foo' is called but is not a function definition/);
  });

  it('keeps amounts as states in a compartment whose size changes', () => {
    const xml = decay('<apply><times/><ci>k</ci><ci>S</ci></apply>', `<listOfRules><rateRule variable="c">${ci('k')}</rateRule></listOfRules>`)
      .replace('constant="true"/></listOfCompartments>', 'constant="false"/></listOfCompartments>');
    const m = importSbml(xml);
    expect(m.y0).toEqual({ S_amount: 4, c: 2 });
    expect(m.definition.equations).toEqual(['dc = k', 'dS_amount = (-(1 * R))', 'S = S_amount / c', 'R = (k * S)']);
    expect(outputExpression(m, 'S', 'amount')).toBe('S_amount');
    createSystem(m.definition);
  });

  it('writes rateOf as the derivative of a state and 0 for a constant', () => {
    const rateOf = (id: string) => `<apply><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf</csymbol><ci>${id}</ci></apply>`;
    const xml = decay('<apply><times/><ci>k</ci><ci>S</ci></apply>', `<listOfParameters><parameter id="p" constant="false"/><parameter id="q" constant="false" value="0"/></listOfParameters>
      <listOfRules><assignmentRule variable="p"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><plus/>${rateOf('S')}${rateOf('k')}</apply></math></assignmentRule>
      <rateRule variable="q"><math xmlns="http://www.w3.org/1998/Math/MathML">${rateOf('q')}</math></rateRule></listOfRules>`)
      .replace('</listOfParameters><listOfParameters>', '');
    const cyclic = thrown(() => importSbml(xml));
    expect(cyclic.code).toBe('CYCLIC_DEPENDENCY');
    const m = importSbml(xml.replace(`${rateOf('q')}</math></rateRule>`, '<cn>1</cn></math></rateRule>'));
    expect(m.definition.equations).toContain('p = ((((-(1 * R)) / c)) + 0)');
    createSystem(m.definition);
    // A local parameter never changes (Test Suite 01459): its rate is 0, though no global has its id.
    const local = decay(`<apply><plus/><ci>j</ci>${rateOf('j')}</apply>`).replace('</math></kineticLaw>', '</math><listOfLocalParameters><localParameter id="j" value="3"/></listOfLocalParameters></kineticLaw>');
    expect(importSbml(local).definition.equations).toContain('R = (R_j + 0)');
  });

  it('ignores a rule without math (SBML L3v2), with a warning', () => {
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci></apply>', '<listOfParameters><parameter id="p" value="3" constant="false"/></listOfParameters><listOfRules><assignmentRule variable="p"/></listOfRules>'));
    expect(m.parameters.p).toBe(3);
    expect(m.warnings.join('\n')).toContain("'p' has no math");
  });

  it('treats species in a 0-dimensional compartment as amounts', () => {
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci></apply>').replace('<compartment id="c" size="2"', '<compartment id="c" spatialDimensions="0"'));
    expect(m.y0).toEqual({ S: 4 });
    expect(m.parameters).toEqual({ k: 0.5 });
    expect(m.definition.equations).toEqual(['dS = (-(1 * R))', 'R = (k * S)']);
  });

  it('evaluates rateOf in an initial assignment from the rates at t0 (Test Suite 01249-01253)', () => {
    const rateOf = (id: string) => `<apply><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf</csymbol><ci>${id}</ci></apply>`;
    // dS/dt = -k S at S = 2 (4 in a compartment of 2): -1; k is constant: 0
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci><ci>c</ci></apply>', `<listOfParameters><parameter id="p" constant="true"/></listOfParameters>
      <listOfInitialAssignments><initialAssignment symbol="p"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><plus/>${rateOf('S')}${rateOf('k')}</apply></math></initialAssignment></listOfInitialAssignments>`));
    expect(m.parameters.p).toBeCloseTo(-1, 14);
  });

  it('evaluates initial assignments at t0', () => {
    const m = importSbml(decay('<apply><times/><ci>k</ci><ci>S</ci></apply>', `
      <listOfInitialAssignments><initialAssignment symbol="S"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><cn>6</cn></apply></math></initialAssignment></listOfInitialAssignments>`));
    expect(m.y0).toEqual({ S: 3 });
  });
});

const MATH = (body: string) => `<math xmlns="http://www.w3.org/1998/Math/MathML">${body}</math>`;
/** The decay model with mass action in amounts: S (a concentration, 2 at t0) follows dS/dt = -k S = -0.5 S. */
const massAction = (extra = '') => decay('<apply><times/><ci>k</ci><ci>S</ci><ci>c</ci></apply>', extra);

async function trajectories(m: ReturnType<typeof importSbml>, names: string[], times: number[]): Promise<Record<string, Float64Array | number[]>> {
  const r = await solveIvp(createSystem(m.definition), {}, {}, {
    method: 'rodas4', backend: 'cpu', outputTypes: ['state', 'observables'], duration: times[times.length - 1], saveAt: times, rtol: 1e-10, atol: 1e-12, threads: 1,
  });
  expect(r.status[0]).toBe(0);
  return Object.fromEntries(names.map((n) => [n, Array.from(r.trajectory(n, 0))]));
}

describe('importSbml: algebraic rules and stoichiometries that are math', () => {
  const times = [0, 1, 2];
  const exact = (t: number) => 2 * Math.exp(-0.5 * t);

  it('writes an algebraic rule affine in a free variable as its assignment (0 = S + T - 5 gives T = 5 - S)', async () => {
    const m = importSbml(massAction(`<listOfParameters><parameter id="T" value="0" constant="false"/></listOfParameters>
      <listOfRules><algebraicRule>${MATH('<apply><minus/><apply><plus/><ci>S</ci><ci>T</ci></apply><cn>5</cn></apply>')}</algebraicRule></listOfRules>`));
    expect(m.symbols.get('T')?.role).toBe('auxiliary');
    expect(m.definition.observables).toContain('T');
    const { T } = await trajectories(m, ['T'], times);
    times.forEach((t, i) => expect(T[i]).toBeCloseTo(5 - exact(t), 8));
  });

  it('matches rules to variables so that every rule gets one (A + B = S and A = 1: A by the second, B by the first)', async () => {
    const m = importSbml(massAction(`<listOfParameters><parameter id="A" value="0" constant="false"/><parameter id="B" value="0" constant="false"/></listOfParameters>
      <listOfRules>
        <algebraicRule metaid="first">${MATH('<apply><minus/><apply><plus/><ci>A</ci><ci>B</ci></apply><ci>S</ci></apply>')}</algebraicRule>
        <algebraicRule metaid="second">${MATH('<apply><minus/><ci>A</ci><cn>1</cn></apply>')}</algebraicRule>
      </listOfRules>`));
    const { A, B } = await trajectories(m, ['A', 'B'], times);
    times.forEach((t, i) => {
      expect(A[i]).toBeCloseTo(1, 12);
      expect(B[i]).toBeCloseTo(exact(t) - 1, 8);
    });
  });

  it('carries Level 2 stoichiometryMath (2 p: dS/dt = -2 p k S)', async () => {
    const xml = doc(`
  <listOfCompartments><compartment id="c" size="2"/></listOfCompartments>
  <listOfSpecies><species id="S" compartment="c" initialAmount="4"/></listOfSpecies>
  <listOfParameters><parameter id="k" value="0.5"/><parameter id="p" value="1.5"/></listOfParameters>
  <listOfReactions><reaction id="R" reversible="false">
    <listOfReactants><speciesReference species="S"><stoichiometryMath>${MATH('<apply><times/><cn>2</cn><ci>p</ci></apply>')}</stoichiometryMath></speciesReference></listOfReactants>
    <kineticLaw>${MATH('<apply><times/><ci>k</ci><ci>S</ci><ci>c</ci></apply>')}</kineticLaw>
  </reaction></listOfReactions>`, 2, 4);
    const { S } = await trajectories(importSbml(xml), ['S'], times);
    times.forEach((t, i) => expect(S[i]).toBeCloseTo(2 * Math.exp(-1.5 * t), 8));
  });

  it('carries a rate rule on a stoichiometry (s = 1 + t/2: S = 2 exp(-k (t + t^2/4)))', async () => {
    const xml = massAction(`<listOfRules><rateRule variable="sr1">${MATH('<cn>0.5</cn>')}</rateRule></listOfRules>`)
      .replace('species="S" stoichiometry="1" constant="true"', 'id="sr1" species="S" stoichiometry="1" constant="false"');
    const m = importSbml(xml);
    expect(m.symbols.get('sr1')?.role).toBe('state');
    const { S, sr1 } = await trajectories(m, ['S', 'sr1'], times);
    times.forEach((t, i) => {
      expect(sr1[i]).toBeCloseTo(1 + t / 2, 10);
      expect(S[i]).toBeCloseTo(2 * Math.exp(-0.5 * (t + (t * t) / 4)), 8);
    });
  });
});

describe('importSbml: errors name the SBML element', () => {
  it.each([
    ['not XML at all', 'this is not <xml'],
    ['an unclosed element', '<sbml level="3" version="2"><model>'],
    ['a DOCTYPE with entities (billion laughs)', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><sbml>&lol2;</sbml>'],
    ['an unknown entity', '<sbml level="3" version="2"><model id="a&foo;"/></sbml>'],
    ['not SBML', '<html/>'],
    ['no model', '<sbml level="3" version="2"/>'],
  ])('INVALID_SBML for %s', (_what, xml) => {
    expect(thrown(() => importSbml(xml)).code).toBe('INVALID_SBML');
  });

  it('refuses events with a delay with UNSUPPORTED_SBML naming the event id (sbml-events.test.ts has the rest)', () => {
    const e = thrown(() => importSbml(decay('<ci>k</ci>', `<listOfEvents><event id="ev1" useValuesFromTriggerTime="true"><trigger initialValue="true" persistent="true">${ci('k')}</trigger><delay>${ci('k')}</delay></event></listOfEvents>`)));
    expect(e.code).toBe('UNSUPPORTED_SBML');
    expect(e.message).toContain("'ev1'");
    expect(e.details.sbmlId).toBe('ev1');
  });

  it('refuses algebraic rules it cannot write as assignments, and fast reactions', () => {
    // k is constant: nothing is left for the rule to determine
    const alg = thrown(() => importSbml(decay('<ci>k</ci>', `<listOfRules><algebraicRule metaid="alg1">${ci('k')}</algebraicRule></listOfRules>`)));
    expect([alg.code, alg.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'alg1']);
    expect(alg.message).toContain('DAE');
    // T*T = S is not affine in T
    const square = thrown(() => importSbml(decay('<ci>k</ci>', `<listOfParameters><parameter id="T" value="1" constant="false"/></listOfParameters>
      <listOfRules><algebraicRule metaid="sq"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><minus/><apply><times/><ci>T</ci><ci>T</ci></apply><ci>S</ci></apply></math></algebraicRule></listOfRules>`)));
    expect([square.code, square.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'sq']);
    // A + B = 1 and A = B: each solution reads the other, a linear system rather than two assignments
    const system = thrown(() => importSbml(massAction(`<listOfParameters><parameter id="A" value="0" constant="false"/><parameter id="B" value="0" constant="false"/></listOfParameters>
      <listOfRules>
        <algebraicRule metaid="sum">${MATH('<apply><minus/><apply><plus/><ci>A</ci><ci>B</ci></apply><cn>1</cn></apply>')}</algebraicRule>
        <algebraicRule metaid="same">${MATH('<apply><minus/><ci>A</ci><ci>B</ci></apply>')}</algebraicRule>
      </listOfRules>`)));
    expect(system.code).toBe('UNSUPPORTED_SBML');
    expect(['sum', 'same']).toContain(system.details.sbmlId);
    expect(system.message).toContain('system of equations');
    const fast = thrown(() => importSbml(decay('<ci>k</ci>').replace('reversible="false"', 'reversible="false" fast="true"')));
    expect([fast.code, fast.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'R']);
  });

  it('refuses unknown csymbols, and a delay without its two arguments, with the reaction id', () => {
    const apply = (url: string, args: string) => decay(`<apply><csymbol encoding="text" definitionURL="${url.replace(/"/g, '&quot;')}">f</csymbol>${args}</apply>`);
    const unknown = thrown(() => importSbml(apply('http://evil.example/x"); system("rm -rf /', '<ci>S</ci>')));
    expect(unknown.code).toBe('UNSUPPORTED_SBML');
    const malformed = thrown(() => importSbml(apply('http://www.sbml.org/sbml/symbols/delay', '<ci>S</ci>')));
    expect(malformed.code).toBe('INVALID_SBML');
    for (const e of [unknown, malformed]) {
      expect(e.details.sbmlId).toBe('R');
      expect(e.message).toContain("reaction 'R'");
    }
  });

  const DELAY = 'http://www.sbml.org/sbml/symbols/delay';
  const delayed = (value: string, lag: string) => `<apply><csymbol encoding="text" definitionURL="${DELAY}">delay</csymbol>${value}${lag}</apply>`;

  it('writes the delay csymbol as delay(value, lag): a delay differential equation', () => {
    const m = importSbml(decay(`<apply><times/><ci>k</ci>${delayed('<ci>S</ci>', '<ci>k</ci>')}</apply>`));
    expect(m.definition.equations).toEqual(['dS = ((-(1 * R)) / c)', 'R = (k * delay(S, k))']);
    expect((createSystemFromSbml(decay(`<apply><times/><ci>k</ci>${delayed('<ci>S</ci>', '<cn>2</cn>')}</apply>`)) as CubieSystem).model.delays?.slots).toHaveLength(1);
  });

  it('refuses the delays cubie cannot carry: a lag that changes, rateOf inside, a past given by a formula of time', () => {
    const rateOf = '<apply><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf</csymbol><ci>S</ci></apply>';
    const timeFormula = `<listOfInitialAssignments><initialAssignment symbol="k"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><plus/><cn>1</cn><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply></math></initialAssignment></listOfInitialAssignments>`;
    const cases: [string, string, RegExp][] = [
      [delayed('<ci>S</ci>', '<ci>S</ci>'), '', /delay whose length changes along the solution \(it reads 'S'/],
      [delayed(rateOf, '<cn>1</cn>'), '', /rateOf inside a delay/],
      [delayed('<ci>k</ci>', '<cn>1</cn>'), timeFormula, /delay of 'k', whose initial assignment reads the time/],
    ];
    for (const [math, extra, message] of cases) {
      const e = thrown(() => importSbml(decay(math, extra)));
      expect(e.code).toBe('UNSUPPORTED_SBML');
      expect(e.details.sbmlId).toBe('R');
      expect(e.message).toMatch(message);
    }
  });

  it('refuses unknown MathML elements and operators', () => {
    for (const m of ['<script>alert(1)</script>', '<apply><factorial/><ci>k</ci></apply>', '<apply><diff/><ci>k</ci></apply>', '<mtext>x</mtext>', '<cn>INF</cn>']) {
      const e = thrown(() => importSbml(decay(m)));
      expect(e.code).toBe('UNSUPPORTED_SBML');
      expect(e.details.sbmlId).toBe('R');
    }
  });

  it('refuses identifiers that are not SBML ids, and undefined symbols', () => {
    const badCi = thrown(() => importSbml(decay('<apply><times/><ci>k); system("x</ci><ci>S</ci></apply>')));
    expect(badCi.code).toBe('INVALID_SBML');
    expect(badCi.details.sbmlId).toBe('R');
    const badId = thrown(() => importSbml(decay('<ci>k</ci>').replace('id="k"', 'id="k-1;drop"')));
    expect(badId.code).toBe('INVALID_SBML');
    const bad = thrown(() => importSbml(decay('<cn>1e99999</cn>')));
    expect(bad.code).toBe('UNSUPPORTED_SBML');
    const garbage = thrown(() => importSbml(decay('<cn>1+1</cn>')));
    expect(garbage.code).toBe('INVALID_SBML');
  });

  it('refuses required packages (comp, which is flattened, aside: sbml-comp.test.ts) and Level 1', () => {
    const distrib = doc('').replace('level="3"', 'xmlns:distrib="http://www.sbml.org/sbml/level3/version1/distrib/version1" distrib:required="true" level="3"');
    expect(thrown(() => importSbml(distrib)).code).toBe('UNSUPPORTED_SBML');
    expect(thrown(() => importSbml(doc('', 1, 2))).code).toBe('UNSUPPORTED_SBML');
  });

  it('reports cycles among initial assignments', () => {
    const xml = doc(`
      <listOfParameters><parameter id="a" constant="true"/><parameter id="b" constant="true"/></listOfParameters>
      <listOfInitialAssignments><initialAssignment symbol="a">${ci('b')}</initialAssignment><initialAssignment symbol="b">${ci('a')}</initialAssignment></listOfInitialAssignments>`);
    expect(thrown(() => importSbml(xml)).code).toBe('CYCLIC_DEPENDENCY');
  });

  it('bounds the depth of nested math', () => {
    const deep = '<apply><minus/>'.repeat(300) + '<ci>k</ci>' + '</apply>'.repeat(300);
    expect(thrown(() => importSbml(decay(deep))).code).toBe('INVALID_SBML');
  });
});

it('imports the text as data: the emitted equations use only cubie names and numbers', () => {
  const m = importSbml(decay('<apply><plus/><apply><power/><ci>k</ci><cn type="rational">1<sep/>3</cn></apply><apply><root/><degree><cn>3</cn></degree><ci>S</ci></apply><apply><log/><logbase><cn>2</cn></logbase><ci>c</ci></apply><apply><sec/><ci>k</ci></apply><apply><xor/><true/><apply><lt/><ci>k</ci><cn>1</cn><cn>2</cn></apply></apply></apply>'));
  const text = (m.definition.equations as string[]).join('\n');
  expect(text).toMatch(/^[A-Za-z0-9_ ()+\-*/^.,=<>!?:\n]*$/);
  createSystem(m.definition);
});
