/**
 * A stimulus current that cannot be the pulse its Oxford metadata describe
 * becomes that pulse (src/import/cellml/stimulus-protocol.ts): a constant
 * current (Ramirez et al. 2000 in Chaste's collection) and an equation not
 * in the current's declared units (Paci et al. 2013: an amplitude in A/F
 * divided again by Cm in F). A current whose equation is consistent is kept
 * as the file writes it, and so is one without the metadata.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, importCellml, solveIvp } from '../../src';

const CHASTE = path.join(__dirname, '..', 'fixtures', 'cellml', 'chaste');
const MATHML = 'http://www.w3.org/1998/Math/MathML';

/** dV/dt = -i_stim / Cm over 25 ms; `stim` declares i_stim (and may add an equation for it). */
const model = (stim: string, stimMath = '', annotated = true): string => `<?xml version="1.0"?>
<model xmlns="http://www.cellml.org/cellml/1.0#" xmlns:cellml="http://www.cellml.org/cellml/1.0#" xmlns:cmeta="http://www.cellml.org/metadata/1.0#" name="paced">
  <units name="ms"><unit units="second" prefix="milli"/></units>
  <units name="mV"><unit units="volt" prefix="milli"/></units>
  <units name="A_per_F"><unit units="ampere"/><unit units="farad" exponent="-1"/></units>
  <component name="cell">
    <variable name="t" units="ms"/>
    <variable name="V" units="mV" initial_value="0"/>
    <variable name="Cm" units="farad" initial_value="1"/>
    ${stim}
    <variable name="amp" units="A_per_F" initial_value="-10"${annotated ? ' cmeta:id="membrane_stimulus_current_amplitude"' : ''}/>
    <variable name="dur" units="ms" initial_value="1"${annotated ? ' cmeta:id="membrane_stimulus_current_duration"' : ''}/>
    <variable name="per" units="ms" initial_value="10"${annotated ? ' cmeta:id="membrane_stimulus_current_period"' : ''}/>
    <math xmlns="${MATHML}">
      <apply><eq/><apply><diff/><bvar><ci>t</ci></bvar><ci>V</ci></apply><apply><minus/><ci>i_stim</ci></apply></apply>
      ${stimMath}
    </math>
  </component>
</model>`;

const CURRENT = '<variable name="i_stim" units="A_per_F" cmeta:id="membrane_stimulus_current"/>';
/** i_stim = amp / Cm while (t mod per) <= dur: what Paci 2013's file writes (A/F divided by F). */
const dividedByCm = `<apply><eq/><ci>i_stim</ci><piecewise>
  <piece><apply><divide/><ci>amp</ci><ci>Cm</ci></apply><apply><leq/><apply><minus/><ci>t</ci><apply><times/><apply><floor/><apply><divide/><ci>t</ci><ci>per</ci></apply></apply><ci>per</ci></apply></apply><ci>dur</ci></apply></piece>
  <otherwise><cn cellml:units="A_per_F">0</cn></otherwise></piecewise></apply>`;
const consistent = dividedByCm.replace('<apply><divide/><ci>amp</ci><ci>Cm</ci></apply>', '<ci>amp</ci>');

/** V at 25 ms: 10 per pulse (at 0, 10 and 20 ms) when the current is the pulse. */
async function vAt25(xml: string): Promise<number> {
  const imported = importCellml(xml);
  const r = await solveIvp(createSystem(imported.system), {}, {}, {
    method: 'radau', backend: 'cpu', threads: 1, rtol: 1e-8, atol: 1e-10, duration: 25, saveAt: [0, 25], dtMax: imported.options.dtMax, outputTypes: ['state'],
  });
  expect(r.status[0]).toBe(0);
  return r.trajectory('cell_V', 0)[1];
}

it('a constant annotated stimulus current becomes the annotated pulse, with a warning', async () => {
  const xml = model(CURRENT.replace('/>', ' initial_value="-10"/>'));
  const imported = importCellml(xml);
  expect(imported.variables.cell_i_stim.role).toBe('auxiliary');
  expect(imported.parameters).not.toHaveProperty('cell_i_stim');
  expect(imported.warnings.join('\n')).toMatch(/'cell\.i_stim' is the regular pulse .* no equation, only the constant value -10/);
  expect(await vAt25(xml)).toBeCloseTo(30, 4);
});

it('an annotated stimulus equation not in the current\'s units becomes the annotated pulse', async () => {
  const xml = model(CURRENT, dividedByCm);
  expect(importCellml(xml).warnings.join('\n')).toMatch(/'cell\.i_stim' is the regular pulse .* not in the units the current declares/);
  expect(await vAt25(xml)).toBeCloseTo(30, 4);
});

it('keeps a consistent stimulus equation, and a constant current without the metadata, as written', async () => {
  const kept = importCellml(model(CURRENT, consistent));
  expect(kept.warnings.join('\n')).not.toMatch(/regular pulse/);
  expect(await vAt25(model(CURRENT, consistent))).toBeCloseTo(30, 4);
  const constant = importCellml(model('<variable name="i_stim" units="A_per_F" initial_value="-10"/>', '', false));
  expect(constant.parameters.cell_i_stim).toBe(-10);
  expect(constant.warnings.join('\n')).not.toMatch(/regular pulse/);
});

it.each([
  ['ramirez_nattel_courtemanche_2000.cellml', /no equation, only the constant value -2900/],
  ['paci_hyttinen_aaltosetala_severi_ventricularVersion.cellml', /not in the units the current declares/],
])('%s: its stimulus becomes the annotated pulse', (file, why) => {
  const warnings = importCellml(fs.readFileSync(path.join(CHASTE, file), 'utf8')).warnings.join('\n');
  expect(warnings).toMatch(why);
});

it('leaves the stimulus of the other 61 Chaste models as their files write it', () => {
  const changed = fs.readdirSync(CHASTE).filter((f) => f.endsWith('.cellml'))
    .filter((f) => importCellml(fs.readFileSync(path.join(CHASTE, f), 'utf8')).warnings.some((w) => w.includes('regular pulse')));
  expect(changed.sort()).toEqual(['paci_hyttinen_aaltosetala_severi_ventricularVersion.cellml', 'ramirez_nattel_courtemanche_2000.cellml']);
});
