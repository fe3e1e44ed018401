import * as fs from 'fs';
import * as path from 'path';
import { solveIvp } from '../../src';

interface ReferenceCase {
  name: string;
  equations: string[];
  states: Record<string, number>;
  parameters: Record<string, number>;
  sweep: Record<string, number[]>;
  times: number[];
  runs: number[][][]; // [run][state][time]
}

// Made by scripts/reference/solver_references.py (scipy DOP853 at rtol = atol = 1e-13).
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'solver', 'references.json'), 'utf8')) as { cases: ReferenceCase[] };

describe('against scipy references', () => {
  for (const c of fixture.cases) {
    for (const method of ['tsit5', 'dop853']) {
      it(`${c.name} with ${method} at tol 1e-10: within 1e-6 relative of scipy at every save`, async () => {
        const [sweptName, values] = Object.entries(c.sweep)[0];
        const t = c.times;
        const result = await solveIvp({ name: c.name, equations: c.equations, states: c.states, parameters: [...Object.keys(c.parameters), sweptName] },
          c.states, { ...c.parameters, [sweptName]: values }, { method, duration: t[t.length - 1] - t[0], saveEvery: t[1] - t[0], atol: 1e-10, rtol: 1e-10 });
        expect(result.nRuns).toBe(values.length);
        expect(result.time.length).toBe(t.length);
        const states = Object.keys(c.states);
        for (let r = 0; r < values.length; r++) {
          expect(result.status[r]).toBe(0);
          states.forEach((s, i) => {
            const got = result.trajectory(s, r);
            c.runs[r][i].forEach((want, k) => expect(Math.abs(got[k] - want)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want))));
          });
        }
      });
    }
  }
});
