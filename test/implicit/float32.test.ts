/**
 * float32 kernels compile and run: Robertson's kinetics at rtol 1e-4 (about
 * what single precision, epsilon 1.2e-7, leaves room for) against the
 * float64 reference.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Solver } from '../../src';

const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'stiff', 'robertson.json'), 'utf8')) as {
  name: string;
  equations: string[];
  states: Record<string, number>;
  parameters: Record<string, number>;
  times: number[];
  values: number[][];
};
const RTOL = 1e-4;
const ATOL = 1e-10;

describe('Robertson in float32', () => {
  it.each(['rodas4', 'radau', 'kvaerno5'])('%s: within 10 (atol + rtol |y|) of the float64 reference', async (method) => {
    const { name, equations, states, parameters, times, values } = reference;
    const solver = new Solver({ name, equations, states, parameters }, { method, precision: 'float32', outputTypes: ['state', 'iteration_counters'] });
    const r = await solver.solve(states, {}, { duration: times[times.length - 1], saveEvery: times[1] - times[0], rtol: RTOL, atol: ATOL, dtMax: 1e3 });
    expect(r.status[0]).toBe(0);
    expect(r.timeDomain).toBeInstanceOf(Float32Array);
    Object.keys(states).forEach((s, i) => {
      const got = r.trajectory(s, 0);
      values[i].forEach((want, k) => expect(Math.abs(got[k] - want)).toBeLessThanOrEqual(10 * (ATOL + RTOL * Math.abs(want))));
    });
    expect(r.iterationCounters!.accepted[0]).toBeLessThan(200);
  });
});
