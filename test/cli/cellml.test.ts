/** `cubie inspect FILE.cellml|FILE.xml` and `cubie run FILE.cellml|FILE.xml`, with the files they refer to beside them (the CLI runs dist/: `npm run build:ts` first, as for the other CLI tests). */
import * as fs from 'fs';
import * as path from 'path';
import { cubie, cubieOk, examples, root, tempDir } from './support';

const BR = path.join(examples, 'cellml', 'beeler_reuter_model_1977.cellml');

describe('CellML on the command line', () => {
  it('inspect prints states, parameters, equations and the dtMax hint', () => {
    const out = cubieOk(['inspect', BR]).stdout;
    expect(out).toMatch(/^system beeler_reuter_model_1977 \(time in ms\)$/m);
    expect(out).toMatch(/^ {2}membrane_V = -84\.624$/m);
    expect(out).toMatch(/^ {2}slow_inward_current_g_s = 0\.0009$/m);
    expect(out).toMatch(/^ {2}dmembrane_V = /m);
    expect(out).toContain('suggested options: {"dtMax":0.5}');
    const json = JSON.parse(cubieOk(['inspect', BR, '--json']).stdout) as { states: Record<string, number> };
    expect(Object.keys(json.states)).toHaveLength(8);
  });

  it('inspect reads SBML too, and refuses other files', () => {
    const sbml = path.join(root, 'test', 'fixtures', 'sbml-test-suite', '00001', '00001-sbml-l3v2.xml');
    expect(cubieOk(['inspect', sbml]).stdout).toMatch(/^states \(2\):$/m);
    const bad = cubie(['inspect', path.join(examples, 'lorenz.yaml')]);
    expect(bad.status).toBe(2);
  });

  it('run FILE.cellml solves one second of model time with radau and the stimulus felt', () => {
    const out = path.join(tempDir('cellml-run'), 'br.csv');
    cubieOk(['run', BR, '--out', out, '--quiet', '--backend', 'cpu']);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const v = rows.filter((r) => r[2] === 'membrane_V').map((r) => Number(r[3]));
    expect(v).toHaveLength(1001);
    expect(Math.max(...v)).toBeGreaterThan(20);
  });

  it('inspect and run read an SBML comp model\'s external model definition from beside the file', () => {
    const dir = tempDir('sbml-comp');
    const comp = 'http://www.sbml.org/sbml/level3/version1/comp/version1';
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'top.xml'), `<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" xmlns:comp="${comp}" level="3" version="1" comp:required="true">
      <model id="top"><comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="Ext"/></comp:listOfSubmodels></model>
      <comp:listOfExternalModelDefinitions><comp:externalModelDefinition comp:id="Ext" comp:source="lib/decay.xml" comp:modelRef="decay"/></comp:listOfExternalModelDefinitions></sbml>`);
    fs.writeFileSync(path.join(dir, 'lib', 'decay.xml'), `<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1"><model id="decay">
      <listOfParameters><parameter id="k" value="0.5" constant="true"/><parameter id="x" value="3" constant="false"/></listOfParameters>
      <listOfRules><rateRule variable="x"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><apply><minus/><ci>k</ci></apply><ci>x</ci></apply></math></rateRule></listOfRules>
    </model></sbml>`);
    try {
      const out = cubieOk(['inspect', path.join(dir, 'top.xml')]).stdout;
      expect(out).toMatch(/^ {2}A__x = 3$/m);
      expect(out).toMatch(/^ {2}A__k = 0\.5$/m);
      const csv = path.join(dir, 'top.csv');
      cubieOk(['run', path.join(dir, 'top.xml'), '--out', csv, '--quiet', '--backend', 'cpu']);
      const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
      const x = rows.filter((r) => r[2] === 'A__x');
      expect(Number(x[x.length - 1][1])).toBeCloseTo(10, 9);
      expect(Number(x[x.length - 1][3])).toBeCloseTo(3 * Math.exp(-5), 6);
      fs.rmSync(path.join(dir, 'lib', 'decay.xml'));
      const missing = cubie(['inspect', path.join(dir, 'top.xml')]);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain("'lib/decay.xml', which was not given");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run FILE.xml solves an SBML file for 10 time units', () => {
    const out = path.join(tempDir('sbml-run'), 'case.csv');
    cubieOk(['run', path.join(root, 'test', 'fixtures', 'sbml-test-suite', '00001', '00001-sbml-l3v2.xml'), '--out', out, '--quiet', '--backend', 'cpu']);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(Number(rows[rows.length - 1][1])).toBeCloseTo(10, 9);
  });
});
