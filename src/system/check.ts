/**
 * The allow-list: a mathjs node tree becomes an Ast, or a CubieError says
 * what is not allowed and where. Anything not named here is rejected, so a
 * new mathjs node kind or operator is an error until someone decides it is
 * math.
 *
 * Types are checked on the way: comparisons and and/or/not produce
 * conditions, which may only appear as the condition of `c ? a : b`;
 * everything else is a real number.
 */
import {
  isAccessorNode, isArrayNode, isAssignmentNode, isBlockNode, isConditionalNode, isConstantNode,
  isFunctionAssignmentNode, isFunctionNode, isIndexNode, isObjectNode, isOperatorNode, isParenthesisNode,
  isRangeNode, isRelationalNode, isSymbolNode,
} from './mathjs';
import type { MathNode } from './mathjs';
import { CubieError } from '../shared/errors';
import type { CubieErrorCode } from '../shared/errors';
import type { Ast } from './ast';
import type { CompareOp } from './expr';
import { acceptsArgCount, allowedFunctionNames, describeArity, functionSpec } from './functions';
import { capitalized, lineDetails, showText, where } from './messages';
import type { EquationLocation } from './messages';
import { TIME, invalidNameReason, mathConstant, reservedReason } from './names';
import { didYouMean } from '../shared/suggest';

export const MAX_EXPRESSION_DEPTH = 256;

/** delay(value, lag): not a math function (it reads the past), so it has its own Ast node. */
export const DELAY = 'delay';

type Expect = 'real' | 'condition';

export interface CheckContext {
  readonly location: EquationLocation;
  /** Describes a declared or assigned name ("a parameter"), for hints when it is called like a function. */
  readonly describeSymbol: (name: string) => string | undefined;
}

const BINARY: Readonly<Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'>> = {
  add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow',
};
const COMPARE: Readonly<Record<string, CompareOp>> = {
  smaller: 'lt', smallerEq: 'le', larger: 'gt', largerEq: 'ge', equal: 'eq', unequal: 'ne',
};
const OPERATOR_HINTS: Readonly<Record<string, string>> = {
  dotMultiply: "use '*'", dotDivide: "use '/'", dotPow: "use '^'", mod: 'the remainder is not supported',
  factorial: 'factorials are not supported', ctranspose: 'transposes are not supported', transpose: 'transposes are not supported',
  xor: "write it with 'and', 'or' and 'not'",
};
const NODE_KIND_NAMES: readonly [(n: unknown) => boolean, string][] = [
  [isAccessorNode, "property access ('a.b')"],
  [isIndexNode, "indexing ('a[i]')"],
  [isObjectNode, "objects ('{...}')"],
  [isArrayNode, "arrays and matrices ('[...]')"],
  [isRangeNode, "ranges ('a:b')"],
  [isBlockNode, 'several statements'],
  [isFunctionAssignmentNode, 'function definitions'],
];

/** The right-hand side of one equation line as an Ast. */
export function checkExpression(node: MathNode, context: CheckContext): Ast {
  return convert(node, 'real', 0, context);
}

