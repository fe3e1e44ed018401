/**
 * SBML events → cubie events: each trigger form, the t0 rules of
 * initialValue, quantities promoted to states, simultaneous events, and
 * refusals that name the event. Solving them is in sbml.test.ts (fixture
 * cases), once the kernel handles events.
 */
import { createSystem, importSbml, solveIvp, StatusBits } from '../../src';
import type { MathNode } from '../../src/import/mathml';
import { triggerForm } from '../../src/import/sbml/triggers';
import { thrown } from '../support/thrown';

const M = 'xmlns="http://www.w3.org/1998/Math/MathML"';
const TIME = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">time</csymbol>';
const math = (body: string): string => `<math ${M}>${body}</math>`;
const apply = (op: string, ...args: string[]): string => `<apply><${op}/>${args.join('')}</apply>`;
const ci = (id: string): string => `<ci>${id}</ci>`;
const cn = (v: number): string => `<cn>${v}</cn>`;

interface EventSpec {
  id?: string;
  trigger?: string;
  initialValue?: boolean;
  persistent?: boolean;
  values?: 'trigger' | 'execution';
  priority?: string;
  delay?: string;
  assign?: Record<string, string>;
}

function event(e: EventSpec): string {
  const trigger = e.trigger === undefined ? '' : `<trigger initialValue="${e.initialValue ?? true}" persistent="${e.persistent ?? true}">${math(e.trigger)}</trigger>`;
  const assigns = Object.entries(e.assign ?? {}).map(([v, m]) => `<eventAssignment variable="${v}">${math(m)}</eventAssignment>`).join('');
  return `<event${e.id ? ` id="${e.id}"` : ''} useValuesFromTriggerTime="${e.values !== 'execution'}">${trigger}`
    + `${e.priority ? `<priority>${math(e.priority)}</priority>` : ''}${e.delay ? `<delay>${math(e.delay)}</delay>` : ''}`
    + `${assigns ? `<listOfEventAssignments>${assigns}</listOfEventAssignments>` : ''}</event>`;
}

