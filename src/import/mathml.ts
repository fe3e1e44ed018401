/**
 * MathML (content markup, the subset SBML and CellML allow) to a small expression
 * tree, and that tree to cubie equation text or to a number.
 *
 * Only the constructs listed in OPS and the token elements below are read;
 * anything else is an UNSUPPORTED_SBML (UNSUPPORTED_CELLML) error naming the
 * element whose math it is. The emitted text uses only numbers (formatted here), the
 * cubie names the caller maps identifiers to, + - * / ^, parentheses,
 * functions from cubie's allow-list and `c ? a : b` with comparisons and
 * and/or/not: nothing from the file reaches an equation as raw text.
 */
import { CubieError } from '../shared/errors';
import type { XmlElement } from './xml';

export type MathNode =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'sym'; readonly id: string }
  | { readonly k: 'time' }
  /** rateOf(x) (SBML L3v2), or CellML's d(x)/d(wrt) on a right-hand side: the time derivative of x. */
  | { readonly k: 'rateOf'; readonly id: string; readonly wrt?: string }
  | { readonly k: 'op'; readonly op: string; readonly args: readonly MathNode[] }
  | { readonly k: 'piecewise'; readonly pieces: readonly (readonly [MathNode, MathNode])[]; readonly otherwise: MathNode | undefined }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly MathNode[] };

/** The SBML Level 3 value of Avogadro's constant. */
export const AVOGADRO = 6.02214179e23;

const MAX_MATH_DEPTH = 400;

/** Operators read from <apply><op/>...: name → allowed argument counts (min, max). */
const OPS: Readonly<Record<string, readonly [number, number]>> = {
  plus: [0, Infinity], times: [0, Infinity], minus: [1, 2], divide: [2, 2], power: [2, 2],
  root: [1, 1], abs: [1, 1], exp: [1, 1], ln: [1, 1], log: [1, 1], floor: [1, 1], ceiling: [1, 1],
  sin: [1, 1], cos: [1, 1], tan: [1, 1], sec: [1, 1], csc: [1, 1], cot: [1, 1],
  sinh: [1, 1], cosh: [1, 1], tanh: [1, 1], sech: [1, 1], csch: [1, 1], coth: [1, 1],
  arcsin: [1, 1], arccos: [1, 1], arctan: [1, 1], arcsec: [1, 1], arccsc: [1, 1], arccot: [1, 1],
  arcsinh: [1, 1], arccosh: [1, 1], arctanh: [1, 1], arcsech: [1, 1], arccsch: [1, 1], arccoth: [1, 1],
  eq: [1, Infinity], neq: [2, 2], gt: [1, Infinity], lt: [1, Infinity], geq: [1, Infinity], leq: [1, Infinity],
  and: [0, Infinity], or: [0, Infinity], xor: [0, Infinity], not: [1, 1], implies: [2, 2],
  max: [1, Infinity], min: [1, Infinity], quotient: [2, 2], rem: [2, 2],
};
const LOGICAL = new Set(['eq', 'neq', 'gt', 'lt', 'geq', 'leq', 'and', 'or', 'xor', 'not', 'implies']);

const CSYMBOL_TIME = 'http://www.sbml.org/sbml/symbols/time';
const CSYMBOL_AVOGADRO = 'http://www.sbml.org/sbml/symbols/avogadro';
const CSYMBOL_RATE_OF = 'http://www.sbml.org/sbml/symbols/rateOf';
const CSYMBOL_DELAY = 'http://www.sbml.org/sbml/symbols/delay';

export interface MathContext {
  /** "the kinetic law of reaction 'R1'": where the math is, for messages. */
  readonly where: string;
  /** The SBML id of the element the math belongs to (CellML: `component.variable`). */
  readonly elementId: string;
  /** The importer (default SBML): sets the error codes, and CellML has no csymbols. */
  readonly format?: 'SBML' | 'CellML';
}

function unsupported(ctx: MathContext, what: string): never {
  if (ctx.format === 'CellML') throw new CubieError('UNSUPPORTED_CELLML', `${what} in ${ctx.where} is not supported`, { where: ctx.where, cellmlVariable: ctx.elementId });
  throw new CubieError('UNSUPPORTED_SBML', `${what} in ${ctx.where} is not supported`, { where: ctx.where, sbmlId: ctx.elementId });
}

