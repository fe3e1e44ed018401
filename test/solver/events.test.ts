/**
 * Events in the kernel: crossings located on each step's continuous
 * extension, discrete times landed on exactly, assignments, terminal events,
 * the Zeno guard and the records, against analytic solutions and scipy's
 * solve_ivp(events=...) (test/fixtures/solver/events.json, made by
 * scripts/reference/event_references.py).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, Solver, StatusBits } from '../../src';
import type { EventDefinition, SystemDefinition } from '../../src/system';
import { runFailed } from '../../src/backends/kernel-abi';
import { StatusTally } from '../../src/files/status';

const references = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'solver', 'events.json'), 'utf8')) as {
  poincare: { rho: number; time: number[]; state: number[][] }[];
  hodgkinHuxley: { current: number; count: number; time: number[] }[];
};

const G = 9.81;
const H0 = 10;
function ball(events: EventDefinition[]): SystemDefinition {
  return { name: 'bouncing_ball', equations: ['dy = v', 'dv = -g'], states: { y: H0, v: 0 }, parameters: { g: G, k: 0.8 }, events };
}
const bounce = (extra: Partial<EventDefinition> = {}): EventDefinition => ({ name: 'bounce', when: 'y', direction: 'falling', then: 'v = -k*v', ...extra });

/** The ball's impact times from rest at H0: each flight is k times as fast as the one before. */
function impacts(k: number, n: number): number[] {
  const out: number[] = [];
  let t = Math.sqrt((2 * H0) / G);
  let speed = G * t;
  for (let i = 0; i < n; i++) {
    out.push(t);
    speed *= k;
    t += (2 * speed) / G;
  }
  return out;
}

const tight = { rtol: 1e-12, atol: 1e-12 };

