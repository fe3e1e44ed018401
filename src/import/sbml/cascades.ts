/**
 * Cascades: SBML fires an event B the instant another event A's assignments
 * make B's trigger go from false to true. cubie finds crossings along the
 * solution only (after an event it takes the `when` values afresh), so it
 * would miss that firing. The import therefore writes B's firing into A's
 * assignments: with `after(x)` the value of x just after A (A's values put
 * in, assignment rules and rates written out), A also runs
 *   y = (after(triggerB) and not triggerB) ? after(valueB) : y
 * for each assignment of B (for a delayed B: its scheduling). B's values are
 * those at its trigger time, just after A, as SBML says; B's own crossing
 * does not fire again, as its `when` is taken afresh after A.
 *
 * A delayed event whose own execution makes its trigger true again is
 * rescheduled by that execution the same way.
 *
 * Refused (never guessed): a cascade whose values cannot be written out
 * (a rate with local parameters, a concentration whose compartment A
 * changes, rateOf, values A takes from states it keeps), B assigning what A
 * assigns or what another event of the same instant assigns, and a chain
 * (B's assignments making a third event, or A, true).
 */
import { evaluate, symbolsOf, usesTime, type MathNode } from '../mathml';
import { refuse, type Part, type PartsOut } from './event-parts';
import type { EventTranslation, SbmlEvent } from './events';
import { triggerForm } from './triggers';

export function addCascades(events: readonly SbmlEvent[], out: PartsOut, tr: EventTranslation): void {
  const watched = events.filter((b) => b.trigger !== undefined && triggerForm(b.trigger).kind === 'gap');
  // what each part assigns, before any cascade lines are added
  const ownWrites = new Map(out.parts.map((p) => [p, new Set(p.writes)]));
  for (const part of out.parts) {
    const writes = ownWrites.get(part)!;
    if (writes.size === 0) continue;
    const fired: SbmlEvent[] = [];
    for (const b of watched) {
      const reads = tr.reads(b.trigger!);
      if (![...writes].some((v) => reads.has(v))) continue;
      if (b === part.event && b.delay === undefined) continue; // true just before its own assignments: no transition
      // the same crossing: it fires at this instant by itself (simultaneous events, events.ts), not after A
      if (out.parts.some((p) => p.event === b && !p.guarded && p.key === part.key && part.key.startsWith('when '))) continue;
      // a guarded t0 firing whose trigger is B's: B was true before A, so no transition
      if (part.guarded && sameTrigger(part.event, b, tr)) continue;
      const why = (what: string): never => refuse(b, `An event whose trigger the assignments of ${part.event.label} can make true at the instant they run (${what})`);
      const assigned = part.assigned;
      if (assigned === undefined) why('values from the trigger time kept in states');
      const after = (m: MathNode): MathNode | undefined => tr.after(m, assigned!);
      const triggerAfter = after(b.trigger!) ?? why('a value that cannot be written out after those assignments');
      if (symbolsOf(triggerAfter).size === 0 && !usesTime(triggerAfter) && evaluate(triggerAfter, () => NaN, 0, { where: b.label, elementId: b.id ?? b.label }) === 0) continue;
      const ctx = { where: `the trigger of ${b.label}`, elementId: b.id ?? b.label };
      // a guarded t0 firing assigns only where its own trigger holds
      const guard = part.guarded ? `((${tr.text(part.event.trigger!, ctx)}) != 0) and ` : '';
      const cond = `${guard}((${tr.text(triggerAfter, ctx)}) != 0) and ((${tr.text(b.trigger!, ctx)}) == 0)`;
      // a delayed event's own execution making it true again reschedules it in place of clearing its pending time
      const own = b === part.event;
      const effect = own ? out.selfEffects.get(b) : out.effects.get(b);
      if (effect === undefined) why('its own execution');
      const lines = effect!(cond, after) ?? why('a value that cannot be written out after those assignments');
      if (own) {
        const replaced = new Set(lines.map((l) => l.target));
        part.lines.splice(0, part.lines.length, ...part.lines.filter((l) => !replaced.has(l.target)));
      }
      for (const a of b.assignments) {
        // a target whose value depends on what A changes (a concentration in a compartment A resizes) would be set with the old size
        if ([...tr.reads({ k: 'sym', id: a.variable })].some((v) => v !== a.variable && writes.has(v))) why(`'${a.variable}' depends on what it changes`);
      }
      const clash = lines.find((l) => part.lines.some((m) => m.target === l.target));
      if (clash !== undefined) why(`both assign '${clash.target.replace(/^#/, '')}'`);
      const sameInstant = out.parts.filter((p) => p !== part && p.key === part.key);
      const shared = lines.find((l) => sameInstant.some((p) => p.lines.some((m) => m.target === l.target)));
      if (shared !== undefined) why(`'${shared.target.replace(/^#/, '')}' is assigned by another event of that instant too`);
      part.lines.push(...lines);
      for (const a of b.assignments) part.writes.add(a.variable);
      for (const id of tr.reads(b.trigger!)) part.reads.add(id);
      for (const a of b.assignments) for (const id of tr.reads(a.math)) part.reads.add(id);
      fired.push(b);
    }
    refuseChains(part, fired, watched, tr);
  }
}

function sameTrigger(a: SbmlEvent, b: SbmlEvent, tr: EventTranslation): boolean {
  const ctx = { where: 'a trigger', elementId: '' };
  return tr.text(a.trigger!, ctx) === tr.text(b.trigger!, ctx);
}

/** A cascaded event's assignments must not make another watched event true in turn. */
function refuseChains(part: Part, fired: readonly SbmlEvent[], watched: readonly SbmlEvent[], tr: EventTranslation): void {
  for (const b of fired) {
    if (b.delay !== undefined) continue; // it only schedules
    const writes = new Set(b.assignments.map((a) => a.variable));
    for (const c of watched) {
      if (c === b) continue;
      if ([...tr.reads(c.trigger!)].some((v) => writes.has(v))) {
        refuse(c, `A chain of events firing at once (${part.event.label}, then ${b.label}, then this event)`);
      }
    }
  }
}