function invalid(ctx: MathContext, what: string): never {
  if (ctx.format === 'CellML') throw new CubieError('INVALID_CELLML', `${what} in ${ctx.where}`, { where: ctx.where, cellmlVariable: ctx.elementId });
  throw new CubieError('INVALID_SBML', `${what} in ${ctx.where}`, { where: ctx.where, sbmlId: ctx.elementId });
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string, ctx: MathContext): number {
  const s = text.trim();
  if (/^[+-]?(INF|Infinity)$/i.test(s) || /^NaN$/i.test(s)) unsupported(ctx, `The number '${s}'`);
  if (!NUMBER.test(s)) invalid(ctx, `'${s.slice(0, 40)}' is not a number`);
  const v = Number(s);
  if (!Number.isFinite(v)) unsupported(ctx, `The number '${s.slice(0, 40)}' (not finite in double precision)`);
  return v;
}

/** <cn>: integer, real, e-notation (m<sep/>e) and rational (n<sep/>d). */
function readCn(el: XmlElement, ctx: MathContext): MathNode {
  const type = el.attrs.type ?? 'real';
  if (type === 'e-notation' || type === 'rational') {
    // fast-xml-parser concatenates the two text parts; read them around <sep/> from the raw children.
    const parts = el.textParts.filter((p) => p.length > 0);
    if (parts.length !== 2 || el.children.length !== 1 || el.children[0].local !== 'sep') invalid(ctx, `A <cn type="${type}"> without two parts around <sep/>`);
    const a = parseNumber(parts[0], ctx);
    const b = parseNumber(parts[1], ctx);
    return { k: 'num', v: type === 'rational' ? a / b : Number(`${parts[0]}e${parts[1]}`) };
  }
  if (type !== 'real' && type !== 'integer' && type !== 'double') unsupported(ctx, `A <cn type="${type.slice(0, 30)}">`);
  if (el.children.length > 0) invalid(ctx, 'A <cn> with child elements');
  return { k: 'num', v: parseNumber(el.text, ctx) };
}

