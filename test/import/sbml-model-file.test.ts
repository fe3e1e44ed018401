/** Model files whose system is an SBML file: `system: { sbml: FILE }`. */
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
