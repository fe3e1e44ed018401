/**
 * Events in the system definition: the rules for `when`/`every`/`at`,
 * `then`, `direction`, `terminal` and names; the checked model; the hash;
 * every error with the event and the line it names; hostile text.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { CubieError } from '../../src/shared/errors';
import { Solver } from '../../src/solver/solver';
import { createSystem, systemFromObject } from '../../src/system';
import type { CubieErrorCode } from '../../src/shared/errors';
import type { EventDefinition, SystemDefinition } from '../../src/system';
import { MAX_EVENT_TIMES, MAX_EVENTS } from '../../src/system/events';
import { REPO_ROOT } from './support/gxx';
import { expectCubieError } from './support/expect-error';

/** A bouncing ball: height y, velocity v. */
const ball = (events: EventDefinition[], extra: Partial<SystemDefinition> = {}): SystemDefinition => ({
  equations: ['dy = v', 'dv = -g', 'energy = g*y + v^2/2'],
  states: { y: 1, v: 0 },
  parameters: { g: 9.81, k: 0.9 },
  constants: { D: 2 },
  drivers: ['u'],
  observables: ['energy'],
  ...extra,
  events,
});
const BOUNCE: EventDefinition = { name: 'bounce', when: 'y', direction: 'falling', then: 'v = -k*v', terminal: 6 };

