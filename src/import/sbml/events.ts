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
 *   - two members assigning the same variable are merged in priority order
 *     (the last executed wins) where both have constant, different
 *     priorities, and refused otherwise (SBML leaves the order random);
 *     execution-time values with such interference, or a non-persistent
 *     member whose trigger another member changes, are refused.
 * Cascades (an event making another one true at once) are written into
 * the first one's assignments (cascades.ts).
 *
 * Delays (a positive number, or math taken at the trigger time) are carried
 * by states the import adds (event-parts.ts).
 */
import { CubieError } from '../../shared/errors';
import type { EventDefinition } from '../../system';
import { evaluate, inlineCalls, readMath, symbolsOf, usesTime, type MathContext, type MathNode } from '../mathml';
import type { NameTable } from './names';
import { eventParts, refuse, type Part, type PartLine, type PartsOut } from './event-parts';
import { addCascades } from './cascades';
import { triggerForm } from './triggers';
import { childNamed, childrenNamed, type XmlElement } from '../xml';

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
  /** The priority's math where it depends on the state (priority NaN), read at the instant the event runs. */
  readonly priorityMath?: MathNode;
  readonly priorityCtx?: MathContext;
  /** The delay: a positive number, NaN where it is math (`delayMath`), undefined for none. */
  readonly delay: number | undefined;
  /** The delay's math where it is not a number (evaluated at each trigger time). */
  readonly delayMath?: MathNode;
  readonly delayCtx?: MathContext;
  readonly assignments: readonly SbmlEventAssignment[];
}

type Functions = ReadonlyMap<string, { params: string[]; body: MathNode }>;

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