export function readMath(el: XmlElement, ctx: MathContext, depth = 0): MathNode {
  if (depth > MAX_MATH_DEPTH) invalid(ctx, `Math nested more than ${MAX_MATH_DEPTH} levels deep`);
  const next = depth + 1;
  switch (el.local) {
    case 'math':
    case 'semantics': {
      const kids = el.children.filter((c) => c.local !== 'annotation' && c.local !== 'annotation-xml');
      if (kids.length !== 1) invalid(ctx, `<${el.local}> with ${kids.length} expressions (expected one)`);
      return readMath(kids[0], ctx, next);
    }
    case 'cn':
      return readCn(el, ctx);
    case 'ci':
      if (el.children.length > 0 || el.text.length === 0) invalid(ctx, 'A <ci> that is not a plain identifier');
      return { k: 'sym', id: el.text };
    case 'csymbol': {
      if (ctx.format === 'CellML') unsupported(ctx, 'A <csymbol> (CellML has none)');
      const url = (el.attrs.definitionURL ?? '').trim();
      if (url === CSYMBOL_TIME) return { k: 'time' };
      if (url === CSYMBOL_AVOGADRO) return { k: 'num', v: AVOGADRO };
      return unsupported(ctx, `The csymbol '${url.slice(0, 80)}'${url.endsWith('/delay') ? ' (delay) other than applied to a value and a delay' : url.endsWith('/rateOf') ? ' (rateOf)' : ''}`);
    }
    case 'pi': return { k: 'num', v: Math.PI };
    case 'exponentiale': return { k: 'num', v: Math.E };
    case 'true': return { k: 'bool', v: true };
    case 'false': return { k: 'bool', v: false };
    case 'piecewise': {
      const pieces: [MathNode, MathNode][] = [];
      let otherwise: MathNode | undefined;
      for (const c of el.children) {
        if (c.local === 'piece') {
          if (c.children.length !== 2) invalid(ctx, '<piece> without exactly a value and a condition');
          pieces.push([readMath(c.children[0], ctx, next), readMath(c.children[1], ctx, next)]);
        } else if (c.local === 'otherwise') {
          if (c.children.length !== 1 || otherwise !== undefined) invalid(ctx, 'A malformed <otherwise>');
          otherwise = readMath(c.children[0], ctx, next);
        } else {
          unsupported(ctx, `The element <${c.tag.slice(0, 40)}> inside <piecewise>`);
        }
      }
      return { k: 'piecewise', pieces, otherwise };
    }
    case 'apply': {
      if (el.children.length === 0) invalid(ctx, 'An empty <apply>');
      const [head, ...rest] = el.children;
      if (head.local === 'ci') {
        if (ctx.format === 'CellML') unsupported(ctx, `Applying the identifier '${head.text.slice(0, 40)}' as a function`);
        return { k: 'call', fn: head.text, args: rest.map((a) => readMath(a, ctx, next)) };
      }
      if (head.local === 'diff' && ctx.format === 'CellML') return readDiff(rest, ctx);
      if (head.local === 'csymbol' && ctx.format !== 'CellML' && (head.attrs.definitionURL ?? '').trim() === CSYMBOL_RATE_OF) {
        if (rest.length !== 1 || rest[0].local !== 'ci' || rest[0].children.length > 0) unsupported(ctx, 'rateOf of anything but a plain identifier');
        return { k: 'rateOf', id: rest[0].text };
      }
      // delay(x, d): the op 'delay' (no MathML operator has that name), written out as cubie's delay(x, d)
      if (head.local === 'csymbol' && ctx.format !== 'CellML' && (head.attrs.definitionURL ?? '').trim() === CSYMBOL_DELAY) {
        if (rest.length !== 2) invalid(ctx, `The delay csymbol applied to ${rest.length} arguments (expected the value and the delay)`);
        return { k: 'op', op: 'delay', args: [readMath(rest[0], ctx, next), readMath(rest[1], ctx, next)] };
      }
      if (head.local === 'csymbol') readMath(head, ctx, next); // unknown csymbols are refused there
      const op = head.local;
      if (!Object.hasOwn(OPS, op)) unsupported(ctx, `The MathML operator <${head.tag.slice(0, 40)}>`);
      let degree: MathNode | undefined;
      let logbase: MathNode | undefined;
      const args: MathNode[] = [];
      for (const a of rest) {
        if (a.local === 'degree' || a.local === 'logbase') {
          if (a.children.length !== 1) invalid(ctx, `A malformed <${a.local}>`);
          const value = readMath(a.children[0], ctx, next);
          if (a.local === 'degree' && op === 'root') degree = value;
          else if (a.local === 'logbase' && op === 'log') logbase = value;
          else invalid(ctx, `<${a.local}> inside <${op}>`);
        } else {
          args.push(readMath(a, ctx, next));
        }
      }
      const [lo, hi] = OPS[op];
      if (args.length < lo || args.length > hi) invalid(ctx, `<${op}> with ${args.length} arguments`);
      if (op === 'root') return { k: 'op', op: 'power', args: [args[0], { k: 'op', op: 'divide', args: [{ k: 'num', v: 1 }, degree ?? { k: 'num', v: 2 }] }] };
      if (op === 'log') return { k: 'op', op: 'divide', args: [{ k: 'op', op: 'ln', args }, { k: 'op', op: 'ln', args: [logbase ?? { k: 'num', v: 10 }] }] };
      return { k: 'op', op, args };
    }
    default:
      return unsupported(ctx, `The MathML element <${el.tag.slice(0, 40)}>`);
  }
}

/** CellML `<apply><diff/><bvar><ci>t</ci></bvar><ci>x</ci></apply>`: a first derivative of a variable by a variable. */
function readDiff(rest: readonly XmlElement[], ctx: MathContext): MathNode {
  const bvar = rest.find((c) => c.local === 'bvar');
  const operands = rest.filter((c) => c.local !== 'bvar');
  const plain = (e: XmlElement | undefined): string | undefined => (e?.local === 'ci' && e.children.length === 0 && e.text.length > 0 ? e.text : undefined);
  const degree = bvar?.children.find((c) => c.local === 'degree');
  if (degree !== undefined && !(degree.children[0]?.local === 'cn' && Number(degree.children[0].text) === 1)) unsupported(ctx, 'A second (or higher) derivative');
  const wrt = plain(bvar?.children.find((c) => c.local === 'ci'));
  if (wrt === undefined) unsupported(ctx, 'A derivative with respect to something other than a variable');
  if (operands.length !== 1 || plain(operands[0]) === undefined) unsupported(ctx, 'A derivative of something other than a variable');
  return { k: 'rateOf', id: plain(operands[0])!, wrt };
}

