/**
 * SBML events to cubie events (src/system/events.ts).
 *
 * Each trigger becomes a time (`at`), a gap watched rising (`when`, see
 * triggers.ts) or a constant. SBML Level 3 says when a trigger that is
 * already true at t0 fires: never when initialValue is true, at t0 when it is
 * false (Level 2 behaves as true). A cubie crossing never fires at t0, so an
 * event with initialValue false gets a companion at t0 whose assignments are
 * guarded by the trigger (`x = trigger ? value : x`): it fires at t0 and
 * changes nothing unless the trigger holds there, whatever y0 a run is given.
 *
 * Simultaneous events. Without delays, SBML computes the assignments of
 * events that fire together at the trigger time when useValuesFromTriggerTime
 * is true (the default), and in an order it leaves undefined (or set by
 * priorities) otherwise; cubie fires events that coincide in definition
 * order, each seeing the assignments before it. Events whose triggers are
 * the same (the same time, or the same gap), which are the ones that fire
 * together, are therefore grouped:
 *   - when no member writes what another reads, order does not matter and
 *     they stay separate events;
 *   - when one does, and all of them use trigger-time values, they become one
 *     cubie event (all right sides evaluated before any is assigned, which is
 *     exactly trigger-time values);
 *   - two members assigning the same variable (the result depends on an
 *     order SBML leaves random or to priorities), execution-time values, or a
 *     non-persistent member whose trigger another member changes, are
 *     refused. Priorities therefore never change a result that is accepted.
 * Cascades. SBML fires an event the instant another event's assignments
 * make its trigger true; cubie looks for crossings along the flow only (after
 * an event it takes the `when` values afresh), so it would miss that firing.
 * An event whose trigger reads what another event assigns is accepted only
 * where the trigger, with those assignments put in, is a constant false
 * (`S1 = 1` against `S1 < 0.75`): then no assignment of that event can make
 * it true. Otherwise it is refused.
 *
 * Delays are refused (cubie has no delayed assignments).
 */
import { CubieError } from '../../shared/errors';
import type { EventDefinition } from '../../system';
import { evaluate, inlineCalls, readMath, symbolsOf, usesTime, type MathContext, type MathNode } from './mathml';
import type { NameTable } from './names';
import { triggerForm } from './triggers';
import { childNamed, childrenNamed, type XmlElement } from './xml';

export interface SbmlEventAssignment {
  readonly variable: string;
  readonly math: MathNode;
  readonly ctx: MathContext;
}

export interface SbmlEvent {
  readonly id: string | undefined;
  /** `<event> 'E1'`, or `<event> #3` (1-based) for one without an id. */
  readonly label: string;
  /** undefined: no trigger math, so it never fires. */
  readonly trigger: MathNode | undefined;
  readonly initialValue: boolean;
  readonly persistent: boolean;
  readonly useValuesFromTriggerTime: boolean;
  /** The priority when it is a number (math without symbols), NaN when it depends on the state, undefined when none. */
  readonly priority: number | undefined;
  readonly assignments: readonly SbmlEventAssignment[];
}

type Functions = ReadonlyMap<string, { params: string[]; body: MathNode }>;

function refuse(event: { id: string | undefined; label: string }, what: string): never {
  throw new CubieError('UNSUPPORTED_SBML', `${what} (${event.label}) is not supported by cubie's SBML import`, {
    where: event.label, element: 'event', ...(event.id !== undefined ? { sbmlId: event.id } : {}),
  });
}

function flag(el: XmlElement, attr: string, fallback: boolean, label: string): boolean {
  const v = el.attrs[attr];
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new CubieError('INVALID_SBML', `Attribute ${attr}="${v.slice(0, 20)}" of <${el.tag}> in ${label} is not a boolean`, { where: label, element: el.tag });
}

function mathChild(el: XmlElement | undefined): XmlElement | undefined {
  return el === undefined ? undefined : childNamed(el, 'math') ?? el.children.find((c) => c.local === 'math');
}

