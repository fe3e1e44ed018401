/**
 * Equation text -> one mathjs assignment per line.
 *
 * mathjs's parser is recursive: deeply nested input overflows the stack,
 * so lines are bounded in length and bracket depth before mathjs sees
 * them, and a stack overflow that still happens (long chains of unary
 * minus or ^) is reported as a PARSE_ERROR rather than escaping.
 */
import { isAssignmentNode, isBlockNode, isFunctionAssignmentNode, isSymbolNode, parse } from './mathjs';
import type { MathNode } from './mathjs';
import { CubieError } from '../shared/errors';
import { capitalized, lineDetails, lineLabel, showText, where } from './messages';
import type { EquationLocation } from './messages';

export const MAX_LINE_LENGTH = 10_000;
export const MAX_BRACKET_DEPTH = 64;
export const MAX_EQUATION_LINES = 100_000;

export interface ParsedLine {
  readonly location: EquationLocation;
  /** The assigned name, exactly as written (checked later). */
  readonly target: string;
  readonly value: MathNode;
}

/** Splits equation text (a string, or one entry per line) into lines. */
export function splitLines(equations: string | readonly string[]): string[] {
  const entries = typeof equations === 'string' ? [equations] : equations;
  return entries.flatMap((entry) => entry.split(/\r\n|\r|\n/));
}

/** Parses every non-blank line; line numbers are 1-based positions in `lines`. */
export function parseLines(lines: readonly string[]): ParsedLine[] {
  if (lines.length > MAX_EQUATION_LINES) {
    throw new CubieError('PARSE_ERROR', `The equations have ${lines.length} lines; the limit is ${MAX_EQUATION_LINES}`, { where: 'equations' });
  }
  const parsed: ParsedLine[] = [];
  lines.forEach((raw, i) => {
    const text = stripComment(raw);
    if (text.trim() === '') return;
    parsed.push(parseLine({ line: i + 1, text }));
  });
  return parsed;
}

export function stripComment(raw: string): string {
  const hash = raw.indexOf('#');
  return hash < 0 ? raw : raw.slice(0, hash);
}

function parseLine(location: EquationLocation): ParsedLine {
  const fail = (message: string): never => {
    throw new CubieError('PARSE_ERROR', message, lineDetails(location));
  };
  let node = parseText(location);
  if (isFunctionAssignmentNode(node)) {
    fail(`${capitalized(where(location))} defines a function; each line assigns a name: 'dx = ...' for a derivative or 'name = ...' for an auxiliary`);
  }
  if (isBlockNode(node)) {
    // 'dx = -x;' (a C habit) is one statement; 'dx = 1; dy = 2' is two.
    if (node.blocks.length !== 1) fail(`${capitalized(where(location))} has more than one statement; write one assignment per line`);
    node = node.blocks[0].node;
  }
  if (!isAssignmentNode(node)) {
    return fail(`${capitalized(where(location))} is not an assignment; write 'dx = ...' for a derivative or 'name = ...' for an auxiliary`);
  }
  if (node.index !== null || !isSymbolNode(node.object)) {
    fail(`${capitalized(where(location))} assigns to an indexed or dotted target; assign a plain name`);
  }
  return { location, target: node.name, value: node.value };
}

/**
 * One line of text to a mathjs node, within the length and nesting limits;
 * what the node may be is the caller's to check.
 */
export function parseText(location: EquationLocation): MathNode {
  const fail = (message: string): never => {
    throw new CubieError('PARSE_ERROR', message, lineDetails(location));
  };
  const { text } = location;
  if (text.length > MAX_LINE_LENGTH) {
    fail(`${capitalized(lineLabel(location))} is ${text.length} characters long; the limit is ${MAX_LINE_LENGTH} (split it into auxiliaries)`);
  }
  const depth = bracketDepth(text);
  if (depth > MAX_BRACKET_DEPTH) {
    fail(`Brackets in ${where(location)} are nested ${depth} deep; the limit is ${MAX_BRACKET_DEPTH}`);
  }
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof RangeError) return fail(`${capitalized(where(location))} is nested too deeply to parse; split it into auxiliaries`);
    const reason = e instanceof Error ? e.message : String(e);
    return fail(`Cannot parse ${where(location)}: ${showText(reason, 120)}`);
  }
}

/** Deepest nesting of (), [] and {} (unbalanced text is mathjs's to report). */
function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of text) {
    if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return deepest;
}
