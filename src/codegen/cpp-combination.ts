/**
 * Small pieces of C++ the implicit steppers' generators share: weighted sums
 * of per-state arrays with the zero weights left out, stage times, and the
 * constants every stepper namespace declares for the engine.
 */
import type { Precision } from '../system/types';
import { cppLiteral } from './cpp-literal';

/** 'float' or 'double'. */
export function realType(precision: Precision): string {
  return precision === 'float32' ? 'float' : 'double';
}

/** A signed literal of the kernel's precision, parenthesised when negative: "0.5", "(-0.5)". */
export function signedLiteral(value: number, precision: Precision): string {
  const magnitude = cppLiteral(Math.abs(value), precision);
  return value < 0 ? `(-${magnitude})` : magnitude;
}

/**
 * "(0.2 * f0[i] - 0.5 * k2[i])" for the non-zero weights (a weight of 1 needs
 * no factor); undefined when every weight is zero.
 */
export function linearCombination(weights: readonly number[], names: readonly string[], precision: Precision): string | undefined {
  const terms: string[] = [];
  weights.forEach((w, j) => {
    if (w === 0) return;
    const magnitude = Math.abs(w);
    const term = magnitude === 1 ? `${names[j]}[i]` : `${cppLiteral(magnitude, precision)} * ${names[j]}[i]`;
    if (terms.length === 0) terms.push(w < 0 ? `-${term}` : term);
    else terms.push(w < 0 ? `- ${term}` : `+ ${term}`);
  });
  if (terms.length === 0) return undefined;
  return terms.length === 1 && !terms[0].startsWith('-') ? terms[0] : `(${terms.join(' ')})`;
}

/** t + c * dt in double (lane by lane in a CPU lane build): time stays double whatever the precision of the state. */
export function stageTime(c: number): string {
  if (c === 0) return 't';
  const sign = c < 0 ? '-' : '+';
  const magnitude = Math.abs(c);
  return magnitude === 1 ? `t ${sign} cubie::wide(dt)` : `t ${sign} ${cppLiteral(magnitude, 'float64')} * cubie::wide(dt)`;
}

/** `CUBIE_UNROLL for (...) statement;` over the states. */
export function stateLoop(statement: string): string {
  return `CUBIE_UNROLL for (int i = 0; i < n_states; ++i) ${statement};`;
}

export interface StepperFacts {
  real: string;
  nStates: number;
  order: number;
  errorOrder: number;
  stages: number;
}

/** The constants the engine reads from a stepper namespace (kernel/cubie/engine.h). */
export function stepperConstants(facts: StepperFacts): string[] {
  return [
    `typedef cubie::lanes_of<${facts.real}> real;`,
    `inline constexpr int n_states = ${facts.nStates};`,
    `inline constexpr int order = ${facts.order};`,
    `inline constexpr int error_order = ${facts.errorOrder};`,
    `inline constexpr bool adaptive = ${facts.errorOrder > 0};`,
    '// Not FSAL: the engine evaluates f at each accepted point for the next step.',
    'inline constexpr bool fsal = false;',
    `inline constexpr int n_stages = ${facts.stages};`,
  ];
}

/** The signature of step() (the engine's contract), opening its body. */
export const STEP_SIGNATURE = [
  'template <class Ctx>',
  'CUBIE_FN real step(const Ctx& ctx, cubie::wide_of<real> t, real dt, const real* __restrict__ y, const real* __restrict__ f0,',
  '                   real* __restrict__ y_new, real* __restrict__ f1) {',
];

/** An implicit stepper's step(): the engine passes the stepper's Memory, kept from step to step. */
export const MEMORY_STEP_SIGNATURE = [
  'template <class Ctx>',
  'CUBIE_FN real step(const Ctx& ctx, Memory& memory, cubie::wide_of<real> t, real dt, const real* __restrict__ y,',
  '                   const real* __restrict__ f0, real* __restrict__ y_new, real* __restrict__ f1) {',
];

/** What distinguishes one implicit stepper's text; the frame around it is shared. */
export interface StepperFrame {
  /** Leading `//` lines: the method, its solver, the coefficients' source. */
  header: string[];
  /** `#include` lines the step needs beyond the engine's. */
  includes: string[];
  namespace: string;
  constants: string[];
  /** `//` lines describing what the step returns. */
  stepComment: string[];
  /** The Memory struct's lines, for a stepper that keeps state between steps (its step() then takes it). */
  memory?: string[];
  body: string[];
  /** prepare_extension() and interpolate(), for a kernel that interpolates inside steps. */
  extension?: string[];
}

/** The namespace, constants and `step` definition every generated stepper shares. */
export function stepperFrame(frame: StepperFrame): string {
  return [
    ...frame.header,
    ...frame.includes,
    '',
    `namespace ${frame.namespace} {`,
    '',
    ...frame.constants,
    '',
    ...(frame.memory ? [...frame.memory, ''] : []),
    ...frame.stepComment,
    ...(frame.memory ? MEMORY_STEP_SIGNATURE : STEP_SIGNATURE),
    ...frame.body.map((line) => (line ? `  ${line}` : line)),
    '}',
    ...(frame.extension ? ['', ...frame.extension] : []),
    '',
    `}  // namespace ${frame.namespace}`,
    '',
  ].join('\n');
}

/**
 * The contract of a stepper's continuous extension, emitted only where the
 * kernel saves or locates events inside steps (kernel/cubie/engine.h):
 *   prepare_extension(ctx, memory, t, dt, y_old, y_new, f_new)  once per accepted step, before
 *     the first interpolate() in it: computes the extension's extra stages, if it has any;
 *   interpolate(memory, y_old, h, theta, out)  y(t + theta h) from what step() and prepare kept.
 */
export const PREPARE_EXTENSION_SIGNATURE = [
  'template <class Ctx>',
  'CUBIE_FN void prepare_extension(const Ctx& ctx, Memory& memory, cubie::wide_of<real> t, real dt, const real* __restrict__ y_old,',
  '                                const real* __restrict__ y_new, const real* __restrict__ f_new) {',
];

/** prepare_extension() of an extension made of what step() kept: nothing to do. */
export const NO_EXTRA_STAGES = [
  '// The extension needs no stage beyond those step() kept.',
  ...PREPARE_EXTENSION_SIGNATURE,
  '  (void)ctx; (void)memory; (void)t; (void)dt; (void)y_old; (void)y_new; (void)f_new;',
  '}',
];

/** interpolate()'s opening line. */
export const INTERPOLATE_SIGNATURE = 'CUBIE_FN void interpolate(const Memory& memory, const real* __restrict__ y0, real h, real theta, real* __restrict__ out) {';