/** S decays in compartment c (size 2); k is a constant parameter, p and q are not constant; B is a boundary species. */
function model(events: EventSpec[], extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="m">
  <listOfCompartments><compartment id="c" size="2" constant="false"/></listOfCompartments>
  <listOfSpecies>
    <species id="S" compartment="c" initialConcentration="3" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
    <species id="B" compartment="c" initialAmount="5" hasOnlySubstanceUnits="true" boundaryCondition="true" constant="false"/>
  </listOfSpecies>
  <listOfParameters>
    <parameter id="k" value="0.5" constant="true"/><parameter id="p" value="1" constant="false"/><parameter id="q" value="0" constant="false"/>
  </listOfParameters>
  <listOfReactions><reaction id="R" reversible="false">
    <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
    <listOfProducts><speciesReference species="B" stoichiometry="1" constant="true"/></listOfProducts>
    <kineticLaw>${math(apply('times', ci('k'), ci('S'), ci('p')))}</kineticLaw>
  </reaction></listOfReactions>${extra}
  <listOfEvents>${events.map(event).join('')}</listOfEvents>
</model></sbml>`;
}

const imported = (events: EventSpec[], options = {}) => {
  const m = importSbml(model(events), options);
  createSystem(m.definition); // every accepted translation must pass cubie's own checks
  return m;
};

describe('SBML triggers as gaps (trigger true ⇔ gap > 0)', () => {
  const sym = (id: string): MathNode => ({ k: 'sym', id });
  const num = (v: number): MathNode => ({ k: 'num', v });
  const op = (o: string, ...args: MathNode[]): MathNode => ({ k: 'op', op: o, args });
  const minus = (a: MathNode, b: MathNode) => op('minus', a, b);

  it('turns comparisons into differences, and/or into min/max, not into a negation', () => {
    expect(triggerForm(op('gt', sym('x'), num(1)))).toEqual({ kind: 'gap', gap: minus(sym('x'), num(1)) });
    expect(triggerForm(op('geq', sym('x'), sym('y')))).toEqual({ kind: 'gap', gap: minus(sym('x'), sym('y')) });
    expect(triggerForm(op('lt', sym('x'), num(1)))).toEqual({ kind: 'gap', gap: minus(num(1), sym('x')) });
    expect(triggerForm(op('leq', sym('x'), num(1)))).toEqual({ kind: 'gap', gap: minus(num(1), sym('x')) });
    expect(triggerForm(op('and', op('gt', sym('x'), num(1)), op('lt', sym('y'), num(2))))).toEqual({
      kind: 'gap', gap: op('min', minus(sym('x'), num(1)), minus(num(2), sym('y'))),
    });
    expect(triggerForm(op('or', op('gt', sym('x'), num(1)), op('not', op('gt', sym('y'), num(2)))))).toEqual({
      kind: 'gap', gap: op('max', minus(sym('x'), num(1)), op('minus', minus(sym('y'), num(2)))),
    });
    // a chain a > b > c is (a > b) and (b > c)
    expect(triggerForm(op('gt', sym('a'), sym('b'), sym('c')))).toEqual({ kind: 'gap', gap: op('min', minus(sym('a'), sym('b')), minus(sym('b'), sym('c'))) });
  });

  it('reads time >= c (and c < time) as a time, and time inside and/or as a gap', () => {
    expect(triggerForm(op('geq', { k: 'time' }, num(2.5)))).toEqual({ kind: 'time', time: 2.5 });
    expect(triggerForm(op('lt', num(3), { k: 'time' }))).toEqual({ kind: 'time', time: 3 });
    expect(triggerForm(op('and', op('gt', { k: 'time' }, num(1)), op('gt', sym('x'), num(0))))).toEqual({
      kind: 'gap', gap: op('min', minus({ k: 'time' }, num(1)), minus(sym('x'), num(0))),
    });
  });

  it('folds constants (true, false, and() and the like of L3v2 math)', () => {
    expect(triggerForm({ k: 'bool', v: true })).toEqual({ kind: 'constant', value: true });
    expect(triggerForm(op('and'))).toEqual({ kind: 'constant', value: true });
    expect(triggerForm(op('not', op('or')))).toEqual({ kind: 'constant', value: true });
    expect(triggerForm(op('and', op('gt', sym('x'), num(1)), op('and')))).toEqual({ kind: 'gap', gap: minus(sym('x'), num(1)) });
    expect(triggerForm(op('and', op('gt', sym('x'), num(1)), { k: 'bool', v: false }))).toEqual({ kind: 'constant', value: false });
    expect(triggerForm(op('not', op('xor')))).toEqual({ kind: 'constant', value: true });
  });

  it('has no gap for equality, xor of several, piecewise or a number', () => {
    for (const t of [op('eq', sym('x'), num(1)), op('neq', sym('x'), num(1)), op('xor', op('gt', sym('x'), num(1)), op('gt', sym('y'), num(1))),
      { k: 'piecewise', pieces: [[{ k: 'bool', v: true }, op('gt', sym('x'), num(1))]], otherwise: { k: 'bool', v: false } } as MathNode, sym('x')]) {
      expect(triggerForm(t).kind).toBe('refused');
    }
  });
});

describe('importSbml: events', () => {
  it('translates a state trigger to a rising crossing and a time trigger to a discrete time', () => {
    const m = imported([
      { id: 'low', trigger: apply('lt', ci('S'), cn(1)), assign: { S: cn(3) } },
      { id: 'later', trigger: apply('geq', TIME, cn(4)), assign: { p: apply('plus', ci('p'), cn(1)) } },
    ]);
    expect(m.definition.events).toEqual([
      { name: 'low', when: '(1 - S)', direction: 'rising', then: ['S = 3'] },
      { name: 'later', at: [4], then: ['p = (p + 1)'] },
    ]);
  });

  it('makes assigned parameters, compartments and boundary species states with derivative 0', () => {
    const m = imported([{ id: 'E', trigger: apply('gt', ci('S'), cn(10)), assign: { p: cn(2), c: cn(4), B: cn(1) } }]);
    // c is resized by an event, so S (a concentration) keeps its amount as the state, as with a rule on c
    expect(m.y0).toEqual({ c: 2, S_amount: 6, B: 5, p: 1 });
    expect(m.parameters).toEqual({ k: 0.5, q: 0 });
    expect(m.definition.equations).toEqual(expect.arrayContaining(['dp = 0', 'dc = 0', 'dB = 0', 'dS_amount = (-(1 * R))', 'S = S_amount / c']));
    expect(m.definition.events![0].then).toEqual(['p = 2', 'c = 4', 'B = 1']);
  });

  it('sets the amount of a species whose amount is the state from the concentration it is given', () => {
    const m = imported([{ id: 'grow', trigger: apply('gt', TIME, cn(1)), assign: { c: cn(4) } }, { id: 'reset', trigger: apply('gt', TIME, cn(2)), assign: { S: cn(3) } }]);
    expect(m.definition.events![1].then).toEqual(['S_amount = (3) * c']);
  });

  it('fires at t0 where initialValue is false, guarded by the trigger', () => {
    const m = imported([{ id: 'E', trigger: apply('gt', ci('S'), cn(1)), initialValue: false, assign: { q: cn(1) } }]);
    expect(m.definition.events).toEqual([
      { name: 'E_t0', at: [0], then: ['q = ((((S > 1) ? 1 : 0)) != 0) ? (1) : q'] },
      { name: 'E', when: '(S - 1)', direction: 'rising', then: ['q = 1'] },
    ]);
    // a time trigger already true at t0: at t0 with initialValue false, never with true
    const t = imported([
      { id: 'now', trigger: apply('geq', TIME, cn(0)), initialValue: false, assign: { q: cn(1) } },
      { id: 'never', trigger: apply('geq', TIME, cn(-1)), assign: { p: cn(1) } },
    ], { t0: 0 });
    expect(t.definition.events).toEqual([{ name: 'now', at: [0], then: ['q = 1'] }]);
    expect(t.warnings.join('\n')).toContain("<event> 'never'");
  });

  it('handles constant triggers: never from false to true, except true at t0 with initialValue false', () => {
    const m = imported([
      { id: 'always', trigger: '<true/>', initialValue: false, assign: { q: cn(1) } },
      { id: 'never', trigger: '<false/>', assign: { p: cn(1) } },
      { id: 'none', assign: { p: cn(2) } },
    ]);
    expect(m.definition.events).toEqual([{ name: 'always', at: [0], then: ['q = 1'] }]);
    expect(m.warnings.join('\n')).toMatch(/'never'.*never fires/);
  });

  it('keeps events without assignments and without ids', () => {
    const m = imported([{ trigger: apply('gt', ci('S'), cn(10)) }]);
    expect(m.definition.events).toEqual([{ name: 'event', when: '(S - 10)', direction: 'rising' }]);
  });

  it('merges simultaneous events when one reads what another writes (values from the trigger time)', () => {
    const m = imported([
      { id: 'A', trigger: apply('gt', TIME, cn(1)), assign: { p: ci('q') } },
      { id: 'B', trigger: apply('gt', TIME, cn(1)), assign: { q: ci('p') } },
      { id: 'C', trigger: apply('gt', TIME, cn(2)), assign: { p: cn(0) } },
    ]);
    expect(m.definition.events).toEqual([{ name: 'A', at: [1], then: ['p = q', 'q = p'] }, { name: 'C', at: [2], then: ['p = 0'] }]);
  });

  it('orders simultaneous events that assign the same variable by constant priorities (the last executed wins)', () => {
    const m = imported([
      { id: 'low', trigger: apply('gt', TIME, cn(1)), priority: cn(-1), assign: { p: cn(4), q: cn(1) } },
      { id: 'high', trigger: apply('gt', TIME, cn(1)), priority: cn(3), assign: { p: cn(5) } },
    ]);
    expect(m.definition.events).toEqual([{ name: 'high', at: [1], then: ['p = 4', 'q = 1'] }]);
  });

  it('orders two simultaneous events by priorities that are math, compared at the instant (the lower runs last and wins)', () => {
    const m = imported([
      { id: 'e1', trigger: apply('gt', TIME, cn(1)), priority: ci('q'), assign: { p: cn(1), q: cn(3) } },
      { id: 'e2', trigger: apply('gt', TIME, cn(1)), priority: apply('minus', ci('k')), assign: { p: cn(2) } },
    ]);
    expect(m.definition.events).toEqual([{ name: 'e1', at: [1], then: ['p = ((q) > ((-k))) ? (2) : (1)', 'q = 3'] }]);
  });

  it('lets simultaneous events set one variable to the same value in any order', () => {
    const m = imported([
      { id: 's1', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(1), q: cn(3) } },
      { id: 's2', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(1) } },
    ]);
    expect(m.definition.events).toEqual([{ name: 's1', at: [1], then: ['q = 3', 'p = 1'] }]);
  });

  it('refuses what it cannot simulate faithfully, naming the event', () => {
    const cases: [string, EventSpec[], string][] = [
      ['a delay of 0', [{ id: 'd0', trigger: apply('gt', ci('S'), cn(1)), delay: cn(0) }], 'd0'],
      ['a non-persistent delayed event another event changes', [
        { id: 'nd', trigger: apply('gt', ci('p'), cn(0.5)), persistent: false, delay: cn(1), assign: { q: cn(1) } },
        { id: 'set', trigger: apply('gt', TIME, cn(1)), assign: { p: ci('k') } }], 'nd'],
      ['an equality', [{ id: 'eq', trigger: apply('eq', ci('S'), cn(1)) }], 'eq'],
      ['a piecewise trigger', [{ id: 'pw', trigger: `<piecewise><piece><true/>${apply('gt', ci('S'), cn(1))}</piece><otherwise><false/></otherwise></piecewise>` }], 'pw'],
      ['same target, no priorities', [
        { id: 'a1', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(1) } },
        { id: 'a2', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(2) } }], 'a1'],
      ['same target, three events, priorities that depend on the state', [
        { id: 'b1', trigger: apply('gt', TIME, cn(1)), priority: ci('q'), assign: { p: cn(1) } },
        { id: 'b2', trigger: apply('gt', TIME, cn(1)), priority: cn(0), assign: { p: cn(2) } },
        { id: 'b3', trigger: apply('gt', TIME, cn(1)), priority: cn(1), assign: { q: cn(2) } }], 'b1'],
      ['same target, one priority missing', [
        { id: 'c1', trigger: apply('gt', TIME, cn(1)), priority: ci('q'), assign: { p: cn(1) } },
        { id: 'c2', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(2) } }], 'c1'],
      ['execution-time values with interference', [
        { id: 'x1', trigger: apply('gt', TIME, cn(1)), values: 'execution', assign: { p: ci('q') } },
        { id: 'x2', trigger: apply('gt', TIME, cn(1)), assign: { q: cn(2) } }], 'x1'],
      ['a non-persistent event another cancels', [
        { id: 'n1', trigger: apply('gt', ci('p'), cn(0.5)), persistent: false, assign: { q: cn(1) } },
        { id: 'n2', trigger: apply('gt', ci('p'), cn(0.5)), assign: { p: cn(0) } }], 'n1'],
      ['time > t0 exactly', [{ id: 'tt', trigger: apply('gt', TIME, cn(0)), assign: { p: cn(1) } }], 'tt'],
    ];
    for (const [what, events, id] of cases) {
      const e = thrown(() => importSbml(model(events)));
      expect([what, e.code, e.details.sbmlId]).toEqual([what, 'UNSUPPORTED_SBML', id]);
      expect(e.message).toContain(`'${id}'`);
    }
  });

  it('writes an event another event makes true at once (a cascade) into that event, unless it makes its trigger false', () => {
    const fine = imported([
      { id: 'A1', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(0) } },
      { id: 'B1', trigger: apply('gt', ci('p'), cn(0.5)), assign: { q: cn(1) } },
    ]);
    expect(fine.definition.events).toEqual([
      { name: 'A1', at: [1], then: ['p = 0'] },
      { name: 'B1', when: '(p - 0.5)', direction: 'rising', then: ['q = 1'] },
    ]);
    const cascade = imported([
      { id: 'A1', trigger: apply('gt', TIME, cn(1)), assign: { p: ci('k') } },
      { id: 'B1', trigger: apply('gt', ci('p'), cn(0.25)), assign: { q: apply('plus', ci('p'), ci('q')) } },
    ]);
    // B1 fires just after A1 where A1 takes its trigger from false to true, with values from then
    expect(cascade.definition.events![0]).toEqual({
      name: 'A1', at: [1], then: ['p = k', 'q = (((((k > 0.25) ? 1 : 0)) != 0) and ((((p > 0.25) ? 1 : 0)) == 0)) ? ((k + q)) : q'],
    });
  });

  it('refuses cascades it cannot write out: chains, and the same variable assigned by both', () => {
    const chain = thrown(() => importSbml(model([
      { id: 'A1', trigger: apply('gt', TIME, cn(1)), assign: { p: ci('k') } },
      { id: 'B1', trigger: apply('gt', ci('p'), cn(0.25)), assign: { q: cn(1) } },
      { id: 'C1', trigger: apply('gt', ci('q'), cn(0.5)), assign: { S: cn(1) } },
    ])));
    expect([chain.code, chain.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'C1']);
    const both = thrown(() => importSbml(model([
      { id: 'A1', trigger: apply('gt', TIME, cn(1)), assign: { p: ci('k'), q: cn(2) } },
      { id: 'B1', trigger: apply('gt', ci('p'), cn(0.25)), assign: { q: cn(1) } },
    ])));
    expect([both.code, both.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'B1']);
    expect(both.message).toContain("<event> 'A1'");
  });

  it('carries a delay after a time trigger as a later time, remembering values from the trigger time', () => {
    const m = imported([{ id: 'E', trigger: apply('gt', TIME, cn(1)), delay: cn(2), assign: { p: apply('times', ci('S'), cn(2)), q: cn(7) } }]);
    expect(m.definition.events).toEqual([
      { name: 'E_trigger', at: [1], then: ['E_value1 = (S * 2)'] },
      { name: 'E', at: [3], then: ['p = E_value1', 'q = 7'] },
    ]);
    expect(m.y0.E_value1).toBe(0);
    expect(m.definition.equations).toContain('dE_value1 = 0');
  });

  it('carries a delay after a crossing with a pending time, and a run stops (NaN) if it fires again while pending', () => {
    const m = imported([{ id: 'E', trigger: apply('lt', ci('S'), cn(1)), delay: cn(0.5), values: 'execution', persistent: false, assign: { S: cn(3) } }]);
    expect(m.y0.E_due).toBe(1e30);
    expect(m.definition.events).toEqual([
      { name: 'E_trigger', when: '(1 - S)', direction: 'rising', then: ['E_due = (E_due < 1e29) ? (0 / 0) : (t + 0.5)'] },
      { name: 'E', when: 't - E_due', direction: 'rising', then: ['S = 3', 'E_due = 1e30'] },
      // persistent="false": the trigger going false cancels the pending execution
      { name: 'E_cancel', when: '(1 - S)', direction: 'falling', then: ['E_due = 1e30'] },
    ]);
  });

  it('solves a delayed event, and stops the run (NONFINITE) where it would need two pending executions', async () => {
    const delayed: EventSpec = { id: 'E', trigger: apply('lt', ci('S'), cn(2.9)), delay: cn(0.5), assign: { q: apply('plus', ci('q'), cn(1)) } };
    const once = importSbml(model([delayed]));
    const solve = (def: typeof once.definition) => solveIvp(createSystem(def), {}, {}, {
      method: 'rodas4', backend: 'cpu', duration: 3, saveAt: [0, 1, 2, 3], rtol: 1e-10, atol: 1e-12, threads: 1, outputTypes: ['state'],
    });
    // S = 3 exp(-0.25 t) (dS = -k p S / c with S a concentration in c = 2): below 2.9 at t1 = 4 ln(3/2.9), q + 1 at t1 + 0.5
    const t1 = 4 * Math.log(3 / 2.9);
    const r = await solve(once.definition);
    expect(r.status[0]).toBe(0);
    expect(Array.from(r.trajectory('q', 0))).toEqual([0, t1 + 0.5 <= 1 ? 1 : 0, 1, 1]);
    // a reset to 3 at t = 0.2 (before the execution) and S falls below 2.9 again while it is pending
    const twice = importSbml(model([delayed, { id: 'reset', trigger: apply('gt', TIME, cn(t1 + 0.2)), assign: { S: cn(3) } }]));
    const r2 = await solve(twice.definition);
    expect(r2.status[0] & StatusBits.NONFINITE).toBe(StatusBits.NONFINITE);
  });

  it("a trigger reading delay(x, d) is not made true at once by another event's assignment to x: it sees x's past", async () => {
    const DELAY = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/delay">delay</csymbol>';
    // A sets p = 10 at t = 1; B fires when p's value 0.5 ago exceeds 5, at t = 1.5, not at once with A
    const events: EventSpec[] = [
      { id: 'setP', trigger: apply('gt', TIME, cn(1)), assign: { p: cn(10) } },
      { id: 'echo', trigger: `<apply><gt/><apply>${DELAY}${ci('p')}${cn(0.5)}</apply>${cn(5)}</apply>`, assign: { q: TIME } },
    ];
    const m = importSbml(model(events));
    const r = await solveIvp(createSystem(m.definition), {}, {}, { method: 'rodas4', backend: 'cpu', duration: 3, saveAt: [1.2, 3], rtol: 1e-10, atol: 1e-12, threads: 1 });
    expect(r.status[0]).toBe(0);
    expect(r.trajectory('q', 0)[0]).toBe(0);
    expect(r.trajectory('q', 0)[1]).toBeCloseTo(1.5, 8);
  });

  it('takes a delay given as math at the trigger time', () => {
    const m = imported([{ id: 'E', trigger: apply('gt', TIME, cn(1)), delay: apply('times', ci('k'), cn(2)), assign: { p: cn(7) } }]);
    expect(m.definition.events).toEqual([
      { name: 'E_trigger', at: [1], then: ['E_due = (E_due < 1e29) ? (0 / 0) : ((((k * 2)) > 0) ? (t + ((k * 2))) : (0 / 0))'] },
      { name: 'E', when: 't - E_due', direction: 'rising', then: ['p = 7', 'E_due = 1e30'] },
    ]);
  });

  it('reschedules a delayed event its own execution makes true again', () => {
    const m = imported([{ id: 'E', trigger: apply('lt', ci('S'), cn(1)), delay: cn(2), values: 'execution', assign: { S: apply('times', ci('S'), cn(0.5)) } }]);
    expect(m.definition.events![1]).toEqual({
      name: 'E', when: 't - E_due', direction: 'rising',
      then: ['S = (S * 0.5)', 'E_due = ((((((S * 0.5) < 1) ? 1 : 0)) != 0) and ((((S < 1) ? 1 : 0)) == 0)) ? (t + 2) : 1e30'],
    });
  });

  it('writes out a cascade from a value kept since the trigger time', () => {
    const m = imported([
      { id: 'A1', trigger: apply('gt', TIME, cn(1)), delay: cn(1), assign: { p: apply('times', ci('S'), cn(2)) } },
      { id: 'B1', trigger: apply('gt', ci('p'), cn(2)), assign: { q: ci('p') } },
    ]);
    expect(m.definition.events![1]).toEqual({
      name: 'A1', at: [2], then: ['p = A1_value1', 'q = (((((A1_value1 > 2) ? 1 : 0)) != 0) and ((((p > 2) ? 1 : 0)) == 0)) ? (A1_value1) : q'],
    });
  });

  it('rejects assignments to constants, to rule-set quantities and to unknown ids', () => {
    const rule = `<listOfRules><assignmentRule variable="q">${math(ci('k'))}</assignmentRule></listOfRules>`;
    expect(thrown(() => importSbml(model([{ id: 'E', trigger: apply('gt', ci('S'), cn(1)), assign: { k: cn(1) } }]))).code).toBe('INVALID_SBML');
    expect(thrown(() => importSbml(model([{ id: 'E', trigger: apply('gt', ci('S'), cn(1)), assign: { q: cn(1) } }], rule))).code).toBe('INVALID_SBML');
    expect(thrown(() => importSbml(model([{ id: 'E', trigger: apply('gt', ci('S'), cn(1)), assign: { nope: cn(1) } }]))).code).toBe('INVALID_SBML');
  });
});