function convert(node: MathNode, expect: Expect, depth: number, ctx: CheckContext): Ast {
  if (depth > MAX_EXPRESSION_DEPTH) {
    fail(ctx, 'PARSE_ERROR', `${capitalized(where(ctx.location))} is nested more than ${MAX_EXPRESSION_DEPTH} levels deep; split it into auxiliaries`);
  }
  const next = depth + 1;
  if (isParenthesisNode(node)) return convert(node.content, expect, next, ctx);
  if (isConstantNode(node)) return expectReal(constant(node.value, ctx), expect, ctx);
  if (isSymbolNode(node)) return expectReal(symbol(node.name, ctx), expect, ctx);
  if (isOperatorNode(node)) return operator(node.fn, node.op, node.args, expect, next, ctx);
  if (isFunctionNode(node)) return expectReal(call(node.fn, node.args, next, ctx), expect, ctx);
  if (isConditionalNode(node)) {
    if (expect === 'condition') {
      fail(ctx, 'PARSE_ERROR', `A conditional 'c ? a : b' is used as a condition in ${where(ctx.location)}; a condition is a comparison combined with and/or/not`);
    }
    return {
      kind: 'cond',
      condition: convert(node.condition, 'condition', next, ctx),
      ifTrue: convert(node.trueExpr, 'real', next, ctx),
      ifFalse: convert(node.falseExpr, 'real', next, ctx),
    };
  }
  if (isRelationalNode(node)) return expectCondition(chainedComparison(node.conditionals, node.params, next, ctx), expect, ctx);
  if (isAssignmentNode(node)) {
    fail(ctx, 'PARSE_ERROR', `${capitalized(where(ctx.location))} has an assignment inside the expression; use '==' to compare`);
  }
  const kind = NODE_KIND_NAMES.find(([test]) => test(node));
  return fail(ctx, 'PARSE_ERROR', `${kind ? capitalized(kind[1]) : `Expressions of type ${showText(node.type, 40)}`} are not allowed in equations (${where(ctx.location)})`);
}

function constant(value: unknown, ctx: CheckContext): Ast {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(ctx, 'PARSE_ERROR', `A number in ${where(ctx.location)} is too large to represent`);
    return { kind: 'num', value };
  }
  if (typeof value === 'string') return fail(ctx, 'PARSE_ERROR', `Text in quotes is not allowed in equations (${where(ctx.location)})`);
  if (typeof value === 'boolean') {
    return fail(ctx, 'PARSE_ERROR', `'${value}' is not a number (${where(ctx.location)}); write a comparison in the condition of 'c ? a : b'`);
  }
  return fail(ctx, 'PARSE_ERROR', `'${String(value)}' is not a number (${where(ctx.location)})`);
}

function symbol(name: string, ctx: CheckContext): Ast {
  const invalid = invalidNameReason(name);
  if (invalid !== undefined) {
    fail(ctx, 'INVALID_NAME', `Invalid name '${showText(name, 40)}' in ${where(ctx.location)}: ${invalid}`, { symbol: name });
  }
  if (name !== TIME && mathConstant(name) === undefined) {
    const reserved = reservedReason(name);
    if (reserved !== undefined) {
      fail(ctx, 'RESERVED_NAME', `Reserved name '${name}' used as a value in ${where(ctx.location)}: ${reserved}`, { symbol: name });
    }
  }
  return { kind: 'sym', name };
}

function operator(fn: string, op: string, args: readonly MathNode[], expect: Expect, depth: number, ctx: CheckContext): Ast {
  const binary = BINARY[fn];
  if (binary !== undefined && args.length === 2) {
    return expectReal({ kind: 'binary', op: binary, left: convert(args[0], 'real', depth, ctx), right: convert(args[1], 'real', depth, ctx) }, expect, ctx);
  }
  if (fn === 'unaryMinus' && args.length === 1) return expectReal({ kind: 'neg', arg: convert(args[0], 'real', depth, ctx) }, expect, ctx);
  if (fn === 'unaryPlus' && args.length === 1) return expectReal(convert(args[0], 'real', depth, ctx), expect, ctx);
  const compare = COMPARE[fn];
  if (compare !== undefined && args.length === 2) {
    return expectCondition({ kind: 'compare', op: compare, left: convert(args[0], 'real', depth, ctx), right: convert(args[1], 'real', depth, ctx) }, expect, ctx);
  }
  if ((fn === 'and' || fn === 'or') && args.length === 2) {
    return expectCondition({ kind: 'logic', op: fn, args: args.map((a) => convert(a, 'condition', depth, ctx)) }, expect, ctx);
  }
  if (fn === 'not' && args.length === 1) {
    return expectCondition({ kind: 'logic', op: 'not', args: [convert(args[0], 'condition', depth, ctx)] }, expect, ctx);
  }
  const hint = OPERATOR_HINTS[fn];
  return fail(ctx, 'PARSE_ERROR', `Operator '${showText(op, 10)}' is not supported in ${where(ctx.location)}${hint ? `; ${hint}` : ''}`);
}

