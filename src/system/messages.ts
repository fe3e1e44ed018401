/**
 * How user text appears inside error messages: quoted, shortened, with
 * invisible characters spelled out (a zero-width joiner or a right-to-left
 * override must not hide what the message is pointing at).
 */

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const MAX_SHOWN = 80;

/** `text` fit for a message: invisible characters as \u{...}, at most ~80 characters. */
export function showText(text: string, max = MAX_SHOWN): string {
  const chars = [...text];
  const shortened = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
  return shortened.replace(INVISIBLE, (c) => codePoint(c));
}

/** "U+0445" for a character. */
export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function codePoint(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}

/** A source line as located in messages: `equation line 2 ('dx = sigmma*(y - x)')`. */
export interface EquationLocation {
  /** 1-based line in the equation text (or in the event's `then`). */
  readonly line: number;
  /** The line's text without its comment. */
  readonly text: string;
  /** Set when the text is not an equation line but part of an event. */
  readonly event?: EventTextSource;
  /** Set when the text is a noise expression (one entry of `noise`). */
  readonly noise?: NoiseTextSource;
}

/** A noise expression: the state it drives and the Wiener process it multiplies. */
export interface NoiseTextSource {
  readonly state: string;
  readonly process: string;
  /** Diagonal noise (`noise: { x: 'sigma*x' }`): the process is named after the state and written `W.x`. */
  readonly diagonal: boolean;
}

/** Text from an event: its `when`, or one line of its `then`. */
export interface EventTextSource {
  readonly name: string;
  /** The event's position in `events` (0-based). */
  readonly index: number;
  readonly field: 'when' | 'then';
}

/** `equation line 2`, `event 'bounce', when` or `event 'bounce', then line 1`. */
export function lineLabel(location: EquationLocation): string {
  const { event, noise } = location;
  if (noise !== undefined) return `noise for state '${noise.state}', process '${noise.diagonal ? `W.${noise.process}` : noise.process}'`;
  if (event === undefined) return `equation line ${location.line}`;
  return event.field === 'when' ? `event '${event.name}', when` : `event '${event.name}', then line ${location.line}`;
}

export function where(location: EquationLocation): string {
  return `${lineLabel(location)} ('${showText(location.text.trim())}')`;
}

/**
 * details for an error at `location`: equation lines give `line` and `where`
 * ("equation line 2"); event text gives `where` as a key path
 * ("events[0].then"), the event's name and, for `then`, `thenLine`: the line
 * within it (not `line`, which always means an equation line). Noise gives
 * `where` as "noise.x" (diagonal) or "noise.x.W1", with `state` and `process`.
 */
export function lineDetails(location: EquationLocation): { line?: number; where: string; event?: string; thenLine?: number; state?: string; process?: string } {
  const { event, noise } = location;
  if (noise !== undefined) {
    return { where: noise.diagonal ? `noise.${noise.state}` : `noise.${noise.state}.${noise.process}`, state: noise.state, process: noise.process };
  }
  if (event === undefined) return { line: location.line, where: `equation line ${location.line}` };
  const path = `events[${event.index}].${event.field}`;
  return event.field === 'when' ? { where: path, event: event.name } : { where: path, event: event.name, thenLine: location.line };
}

export function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