/** Every rateOf node of the tree. */
export function ratesOf(n: MathNode, out: { id: string; wrt?: string }[] = []): { id: string; wrt?: string }[] {
  if (n.k === 'rateOf') out.push({ id: n.id, ...(n.wrt !== undefined ? { wrt: n.wrt } : {}) });
  else if (n.k === 'op' || n.k === 'call') n.args.forEach((a) => ratesOf(a, out));
  else if (n.k === 'piecewise') {
    n.pieces.forEach(([v, c]) => { ratesOf(v, out); ratesOf(c, out); });
    if (n.otherwise) ratesOf(n.otherwise, out);
  }
  return out;
}

/** Whether the node is a truth value (comparison, logic, true/false, or a piecewise of them). */
export function isLogical(n: MathNode): boolean {
  if (n.k === 'bool') return true;
  if (n.k === 'op') return LOGICAL.has(n.op);
  if (n.k === 'piecewise') return n.pieces.length > 0 && n.pieces.every(([v]) => isLogical(v)) && (n.otherwise === undefined || isLogical(n.otherwise));
  return false;
}

/** Substitutes function definitions (by SBML id) and maps bound variables; returns a tree without calls. */
export function inlineCalls(
  n: MathNode, functions: ReadonlyMap<string, { params: readonly string[]; body: MathNode }>, ctx: MathContext, depth = 0,
): MathNode {
  if (depth > 64) invalid(ctx, 'Function definitions nested more than 64 deep (or recursive)');
  const rec = (m: MathNode): MathNode => inlineCalls(m, functions, ctx, depth);
  switch (n.k) {
    case 'op': return { k: 'op', op: n.op, args: n.args.map(rec) };
    case 'piecewise': return { k: 'piecewise', pieces: n.pieces.map(([v, c]) => [rec(v), rec(c)] as const), otherwise: n.otherwise && rec(n.otherwise) };
    case 'call': {
      const f = functions.get(n.fn);
      if (f === undefined) invalid(ctx, `'${n.fn.slice(0, 64)}' is called but is not a function definition`);
      if (f.params.length !== n.args.length) invalid(ctx, `Function '${n.fn}' takes ${f.params.length} arguments, given ${n.args.length}`);
      const args = n.args.map(rec);
      const bound = new Map(f.params.map((p, i) => [p, args[i]]));
      return inlineCalls(substitute(f.body, bound), functions, ctx, depth + 1);
    }
    default: return n;
  }
}

function substitute(n: MathNode, bound: ReadonlyMap<string, MathNode>): MathNode {
  switch (n.k) {
    case 'sym': return bound.get(n.id) ?? n;
    case 'op': return { k: 'op', op: n.op, args: n.args.map((a) => substitute(a, bound)) };
    case 'call': return { k: 'call', fn: n.fn, args: n.args.map((a) => substitute(a, bound)) };
    case 'piecewise': return {
      k: 'piecewise', pieces: n.pieces.map(([v, c]) => [substitute(v, bound), substitute(c, bound)] as const), otherwise: n.otherwise && substitute(n.otherwise, bound),
    };
    default: return n;
  }
}

/** Every SBML identifier the tree reads (after inlining), those under rateOf included. */
export function symbolsOf(n: MathNode, out: Set<string> = new Set()): Set<string> {
  if (n.k === 'sym' || n.k === 'rateOf') out.add(n.id);
  else if (n.k === 'op' || n.k === 'call') n.args.forEach((a) => symbolsOf(a, out));
  else if (n.k === 'piecewise') {
    n.pieces.forEach(([v, c]) => { symbolsOf(v, out); symbolsOf(c, out); });
    if (n.otherwise) symbolsOf(n.otherwise, out);
  }
  return out;
}

