/** Model files whose system is an SBML file: `system: { sbml: FILE }` (a comp model's external model definitions read from beside it). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Solver } from '../../src';
import { loadModel } from '../../src/files/model-file';

const CASE = path.join(__dirname, '..', 'fixtures', 'sbml-test-suite', '00001');

function modelFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-sbml-model-'));
  fs.copyFileSync(path.join(CASE, '00001-sbml-l3v2.xml'), path.join(dir, 'case.xml'));
  const file = path.join(dir, 'model.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('system: { sbml: FILE } in a model file', () => {
  it('reads the SBML file beside the model file and solves it to the Test Suite result', async () => {
    const model = loadModel(modelFile(['system:', '  sbml: case.xml', '  name: case00001', 'options:', '  duration: 5', '  method: rodas4', '  rtol: 1.0e-10', '  atol: 1.0e-16', ''].join('\n')));
    expect(model.system.name).toBe('case00001');
    expect([...model.system.states].sort()).toEqual(['S1', 'S2']);
    const r = await new Solver(model.system, { ...model.options, backend: 'cpu' }).solve({}, {});
    const last = fs.readFileSync(path.join(CASE, '00001-results.csv'), 'utf8').trim().split('\n').pop()!.split(',').map(Number);
    const header = fs.readFileSync(path.join(CASE, '00001-results.csv'), 'utf8').split('\n')[0].split(',');
    for (const name of ['S1', 'S2']) {
      const expected = last[header.indexOf(name)];
      const got = r.trajectory(name, 0)[1];
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-7 + 1e-4 * Math.abs(expected));
    }
  });

  it('says which file and key when the file is missing or other keys are given', () => {
    expect(() => loadModel(modelFile(['system:', '  sbml: nowhere.xml', ''].join('\n')))).toThrow(/cannot read SBML file '.*nowhere\.xml': no such file/);
    expect(() => loadModel(modelFile(['system:', '  sbml: case.xml', '  equations: dx = 1', ''].join('\n')))).toThrow("a system read from SBML takes only 'sbml' and 'name', not 'equations'");
  });
});

const COMP_NS = 'http://www.sbml.org/sbml/level3/version1/comp/version1';
const compDoc = (id: string, body: string, source: string, modelRef: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" xmlns:comp="${COMP_NS}" level="3" version="1" comp:required="true">
  <model id="${id}">${body}<comp:listOfSubmodels><comp:submodel comp:id="${id === 'top' ? 'A' : 'D'}" comp:modelRef="Ext"/></comp:listOfSubmodels></model>
  <comp:listOfExternalModelDefinitions><comp:externalModelDefinition comp:id="Ext" comp:source="${source}" comp:modelRef="${modelRef}"/></comp:listOfExternalModelDefinitions>
</sbml>`;
/** x' = -k x, x(0) = 1, k = 2: a core document. */
const DECAY = `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1"><model id="decay">
  <listOfParameters><parameter id="k" value="2" constant="true"/><parameter id="x" value="1" constant="false"/></listOfParameters>
  <listOfRules><rateRule variable="x"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><apply><minus/><ci> k </ci></apply><ci> x </ci></apply></math></rateRule></listOfRules>
</model></sbml>`;

/** top.xml instantiates lib/mid.xml's model, which instantiates decay.xml beside it (lib/decay.xml). */
function compModelFile(withDecay: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-sbml-comp-'));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'top.xml'), compDoc('top', '', 'lib/mid.xml', 'mid'));
  fs.writeFileSync(path.join(dir, 'lib', 'mid.xml'), compDoc('mid', '', 'decay.xml', 'decay'));
  if (withDecay) fs.writeFileSync(path.join(dir, 'lib', 'decay.xml'), DECAY);
  const file = path.join(dir, 'model.yaml');
  fs.writeFileSync(file, ['system:', '  sbml: top.xml', 'options:', '  duration: 1', '  method: rodas4', '  rtol: 1.0e-10', '  atol: 1.0e-12', ''].join('\n'));
  return file;
}

describe('system: { sbml: FILE } with comp external model definitions', () => {
  it('reads the files of external model definitions from beside the SBML file, nested ones beside the file that names them', async () => {
    const model = loadModel(compModelFile(true));
    expect([...model.system.states]).toEqual(['A__D__x']);
    const r = await new Solver(model.system, { ...model.options, backend: 'cpu' }).solve({}, {});
    expect(r.trajectory('A__D__x', 0)[1]).toBeCloseTo(Math.exp(-2), 8);
  });

  it('says which file an external model definition needs when it is not there', () => {
    expect(() => loadModel(compModelFile(false))).toThrow(/top\.xml: The external model definition 'Ext' in 'lib\/mid\.xml' is read from the file 'lib\/decay\.xml', which was not given/);
  });
});