/** The model's events, read; delays refused. */
export function readEvents(model: XmlElement, functions: Functions, warnings: string[]): SbmlEvent[] {
  const events = childrenNamed(model, 'listOfEvents').flatMap((l) => childrenNamed(l, 'event'));
  return events.map((el, i) => {
    const id = el.attrs.id;
    const label = id !== undefined ? `<event> '${id.slice(0, 64)}'` : `<event> #${i + 1}`;
    const self = { id, label };
    const ctxOf = (what: string): MathContext => ({ where: `${what} of ${label}`, elementId: id ?? `event #${i + 1}` });
    if (mathChild(childNamed(el, 'delay')) !== undefined) refuse(self, 'An event with a delay');
    const triggerEl = childNamed(el, 'trigger');
    const triggerMath = mathChild(triggerEl);
    const tctx = ctxOf('the trigger');
    const trigger = triggerMath === undefined ? undefined : inlineCalls(readMath(triggerMath, tctx), functions, tctx);
    if (trigger === undefined) warnings.push(`${label} has no trigger math and never fires; it is left out`);
    const priorityMath = mathChild(childNamed(el, 'priority'));
    let priority: number | undefined;
    if (priorityMath !== undefined) {
      const pctx = ctxOf('the priority');
      const p = inlineCalls(readMath(priorityMath, pctx), functions, pctx);
      priority = symbolsOf(p).size === 0 && !usesTime(p) ? evaluate(p, () => NaN, 0, pctx) : NaN;
    }
    const assignments: SbmlEventAssignment[] = [];
    for (const a of childrenNamed(childNamed(el, 'listOfEventAssignments'), 'eventAssignment')) {
      const variable = a.attrs.variable;
      if (variable === undefined) throw new CubieError('INVALID_SBML', `An event assignment of ${label} has no variable`, { where: label, element: 'eventAssignment' });
      const actx = ctxOf(`the assignment to '${variable.slice(0, 64)}'`);
      const m = mathChild(a);
      if (m === undefined) {
        warnings.push(`The assignment to '${variable}' in ${label} has no math and is ignored`);
        continue;
      }
      if (assignments.some((x) => x.variable === variable)) {
        throw new CubieError('INVALID_SBML', `${label} assigns '${variable}' twice`, { where: label, sbmlId: variable });
      }
      assignments.push({ variable, math: inlineCalls(readMath(m, actx), functions, actx), ctx: actx });
    }
    return {
      id, label, trigger, assignments, priority,
      // Level 2 has neither attribute and behaves as if both were true.
      initialValue: triggerEl === undefined ? true : flag(triggerEl, 'initialValue', true, label),
      persistent: triggerEl === undefined ? true : flag(triggerEl, 'persistent', true, label),
      useValuesFromTriggerTime: flag(el, 'useValuesFromTriggerTime', true, label),
    };
  });
}

/** What buildEvents needs from the importer. */
export interface EventTranslation {
  /** The time initial values are given at; the events' t0 firings are there. */
  readonly t0: number;
  readonly names: NameTable;
  /** Cubie text of the math (a truth value as 1 or 0). */
  text(math: MathNode, ctx: MathContext): string;
  /** The cubie state and the value (cubie text) it gets when the event sets `variable` to `value`; refuses targets no event may set. */
  assign(event: SbmlEvent, variable: string, value: string, ctx: MathContext): { target: string; value: string };
  /** The SBML ids the math reads, also through assignment rules and reaction rates. */
  reads(math: MathNode): ReadonlySet<string>;
  /** The math with assignment rules and rates written out and the ids in `assigned` replaced by their math: its value just after those assignments. */
  after(math: MathNode, assigned: ReadonlyMap<string, MathNode>): MathNode;
}

/** One firing of one SBML event: at a time, or where a gap rises through zero. */
interface Firing {
  readonly key: string;
  readonly event: SbmlEvent;
  readonly trigger: { readonly at: number } | { readonly when: string };
  /** A t0 firing that applies only where the trigger holds. */
  readonly guarded: boolean;
}

export function buildEvents(events: readonly SbmlEvent[], tr: EventTranslation, warnings: string[]): EventDefinition[] {
  const firings: Firing[] = [];
  const at = (event: SbmlEvent, time: number, guarded: boolean): void => {
    firings.push({ key: `at ${time}`, event, trigger: { at: time }, guarded });
  };
  for (const event of events) {
    if (event.trigger === undefined) continue;
    const form = triggerForm(event.trigger);
    switch (form.kind) {
      case 'refused':
        return refuse(event, `A trigger that is ${form.why}`);
      case 'constant':
        if (form.value && !event.initialValue) at(event, tr.t0, false);
        else warnings.push(`The trigger of ${event.label} is always ${form.value}, so it never goes from false to true; it never fires and is left out`);
        break;
      case 'time':
        if (form.time > tr.t0) at(event, form.time, false);
        else if (form.time === tr.t0 && event.trigger.k === 'op' && (event.trigger.op === 'gt' || event.trigger.op === 'lt')) {
          // false at t0 and true an instant later: neither a t0 firing nor a later one
          refuse(event, `A trigger 'time > ${form.time}' at the start time itself`);
        } else if (!event.initialValue) at(event, tr.t0, false);
        else warnings.push(`The trigger of ${event.label} is already true at t0 = ${tr.t0} and initialValue is true; it never fires and is left out`);
        break;
      case 'gap': {
        const when = tr.text(form.gap, { where: `the trigger of ${event.label}`, elementId: event.id ?? event.label });
        firings.push({ key: `when ${when}`, event, trigger: { when }, guarded: false });
        if (!event.initialValue) at(event, tr.t0, true);
        break;
      }
    }
  }

  checkCascades(firings, tr);

  const groups = new Map<string, Firing[]>();
  for (const f of firings) {
    const g = groups.get(f.key);
    if (g === undefined) groups.set(f.key, [f]);
    else g.push(f);
  }
  const eventNames = new Map<SbmlEvent, string>();
  const nameOf = (event: SbmlEvent): string => {
    let name = eventNames.get(event);
    if (name === undefined) {
      name = event.id !== undefined ? tr.names.name(event.id) : tr.names.fresh('event');
      eventNames.set(event, name);
    }
    return name;
  };
  const out: EventDefinition[] = [];
  for (const group of groups.values()) {
    const merge = checkGroup(group, tr);
    // merged: in the order SBML executes them (highest priority first), so that the last writer of a variable wins
    const parts = merge ? [[...group].sort((a, b) => (b.event.priority ?? 0) - (a.event.priority ?? 0))] : group.map((f) => [f]);
    for (const members of parts) {
      const first = members[0];
      const guardedName = (f: Firing): string => (f.guarded ? tr.names.fresh(`${nameOf(f.event)}_t0`) : nameOf(f.event));
      const then = lastWriters(members).flatMap(([f, a]) => assignmentLine(f, a, tr));
      out.push({
        name: guardedName(first),
        ...('at' in first.trigger ? { at: [first.trigger.at] } : { when: first.trigger.when, direction: 'rising' as const }),
        ...(then.length > 0 ? { then } : {}),
      });
    }
  }
  return out;
}

