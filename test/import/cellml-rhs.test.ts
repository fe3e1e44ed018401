/**
 * The imported Beeler-Reuter (1977) right-hand side at the initial state
 * against an independent translation of the paper's equations
 * (scripts/beeler-reuter-rhs.js wrote test/fixtures/cellml/beeler-reuter-rhs.json).
 * cubie's right-hand side is read from one explicit Euler step of 1e-3 ms:
 * y1 = y0 + h f(y0) exactly up to rounding, so (y1 - y0) / h is f(y0) to
 * about 1e-11 absolute here; the stimulus starts at 10 ms, so it is off.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, importCellml, solveIvp } from '../../src';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cellml');

it('matches the independent translation of Beeler & Reuter 1977 at the initial state', async () => {
  const model = importCellml(fs.readFileSync(path.join(FIXTURES, 'chaste', 'beeler_reuter_model_1977.cellml'), 'utf8'));
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'beeler-reuter-rhs.json'), 'utf8')) as { y0: Record<string, number>; dydt: Record<string, number> };
  const h = 1e-3;
  const result = await solveIvp(createSystem(model.system), {}, {}, {
    method: 'euler', backend: 'cpu', dt: h, duration: h, saveAt: [0, h], outputTypes: ['state'], threads: 1,
  });
  expect(result.status[0]).toBe(0);
  const states = Object.values(model.variables).filter((v) => v.role === 'state');
  expect(states.map((s) => s.variable).sort()).toEqual(Object.keys(reference.dydt).sort());
  for (const s of states) {
    const y = result.trajectory(s.name, 0);
    expect(y[0]).toBe(reference.y0[s.variable]);
    const f = (y[1] - y[0]) / h;
    const want = reference.dydt[s.variable];
    expect(Math.abs(f - want)).toBeLessThan(1e-6 * Math.abs(want) + 1e-9);
  }
});