export function usesTime(n: MathNode): boolean {
  if (n.k === 'time') return true;
  if (n.k === 'op' || n.k === 'call') return n.args.some(usesTime);
  if (n.k === 'piecewise') return n.pieces.some(([v, c]) => usesTime(v) || usesTime(c)) || (n.otherwise !== undefined && usesTime(n.otherwise));
  return false;
}

// ---------------------------------------------------------------- emitting cubie text

/** A number as cubie text: finite, in JavaScript's round-trip form, negative ones parenthesised. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) throw new CubieError('INTERNAL', `Cannot write the non-finite number ${v} into an equation`);
  const s = String(v);
  return v < 0 || Object.is(v, -0) ? `(${s})` : s;
}

const FN1: Readonly<Record<string, string>> = {
  exp: 'exp', ln: 'log', abs: 'abs', floor: 'floor', ceiling: 'ceil',
  sin: 'sin', cos: 'cos', tan: 'tan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  arcsin: 'asin', arccos: 'acos', arctan: 'atan', arcsinh: 'asinh', arccosh: 'acosh', arctanh: 'atanh',
};
/** Reciprocal functions: f(x) = 1/g(x). */
const RECIPROCAL: Readonly<Record<string, string>> = { sec: 'cos', csc: 'sin', cot: 'tan', sech: 'cosh', csch: 'sinh', coth: 'tanh' };
/** Inverse reciprocal functions: arcf(x) = arcg(1/x). */
const INV_RECIPROCAL: Readonly<Record<string, string>> = { arcsec: 'acos', arccsc: 'asin', arcsech: 'acosh', arccsch: 'asinh', arccoth: 'atanh' };
const COMPARE: Readonly<Record<string, string>> = { eq: '==', neq: '!=', gt: '>', lt: '<', geq: '>=', leq: '<=' };

/**
 * Emits cubie text; `name(id)` maps an SBML id to its cubie name, and
 * `name(id, true)` gives the text of its time derivative (for rateOf).
 */
export type NameOf = ((id: string, rate?: boolean) => string) & {
  /** Refuses a delay cubie cannot write: a length that changes along the solution, a past before t0 that is not the start's value. */
  readonly checkDelay?: (value: MathNode, lag: MathNode, ctx: MathContext) => void;
};

export function emit(n: MathNode, name: NameOf, ctx: MathContext): string {
  const num = (m: MathNode): string => (isLogical(m) ? `(${emitCond(m, name, ctx)} ? 1 : 0)` : emitNumeric(m, name, ctx));
  return num(n);
}

function emitCond(n: MathNode, name: NameOf, ctx: MathContext): string {
  const cond = (m: MathNode): string => (isLogical(m) ? emitCond(m, name, ctx) : `(${emitNumeric(m, name, ctx)} != 0)`);
  const num = (m: MathNode): string => emit(m, name, ctx);
  if (n.k === 'bool') return n.v ? '(1 == 1)' : '(1 == 0)';
  if (n.k === 'piecewise') {
    // a logical piecewise: (c1 and v1) or (not c1 and ...)
    let out = n.otherwise === undefined ? '(1 == 0)' : cond(n.otherwise);
    for (let i = n.pieces.length - 1; i >= 0; i--) {
      const [v, c] = n.pieces[i];
      out = `((${cond(c)} and ${cond(v)}) or (not ${cond(c)} and ${out}))`;
    }
    return out;
  }
  if (n.k !== 'op') return cond(n);
  const a = n.args;
  switch (n.op) {
    case 'and': return a.length === 0 ? '(1 == 1)' : `(${a.map(cond).join(' and ')})`;
    case 'or': return a.length === 0 ? '(1 == 0)' : `(${a.map(cond).join(' or ')})`;
    case 'not': return `(not ${cond(a[0])})`;
    case 'implies': return `((not ${cond(a[0])}) or ${cond(a[1])})`;
    case 'xor': {
      if (a.length === 0) return '(1 == 0)';
      let out = cond(a[0]);
      for (const b of a.slice(1)) {
        const cb = cond(b);
        out = `((${out} and not ${cb}) or (not ${out} and ${cb}))`;
      }
      return out;
    }
    default: {
      const op = COMPARE[n.op];
      if (op === undefined) return `(${emitNumeric(n, name, ctx)} != 0)`;
      if (a.length < 2) return '(1 == 1)';
      const parts: string[] = [];
      for (let i = 0; i + 1 < a.length; i++) parts.push(`(${num(a[i])} ${op} ${num(a[i + 1])})`);
      return parts.length === 1 ? parts[0] : `(${parts.join(' and ')})`;
    }
  }
}

