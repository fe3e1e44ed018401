/** Model files whose system is a CellML file: `system: { cellml: FILE }`, and the example that uses one. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Solver } from '../../src';
import { loadModel } from '../../src/files/model-file';

const MAIN = `<model xmlns="http://www.cellml.org/cellml/1.1#" xmlns:xlink="http://www.w3.org/1999/xlink" name="main">
  <import xlink:href="lib/decay.cellml"><component name="d" component_ref="decay"/></import>
  <component name="env"><variable name="time" units="second" public_interface="out"/></component>
  <connection><map_components component_1="env" component_2="d"/><map_variables variable_1="time" variable_2="t"/></connection>
</model>`;
const LIB = `<model xmlns="http://www.cellml.org/cellml/1.1#" name="lib">
  <component name="decay"><variable name="t" units="second" public_interface="in"/>
    <variable name="k" units="dimensionless" initial_value="2"/><variable name="x" units="dimensionless" initial_value="1" public_interface="out"/>
    <math xmlns="http://www.w3.org/1998/Math/MathML"><apply><eq/><apply><diff/><bvar><ci>t</ci></bvar><ci>x</ci></apply>
      <apply><times/><apply><minus/><ci>k</ci></apply><ci>x</ci></apply></apply></math></component>
</model>`;

function modelFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-cellml-model-'));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'main.cellml'), MAIN);
  fs.writeFileSync(path.join(dir, 'lib', 'decay.cellml'), LIB);
  const file = path.join(dir, 'model.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('system: { cellml: FILE } in a model file', () => {
  it('reads the CellML file (and the file it imports) beside the model file, sweeps its parameter and solves', async () => {
    const model = loadModel(modelFile(['system:', '  cellml: main.cellml', '  name: decay', 'parameters:', '  d_k: [1, 2]', 'options:', '  duration: 1', '  method: radau', '  rtol: 1.0e-8', '  atol: 1.0e-10', ''].join('\n')));
    expect(model.system.name).toBe('decay');
    expect([...model.system.states]).toEqual(['d_x']);
    const r = await new Solver(model.system, { ...model.options, backend: 'cpu' }).solve({}, { d_k: [1, 2] });
    expect(r.trajectory('d_x', 0)[1]).toBeCloseTo(Math.exp(-1), 6);
    expect(r.trajectory('d_x', 1)[1]).toBeCloseTo(Math.exp(-2), 6);
  });

  it('says which file and key when the file is missing, other keys are given or both importers are named', () => {
    expect(() => loadModel(modelFile(['system:', '  cellml: nowhere.cellml', ''].join('\n')))).toThrow(/cannot read CellML file '.*nowhere\.cellml': no such file/);
    expect(() => loadModel(modelFile(['system:', '  cellml: main.cellml', '  equations: dx = 1', ''].join('\n')))).toThrow("a system read from CellML takes only 'cellml' and 'name', not 'equations'");
    expect(() => loadModel(modelFile(['system:', '  cellml: main.cellml', '  sbml: x.xml', ''].join('\n')))).toThrow(/not both/);
  });

  it('loads examples/beeler-reuter.yaml', () => {
    const model = loadModel(path.join(__dirname, '..', '..', 'examples', 'beeler-reuter.yaml'));
    expect(model.system.states).toContain('membrane_V');
    expect(model.system.parameters).toContain('slow_inward_current_g_s');
  });
});