describe('a bouncing ball', () => {
  it.each([
    ['tsit5', 'step'],
    ['tsit5', 'interpolate'],
    ['dormand-prince-54', 'interpolate'],
    ['rk4', 'step'],
    ['rodas4', 'step'],
    ['rodas5p', 'interpolate'],
    ['radau', 'interpolate'],
    ['kvaerno5', 'step'],
  ] as const)('%s (%s saves) hits the analytic impact times within 1e-8 for two restitutions in one batch, and stops at the 6th with TERMINATED', async (method, saveMode) => {
    const fixed = method === 'rk4' ? { dt: 1e-3 } : {};
    const solver = new Solver(ball([bounce({ terminal: 6 })]), { method, saveMode, backend: 'cpu', outputTypes: ['state', 'events'], ...fixed });
    const r = await solver.solve({}, { k: [0.8, 0.5] }, { duration: 20, saveEvery: 0.25, ...tight });
    const n = r.nRuns;
    expect(Array.from(r.status)).toEqual([StatusBits.TERMINATED, StatusBits.TERMINATED]);
    expect(Array.from(r.status).some(runFailed)).toBe(false);
    const events = r.events!;
    expect(events.names).toEqual(['bounce']);
    expect(Array.from(events.count)).toEqual([6, 6]);
    const tolerance = method === 'rk4' ? 1e-6 : 1e-8;
    [0.8, 0.5].forEach((k, run) => {
      const expected = impacts(k, 6);
      for (let e = 0; e < 6; e++) {
        expect(Math.abs(events.time[e * n + run] - expected[e])).toBeLessThan(tolerance);
        expect(events.which[e * n + run]).toBe(0);
        // The state just before the assignment: on the floor, falling at the impact speed.
        expect(Math.abs(events.state[(e * 2 + 0) * n + run])).toBeLessThan(1e-7);
        expect(events.state[(e * 2 + 1) * n + run]).toBeLessThan(0);
      }
      // Saves after the terminal event are NaN; those before it are not.
      const y = r.trajectory('y', run);
      const last = expected[5];
      Array.from(r.time).forEach((t, i) => expect(Number.isNaN(y[i])).toBe(t >= last));
    });
    // The run between impacts is the analytic parabola.
    const y = r.trajectory('y', 0);
    const t1 = impacts(0.8, 1)[0];
    const v1 = 0.8 * G * t1;
    const i = Array.from(r.time).findIndex((t) => t > t1 + 0.1);
    const dt = r.time[i] - t1;
    expect(Math.abs(y[i] - (v1 * dt - (G * dt * dt) / 2))).toBeLessThan(1e-8);
  });

  it('keeps bouncing without terminal, counts every impact, and keeps the first maxEventRecords (NaN and -1 after)', async () => {
    const solver = new Solver(ball([bounce()]), { backend: 'cpu', outputTypes: ['state', 'events'] });
    const r = await solver.solve({}, { k: 0.8 }, { duration: 9.5, maxEventRecords: 4, ...tight });
    expect(r.status[0]).toBe(0);
    const expected = impacts(0.8, 12).filter((t) => t <= 9.5);
    expect(r.events!.count[0]).toBe(expected.length);
    expect(r.events!.maxRecords).toBe(4);
    expect(r.events!.time.length).toBe(4);
    for (let e = 0; e < 4; e++) expect(Math.abs(r.events!.time[e] - expected[e])).toBeLessThan(1e-8);

    const few = await new Solver(ball([bounce({ terminal: 2 })]), { backend: 'cpu', outputTypes: ['state', 'events'] }).solve({}, {}, { duration: 20, maxEventRecords: 5, ...tight });
    expect(few.events!.count[0]).toBe(2);
    expect(Array.from(few.events!.which)).toEqual([0, 0, -1, -1, -1]);
    expect(Array.from(few.events!.time.slice(2)).every(Number.isNaN)).toBe(true);
    expect(Array.from(few.events!.state.slice(2 * 2)).every(Number.isNaN)).toBe(true);
  });

  it('stops a Zeno run (a ball coming to rest bounces without end) at maxEvents with TOO_MANY_EVENTS, a failure', async () => {
    const solver = new Solver(ball([bounce()]), { backend: 'cpu', outputTypes: ['state', 'events'] });
    const r = await solver.solve({}, { k: 0.5 }, { duration: 20, maxEvents: 20, ...tight });
    expect(r.status[0] & StatusBits.TOO_MANY_EVENTS).toBeTruthy();
    expect(runFailed(r.status[0])).toBe(true);
    expect(r.events!.count[0]).toBe(21);
    const tally = new StatusTally();
    tally.add(Int32Array.from([StatusBits.TERMINATED, 0, r.status[0]]), 0);
    expect(tally.summary()).toMatchObject({ failedRuns: 1, firstFailed: [2], counts: { TERMINATED: 1, TOO_MANY_EVENTS: 1 } });
  });

  it('float32: the same impacts within the precision, still TERMINATED', async () => {
    const solver = new Solver(ball([bounce({ terminal: 3 })]), { backend: 'cpu', precision: 'float32', outputTypes: ['state', 'events'] });
    const r = await solver.solve({}, { k: 0.8 }, { duration: 20, rtol: 1e-6, atol: 1e-6 });
    expect(r.status[0]).toBe(StatusBits.TERMINATED);
    const expected = impacts(0.8, 3);
    for (let e = 0; e < 3; e++) expect(Math.abs(r.events!.time[e] - expected[e])).toBeLessThan(1e-4);
  });

  it('float32 at 1e-6, restitutions 0.5 to 0.9: every run finds its 6 impacts (after a bounce the flow, not rounding, decides the side)', async () => {
    // At the 5th bounce of k near 0.5 the located root leaves y a few float32 ulps of the step below zero,
    // more than the flow moves it in a millionth of a step: with that look-ahead the side stayed negative,
    // the whole next flight fit in one step, and the 6th impact was missed (events.h, side_probe_fraction).
    const k = Float64Array.from({ length: 400 }, (_, i) => 0.5 + i * 0.001);
    const solver = new Solver(ball([bounce({ terminal: 6 })]), { method: 'tsit5', backend: 'cpu', precision: 'float32', outputTypes: ['state', 'events'] });
    const r = await solver.solve({}, { k }, { duration: 30, saveEvery: 0.5, rtol: 1e-6, atol: 1e-6 });
    expect(Array.from(r.status).filter((s) => s !== StatusBits.TERMINATED)).toEqual([]);
    expect(Array.from(r.events!.count).filter((c) => c !== 6)).toEqual([]);
    let worst = 0;
    for (let run = 0; run < k.length; run++) {
      impacts(k[run], 6).forEach((t, e) => (worst = Math.max(worst, Math.abs(r.events!.time[e * k.length + run] - t))));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('eventTolerance bounds how far the recorded time may be from the root', async () => {
    const solver = new Solver(ball([bounce({ terminal: 1 })]), { backend: 'cpu', outputTypes: ['events'] });
    const r = await solver.solve({}, {}, { duration: 5, eventTolerance: 1e-3, ...tight });
    const t = r.events!.time[0];
    expect(t).toBeGreaterThanOrEqual(impacts(0.8, 1)[0] - 1e-12);
    expect(t - impacts(0.8, 1)[0]).toBeLessThan(1e-3);
  });
});

describe('a Lorenz Poincaré section (z = 27, rising) against scipy', () => {
  // Each locates crossings on its own extension (tsit5's and dormand-prince-54's of order 4, dop853's and vern7's
  // of order 7); on the cubic Hermite one dop853 and vern7 lost three digits at their long steps (bound 1e-6).
  it.each([['tsit5', 1e-9], ['dormand-prince-54', 1e-9], ['dop853', 1e-9], ['vern7', 1e-9]] as const)('%s at rtol 1e-12 finds the same crossings, times and states', async (method, scale) => {
    const system = createSystem({
      name: 'lorenz_section',
      equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
      states: { x: 1, y: 1, z: 1 },
      parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
      events: [{ name: 'section', when: 'z - 27', direction: 'rising' }],
    });
    const rhos = references.poincare.map((p) => p.rho);
    const r = await new Solver(system, { method, backend: 'cpu', outputTypes: ['events'] }).solve({}, { rho: rhos }, { duration: 8, maxEventRecords: 32, rtol: 1e-12, atol: 1e-12 });
    references.poincare.forEach((ref, run) => {
      expect(r.events!.count[run]).toBe(ref.time.length);
      ref.time.forEach((t, e) => {
        // Chaos amplifies each solver's 1e-12 errors along the way (Lyapunov exponent 0.9: e^(0.9*8) ~ 1e3), so 8 time units in the crossings agree to scale .. 1e3 scale.
        const bound = scale * Math.max(1, Math.exp(0.9 * t));
        expect(Math.abs(r.events!.time[e * r.nRuns + run] - t)).toBeLessThan(bound);
        for (let i = 0; i < 3; i++) {
          expect(Math.abs(r.events!.state[(e * 3 + i) * r.nRuns + run] - ref.state[e][i])).toBeLessThan(100 * bound);
        }
      });
    });
  });
});

describe('Hodgkin–Huxley spike counts over a current sweep', () => {
  it('match scipy for every current (V crossing 0 mV upward), spike times within 1e-6 ms', async () => {
    const system = createSystem({
      name: 'hh_spikes',
      equations: [
        'alpha_m = 0.1*(V + 40)/(1 - exp(-(V + 40)/10))',
        'beta_m = 4*exp(-(V + 65)/18)',
        'alpha_h = 0.07*exp(-(V + 65)/20)',
        'beta_h = 1/(1 + exp(-(V + 35)/10))',
        'alpha_n = 0.01*(V + 55)/(1 - exp(-(V + 55)/10))',
        'beta_n = 0.125*exp(-(V + 65)/80)',
        'dV = I - 120*m^3*h*(V - 50) - 36*n^4*(V + 77) - 0.3*(V + 54.387)',
        'dm = alpha_m*(1 - m) - beta_m*m',
        'dh = alpha_h*(1 - h) - beta_h*h',
        'dn = alpha_n*(1 - n) - beta_n*n',
      ],
      states: { V: -65, m: 0.0529, h: 0.5961, n: 0.3177 },
      parameters: { I: 0 },
      events: [{ name: 'spike', when: 'V', direction: 'rising' }],
    });
    const currents = references.hodgkinHuxley.map((c) => c.current);
    const r = await new Solver(system, { backend: 'cpu', outputTypes: ['events'], method: 'dormand-prince-54' }).solve({}, { I: currents }, { duration: 100, maxEventRecords: 16, rtol: 1e-10, atol: 1e-10 });
    expect(Array.from(r.status)).toEqual(currents.map(() => 0));
    expect(Array.from(r.events!.count)).toEqual(references.hodgkinHuxley.map((c) => c.count));
    references.hodgkinHuxley.forEach((ref, run) => {
      ref.time.forEach((t, e) => expect(Math.abs(r.events!.time[e * r.nRuns + run] - t)).toBeLessThan(1e-6));
    });
  });
});

describe('discrete events', () => {
  const k = 0.1;
  const dose = 5;
  const pk = (events: EventDefinition[]): SystemDefinition => ({ name: 'one_compartment', equations: 'dc = -k*c', states: { c: 0 }, parameters: { k }, events });
  /** Concentration after doses of D at the given times (right-continuous: a dose at t counts at t). */
  const analytic = (t: number, times: number[]): number => times.filter((s) => s <= t + 1e-12).reduce((sum, s) => sum + dose * Math.exp(-k * (t - s)), 0);

  it.each(['tsit5', 'rodas4'])('%s: a dose every 12 h (the first at t0, before the first step) matches the analytic sum at every save and dose', async (method) => {
    const solver = new Solver(pk([{ name: 'dose', every: 12, then: `c = c + ${dose}` }]), { method, backend: 'cpu', outputTypes: ['state', 'events', 'iteration_counters'] });
    const r = await solver.solve({}, {}, { duration: 100, saveEvery: 2, maxEventRecords: 10, rtol: 1e-10, atol: 1e-12 });
    expect(r.status[0]).toBe(0);
    const doses = [0, 12, 24, 36, 48, 60, 72, 84, 96];
    expect(r.events!.count[0]).toBe(doses.length);
    expect(Array.from(r.events!.time.slice(0, doses.length))).toEqual(doses);
    // The recorded state is the one just before each dose.
    doses.forEach((t, e) => expect(Math.abs(r.events!.state[e] - (analytic(t, doses) - dose))).toBeLessThan(1e-8));
    const c = r.trajectory('c', 0);
    Array.from(r.time).forEach((t, i) => expect(Math.abs(c[i] - analytic(t, doses))).toBeLessThan(1e-8));
  });

  it("'at' times and a given 'start' (also before t0, and with t0 off the grid); interpolating saves land on doses too", async () => {
    const system = pk([
      { name: 'loading', at: [1.5, 3.25, 500], then: 'c = c + 5' },
      { name: 'maintenance', every: 4, start: -2, then: 'c = c + 5' },
    ]);
    const solver = new Solver(system, { backend: 'cpu', saveMode: 'interpolate', outputTypes: ['state', 'events'] });
    const r = await solver.solve({}, {}, { t0: 1, duration: 14, saveEvery: 0.5, maxEventRecords: 8, rtol: 1e-10, atol: 1e-12 });
    const times = [1.5, 2, 3.25, 6, 10, 14];
    expect(r.events!.count[0]).toBe(times.length);
    expect(Array.from(r.events!.time.slice(0, 6))).toEqual(times);
    expect(Array.from(r.events!.which.slice(0, 6))).toEqual([0, 1, 0, 1, 1, 1]);
    const c = r.trajectory('c', 0);
    Array.from(r.time).forEach((t, i) => expect(Math.abs(c[i] - analytic(t, times))).toBeLessThan(1e-8));
  });

  it('an assignment that reads other states and parameters uses the values from before the event, all of them', async () => {
    const swap = createSystem({
      name: 'swap', equations: 'da = 0\ndb = 0', states: { a: 1, b: 2 }, parameters: { s: 3 },
      events: [{ name: 'swap', at: [0.5], then: ['a = b*s', 'b = a'] }],
    });
    const r = await new Solver(swap, { backend: 'cpu' }).solve({}, {}, { duration: 1 });
    expect(Array.from(r.timeDomain)).toEqual([1, 2, 6, 1]);
  });

  it('a terminal discrete event ends the run at its time', async () => {
    const r = await new Solver(pk([{ name: 'stop', at: [3, 7], terminal: 2 }]), { backend: 'cpu', outputTypes: ['state', 'events'] }).solve({}, {}, { duration: 10, saveEvery: 1 });
    expect(r.status[0]).toBe(StatusBits.TERMINATED);
    expect(Array.from(r.events!.time.slice(0, 2))).toEqual([3, 7]);
    const c = r.trajectory('c', 0);
    expect(Array.from(r.time).filter((_, i) => Number.isNaN(c[i]))).toEqual([7, 8, 9, 10]);
  });
});

describe('two events watching one expression', () => {
  // An SBML trigger and its cancellation (src/import/sbml): when the first fires, the second's
  // value sits on the same root as rounding noise; it must take the side the flow goes to.
  it.each(['tsit5', 'rodas4', 'radau'])('%s: the second fires where the expression leaves the band, whichever side of zero rounding left it', async (method) => {
    const system = createSystem({
      name: 'band', equations: ['dS = -0.05', 'dD = 0'], states: { S: 2, D: 1e30 },
      events: [
        { name: 'enter', when: 'min(1.88 - S, S - 1.84)', direction: 'rising', then: 'D = t + 1' },
        { name: 'due', when: 't - D', direction: 'rising', then: ['S = 6', 'D = 1e30'] },
        { name: 'leave', when: 'min(1.88 - S, S - 1.84)', direction: 'falling', then: 'D = 1e30' },
      ],
    });
    for (const saveMode of ['step', 'interpolate'] as const) {
      const r = await new Solver(system, { method, saveMode, backend: 'cpu', outputTypes: ['events'] }).solve({}, {}, { duration: 10, saveEvery: 1, rtol: 1e-10, atol: 1e-14, maxEventRecords: 3 });
      expect(Array.from(r.events!.which)).toEqual([0, 2, -1]);
      expect(Math.abs(r.events!.time[0] - 2.4)).toBeLessThan(1e-9);
      expect(Math.abs(r.events!.time[1] - 3.2)).toBeLessThan(1e-9);
    }
  });
});

describe('events with the rest of a solve', () => {
  it('summaries over windows see the doses (a save at a dose shows the state after it), after a settling time', async () => {
    const system = createSystem({ name: 'dosed_summaries', equations: 'dc = -k*c', states: { c: 0 }, parameters: { k: 0.1 }, events: [{ name: 'dose', every: 12, then: 'c = c + 5' }] });
    const r = await new Solver(system, { backend: 'cpu', outputTypes: ['state', 'max', 'min'] }).solve({}, {}, { settlingTime: 24, duration: 48, saveEvery: 1, summariseEvery: 12, rtol: 1e-10, atol: 1e-12 });
    expect(r.status[0]).toBe(0);
    const doses = [0, 12, 24, 36, 48, 60, 72];
    const c = (t: number): number => doses.filter((d) => d <= t + 1e-12).reduce((sum, d) => sum + 5 * Math.exp(-0.1 * (t - d)), 0);
    // Windows of saves (24, 36], (36, 48], ... : the max is the first save after the dose opening the window, at 25, 37, ...
    const max = r.summary('c.max', 0);
    expect(max.length).toBe(4);
    max.forEach((m, w) => expect(Math.abs(m - Math.max(c(24 + 12 * w + 1), c(24 + 12 * (w + 1))))).toBeLessThan(1e-8));
  });

  it("a `when` reading a driver: a ramp crosses its threshold at the analytic time", async () => {
    const system = createSystem({ name: 'driven_crossing', equations: 'dx = -x + u', states: { x: 0 }, drivers: ['u'], events: [{ name: 'half', when: 'u - 0.5', direction: 'rising', terminal: true }] });
    const samples = Array.from({ length: 101 }, (_, i) => i / 100);
    const r = await new Solver(system, { backend: 'cpu', outputTypes: ['state', 'events'] }).solve({}, {}, { duration: 1, drivers: { u: samples, dt: 0.01, order: 1 }, rtol: 1e-10, atol: 1e-10 });
    expect(r.status[0]).toBe(StatusBits.TERMINATED);
    expect(Math.abs(r.events!.time[0] - 0.5)).toBeLessThan(1e-9);
    // x(t) = u - 1 + e^-t for u = t.
    expect(Math.abs(r.events!.state[0] - (0.5 - 1 + Math.exp(-0.5)))).toBeLessThan(1e-8);
  });
});

describe('options and outputs', () => {
  it("refuses 'events' in outputTypes for a system without events, and bad event options", async () => {
    expect(() => new Solver({ equations: 'dx = -x' }, { backend: 'cpu', outputTypes: ['events'] })).toThrow("asks for 'events', but system");
    const s = new Solver(ball([bounce()]), { backend: 'cpu', outputTypes: ['events'] });
    await expect(s.solve({}, {}, { maxEvents: 0 })).rejects.toThrow("'maxEvents' must be a whole number from 1");
    await expect(s.solve({}, {}, { maxEventRecords: 1.5 })).rejects.toThrow("'maxEventRecords' must be a whole number from 0");
    await expect(s.solve({}, {}, { eventTolerance: -1 })).rejects.toThrow("'eventTolerance' must be a finite number >= 0");
  });

  it('describe() names the events and counts their bytes', () => {
    const d = new Solver(ball([bounce()]), { outputTypes: ['state', 'events'] }).describe({ maxEventRecords: 3 });
    expect(d.events).toEqual({ names: ['bounce'], states: ['y', 'v'], maxRecords: 3 });
    const without = new Solver(ball([bounce()]), { outputTypes: ['state'] }).describe({});
    expect(without.events).toBeUndefined();
    expect(d.bytesPerRun - without.bytesPerRun).toBe(4 + 3 * (8 + 4 + 8 * 2));
  });

  it('a system with events but without the events output runs the same events (same saves)', async () => {
    const withRecords = await new Solver(ball([bounce()]), { backend: 'cpu', outputTypes: ['state', 'events'] }).solve({}, {}, { duration: 5, saveEvery: 0.5 });
    const without = await new Solver(ball([bounce()]), { backend: 'cpu' }).solve({}, {}, { duration: 5, saveEvery: 0.5 });
    expect(Array.from(without.timeDomain)).toEqual(Array.from(withRecords.timeDomain));
    expect(without.events).toBeUndefined();
  });
});