/** The model's events, read; constant delays that are not positive refused. */
export function readEvents(model: XmlElement, functions: Functions, warnings: string[]): SbmlEvent[] {
  const events = childrenNamed(model, 'listOfEvents').flatMap((l) => childrenNamed(l, 'event'));
  return events.map((el, i) => {
    const id = el.attrs.id;
    const label = id !== undefined ? `<event> '${id.slice(0, 64)}'` : `<event> #${i + 1}`;
    const self = { id, label };
    const ctxOf = (what: string): MathContext => ({ where: `${what} of ${label}`, elementId: id ?? `event #${i + 1}` });
    const delayMath = mathChild(childNamed(el, 'delay'));
    let delay: number | undefined;
    let delayExpr: { delayMath: MathNode; delayCtx: MathContext } | undefined;
    if (delayMath !== undefined) {
      const dctx = ctxOf('the delay');
      const d = inlineCalls(readMath(delayMath, dctx), functions, dctx);
      if (symbolsOf(d).size > 0 || usesTime(d)) {
        delay = NaN; // math, evaluated at each trigger time (event-parts.ts)
        delayExpr = { delayMath: d, delayCtx: dctx };
      } else {
        delay = evaluate(d, () => NaN, 0, dctx);
        if (!(delay > 0) || !Number.isFinite(delay)) refuse(self, `A delay of ${delay} (cubie carries positive delays)`);
      }
    }
    const triggerEl = childNamed(el, 'trigger');
    const triggerMath = mathChild(triggerEl);
    const tctx = ctxOf('the trigger');
    const trigger = triggerMath === undefined ? undefined : inlineCalls(readMath(triggerMath, tctx), functions, tctx);
    if (trigger === undefined) warnings.push(`${label} has no trigger math and never fires; it is left out`);
    const priorityMath = mathChild(childNamed(el, 'priority'));
    let priority: number | undefined;
    let priorityExpr: { priorityMath: MathNode; priorityCtx: MathContext } | undefined;
    if (priorityMath !== undefined) {
      const pctx = ctxOf('the priority');
      const p = inlineCalls(readMath(priorityMath, pctx), functions, pctx);
      priority = symbolsOf(p).size === 0 && !usesTime(p) ? evaluate(p, () => NaN, 0, pctx) : NaN;
      if (Number.isNaN(priority)) priorityExpr = { priorityMath: p, priorityCtx: pctx };
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
      id, label, trigger, assignments, priority, ...priorityExpr, delay, ...delayExpr,
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
  /**
   * The math's value just after assignments (`assigned`: id → math of the value, read before them): those ids replaced,
   * and assignment rules and rates that depend on them written out; undefined where that cannot be written exactly.
   */
  after(math: MathNode, assigned: ReadonlyMap<string, MathNode>): MathNode | undefined;
  /** Names of states the event import adds that math may read as `#name` (values kept from a trigger time). */
  readonly added: Set<string>;
}

export interface BuiltEvents {
  readonly events: EventDefinition[];
  /** States the import adds for delays, with their initial values (each with derivative 0). */
  readonly states: Record<string, number>;
}

export function buildEvents(events: readonly SbmlEvent[], tr: EventTranslation, warnings: string[]): BuiltEvents {
  const out: PartsOut = { parts: [], states: {}, effects: new Map(), selfEffects: new Map() };
  for (const event of events) eventParts(event, tr, warnings, out);
  checkCancellations(events, tr);
  addCascades(events, out, tr);

  const groups = new Map<string, Part[]>();
  for (const p of out.parts) {
    const g = groups.get(p.key);
    if (g === undefined) groups.set(p.key, [p]);
    else g.push(p);
  }
  const definitions: EventDefinition[] = [];
  for (const group of groups.values()) {
    const merge = checkGroup(group, tr);
    // merged by constant priorities: in the order SBML executes them (highest first), so that the last writer of a
    // variable wins; by priorities at the instant: in definition order, linesByPriority choosing the winner
    const sets = merge === 'separate' ? group.map((p) => [p])
      : merge === 'by constant priority' ? [[...group].sort((a, b) => (b.event.priority ?? 0) - (a.event.priority ?? 0))] : [[...group]];
    for (const members of sets) {
      const first = members[0];
      const lines = merge === 'by priority at the instant' ? linesByPriority(members[0], members[1], tr) : members.flatMap((p) => p.lines);
      const then = lastWriters(lines).map((l) => l.text);
      definitions.push({
        name: first.name,
        ...('at' in first.trigger ? { at: [first.trigger.at] } : { when: first.trigger.when, direction: first.trigger.direction }),
        ...(then.length > 0 ? { then } : {}),
      });
    }
  }
  return { events: definitions, states: out.states };
}

/**
 * Two parts of one instant whose priorities are math, as one list of lines: a
 * variable both assign (different values) gets the value of the one SBML runs
 * last, the lower priority at the instant (every right side, the priorities'
 * included, reads the values before the assignments). SBML re-evaluates the
 * priorities after each event, which for two events cannot change which runs
 * last; a tie is SBML's random order, here the first part's value.
 */
function linesByPriority(a: Part, b: Part, tr: EventTranslation): PartLine[] {
  const priority = (p: Part): string => tr.text(p.event.priorityMath ?? { k: 'num', v: p.event.priority! }, p.event.priorityCtx ?? { where: `the priority of ${p.event.label}`, elementId: p.event.id ?? p.event.label });
  const [pa, pb] = [priority(a), priority(b)];
  const out: PartLine[] = [];
  for (const line of [...a.lines, ...b.lines]) {
    const other = lineOf(a.lines.includes(line) ? b : a, line.target);
    if (other === undefined || other.text === line.text) {
      out.push(line);
      continue;
    }
    if (out.some((l) => l.target === line.target)) continue;
    const [fromA, fromB] = a.lines.includes(line) ? [line, other] : [other, line];
    const [lhs, valueA] = splitLine(fromA);
    const [, valueB] = splitLine(fromB);
    out.push({ target: line.target, text: `${lhs} = ((${pa}) > (${pb})) ? (${valueB}) : (${valueA})` });
  }
  return out;
}

/** A part's last line assigning the target. */
function lineOf(part: Part, target: string): PartLine | undefined {
  return part.lines.filter((l) => l.target === target).pop();
}

function splitLine(line: PartLine): [string, string] {
  const at = line.text.indexOf(' = ');
  return [line.text.slice(0, at), line.text.slice(at + 3)];
}

/** Each target's line from the last part that assigns it (values are from the trigger time, so the earlier ones are simply overwritten). */
function lastWriters(lines: readonly PartLine[]): PartLine[] {
  return lines.filter((l, i) => !lines.slice(i + 1).some((m) => m.target === l.target));
}

/**
 * A non-persistent delayed event is cancelled where its trigger goes false
 * along the solution; another event's assignments making it false would be
 * missed, so those are refused (its own run when nothing of it is pending).
 */
function checkCancellations(events: readonly SbmlEvent[], tr: EventTranslation): void {
  for (const b of events) {
    if (b.trigger === undefined || b.persistent || b.delay === undefined || triggerForm(b.trigger).kind !== 'gap') continue;
    const reads = tr.reads(b.trigger);
    for (const a of events) {
      if (a !== b && a.trigger !== undefined && a.assignments.some((x) => reads.has(x.variable))) {
        refuse(b, `A non-persistent delayed event whose trigger the assignments of ${a.label} change`);
      }
    }
  }
}

/**
 * Whether the parts of one instant must be one cubie event; refuses
 * instants whose result would depend on an order.
 */
type GroupMerge = 'separate' | 'by constant priority' | 'by priority at the instant';

function checkGroup(group: readonly Part[], tr: EventTranslation): GroupMerge {
  if (group.length === 1) return 'separate';
  const names = (i: number, j: number): string => `${group[i].event.label} and ${group[j].event.label}`;
  let interfere = false;
  let atInstant = false;
  for (let i = 0; i < group.length; i++) {
    for (let j = 0; j < group.length; j++) {
      if (i === j) continue;
      const [a, b] = [group[i], group[j]];
      const shared = [...a.writes].filter((v) => b.writes.has(v));
      if (shared.length > 0 && i < j) interfere = true;
      // a variable both set to the same value (the same text, read before either runs) does not depend on their order
      const both = shared.find((v) => lineOf(a, v)?.text !== lineOf(b, v)?.text);
      if (both !== undefined && i < j) {
        // the one executed last wins: known when both have different constant priorities, or (two events) priorities that
        // are math, compared at the instant; neither may be a guarded t0 firing
        const [p, q] = [a.event.priority, b.event.priority];
        const constant = p !== undefined && q !== undefined && !Number.isNaN(p) && !Number.isNaN(q) && p !== q;
        const math = p !== undefined && q !== undefined && (Number.isNaN(p) || Number.isNaN(q)) && group.length === 2;
        if ((!constant && !math) || a.guarded || b.guarded) {
          refuse(a.event, `Events that fire at the same time and both assign '${both}' (${names(i, j)}: the result depends on an order that their priorities do not fix)`);
        }
        if (math) atInstant = true;
      }
      if (b.cancellable && [...a.writes].some((v) => tr.reads(b.event.trigger!).has(v))) {
        refuse(b.event, `A non-persistent event whose trigger an event firing at the same time changes (${names(i, j)})`);
      }
      if ([...a.writes].some((v) => b.reads.has(v))) interfere = true;
    }
  }
  if (!interfere) return 'separate';
  const late = group.find((p) => !p.event.useValuesFromTriggerTime && p.writes.size > 0);
  if (late !== undefined) refuse(late.event, 'An event that uses values from its execution time and fires together with one that changes them');
  const first = group[0].trigger;
  const same = group.every((p) => ('at' in first && 'at' in p.trigger && p.trigger.at === first.at)
    || ('when' in first && 'when' in p.trigger && p.trigger.when === first.when && p.trigger.direction === first.direction));
  if (!same) refuse(group[0].event, `Events that run at the same time through different cubie events and change what the others read (${group.map((p) => p.event.label).join(', ')})`);
  return atInstant ? 'by priority at the instant' : 'by constant priority';
}