function emitNumeric(n: MathNode, name: NameOf, ctx: MathContext): string {
  const num = (m: MathNode): string => emit(m, name, ctx);
  const cond = (m: MathNode): string => emitCond(m, name, ctx);
  switch (n.k) {
    case 'num': return formatNumber(n.v);
    case 'bool': return n.v ? '1' : '0';
    case 'sym': return name(n.id);
    case 'time': return 't';
    case 'rateOf': return name(n.id, true);
    case 'call': return invalid(ctx, `Function '${n.fn}' was not inlined`);
    case 'piecewise': {
      if (n.otherwise === undefined) unsupported(ctx, 'A <piecewise> without <otherwise> (undefined where no piece applies)');
      let out = num(n.otherwise);
      for (let i = n.pieces.length - 1; i >= 0; i--) out = `(${cond(n.pieces[i][1])} ? ${num(n.pieces[i][0])} : ${out})`;
      return out;
    }
    case 'op': break;
  }
  const a = n.args;
  const op = n.op;
  if (LOGICAL.has(op)) return `(${cond(n)} ? 1 : 0)`;
  switch (op) {
    case 'delay':
      name.checkDelay?.(a[0], a[1], ctx);
      return `delay(${num(a[0])}, ${num(a[1])})`;
    case 'plus': return a.length === 0 ? '0' : `(${a.map(num).join(' + ')})`;
    case 'times': return a.length === 0 ? '1' : `(${a.map(num).join(' * ')})`;
    case 'minus': return a.length === 1 ? `(-${num(a[0])})` : `(${num(a[0])} - ${num(a[1])})`;
    case 'divide': return `(${num(a[0])} / ${num(a[1])})`;
    case 'power': return `(${num(a[0])} ^ ${num(a[1])})`;
    case 'max': return a.length === 1 ? num(a[0]) : fold('max', a.map(num));
    case 'min': return a.length === 1 ? num(a[0]) : fold('min', a.map(num));
    case 'quotient': {
      const q = `(${num(a[0])} / ${num(a[1])})`;
      return `(${q} >= 0 ? floor(${q}) : ceil(${q}))`;
    }
    case 'rem': {
      const q = `(${num(a[0])} / ${num(a[1])})`;
      return `(${num(a[0])} - ${num(a[1])} * (${q} >= 0 ? floor(${q}) : ceil(${q})))`;
    }
    case 'arccot': return `atan(1 / ${num(a[0])})`;
    default: break;
  }
  if (Object.hasOwn(FN1, op)) return `${FN1[op]}(${num(a[0])})`;
  if (Object.hasOwn(RECIPROCAL, op)) return `(1 / ${RECIPROCAL[op]}(${num(a[0])}))`;
  if (Object.hasOwn(INV_RECIPROCAL, op)) return `${INV_RECIPROCAL[op]}(1 / ${num(a[0])})`;
  return unsupported(ctx, `The MathML operator <${op}>`);
}

/** min/max in chunks of at most 16 arguments (cubie's limit). */
function fold(fn: string, args: string[]): string {
  let out = args;
  while (out.length > 1) {
    const chunks: string[] = [];
    for (let i = 0; i < out.length; i += 16) {
      const c = out.slice(i, i + 16);
      chunks.push(c.length === 1 ? c[0] : `${fn}(${c.join(', ')})`);
    }
    out = chunks;
  }
  return out[0];
}

// ---------------------------------------------------------------- evaluating

