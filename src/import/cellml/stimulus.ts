/**
 * A step-size hint for paced models. A stimulus current is a pulse of 1-2
 * ms in a cycle of hundreds; an adaptive solver resting between beats takes
 * steps longer than the pulse and can step over it, so the cell is never
 * excited. The pulse's duration is found from the model's annotation (the
 * Oxford metadata term `membrane_stimulus_current_duration` that Chaste's
 * models carry, on the variable's cmeta:id), or failing that a parameter
 * named like `stim..duration`; dtMax is half of it, so that some step ends
 * inside every pulse and the error control then sees it.
 */
const DURATION_TERM = 'membrane_stimulus_current_duration';
const DURATION_NAME = /^(i_?)?stim(ulus)?_?(pulse_?)?(duration|width)$|^(i_?)?stim(ulus)?.*_duration$/i;

export interface DurationCandidate {
  /** The variable's name in its component. */
  readonly variable: string;
  readonly cmetaId?: string;
  /** Its value at t0 in the model's time units, when it is a constant. */
  readonly valueInTimeUnits: number | undefined;
}

export function stimulusDuration(
  candidates: readonly DurationCandidate[], annotations: ReadonlyMap<string, readonly string[]>,
): { duration: number; from: string } | undefined {
  const annotated = candidates.find((c) => c.cmetaId !== undefined
    && (c.cmetaId === DURATION_TERM || (annotations.get(c.cmetaId) ?? []).some((r) => r.endsWith(`#${DURATION_TERM}`))));
  const chosen = annotated ?? candidates.find((c) => DURATION_NAME.test(c.variable));
  if (chosen === undefined || chosen.valueInTimeUnits === undefined || !(chosen.valueInTimeUnits > 0)) return undefined;
  return { duration: chosen.valueInTimeUnits, from: chosen.variable };
}
