/**
 * One SBML event as the cubie events ("parts") that carry it out.
 *
 * Without a delay, an event is one part per way it fires: its trigger as a
 * time (`at`) or as a gap rising through zero (`when`, triggers.ts), plus a
 * companion at t0 where initialValue is false (SBML fires a trigger already
 * true at t0 then; a crossing never fires at t0), whose assignments apply
 * only where the trigger holds: `x = (trigger) ? value : x`.
 *
 * With a delay D (a positive number, or math taken at the trigger time: a
 * value that is not positive there stops the run), SBML runs the assignments D after the
 * trigger fires, with values from the trigger time (useValuesFromTriggerTime,
 * default true) or from the execution time. cubie has no delayed
 * assignments, so the import adds states that remember what is pending:
 *   - `<event>_value<k>`: the value of assignment k at the trigger time (only
 *     for values that are not a constant);
 *   - for a trigger that is a time c (it fires once) and a number D, the
 *     execution is simply `at: [c + D]`, landed on exactly;
 *   - otherwise `<event>_due`, the time the pending execution is due (1e30
 *     when none): the trigger sets it to t + D, and a part
 *     `when: t - <event>_due` (rising) runs the assignments and clears it.
 *     SBML may have several executions of one event pending; cubie keeps one:
 *     a trigger while one is pending sets `_due` to NaN, which ends that run
 *     with NONFINITE (a failed run, never a silently wrong one);
 *   - persistent="false": a part watching the gap falling through zero
 *     clears `_due` (the trigger went false before the execution).
 */
import type { MathContext, MathNode } from '../mathml';
import { formatNumber, symbolsOf, usesTime } from '../mathml';
import { triggerForm } from './triggers';
import { CubieError } from '../../shared/errors';
import type { EventTranslation, SbmlEvent } from './events';

/** UNSUPPORTED_SBML naming the event. */
export function refuse(event: { readonly id: string | undefined; readonly label: string }, what: string): never {
  throw new CubieError('UNSUPPORTED_SBML', `${what} (${event.label}) is not supported by cubie's SBML import`, {
    where: event.label, element: 'event', ...(event.id !== undefined ? { sbmlId: event.id } : {}),
  });
}

/** No execution pending: far beyond any run, so `t - due` stays negative; finite in float32 too. */
export const NOT_DUE = 1e30;
const NOT_DUE_TEXT = '1e30';
/** Below this, an execution is pending. */
const PENDING_BELOW = '1e29';

/** One assignment of a part: `target` is an SBML id, or `#name` for a state the import added. */
export interface PartLine {
  readonly target: string;
  readonly text: string;
}

export type PartTrigger = { readonly at: number } | { readonly when: string; readonly direction: 'rising' | 'falling' };

export interface Part {
  /** Parts with the same key fire at the same instant. */
  readonly key: string;
  readonly event: SbmlEvent;
  readonly name: string;
  readonly trigger: PartTrigger;
  /** A t0 firing that applies only where the trigger holds. */
  readonly guarded: boolean;
  /** SBML ids it assigns. */
  readonly writes: Set<string>;
  /** SBML ids its right sides (and its guard) read at the instant it fires. */
  readonly reads: Set<string>;
  readonly lines: PartLine[];
  /** What it assigns, as math of the values just before it (undefined where values come from states it keeps); a guarded part assigns them where its trigger holds. */
  readonly assigned?: ReadonlyMap<string, MathNode>;
  /** A non-persistent event without delay: it must not be cancelled by another part of its instant. */
  readonly cancellable: boolean;
}

export interface PartsOut {
  readonly parts: Part[];
  /**
   * For an event with a crossing trigger: its firing as extra lines of another
   * event that makes its trigger true (cascades.ts), under `cond`, with each
   * value written as `after` gives it (undefined: not possible).
   */
  readonly effects: Map<SbmlEvent, (cond: string, after: (m: MathNode) => MathNode | undefined) => PartLine[] | undefined>;
  /** For a delayed event with a crossing trigger: its execution's lines that clear or, under `cond` (its own assignments make it true again), reschedule it. */
  readonly selfEffects: Map<SbmlEvent, (cond: string, after: (m: MathNode) => MathNode | undefined) => PartLine[] | undefined>;
  /** States the import adds (pending times and remembered values), with their initial values. */
  readonly states: Record<string, number>;
}

const sameTimeAsTrigger = (m: MathNode): boolean => symbolsOf(m).size === 0 && !usesTime(m);

