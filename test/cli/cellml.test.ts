/** `cubie inspect FILE.cellml|FILE.xml` and `cubie run FILE.cellml|FILE.xml` (the CLI runs dist/: `npm run build:ts` first, as for the other CLI tests). */
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

  it('run FILE.xml solves an SBML file for 10 time units', () => {
    const out = path.join(tempDir('sbml-run'), 'case.csv');
    cubieOk(['run', path.join(root, 'test', 'fixtures', 'sbml-test-suite', '00001', '00001-sbml-l3v2.xml'), '--out', out, '--quiet', '--backend', 'cpu']);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(Number(rows[rows.length - 1][1])).toBeCloseTo(10, 9);
  });
});