/** The value of the tree (true/false as 1/0); `value` gives a symbol's number, `time` the time, `rate` (where given) a symbol's rate of change. */
export function evaluate(n: MathNode, value: (id: string) => number, time: number, ctx: MathContext, rate?: (id: string) => number): number {
  const ev = (m: MathNode): number => evaluate(m, value, time, ctx, rate);
  switch (n.k) {
    case 'num': return n.v;
    case 'bool': return n.v ? 1 : 0;
    case 'sym': return value(n.id);
    case 'time': return time;
    case 'rateOf': return rate !== undefined && n.wrt === undefined ? rate(n.id) : unsupported(ctx, `rateOf('${n.id.slice(0, 64)}') in a value needed at t0`);
    case 'call': return invalid(ctx, `Function '${n.fn}' was not inlined`);
    case 'piecewise': {
      for (const [v, c] of n.pieces) if (ev(c) !== 0) return ev(v);
      if (n.otherwise === undefined) unsupported(ctx, 'A <piecewise> without <otherwise> (undefined where no piece applies)');
      return ev(n.otherwise);
    }
    case 'op':
      // the value as it was: x's past before t0 is its value at t0 (states), or its math at that time
      if (n.op === 'delay') return evaluate(n.args[0], value, time - ev(n.args[1]), ctx, rate);
      break;
  }
  const a = n.args.map(ev);
  const b = (x: boolean): number => (x ? 1 : 0);
  const chain = (f: (x: number, y: number) => boolean): number => b(a.every((x, i) => i === 0 || f(a[i - 1], x)));
  const quot = (x: number, y: number): number => Math.trunc(x / y);
  switch (n.op) {
    case 'plus': return a.reduce((s, x) => s + x, 0);
    case 'times': return a.reduce((s, x) => s * x, 1);
    case 'minus': return a.length === 1 ? -a[0] : a[0] - a[1];
    case 'divide': return a[0] / a[1];
    case 'power': return Math.pow(a[0], a[1]);
    case 'exp': return Math.exp(a[0]);
    case 'ln': return Math.log(a[0]);
    case 'abs': return Math.abs(a[0]);
    case 'floor': return Math.floor(a[0]);
    case 'ceiling': return Math.ceil(a[0]);
    case 'sin': return Math.sin(a[0]);
    case 'cos': return Math.cos(a[0]);
    case 'tan': return Math.tan(a[0]);
    case 'sec': return 1 / Math.cos(a[0]);
    case 'csc': return 1 / Math.sin(a[0]);
    case 'cot': return 1 / Math.tan(a[0]);
    case 'sinh': return Math.sinh(a[0]);
    case 'cosh': return Math.cosh(a[0]);
    case 'tanh': return Math.tanh(a[0]);
    case 'sech': return 1 / Math.cosh(a[0]);
    case 'csch': return 1 / Math.sinh(a[0]);
    case 'coth': return 1 / Math.tanh(a[0]);
    case 'arcsin': return Math.asin(a[0]);
    case 'arccos': return Math.acos(a[0]);
    case 'arctan': return Math.atan(a[0]);
    case 'arcsec': return Math.acos(1 / a[0]);
    case 'arccsc': return Math.asin(1 / a[0]);
    case 'arccot': return Math.atan(1 / a[0]);
    case 'arcsinh': return Math.asinh(a[0]);
    case 'arccosh': return Math.acosh(a[0]);
    case 'arctanh': return Math.atanh(a[0]);
    case 'arcsech': return Math.acosh(1 / a[0]);
    case 'arccsch': return Math.asinh(1 / a[0]);
    case 'arccoth': return Math.atanh(1 / a[0]);
    case 'max': return Math.max(...a);
    case 'min': return Math.min(...a);
    case 'quotient': return quot(a[0], a[1]);
    case 'rem': return a[0] - a[1] * quot(a[0], a[1]);
    case 'eq': return chain((x, y) => x === y);
    case 'neq': return b(a[0] !== a[1]);
    case 'gt': return chain((x, y) => x > y);
    case 'lt': return chain((x, y) => x < y);
    case 'geq': return chain((x, y) => x >= y);
    case 'leq': return chain((x, y) => x <= y);
    case 'and': return b(a.every((x) => x !== 0));
    case 'or': return b(a.some((x) => x !== 0));
    case 'xor': return b(a.filter((x) => x !== 0).length % 2 === 1);
    case 'not': return b(a[0] === 0);
    case 'implies': return b(a[0] === 0 || a[1] !== 0);
    default: return unsupported(ctx, `The MathML operator <${n.op}>`);
  }
}