export function eventParts(event: SbmlEvent, tr: EventTranslation, warnings: string[], out: PartsOut): void {
  if (event.trigger === undefined) return;
  const trigger = event.trigger;
  const form = triggerForm(trigger);
  const ctx: MathContext = { where: `the trigger of ${event.label}`, elementId: event.id ?? event.label };
  const name = event.id !== undefined ? tr.names.name(event.id) : tr.names.fresh('event');
  const guardText = (): string => tr.text(trigger, ctx);
  const readsOf = (maths: readonly MathNode[]): Set<string> => {
    const set = new Set<string>();
    for (const m of maths) for (const id of tr.reads(m)) set.add(id);
    return set;
  };
  const guardedLine = (guard: string | undefined, target: string, text: string, self: string): PartLine => ({
    target, text: guard === undefined ? `${self} = ${text}` : `${self} = ((${guard}) != 0) ? (${text}) : ${self}`,
  });

  /** Times (already due at the instant: no delay, or a time trigger) at which the event fires. */
  const times: { at: number; guarded: boolean }[] = [];
  let gap: string | undefined;
  switch (form.kind) {
    case 'refused':
      return refuse(event, `A trigger that is ${form.why}`);
    case 'constant':
      if (form.value && !event.initialValue) times.push({ at: tr.t0, guarded: false });
      else warnings.push(`The trigger of ${event.label} is always ${form.value}, so it never goes from false to true; it never fires and is left out`);
      break;
    case 'time':
      if (form.time > tr.t0) times.push({ at: form.time, guarded: false });
      else if (form.time === tr.t0 && trigger.k === 'op' && (trigger.op === 'gt' || trigger.op === 'lt')) {
        // false at t0 and true an instant later: neither a t0 firing nor a later one
        refuse(event, `A trigger 'time > ${form.time}' at the start time itself`);
      } else if (!event.initialValue) times.push({ at: tr.t0, guarded: false });
      else warnings.push(`The trigger of ${event.label} is already true at t0 = ${tr.t0} and initialValue is true; it never fires and is left out`);
      break;
    case 'gap':
      gap = tr.text(form.gap, ctx);
      if (!event.initialValue) times.push({ at: tr.t0, guarded: true });
      break;
  }
  const assigned = (variable: string, value: string, actx: MathContext) => tr.assign(event, variable, value, actx);
  const writes = new Set(event.assignments.map((a) => a.variable));
  const rhsReads = readsOf(event.assignments.map((a) => a.math));
  const triggerReads = readsOf([trigger]);

  const rhs = new Map(event.assignments.map((a) => [a.variable, a.math]));
  if (event.delay === undefined) {
    if (gap !== undefined) {
      out.effects.set(event, (cond, after) => {
        const lines: PartLine[] = [];
        for (const a of event.assignments) {
          const value = after(a.math);
          if (value === undefined) return undefined;
          const { target, value: text } = assigned(a.variable, tr.text(value, a.ctx), a.ctx);
          lines.push({ target: a.variable, text: `${target} = (${cond}) ? (${text}) : ${target}` });
        }
        return lines;
      });
    }
    const lines = (guard: string | undefined): PartLine[] => event.assignments.map((a) => {
      const { target, value } = assigned(a.variable, tr.text(a.math, a.ctx), a.ctx);
      return guardedLine(guard, a.variable, value, target);
    });
    for (const { at, guarded } of times) {
      out.parts.push({
        key: `at ${at}`, event, name: guarded ? tr.names.fresh(`${name}_t0`) : name, trigger: { at }, guarded,
        writes: new Set(writes), reads: guarded ? new Set([...rhsReads, ...triggerReads]) : new Set(rhsReads), lines: lines(guarded ? guardText() : undefined), cancellable: !event.persistent,
        assigned: rhs,
      });
    }
    if (gap !== undefined) {
      out.parts.push({
        key: `when ${gap}`, event, name, trigger: { when: gap, direction: 'rising' }, guarded: false,
        writes: new Set(writes), reads: new Set(rhsReads), lines: lines(undefined), cancellable: !event.persistent, assigned: rhs,
      });
    }
    return;
  }

  // ---- delayed
  const delay = event.delay;
  // values from the trigger time that are not constants are remembered in states
  const held = new Map<number, string>();
  if (event.useValuesFromTriggerTime) {
    event.assignments.forEach((a, k) => {
      if (sameTimeAsTrigger(a.math)) return;
      const state = tr.names.fresh(`${name}_value${k + 1}`);
      out.states[state] = 0;
      tr.added.add(state);
      held.set(k, state);
    });
  }
  const holdLines = (guard: string | undefined): PartLine[] => event.assignments.flatMap((a, k) => {
    const state = held.get(k);
    return state === undefined ? [] : [guardedLine(guard, `#${state}`, tr.text(a.math, a.ctx), state)];
  });
  const heldReads = readsOf(event.assignments.filter((_, k) => held.has(k)).map((a) => a.math));
  const execLines: PartLine[] = event.assignments.map((a, k) => {
    const value = held.get(k) ?? tr.text(a.math, a.ctx);
    const { target, value: text } = assigned(a.variable, value, a.ctx);
    return { target: a.variable, text: `${target} = ${text}` };
  });
  /** What the execution assigns, as math: a kept value as `#state` (cascades.ts writes it out after the execution). */
  const execAssigned = new Map(event.assignments.map((a, k): [string, MathNode] => {
    const state = held.get(k);
    return [a.variable, state === undefined ? a.math : { k: 'sym', id: `#${state}` }];
  }));
  // values from the execution time are read then
  const execReads = readsOf(event.assignments.filter((_, k) => !held.has(k)).map((a) => a.math));

  if (gap === undefined && Number.isFinite(delay)) {
    // a time (or t0) and a number: it fires once, so the execution is a time too
    for (const { at } of times) {
      const hold = holdLines(undefined);
      if (hold.length > 0) {
        out.parts.push({ key: `at ${at}`, event, name: tr.names.fresh(`${name}_trigger`), trigger: { at }, guarded: false, writes: new Set(), reads: new Set(heldReads), lines: hold, cancellable: false });
      }
      out.parts.push({
        key: `at ${at + delay}`, event, name, trigger: { at: at + delay }, guarded: false, writes: new Set(writes), reads: new Set(execReads), lines: [...execLines], cancellable: false,
        assigned: execAssigned,
      });
    }
    return;
  }
  const due = tr.names.fresh(`${name}_due`);
  out.states[due] = NOT_DUE;
  // a delay given as math is taken at the trigger time; one that is not positive there stops the run (NaN) too
  const dueAt = (delayMath: MathNode | undefined): string => (delayMath === undefined
    ? `t + ${formatNumber(delay)}`
    : `((${tr.text(delayMath, event.delayCtx!)}) > 0) ? (t + (${tr.text(delayMath, event.delayCtx!)})) : (0 / 0)`);
  const scheduleFor = (delayMath: MathNode | undefined): string => `(${due} < ${PENDING_BELOW}) ? (0 / 0) : (${dueAt(delayMath)})`;
  const schedule = scheduleFor(event.delayMath);
  const triggerLines = (guard: string | undefined): PartLine[] => [guardedLine(guard, `#${due}`, schedule, due), ...holdLines(guard)];
  // What another event's firing (effects) or this event's own (selfEffects) writes into it under cond, with
  // values just after: the due time (`otherwise` where cond is false), then each value held since the trigger.
  const effectLines = (dueText: (delayAfter: MathNode | undefined) => string, otherwise: string) => (cond: string, after: (m: MathNode) => MathNode | undefined): PartLine[] | undefined => {
    const delayAfter = event.delayMath === undefined ? undefined : after(event.delayMath);
    if (event.delayMath !== undefined && delayAfter === undefined) return undefined;
    const lines: PartLine[] = [{ target: `#${due}`, text: `${due} = (${cond}) ? (${dueText(delayAfter)}) : ${otherwise}` }];
    for (const [k, state] of held) {
      const a = event.assignments[k];
      const value = after(a.math);
      if (value === undefined) return undefined;
      lines.push({ target: `#${state}`, text: `${state} = (${cond}) ? (${tr.text(value, a.ctx)}) : ${state}` });
    }
    return lines;
  };
  out.effects.set(event, effectLines(scheduleFor, due));
  const delayReads = event.delayMath === undefined ? [] : [...tr.reads(event.delayMath)];
  // Nothing is pending once it runs: no overlap to check.
  out.selfEffects.set(event, effectLines(dueAt, NOT_DUE_TEXT));
  for (const { at, guarded } of times) {
    // the guarded t0 firing of initialValue="false", or a time trigger with a delay given as math
    out.parts.push({
      key: `at ${at}`, event, name: tr.names.fresh(guarded ? `${name}_t0` : `${name}_trigger`), trigger: { at }, guarded,
      writes: new Set(), reads: new Set([...heldReads, ...delayReads, ...(guarded ? triggerReads : [])]), lines: triggerLines(guarded ? guardText() : undefined), cancellable: false,
    });
  }
  if (gap !== undefined) {
    out.parts.push({ key: `when ${gap}`, event, name: tr.names.fresh(`${name}_trigger`), trigger: { when: gap, direction: 'rising' }, guarded: false, writes: new Set(), reads: new Set([...heldReads, ...delayReads]), lines: triggerLines(undefined), cancellable: false });
  }
  out.parts.push({
    key: `due ${gap ?? times.map((x) => x.at).join(',')} + ${event.delayMath === undefined ? delay : schedule}`, event, name, trigger: { when: `t - ${due}`, direction: 'rising' }, guarded: false,
    writes: new Set(writes), reads: new Set(execReads), lines: [...execLines, { target: `#${due}`, text: `${due} = ${NOT_DUE_TEXT}` }], cancellable: false,
    assigned: execAssigned,
  });
  if (!event.persistent && gap !== undefined) {
    out.parts.push({
      key: `cancel ${name}`, event, name: tr.names.fresh(`${name}_cancel`), trigger: { when: gap, direction: 'falling' }, guarded: false,
      writes: new Set(), reads: new Set(), lines: [{ target: `#${due}`, text: `${due} = ${NOT_DUE_TEXT}` }], cancellable: false,
    });
  }
}
