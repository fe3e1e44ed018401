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
  /** 1-based line in the equation text. */
  readonly line: number;
  /** The line's text without its comment. */
  readonly text: string;
}

export function where(location: EquationLocation): string {
  return `equation line ${location.line} ('${showText(location.text.trim())}')`;
}

export function lineDetails(location: EquationLocation): { line: number; where: string } {
  return { line: location.line, where: `equation line ${location.line}` };
}

export function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