describe('valid events', () => {
  it('a continuous event: when, direction, then and terminal in resolved form', () => {
    const s = createSystem(ball([BOUNCE]));
    const b = s.model.builder;
    expect(s.model.events).toHaveLength(1);
    const [event] = s.model.events;
    expect(event.name).toBe('bounce');
    expect(event.terminal).toBe(6);
    expect(event.trigger).toEqual({ kind: 'crossing', when: b.variable('state', 0), direction: 'falling' });
    // mathjs reads -k*v as (-k)*v.
    expect(event.assignments).toEqual([{ state: 1, value: b.mul(b.neg(b.variable('parameter', 1)), b.variable('state', 1)) }]);
    expect(s.definition.events).toEqual([{ name: 'bounce', trigger: { kind: 'crossing', when: 'y', direction: 'falling' }, then: ['v = -k*v'], terminal: 6 }]);
  });

  it('discrete events: every (with and without start) and at', () => {
    const s = createSystem(ball([
      { name: 'dose', every: 12, then: 'v = v + D' },
      { name: 'late', every: 0.5, start: -1 },
      { name: 'kick', at: [0, 1.5, 3], then: ['y = y + u*t'] },
    ]));
    expect(s.model.events.map((e) => e.trigger)).toEqual([
      { kind: 'every', every: 12, start: undefined },
      { kind: 'every', every: 0.5, start: -1 },
      { kind: 'at', at: [0, 1.5, 3] },
    ]);
    const b = s.model.builder;
    expect(s.model.events[0].assignments).toEqual([{ state: 1, value: b.add(b.variable('state', 1), b.num(2)) }]);
    expect(s.model.events[2].assignments[0].value).toBe(b.add(b.variable('state', 0), b.mul(b.variable('driver', 0), b.variable('time', 0))));
    expect(s.model.events.map((e) => e.terminal)).toEqual([0, 0, 0]);
  });

  it('several assignments (lines, ";", a list; comments and blank lines) read the state before the event', () => {
    const swap = createSystem(ball([{ when: 'y - 1', then: 'y = v; v = y  # swap\n\n' }]));
    const b = swap.model.builder;
    expect(swap.model.events[0].assignments).toEqual([
      { state: 0, value: b.variable('state', 1) },
      { state: 1, value: b.variable('state', 0) },
    ]);
    const listed = createSystem(ball([{ when: 'y - 1', then: ['v = y', '# comment', 'y = v;'] }]));
    expect(listed.model.events[0].assignments.map((a) => a.state)).toEqual([0, 1]); // by state index, as written or not
    expect(listed.hash).toBe(swap.hash);
  });

  it('when and then may read t, drivers, constants, pi, e and auxiliaries (observables too)', () => {
    const s = createSystem(ball([{ name: 'high', when: 'energy - D*sin(pi*t) - u*e', then: 'v = v*k' }]));
    const b = s.model.builder;
    const energy = s.model.auxiliaries.get('energy');
    expect(energy).toBeDefined();
    const when = s.model.events[0].trigger.kind === 'crossing' ? s.model.events[0].trigger.when : undefined;
    expect(when?.kind).toBe('op');
    expect(when !== undefined && when.kind === 'op' && when.args[0].kind === 'op' ? when.args[0].args[0] : undefined).toBe(energy);
    expect(s.model.events[0].assignments[0].value).toBe(b.mul(b.variable('state', 1), b.variable('parameter', 1)));
  });

  it('normalises direction (scipy numbers, default both) and terminal (true is 1, false is 0)', () => {
    const directions = ([1, -1, 0, 'rising', 'falling', 'both', undefined] as const).map((direction) => {
      const s = createSystem(ball([{ when: 'y', direction }]));
      const trigger = s.model.events[0].trigger;
      return trigger.kind === 'crossing' ? trigger.direction : undefined;
    });
    expect(directions).toEqual(['rising', 'falling', 'both', 'rising', 'falling', 'both', 'both']);
    const terminals = [true, false, 1, 3, undefined].map((terminal) => createSystem(ball([{ when: 'y', terminal }])).model.events[0].terminal);
    expect(terminals).toEqual([1, 0, 1, 3, 0]);
  });

  it('unnamed events are event1, event2, ... by position', () => {
    const s = createSystem(ball([{ when: 'y' }, { name: 'named', at: [1] }, { every: 1 }]));
    expect(s.model.events.map((e) => e.name)).toEqual(['event1', 'named', 'event3']);
  });

  it('a system without events has an empty list', () => {
    expect(createSystem({ equations: 'dx = -x' }).model.events).toEqual([]);
    expect(createSystem({ equations: 'dx = -x' }).definition.events).toEqual([]);
  });

  it('with strict: false an unknown symbol in an event becomes a parameter, after the equations\' ones', () => {
    const warnings: string[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => {
      warnings.push(typeof w === 'string' ? w : w.message);
    });
    try {
      const s = createSystem({ equations: 'dx = -k*x', strict: false, events: [{ name: 'reset', when: 'x - h', then: 'x = x0' }] });
      expect(s.parameters).toEqual(['k', 'h', 'x0']);
      expect(warnings[1]).toContain("Unknown symbol 'h' in event 'reset', when ('x - h') is treated as a parameter");
      expect(warnings[2]).toContain("event 'reset', then line 1 ('x = x0')");
    } finally {
      spy.mockRestore();
    }
  });

  it('an auxiliary read only by an event is an auxiliary, not the derivative of an inferred state', () => {
    const s = createSystem({ equations: 'dx = -x\ndist = x - 1', events: [{ when: 'dist' }] });
    expect(s.states).toEqual(['x']);
    expect(s.model.auxiliaries.has('dist')).toBe(true);
  });

  it('loads from a model file (YAML) with scipy-style directions, like createSystem', () => {
    const yaml = `
equations: |
  dy = v
  dv = -g
states: { y: 1, v: 0 }
parameters: { g: 9.81, k: 0.9, D: 1 }
events:
  - name: bounce
    when: y
    direction: -1
    then: "v = -k*v"
    terminal: 6
  - name: dose
    every: 12
    then:
      - v = v + D
  - name: pulses
    at: [1, 2.5]
`;
    const loaded = systemFromObject(parseYaml(yaml), { source: 'ball.yaml' });
    const direct = createSystem({
      equations: ['dy = v', 'dv = -g'],
      states: ['y', 'v'],
      parameters: ['g', 'k', 'D'],
      events: [
        { name: 'bounce', when: 'y', direction: 'falling', then: ['v = -k*v'], terminal: 6 },
        { name: 'dose', every: 12, then: 'v = v + D' },
        { name: 'pulses', at: [1, 2.5] },
      ],
    });
    expect(loaded.hash).toBe(direct.hash);
    expect(loaded.model.events.map((e) => e.trigger.kind)).toEqual(['crossing', 'every', 'at']);
  });

  it('a Solver takes a system with events (they are solved: test/solver/events.test.ts)', () => {
    expect(() => new Solver(createSystem(ball([BOUNCE])))).not.toThrow();
  });
});