/** The members' assignments in order, each variable's from the last member that assigns it (values are from the trigger time, so the earlier ones are simply overwritten). */
function lastWriters(members: readonly Firing[]): [Firing, SbmlEventAssignment][] {
  const all = members.flatMap((f) => f.event.assignments.map((a): [Firing, SbmlEventAssignment] => [f, a]));
  return all.filter(([, a], i) => !all.slice(i + 1).some(([, b]) => b.variable === a.variable));
}

function assignmentLine(f: Firing, a: SbmlEventAssignment, tr: EventTranslation): string {
  const guard = f.guarded ? tr.text(f.event.trigger!, { where: `the trigger of ${f.event.label}`, elementId: f.event.id ?? f.event.label }) : undefined;
  const { target, value } = tr.assign(f.event, a.variable, tr.text(a.math, a.ctx), a.ctx);
  return guard === undefined ? `${target} = ${value}` : `${target} = ((${guard}) != 0) ? (${value}) : ${target}`;
}

/** Refuses an event with a crossing that another event's assignments could make true at once (see the header). */
function checkCascades(firings: readonly Firing[], tr: EventTranslation): void {
  const assigners = [...new Set(firings.map((f) => f.event))].filter((e) => e.assignments.length > 0);
  for (const f of firings) {
    if (!('when' in f.trigger)) continue;
    const b = f.event;
    const reads = tr.reads(b.trigger!);
    for (const a of assigners) {
      if (a === b || !a.assignments.some((x) => reads.has(x.variable))) continue;
      const after = tr.after(b.trigger!, new Map(a.assignments.map((x) => [x.variable, x.math])));
      const ctx = { where: `the trigger of ${b.label}`, elementId: b.id ?? b.label };
      const constantFalse = symbolsOf(after).size === 0 && !usesTime(after) && evaluate(after, () => NaN, 0, ctx) === 0;
      if (!constantFalse) {
        refuse(b, `An event whose trigger the assignments of ${a.label} can make true at the instant they run (cubie fires events where their trigger crosses along the solution, not after another event)`);
      }
    }
  }
}

/**
 * Whether the firings of one group (they happen at the same instant) must be
 * one cubie event; refuses groups whose result would depend on an order.
 */
function checkGroup(group: readonly Firing[], tr: EventTranslation): boolean {
  if (group.length === 1) return false;
  const writes = group.map((f) => new Set(f.event.assignments.map((a) => a.variable)));
  const readsOf = (f: Firing): Set<string> => {
    const out = new Set<string>();
    for (const a of f.event.assignments) for (const id of tr.reads(a.math)) out.add(id);
    if (f.guarded) for (const id of tr.reads(f.event.trigger!)) out.add(id);
    return out;
  };
  const reads = group.map(readsOf);
  const names = (i: number, j: number): string => `${group[i].event.label} and ${group[j].event.label}`;
  let interfere = false;
  for (let i = 0; i < group.length; i++) {
    for (let j = 0; j < group.length; j++) {
      if (i === j) continue;
      const both = [...writes[i]].find((v) => writes[j].has(v));
      if (both !== undefined && i < j) {
        // the one executed last wins: known when both have different constant priorities (and neither is a guarded t0 firing)
        const [p, q] = [group[i].event.priority, group[j].event.priority];
        if (p === undefined || q === undefined || Number.isNaN(p) || Number.isNaN(q) || p === q || group[i].guarded || group[j].guarded) {
          refuse(group[i].event, `Events that fire at the same time and both assign '${both}' (${names(i, j)}: the result depends on an order that constant, different priorities do not fix)`);
        }
        interfere = true;
      }
      const other = group[j].event;
      if (!other.persistent && [...tr.reads(other.trigger!)].some((v) => writes[i].has(v))) {
        refuse(other, `A non-persistent event whose trigger an event firing at the same time changes (${names(i, j)})`);
      }
      if ([...writes[i]].some((v) => reads[j].has(v))) interfere = true;
    }
  }
  if (interfere) {
    const late = group.find((f) => !f.event.useValuesFromTriggerTime);
    if (late !== undefined) refuse(late.event, 'An event that uses values from its execution time and fires together with one that changes them');
  }
  return interfere;
}
