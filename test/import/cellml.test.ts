/**
 * CellML import: every Chaste model (test/fixtures/cellml/chaste, see its
 * README) imports and gives a valid cubie system; small documents check
 * connections with unit conversion, imports passed in options.files, 2.0
 * initial values by name, derivatives read on right-hand sides, and the
 * refusals (each names the component and variable, or the href).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, importCellml, isCubieError } from '../../src';

const CHASTE = path.join(__dirname, '..', 'fixtures', 'cellml', 'chaste');
const MODELS = fs.readdirSync(CHASTE).filter((f) => f.endsWith('.cellml')).sort();

describe('Chaste models', () => {
  it('has the 63 models', () => {
    expect(MODELS.length).toBe(63);
  });
  it.each(MODELS)('%s imports into a valid system', (file) => {
    const model = importCellml(fs.readFileSync(path.join(CHASTE, file), 'utf8'));
    expect(Object.keys(model.y0).length).toBeGreaterThan(0);
    expect(['ms', 'millisecond', 'msec', 'second', 'time_units']).toContain(model.timeUnits);
    expect(model.timeScale === 1 || model.timeScale === 1e-3).toBe(true);
    const system = createSystem(model.system);
    expect(system).toBeDefined();
    for (const v of Object.values(model.y0)) expect(Number.isFinite(v)).toBe(true);
  });
});

const V1 = 'http://www.cellml.org/cellml/1.0#';
const MATHML = 'http://www.w3.org/1998/Math/MathML';
const doc = (body: string, ns = V1): string => `<?xml version="1.0"?>
<model xmlns="${ns}" xmlns:cellml="${ns}" name="m">
  <units name="ms"><unit units="second" prefix="milli"/></units>
  <units name="mV"><unit units="volt" prefix="milli"/></units>
  <units name="per_ms"><unit units="ms" exponent="-1"/></units>
  ${body}
</model>`;
const math = (inner: string): string => `<math xmlns="${MATHML}">${inner}</math>`;
const ode = (t: string, x: string, rhs: string): string => `<apply><eq/><apply><diff/><bvar><ci>${t}</ci></bvar><ci>${x}</ci></apply>${rhs}</apply>`;

function refusal(xml: string, options = {}): { code: string; message: string } {
  try {
    importCellml(xml, options);
  } catch (e) {
    if (isCubieError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('not refused');
}

describe('the mapping', () => {
  const twoComponents = doc(`
    <component name="env"><variable name="time" units="second" public_interface="out"/></component>
    <component name="cell">
      <variable name="time" units="ms" public_interface="in"/>
      <variable name="V" units="mV" initial_value="-80" public_interface="out"/>
      <variable name="k" units="per_ms" initial_value="0.5"/>
      <variable name="I" units="mV"/>
      ${math(`<apply><eq/><ci>I</ci><apply><times/><ci>k</ci><ci>V</ci><cn cellml:units="ms">2</cn></apply></apply>${ode('time', 'V', '<apply><minus/><ci>I</ci></apply>')}`)}
    </component>
    <component name="probe"><variable name="V" units="volt" public_interface="in"/><variable name="W" units="volt"/>
      ${math('<apply><eq/><ci>W</ci><ci>V</ci></apply>')}</component>
    <connection><map_components component_1="env" component_2="cell"/><map_variables variable_1="time" variable_2="time"/></connection>
    <connection><map_components component_1="cell" component_2="probe"/><map_variables variable_1="V" variable_2="V"/></connection>`);

  it('names quantities component_variable and converts units across connections', () => {
    const m = importCellml(twoComponents);
    expect(m.y0).toEqual({ cell_V: -80 });
    expect(m.parameters).toEqual({ cell_k: 0.5 });
    expect(m.timeUnits).toBe('second');
    expect(m.timeScale).toBe(1);
    const eqs = m.system.equations as string[];
    // the ODE is in mV/ms; cubie's t is in seconds: × 1000
    expect(eqs.find((l) => l.startsWith('dcell_V'))).toBe('dcell_V = (-cell_I) * 1000');
    // the probe reads V in volts: × 0.001
    expect(eqs).toContain('probe_W = (cell_V * 0.001)');
    expect(m.variables.cell_V).toMatchObject({ component: 'cell', variable: 'V', role: 'state', units: 'mV' });
    expect(createSystem(m.system)).toBeDefined();
  });

  it('orders auxiliaries and refuses a cycle naming its variables', () => {
    const chain = doc(`<component name="c"><variable name="t" units="ms"/><variable name="x" units="mV" initial_value="1"/>
      <variable name="a" units="mV"/><variable name="b" units="mV"/>
      ${math(`<apply><eq/><ci>a</ci><ci>b</ci></apply><apply><eq/><ci>b</ci><ci>x</ci></apply>${ode('t', 'x', '<apply><minus/><ci>a</ci></apply>')}`)}</component>`);
    const eqs = importCellml(chain).system.equations as string[];
    expect(eqs.indexOf('c_b = c_x')).toBeLessThan(eqs.indexOf('c_a = c_b'));
    const cyclic = chain.replace('<apply><eq/><ci>b</ci><ci>x</ci></apply>', '<apply><eq/><ci>b</ci><ci>a</ci></apply>');
    const r = refusal(cyclic);
    expect(r.code).toBe('CYCLIC_DEPENDENCY');
    expect(r.message).toMatch(/c\.a/);
  });

  it('reads a derivative on a right-hand side as the state\'s rate', () => {
    const xml = doc(`<component name="c"><variable name="t" units="ms"/><variable name="x" units="mV" initial_value="1"/>
      <variable name="y" units="mV" initial_value="0"/>
      ${math(`${ode('t', 'x', '<apply><minus/><ci>x</ci></apply>')}${ode('t', 'y', `<apply><times/><cn cellml:units="ms">2</cn><apply><diff/><bvar><ci>t</ci></bvar><ci>x</ci></apply></apply>`)}`)}</component>`);
    const eqs = importCellml(xml).system.equations as string[];
    expect(eqs).toContain('dc_x = c_x_rate');
    expect(eqs).toContain('c_x_rate = (-c_x)');
    expect(eqs).toContain('dc_y = (2 * c_x_rate)');
  });

  it('takes CellML 2.0 initial values that name a variable, and e-notation, pi and piecewise', () => {
    const xml = `<model xmlns="http://www.cellml.org/cellml/2.0#" xmlns:cellml="http://www.cellml.org/cellml/2.0#" name="two">
      <component name="c"><variable name="t" units="second" interface="public"/><variable name="x0" units="dimensionless" initial_value="3"/>
      <variable name="x" units="dimensionless" initial_value="x0"/>
      ${math(ode('t', 'x', `<piecewise><piece><cn cellml:units="dimensionless" type="e-notation">1<sep/>-3</cn><apply><lt/><ci>t</ci><cn cellml:units="second">1</cn></apply></piece><otherwise><pi/></otherwise></piecewise>`))}</component></model>`;
    const m = importCellml(xml);
    expect(m.y0).toEqual({ c_x: 3 });
    expect(m.parameters).toEqual({ c_x0: 3 });
    expect((m.system.equations as string[])[0]).toBe(`dc_x = ((t < 1) ? 0.001 : ${Math.PI})`);
  });

  it('resolves an import from options.files, and refuses one that is not given naming its href', () => {
    const lib = `<model xmlns="http://www.cellml.org/cellml/1.1#" name="lib">
      <units name="ms"><unit units="second" prefix="milli"/></units>
      <component name="decay"><variable name="t" units="ms" public_interface="in"/><variable name="x" units="dimensionless" initial_value="2" public_interface="out"/>
      ${math(ode('t', 'x', '<apply><minus/><ci>x</ci></apply>'))}</component></model>`;
    const main = `<model xmlns="http://www.cellml.org/cellml/1.1#" xmlns:xlink="http://www.w3.org/1999/xlink" name="main">
      <import xlink:href="lib.cellml"><component name="d" component_ref="decay"/></import>
      <component name="env"><variable name="time" units="second" public_interface="out"/></component>
      <connection><map_components component_1="env" component_2="d"/><map_variables variable_1="time" variable_2="t"/></connection></model>`;
    const m = importCellml(main, { files: { 'lib.cellml': lib } });
    expect(m.y0).toEqual({ d_x: 2 });
    expect((m.system.equations as string[])[0]).toBe('dd_x = (-d_x) * 1000');
    const r = refusal(main);
    expect(r.code).toBe('INVALID_CELLML');
    expect(r.message).toMatch(/lib\.cellml/);
  });
});

describe('CellML 2.0 imports', () => {
  const NS2 = 'http://www.cellml.org/cellml/2.0#';
  const lib = `<model xmlns="${NS2}" xmlns:xlink="http://www.w3.org/1999/xlink" name="lib">
    <units name="ms"><unit units="second" prefix="milli"/></units>
    <component name="cell"><variable name="t" units="ms" interface="public_and_private"/><variable name="x" units="dimensionless" interface="public_and_private"/></component>
    <component name="gate"><variable name="t" units="ms" interface="public"/><variable name="x" units="dimensionless" initial_value="1" interface="public"/>
      <variable name="k" units="per_ms" initial_value="3"/>
      ${math(ode('t', 'x', '<apply><minus/><apply><times/><ci>k</ci><ci>x</ci></apply></apply>'))}</component>
    <units name="per_ms"><unit units="ms" exponent="-1"/></units>
    <encapsulation><component_ref component="cell"><component_ref component="gate"/></component_ref></encapsulation>
    <connection component_1="cell" component_2="gate"><map_variables variable_1="t" variable_2="t"/><map_variables variable_1="x" variable_2="x"/></connection>
  </model>`;
  const main = `<model xmlns="${NS2}" xmlns:xlink="http://www.w3.org/1999/xlink" name="main">
    <import xlink:href="models/lib.cellml"><component name="c" component_ref="cell"/><units name="millis" units_ref="ms"/></import>
    <component name="env"><variable name="time" units="millis" interface="public"/></component>
    <connection component_1="env" component_2="c"><map_variables variable_1="time" variable_2="t"/></connection>
  </model>`;

  it('brings in the encapsulated components and their connections, and imported units', () => {
    const files = (href: string): string | undefined => (href === 'models/lib.cellml' ? lib : undefined);
    const m = importCellml(main, { files });
    expect(m.y0).toEqual({ c_gate_x: 1 });
    expect(m.parameters).toEqual({ c_gate_k: 3 });
    // 2.0 has no in/out interfaces: the free variable's units are those of its first variable in document order (imports first)
    expect(m.timeUnits).toBe('ms');
    expect(m.timeScale).toBeCloseTo(1e-3, 15);
    expect((m.system.equations as string[])[0]).toBe('dc_gate_x = (-(c_gate_k * c_gate_x))');
    expect(m.variables.c_gate_x).toMatchObject({ component: 'c.gate', variable: 'x' });
  });

  it('refuses an import cycle and an initial_value naming nothing', () => {
    const self = main.replace('models/lib.cellml', 'main.cellml');
    expect(refusal(self, { files: { 'main.cellml': self } }).message).toMatch(/cycle/);
    const bad = doc(`<component name="c"><variable name="t" units="ms"/><variable name="x" units="mV" initial_value="nowhere"/>
      <variable name="y" units="mV" initial_value="1"/>${math(`<apply><eq/><ci>y</ci><ci>x</ci></apply>${ode('t', 'y', '<ci>x</ci>')}`)}</component>`);
    expect(refusal(bad).code).toBe('INVALID_CELLML');
  });
});

describe('refusals', () => {
  const one = (mathml: string, extra = ''): string => doc(`<component name="c"><variable name="t" units="ms"/>
    <variable name="x" units="mV" initial_value="1"/><variable name="y" units="mV" initial_value="1"/>${extra}${math(mathml)}</component>`);

  it.each([
    ['an implicit equation', `<apply><eq/><apply><plus/><ci>x</ci><ci>y</ci></apply><cn cellml:units="mV">1</cn></apply>`, /implicit.*component 'c'.*'x'/],
    ['a second derivative', `<apply><eq/><apply><diff/><bvar><ci>t</ci><degree><cn cellml:units="dimensionless">2</cn></degree></bvar><ci>x</ci></apply><ci>y</ci></apply>`, /second.*component 'c'.*'x'/],
    ['a derivative of an expression', `<apply><eq/><apply><diff/><bvar><ci>t</ci></bvar><apply><plus/><ci>x</ci><ci>y</ci></apply></apply><ci>y</ci></apply>`, /something other than a variable.*component 'c'/],
    ['an unknown MathML element', ode('t', 'x', '<apply><factorial/><ci>x</ci></apply>'), /factorial.*'x' in component 'c'/],
    ['a derivative of a non-state', `${ode('t', 'x', '<apply><diff/><bvar><ci>t</ci></bvar><ci>y</ci></apply>')}`, /derivative of 'y'/],
  ])('refuses %s with UNSUPPORTED_CELLML naming the component and variable', (_what, mathml, pattern) => {
    const r = refusal(one(mathml));
    expect(r.code).toBe('UNSUPPORTED_CELLML');
    expect(r.message).toMatch(pattern);
  });

  it('refuses a reaction (CellML 1.0) naming the component', () => {
    const r = refusal(doc('<component name="rx"><variable name="s" units="dimensionless"/><reaction><variable_ref variable="s"/></reaction></component>'));
    expect(r.code).toBe('UNSUPPORTED_CELLML');
    expect(r.message).toMatch(/reaction.*component 'rx'/);
  });

  it('refuses a variable defined twice', () => {
    const r = refusal(one(`${ode('t', 'x', '<ci>y</ci>')}${ode('t', 'x', '<ci>x</ci>')}`));
    expect(r.code).toBe('INVALID_CELLML');
    expect(r.message).toMatch(/'x' in component 'c'/);
  });

  it('refuses hostile or malformed XML with INVALID_CELLML', () => {
    expect(refusal('<model xmlns="http://www.cellml.org/cellml/1.0#"><component').code).toBe('INVALID_CELLML');
    const bomb = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><model xmlns="http://www.cellml.org/cellml/1.0#" name="&b;"/>';
    expect(refusal(bomb)).toMatchObject({ code: 'INVALID_CELLML', message: expect.stringMatching(/DOCTYPE/) });
    expect(refusal('<model xmlns="http://www.cellml.org/cellml/1.0#" name="&foo;"/>').code).toBe('INVALID_CELLML');
    expect(refusal('x'.repeat(64 * 1024 * 1024 + 1)).code).toBe('INVALID_CELLML');
    expect(refusal('<model xmlns="urn:other"/>').code).toBe('UNSUPPORTED_CELLML');
  });

  it('keeps names from the file out of equations: an identifier with C++ in it is refused', () => {
    const r = refusal(doc('<component name="c"><variable name="x);system(&quot;ls&quot;" units="ms"/></component>'));
    expect(r.code).toBe('INVALID_CELLML');
  });
});