/** a < b <= c means a < b and b <= c. */
function chainedComparison(conditionals: readonly string[], params: readonly MathNode[], depth: number, ctx: CheckContext): Ast {
  const operands = params.map((p) => convert(p, 'real', depth, ctx));
  let result: Ast | undefined;
  conditionals.forEach((name, i) => {
    const op = COMPARE[name];
    if (op === undefined) fail(ctx, 'PARSE_ERROR', `Comparison '${showText(name, 20)}' is not supported in ${where(ctx.location)}`);
    const comparison: Ast = { kind: 'compare', op, left: operands[i], right: operands[i + 1] };
    result = result === undefined ? comparison : { kind: 'logic', op: 'and', args: [result, comparison] };
  });
  if (result === undefined) return fail(ctx, 'PARSE_ERROR', `Empty comparison in ${where(ctx.location)}`);
  return result;
}

function call(fnNode: MathNode, argNodes: readonly MathNode[], depth: number, ctx: CheckContext): Ast {
  if (!isSymbolNode(fnNode)) {
    return fail(ctx, 'PARSE_ERROR', `${capitalized(where(ctx.location))} calls something that is not a function name`);
  }
  const name = fnNode.name;
  if (name === DELAY) {
    if (argNodes.length !== 2) fail(ctx, 'PARSE_ERROR', `Function 'delay' takes 2 arguments (a value and how long ago) but is given ${argNodes.length} in ${where(ctx.location)}`, { symbol: name });
    return { kind: 'delay', value: convert(argNodes[0], 'real', depth, ctx), lag: convert(argNodes[1], 'real', depth, ctx) };
  }
  const spec = functionSpec(name);
  if (spec === undefined) {
    const role = ctx.describeSymbol(name);
    const shown = showText(name, 40);
    const hint = role !== undefined
      ? `; '${shown}' is ${role}, not a function: write '${shown}*(...)' to multiply`
      : `${didYouMean(name, [...allowedFunctionNames(), DELAY])} (allowed: ${allowedFunctionNames().join(', ')}, delay(value, lag), and 'c ? a : b' for piecewise expressions)`;
    return fail(ctx, 'UNKNOWN_FUNCTION', `Unknown function '${shown}' in ${where(ctx.location)}${hint}`, { symbol: name });
  }
  if (!acceptsArgCount(spec, argNodes.length)) {
    const logHint = name === 'log' && argNodes.length === 2 ? "; for another base write log(x)/log(b)" : '';
    fail(ctx, 'PARSE_ERROR', `Function '${name}' takes ${describeArity(spec)} but is given ${argNodes.length} in ${where(ctx.location)}${logHint}`, { symbol: name });
  }
  const args = argNodes.map((a) => convert(a, 'real', depth, ctx));
  if (name === 'pow') return { kind: 'binary', op: 'pow', left: args[0], right: args[1] };
  return { kind: 'call', fn: spec.name, args };
}

function expectReal(ast: Ast, expect: Expect, ctx: CheckContext): Ast {
  if (expect === 'condition') {
    fail(ctx, 'PARSE_ERROR', `The condition of 'c ? a : b' in ${where(ctx.location)} is a number; a condition is a comparison (<, >, <=, >=, ==, !=) combined with and/or/not`);
  }
  return ast;
}

function expectCondition(ast: Ast, expect: Expect, ctx: CheckContext): Ast {
  if (expect === 'real') {
    fail(ctx, 'PARSE_ERROR', `A comparison or and/or/not is used as a number in ${where(ctx.location)}; conditions belong in 'c ? a : b'`);
  }
  return ast;
}

function fail(ctx: CheckContext, code: CubieErrorCode, message: string, extra: Record<string, unknown> = {}): never {
  throw new CubieError(code, message, { ...lineDetails(ctx.location), ...extra });
}
