/**
 * The stimulus protocol a model's Oxford metadata describe, used where the
 * file's own stimulus current cannot be the pulse those metadata describe.
 *
 * Chaste's models annotate the stimulus current and its regular square wave
 * (`membrane_stimulus_current` and `..._amplitude`, `..._duration`,
 * `..._period`, optionally `..._offset` and `..._end`), and Chaste's code
 * generator (chaste_codegen) builds its own RegularStimulus from those
 * annotations for every model, whatever the file's equation for the current
 * says (Chaste user guide, "Code generation from CellML", standardised
 * names). cubie keeps the file's equation, as CellML means it, except in two
 * cases where the file's current cannot be the annotated pulse:
 *   - the annotated current has no equation, only a constant nonzero value
 *     (a current that never switches off, though a period and duration are
 *     annotated);
 *   - its equation is not in the units the current declares, judged from
 *     the declared units of the variables it reads (dimensions.ts): e.g. an
 *     amplitude already in A/F divided again by a capacitance in F.
 * There the current becomes amplitude while offset <= t <= end and
 * (t - offset) mod period <= duration, else 0, as Chaste's RegularStimulus;
 * offset 0 and no end when not annotated. The amplitude keeps the file's
 * sign (the file's dV/dt decides which sign depolarises) and is converted to
 * the current's units; times to the model's time units. A warning says so.
 */
import type { MathNode } from '../mathml';
import { inferDimensions, sameDims } from './dimensions';
import type { UnitValue } from './units';

const TERM = 'membrane_stimulus_current';
const PARTS = ['amplitude', 'duration', 'period', 'offset', 'end'] as const;
type Part = (typeof PARTS)[number];

/** What the import knows of one quantity (a set of connected variables), as far as the protocol needs. */
export interface ProtocolQuantity {
  readonly root: string;
  readonly role: string;
  /** Its source variable: component, name, cmeta:id. */
  readonly component: string;
  readonly variable: string;
  readonly cmetaId?: string;
  /** Its equation (algebraic), when it has one. */
  readonly equation?: { readonly component: string; readonly rhs: MathNode };
}

export interface ProtocolContext {
  readonly quantities: readonly ProtocolQuantity[];
  readonly annotations: ReadonlyMap<string, readonly string[]>;
  /** Units of a variable of a component (by its local name); undefined when they cannot be read. */
  unitsIn(component: string, variable: string): UnitValue | undefined;
  readonly timeUnits: UnitValue;
  /** The quantity's value at t0 (parameters). */
  valueOf(q: ProtocolQuantity): number;
  /** The quantity as cubie text in the units of `to`'s source, or in the model's time units ('time'); undefined when incompatible. */
  textOf(q: ProtocolQuantity, to: ProtocolQuantity | 'time'): string | undefined;
}

export interface MetadataStimulus {
  /** The stimulus current's quantity, and the text that now defines it. */
  readonly current: ProtocolQuantity;
  readonly text: string;
  /** Quantities the text reads. */
  readonly reads: readonly ProtocolQuantity[];
  readonly reason: string;
}

function annotated(ctx: ProtocolContext, term: string): ProtocolQuantity | undefined {
  return ctx.quantities.find((q) => q.cmetaId !== undefined
    && (q.cmetaId === term || (ctx.annotations.get(q.cmetaId) ?? []).some((r) => r.endsWith(`#${term}`))));
}

/** Why the file's stimulus current cannot be the annotated pulse; undefined when it can (or cubie cannot tell). */
function brokenBecause(ctx: ProtocolContext, current: ProtocolQuantity): string | undefined {
  if (current.role === 'parameter') {
    const v = ctx.valueOf(current);
    return v !== 0 ? `it has no equation, only the constant value ${v}, which never switches off` : undefined;
  }
  const e = current.equation;
  const declared = ctx.unitsIn(current.component, current.variable);
  if (e === undefined || declared === undefined) return undefined;
  const inferred = inferDimensions(e.rhs, (id) => ctx.unitsIn(e.component, id), ctx.timeUnits);
  if (inferred === 'inconsistent') return 'its equation adds or chooses between terms of different dimensions';
  if (typeof inferred === 'object' && !sameDims(inferred.dims, declared.dims)) return 'its equation is not in the units the current declares';
  return undefined;
}

export function metadataStimulus(ctx: ProtocolContext): MetadataStimulus | undefined {
  const current = annotated(ctx, TERM);
  if (current === undefined || (current.role !== 'parameter' && current.role !== 'auxiliary')) return undefined;
  const parts = Object.fromEntries(PARTS.map((p) => [p, annotated(ctx, `${TERM}_${p}`)])) as Record<Part, ProtocolQuantity | undefined>;
  const { amplitude, duration, period, offset, end } = parts;
  if (amplitude === undefined || duration === undefined || period === undefined) return undefined;
  const used = [amplitude, duration, period, offset, end].filter((q): q is ProtocolQuantity => q !== undefined);
  if (used.some((q) => q === current || (q.role !== 'parameter' && q.role !== 'auxiliary'))) return undefined;
  const reason = brokenBecause(ctx, current);
  if (reason === undefined) return undefined;
  const amp = ctx.textOf(amplitude, current);
  const times = [duration, period, offset, end].map((q) => (q === undefined ? undefined : ctx.textOf(q, 'time')));
  if (amp === undefined || times.some((t, i) => t === undefined && [duration, period, offset, end][i] !== undefined)) return undefined;
  const [dur, per, off, stop] = times;
  const since = off === undefined ? 't' : `(t - ${off})`;
  const conditions = [
    ...(off === undefined ? ['(t >= 0)'] : [`(t >= ${off})`]),
    ...(stop === undefined ? [] : [`(t <= ${stop})`]),
    `((${since} - floor(${since} / ${per}) * ${per}) <= ${dur})`,
  ];
  return {
    current,
    text: `(${conditions.join(' and ')}) ? ${amp} : 0`,
    reads: used,
    reason: `The stimulus current '${current.component}.${current.variable}' is the regular pulse its Oxford metadata describe `
      + `(amplitude '${amplitude.variable}', duration '${duration.variable}', period '${period.variable}'`
      + `${offset ? `, offset '${offset.variable}'` : ', offset 0'}${end ? `, end '${end.variable}'` : ''}), as Chaste builds it: `
      + `as written, ${reason}`,
  };
}