describe('hash', () => {
  const hashOf = (events: EventDefinition[] | undefined, extra: Partial<SystemDefinition> = {}): string => createSystem({ ...ball([]), events, ...extra }).hash;
  const base = hashOf([BOUNCE]);

  it('is unchanged for a system without events, whether events is left out or empty', () => {
    const lorenz = { equations: 'dx = sigma*(y - x)\ndy = x*(rho - z) - y\ndz = x*y - beta*z', parameters: ['sigma', 'rho', 'beta'] };
    expect(createSystem(lorenz).hash).toBe('26d04031f15522bb1f1e510b62774177952c8484b0338656845e791d1f2675f4');
    expect(createSystem({ ...lorenz, events: [] }).hash).toBe('26d04031f15522bb1f1e510b62774177952c8484b0338656845e791d1f2675f4');
    expect(hashOf(undefined)).toBe(hashOf([]));
    expect(base).not.toBe(hashOf([]));
  });

  it.each<[string, EventDefinition[]]>([
    ['direction -1 for falling', [{ ...BOUNCE, direction: -1 }]],
    ['then as a list', [{ ...BOUNCE, then: ['v = -k*v'] }]],
    ['whitespace, parentheses and a comment', [{ ...BOUNCE, when: ' (y)  # ground', then: 'v=(-k)*v;' }]],
    ['the when expression through an auxiliary', [{ ...BOUNCE, when: 'height' }]],
  ])('does not change with %s', (_what, events) => {
    const extra = _what.includes('auxiliary') ? { equations: ['dy = v', 'dv = -g', 'energy = g*y + v^2/2', 'height = y'] } : {};
    expect(hashOf(events, extra)).toBe(base);
  });

  it('treats equivalent spellings alike', () => {
    expect(hashOf([{ when: 'y', direction: 0 }])).toBe(hashOf([{ when: 'y' }]));
    expect(hashOf([{ when: 'y', direction: 'both' }])).toBe(hashOf([{ when: 'y' }]));
    expect(hashOf([{ when: 'y', direction: 1 }])).toBe(hashOf([{ when: 'y', direction: 'rising' }]));
    expect(hashOf([{ when: 'y', terminal: true }])).toBe(hashOf([{ when: 'y', terminal: 1 }]));
    expect(hashOf([{ when: 'y', terminal: false }])).toBe(hashOf([{ when: 'y' }]));
    expect(hashOf([{ every: 2, then: 'y = 0; v = 1' }])).toBe(hashOf([{ every: 2, then: 'v = 1\ny = 0' }]));
    expect(hashOf([{ at: [1, 2e0] }])).toBe(hashOf([{ at: [1.0, 2] }]));
  });

  it.each<[string, EventDefinition[]]>([
    ['the when expression', [{ ...BOUNCE, when: 'y - 0.1' }]],
    ['the direction', [{ ...BOUNCE, direction: 'both' }]],
    ['a then value', [{ ...BOUNCE, then: 'v = -0.5*k*v' }]],
    ['a then target', [{ ...BOUNCE, then: 'y = -k*v' }]],
    ['another assignment', [{ ...BOUNCE, then: 'v = -k*v; y = 0' }]],
    ['terminal', [{ ...BOUNCE, terminal: 5 }]],
    ['not terminal', [{ ...BOUNCE, terminal: false }]],
    ['the name', [{ ...BOUNCE, name: 'hit' }]],
    ['another event', [BOUNCE, { at: [1] }]],
  ])('changes with %s', (_what, events) => {
    expect(hashOf(events)).not.toBe(base);
  });

  it('changes with the schedule of discrete events and the order of events', () => {
    const hashes = [
      hashOf([{ every: 12 }]), hashOf([{ every: 6 }]), hashOf([{ every: 12, start: 0 }]), hashOf([{ every: 12, start: 1 }]),
      hashOf([{ at: [12] }]), hashOf([{ at: [12, 24] }]), hashOf([{ at: [0, 12] }]),
      hashOf([{ name: 'a', at: [1] }, { name: 'b', at: [2] }]), hashOf([{ name: 'b', at: [2] }, { name: 'a', at: [1] }]),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('errors name the event and the line', () => {
  const make = (events: unknown, extra: Partial<SystemDefinition> = {}) => () => createSystem({ ...ball([]), ...extra, events } as SystemDefinition);
  const fails = (events: unknown, code: CubieErrorCode, ...fragments: string[]): CubieError => expectCubieError(make(events), code, ...fragments);

  it('unknown symbols in when and then, with a suggestion', () => {
    const w = fails([{ name: 'bounce', when: 'yy' }], 'UNKNOWN_SYMBOL');
    expect(w.message).toBe("Unknown symbol 'yy' in event 'bounce', when ('yy'); did you mean 'y'?");
    expect(w.details).toEqual({ where: 'events[0].when', event: 'bounce', symbol: 'yy' });
    const t = fails([BOUNCE, { name: 'dose', every: 1, then: 'y = y + 1\nv = v + DD' }], 'UNKNOWN_SYMBOL');
    expect(t.message).toBe("Unknown symbol 'DD' in event 'dose', then line 2 ('v = v + DD'); did you mean 'D'?");
    expect(t.details).toEqual({ where: 'events[1].then', event: 'dose', thenLine: 2, symbol: 'DD' });
    fails([{ name: 'rate', when: 'dy' }], 'UNKNOWN_SYMBOL', "'dy' in event 'rate', when ('dy') is the derivative of state 'y'");
  });

  it('parse and allow-list errors in when', () => {
    fails([{ name: 'b', when: '' }], 'PARSE_ERROR', "Event 'b', when ('') is empty");
    fails([{ name: 'b', when: '# nothing' }], 'PARSE_ERROR', 'is empty');
    fails([{ name: 'b', when: 'y = 0' }], 'PARSE_ERROR', "Event 'b', when ('y = 0') is an assignment", "'y - h', not 'y = h'");
    fails([{ name: 'b', when: 'y < 0' }], 'PARSE_ERROR', "Event 'b', when ('y < 0') is a condition");
    fails([{ name: 'b', when: 'y > 0 and v < 0' }], 'PARSE_ERROR', 'is a condition');
    fails([{ name: 'b', when: 'y; v' }], 'PARSE_ERROR', 'more than one statement');
    fails([{ name: 'b', when: 'y\nv' }], 'PARSE_ERROR', "Event 'b': 'when' is one expression on one line");
    fails([{ name: 'b', when: 'y +' }], 'PARSE_ERROR', "Cannot parse event 'b', when ('y +')");
    fails([{ name: 'b', when: 'sinn(y)' }], 'UNKNOWN_FUNCTION', "Unknown function 'sinn' in event 'b', when ('sinn(y)'); did you mean 'sin'?");
    fails([{ name: 'b', when: 'g(y)' }], 'UNKNOWN_FUNCTION', "'g' is a parameter, not a function");
    fails([{ name: 'b', when: 'energy(y)' }], 'UNKNOWN_FUNCTION', "'energy' is an auxiliary, not a function");
    fails([{ name: 'b', when: 'double' }], 'RESERVED_NAME', "Reserved name 'double' used as a value in event 'b', when ('double')");
    fails([{ name: 'b', when: 'y ? 1 : 2' }], 'PARSE_ERROR', "The condition of 'c ? a : b' in event 'b', when");
  });

  it('parse and allow-list errors in then', () => {
    const e = fails([{ name: 'b', when: 'y', then: 'v = -k*v\n\nv + 1' }], 'PARSE_ERROR', "Event 'b', then line 3 ('v + 1') is not an assignment; 'then' assigns states: 'v = -k*v'");
    expect(e.details).toEqual({ where: 'events[0].then', event: 'b', thenLine: 3 });
    fails([{ name: 'b', when: 'y', then: 'f(x) = x' }], 'PARSE_ERROR', "then line 1 ('f(x) = x') defines a function");
    fails([{ name: 'b', when: 'y', then: 'v[1] = 0' }], 'PARSE_ERROR', 'indexed or dotted target');
    fails([{ name: 'b', when: 'y', then: 'v = (y = 2)' }], 'PARSE_ERROR', "assignment inside the expression");
    fails([{ name: 'b', when: 'y', then: 'v = y < 0' }], 'PARSE_ERROR', 'used as a number');
    fails([{ name: 'b', when: 'y', then: ['y = 0', 'v = foo(v)'] }], 'UNKNOWN_FUNCTION', "Unknown function 'foo' in event 'b', then line 2 ('v = foo(v)')");
    fails([{ name: 'b', when: 'y', then: `v = ${'v+'.repeat(6000)}1` }], 'PARSE_ERROR', "Event 'b', then line 1 is 12005 characters long");
  });

  it('then assigns states, each at most once', () => {
    const p = fails([{ name: 'b', when: 'y', then: 'g = 0' }], 'NOT_A_STATE');
    expect(p.message).toBe("'g' in event 'b', then line 1 ('g = 0') is a parameter, not a state; an event's 'then' assigns states only");
    expect(p.details).toEqual({ where: 'events[0].then', event: 'b', thenLine: 1, symbol: 'g' });
    fails([{ name: 'b', when: 'y', then: 'D = 0' }], 'NOT_A_STATE', 'is a constant, not a state');
    fails([{ name: 'b', when: 'y', then: 'u = 0' }], 'NOT_A_STATE', 'is a driver, not a state');
    fails([{ name: 'b', when: 'y', then: 'energy = 0' }], 'NOT_A_STATE', 'is an auxiliary, not a state');
    fails([{ name: 'b', when: 'y', then: 'dv = 0' }], 'NOT_A_STATE', "'dv' in event 'b', then line 1 ('dv = 0') is not a state; an event sets the state itself: 'v = ...'");
    fails([{ name: 'b', when: 'y', then: 'vv = 0' }], 'UNKNOWN_SYMBOL', "Unknown state 'vv' in event 'b', then line 1 ('vv = 0'): an event's 'then' assigns states; did you mean 'v'?");
    fails([{ name: 'b', when: 'y', then: 't = 0' }], 'RESERVED_NAME', "Reserved name 't' in event 'b', then line 1 ('t = 0')");
    fails([{ name: 'b', when: 'y', then: 'pi = 3' }], 'RESERVED_NAME', "'pi'");
    const twice = fails([{ name: 'b', when: 'y', then: 'v = 0\ny = 1; v = 1' }], 'DUPLICATE_NAME');
    expect(twice.message).toBe("State 'v' is assigned twice in event 'b' (then lines 1 and 2); assign each state at most once");
    const strict = expectCubieError(make([{ name: 'b', when: 'y', then: 'q = 0' }], { strict: false }), 'UNKNOWN_SYMBOL', "Unknown state 'q'");
    expect(strict.details.event).toBe('b');
  });

  it('names: identifiers, unique, not a name of the system', () => {
    fails([{ name: 'my event', when: 'y' }], 'INVALID_NAME', "Invalid name 'my event' in events[0].name");
    fails([{ name: 'sin', when: 'y' }], 'RESERVED_NAME', "Reserved name 'sin' in events[0].name");
    fails([{ name: 3, when: 'y' }], 'INVALID_SYSTEM', 'events[0].name must be a name (a string), got the number 3');
    const dup = fails([{ name: 'b', when: 'y' }, { name: 'b', at: [1] }], 'DUPLICATE_NAME', "Event name 'b' is used twice: events[0] and events[1]");
    expect(dup.details).toMatchObject({ where: 'events[1].name', event: 'b' });
    fails([{ when: 'y' }, { name: 'event1', at: [1] }], 'DUPLICATE_NAME', "'event1' is used twice");
    for (const [name, role] of [['y', 'a state'], ['g', 'a parameter'], ['D', 'a constant'], ['u', 'a driver'], ['energy', 'an auxiliary']]) {
      const e = fails([{ name, when: 'y' }], 'DUPLICATE_NAME', `Event name '${name}' is already ${role} of the system`);
      expect(e.details).toMatchObject({ where: 'events[0].name', event: name });
    }
    expectCubieError(make([{ when: 'y' }], { parameters: { g: 9.81, k: 0.9, event1: 0 } }), 'DUPLICATE_NAME', "Event name 'event1' is already a parameter");
  });

  it.each<[string, unknown, CubieErrorCode, string, string]>([
    ['events not a list', { name: 'b', when: 'y' }, 'INVALID_SYSTEM', "'events' must be a list of events, got an object", 'events'],
    ['an entry not an object', ['y'], 'INVALID_SYSTEM', "events[0] must be an object with 'when', 'every' or 'at'", 'events[0]'],
    ['an unknown key', [{ name: 'b', whem: 'y' }], 'INVALID_SYSTEM', "Unknown key 'whem' in events[0]; did you mean 'when'?", 'events[0].whem'],
    ['no trigger', [{ name: 'b', then: 'v = 0' }], 'INVALID_SYSTEM', "Event 'b' has no trigger: give 'when'", 'events[0]'],
    ['two triggers', [{ name: 'b', when: 'y', every: 1 }], 'INVALID_SYSTEM', "Event 'b': give exactly one of 'when', 'every' and 'at', not both 'when' and 'every'", 'events[0].every'],
    ['direction on a discrete event', [{ name: 'b', every: 1, direction: 'rising' }], 'INVALID_SYSTEM', "Event 'b': 'direction' applies to 'when' events only", 'events[0].direction'],
    ['start without every', [{ name: 'b', at: [1], start: 0 }], 'INVALID_SYSTEM', "'start' applies to 'every' events only", 'events[0].start'],
    ['when not text', [{ name: 'b', when: 0 }], 'INVALID_SYSTEM', "Event 'b': 'when' must be an expression as text, got the number 0", 'events[0].when'],
    ['a misspelt direction', [{ name: 'b', when: 'y', direction: 'falling ' }], 'INVALID_SYSTEM', "'direction' must be 'rising', 'falling' or 'both' (or scipy's 1, -1, 0), got the text 'falling '; did you mean 'falling'?", 'events[0].direction'],
    ['direction 2', [{ name: 'b', when: 'y', direction: 2 }], 'INVALID_SYSTEM', 'got the number 2', 'events[0].direction'],
    ['every 0', [{ name: 'b', every: 0 }], 'INVALID_SYSTEM', "Event 'b': 'every' must be a positive finite number, got the number 0", 'events[0].every'],
    ['every infinite', [{ name: 'b', every: Infinity }], 'INVALID_SYSTEM', 'got the number Infinity', 'events[0].every'],
    ['every as text', [{ name: 'b', every: '12' }], 'INVALID_SYSTEM', "got the text '12'", 'events[0].every'],
    ['start NaN', [{ name: 'b', every: 1, start: NaN }], 'INVALID_SYSTEM', "'start' must be a finite number, got the number NaN", 'events[0].start'],
    ['at not a list', [{ name: 'b', at: 3 }], 'INVALID_SYSTEM', "'at' must be a list of times, got the number 3", 'events[0].at'],
    ['at empty', [{ name: 'b', at: [] }], 'INVALID_SYSTEM', "'at' is empty", 'events[0].at'],
    ['at not a number', [{ name: 'b', at: [1, '2'] }], 'INVALID_SYSTEM', "at[1] must be a finite number, got the text '2'", 'events[0].at'],
    ['at descending', [{ name: 'b', at: [1, 3, 2] }], 'INVALID_SYSTEM', "'at' must be strictly ascending, but at[2] = 2 follows at[1] = 3", 'events[0].at'],
    ['at repeated', [{ name: 'b', at: [1, 1] }], 'INVALID_SYSTEM', 'strictly ascending', 'events[0].at'],
    ['then not text', [{ name: 'b', when: 'y', then: { v: 0 } }], 'INVALID_SYSTEM', "'then' must be assignments as text ('v = -k*v') or a list of them, got an object", 'events[0].then'],
    ['a then entry not text', [{ name: 'b', when: 'y', then: ['v = 0', 1] }], 'INVALID_SYSTEM', 'then[1] must be an assignment as text, got the number 1', 'events[0].then'],
    ['terminal 0', [{ name: 'b', when: 'y', terminal: 0 }], 'INVALID_SYSTEM', "'terminal' must be true, false or a positive whole number (end the run at that firing), got the number 0", 'events[0].terminal'],
    ['terminal 1.5', [{ name: 'b', when: 'y', terminal: 1.5 }], 'INVALID_SYSTEM', 'got the number 1.5', 'events[0].terminal'],
    ['terminal as text', [{ name: 'b', when: 'y', terminal: 'yes' }], 'INVALID_SYSTEM', "got the text 'yes'", 'events[0].terminal'],
    ['terminal over int32', [{ name: 'b', when: 'y', terminal: 2 ** 31 }], 'INVALID_SYSTEM', 'positive whole number', 'events[0].terminal'],
  ])('fields: %s', (_what, events, code, message, whereDetail) => {
    const e = fails(events, code, message);
    expect(e.details.where).toBe(whereDetail);
  });

  it('prefixes errors from model files with the file name', () => {
    const e = expectCubieError(
      () => systemFromObject({ equations: 'dy = v\ndv = -1', events: [{ name: 'bounce', when: 'yy' }] }, { source: 'ball.yaml' }),
      'UNKNOWN_SYMBOL',
      "ball.yaml: Unknown symbol 'yy' in event 'bounce', when ('yy'); did you mean 'y'?",
    );
    expect(e.details).toMatchObject({ where: 'ball.yaml, events[0].when', event: 'bounce', source: 'ball.yaml' });
  });

  it('equation errors come before event errors (the order of the definition)', () => {
    expectCubieError(() => createSystem({ equations: 'dx = -q', events: [{ when: 'z' }] }), 'UNKNOWN_SYMBOL', "'q'", 'equation line 1');
  });
});

describe('hostile input in events', () => {
  interface Entry { what: string; definition: SystemDefinition; expect: 'error' | 'system'; code?: CubieErrorCode }
  const corpus = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/system/hostile.json'), 'utf8')) as { corpus: Entry[] }).corpus;
  // The corpus's hostile equation text, moved into `when` and `then`: refused with the same code.
  const textCases = corpus.filter((c) => c.expect === 'error' && Object.keys(c.definition).join() === 'equations' && typeof c.definition.equations === 'string');
  const base: SystemDefinition = { equations: 'dx = -x', states: ['x'], parameters: ['y', 'z'] };

  const outcome = (events: unknown): CubieError => {
    try {
      createSystem({ ...base, events } as SystemDefinition);
    } catch (e) {
      if (e instanceof CubieError) return e;
      throw e;
    }
    throw new Error('no error');
  };
  const clean = (e: CubieError): void => {
    expect(e.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(e.message.length).toBeLessThan(700);
  };

  it('uses a fair share of the corpus', () => {
    expect(textCases.length).toBeGreaterThan(25);
  });

  it.each(textCases.map((c) => [c.what, c] as const))('%s', (_what, entry) => {
    const text = entry.definition.equations as string;
    const expression = text.startsWith('dx = ') ? text.slice('dx = '.length) : text;
    const inThen = outcome([{ name: 'h', every: 1, then: text.replace(/^dx = /, 'x = ') }]);
    expect(inThen.code).toBe(entry.code);
    expect(inThen.details.event).toBe('h');
    clean(inThen);
    const inWhen = outcome([{ name: 'h', when: expression }]);
    // 'when' refuses line breaks, assignments and comparisons at the top before their parts are checked (PARSE_ERROR).
    expect([entry.code, 'PARSE_ERROR']).toContain(inWhen.code);
    expect(inWhen.details.event).toBe('h');
    clean(inWhen);
  });

  const LONG = 'a'.repeat(10_000);
  it.each<[string, unknown, CubieErrorCode]>([
    ['a name with a newline and a directive', [{ name: 'x\n#include <evil>', when: 'x' }], 'INVALID_NAME'],
    ['a name with a comment closer', [{ name: 'x */ int y', when: 'x' }], 'INVALID_NAME'],
    ['a name with code', [{ name: 'b"); system("rm -rf /', when: 'x' }], 'INVALID_NAME'],
    ['a Cyrillic name', [{ name: '\u0445', when: 'x' }], 'INVALID_NAME'],
    ['a zero-width joiner in a name', [{ name: 'b\u200d', when: 'x' }], 'INVALID_NAME'],
    ['__proto__ as a name', [{ name: '__proto__', when: 'x' }], 'INVALID_NAME'],
    ['a 10k-character name', [{ name: LONG, when: 'x' }], 'INVALID_NAME'],
    ['a __proto__-like key', [JSON.parse('{"__proto__": {"when": "x"}, "at": [1]}')], 'INVALID_SYSTEM'],
    ['when as an object with toString', [{ when: { toString: () => 'x' } }], 'INVALID_SYSTEM'],
    ['a when over 10k characters', [{ when: `${LONG}a` }], 'PARSE_ERROR'],
    ['a 5k-character symbol in when', [{ when: LONG.slice(5000) }], 'INVALID_NAME'],
    ['a 5k-character target', [{ every: 1, then: `${LONG.slice(5000)} = 1` }], 'INVALID_NAME'],
    ['a 100k-character then line of short statements', [{ every: 1, then: 'x = 1;'.repeat(20_000) }], 'PARSE_ERROR'],
    ['brackets nested 100 deep in when', [{ when: `${'('.repeat(100)}x${')'.repeat(100)}` }], 'PARSE_ERROR'],
    ['a long chain of unary minus in then', [{ every: 1, then: `x = ${'-'.repeat(5000)}x` }], 'PARSE_ERROR'],
    ['a Cyrillic x as a then target', [{ every: 1, then: '\u0445 = 1' }], 'PARSE_ERROR'],
    ['a Greek target', [{ every: 1, then: '\u03bb = 1' }], 'INVALID_NAME'],
    ['C++ after a then assignment', [{ every: 1, then: 'x = 1; } int main() {' }], 'PARSE_ERROR'],
    ['a block comment in then', [{ every: 1, then: 'x = 1 /* */' }], 'PARSE_ERROR'],
    ['too many then lines', [{ every: 1, then: '\n'.repeat(100_001) }], 'INVALID_SYSTEM'],
    ['too many events', Array.from({ length: MAX_EVENTS + 1 }, () => ({ at: [1] })), 'INVALID_SYSTEM'],
    ['too many times', [{ at: Array.from({ length: MAX_EVENT_TIMES + 1 }, (_, i) => i) }], 'INVALID_SYSTEM'],
    ['a hex float time as text', [{ at: ['0x1p3'] }], 'INVALID_SYSTEM'],
  ])('%s', (_what, events, code) => {
    const e = outcome(events);
    expect(e.code).toBe(code);
    clean(e);
  });

  it('comments hide #include and the like, as in equations', () => {
    const s = createSystem({ ...base, events: [{ name: 'h', when: 'x # */ } int main() {', then: 'x = -x #include "evil.h"\n#define x 1' }] });
    expect(s.model.events[0].assignments).toHaveLength(1);
  });
});
