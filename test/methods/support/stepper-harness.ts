/**
 * C++ programs that drive every generated stepper the way the engine does
 * (f0 given on entry; f1 reused as the next f0 with FSAL, else f recomputed),
 * on a problem with a closed-form solution (see test-problem.ts):
 * one translation unit holds every method, each in its own namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generateExplicitStepper } from '../../../src/codegen/explicit-stepper';
import type { ExplicitTableau } from '../../../src/methods/tableau';
import type { Precision } from '../../../src/system/types';
import { END_TIME, N_STATES, PROBLEM_CPP, REFERENCE_STEP } from './test-problem';

export const KERNEL_INCLUDE_DIR = path.join(__dirname, '..', '..', '..', 'kernel');

/** The kernel headers a generated stepper needs, by include name, for NVRTC. */
export function kernelHeaders(): Record<string, string> {
  const read = (name: string): string => fs.readFileSync(path.join(KERNEL_INCLUDE_DIR, 'cubie', name), 'utf8');
  return { 'cubie/platform.h': read('platform.h'), 'cubie/norm.h': read('norm.h') };
}

/** The C++ namespace a method's stepper gets in a test program. */
export function namespaceFor(method: ExplicitTableau, prefix: string): string {
  return `${prefix}${method.name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

export function steppersSource(methods: readonly ExplicitTableau[], precision: Precision, prefix: string): string {
  return methods
    .map((m) => generateExplicitStepper(m, { precision, nStates: N_STATES, namespace: namespaceFor(m, prefix) }))
    .join('\n');
}

export interface HostRuns {
  /** Step counts for fixed-step runs over [0, END_TIME]. */
  steps: readonly number[];
  /** Step sizes of single steps from t = 0, to see how the error estimate scales. */
  localSteps: readonly number[];
}

/**
 * A program that prints, per method:
 *   meta NAME order error_order adaptive fsal n_stages rhs_evaluations_per_step
 *   global NAME STEPS MAX_ERROR_LINEAR MAX_ERROR_NONLINEAR RHS_CALLS
 *   local NAME H NORM                                  (atol 1, rtol 0)
 *   reference NAME NORM Y_NEW[0..2] F1[0..2]           (the step REFERENCE_STEP describes)
 */
export function hostHarness(methods: readonly ExplicitTableau[], precision: Precision, runs: (m: ExplicitTableau) => HostRuns): string {
  const real = precision === 'float32' ? 'float' : 'double';
  const calls = methods.map((m) => {
    const ns = namespaceFor(m, 'm_');
    const { steps, localSteps } = runs(m);
    return [
      `  std::printf("meta ${m.name} %d %d %d %d %d %d\\n", ${ns}::order, ${ns}::error_order, int(${ns}::adaptive),`,
      `              int(${ns}::fsal), ${ns}::n_stages, ${ns}::rhs_evaluations_per_step);`,
      ...steps.map((n) => `  global("${m.name}", &${ns}::step<Problem>, ${ns}::fsal, ${n});`),
      ...localSteps.map((h) => `  local("${m.name}", &${ns}::step<Problem>, ${h});`),
      `  reference("${m.name}", &${ns}::step<Problem>);`,
    ].join('\n');
  });
  const r = REFERENCE_STEP;
  const list = (values: readonly number[]): string => values.map((v) => `real(${v})`).join(', ');
  return `#include "cubie/platform.h"
#include "cubie/norm.h"
${steppersSource(methods, precision, 'm_')}
#include <cstdio>
${PROBLEM_CPP}
typedef ${real} real;
typedef TestProblem<real> Problem;
typedef real (*Step)(const Problem&, double, real, const real*, const real*, real*, real*);

static void global(const char* name, Step step, bool fsal, int steps) {
  const real atol[${N_STATES}] = {real(1), real(1), real(1)};
  const real rtol[${N_STATES}] = {real(0), real(0), real(0)};
  Problem problem = {atol, rtol, 0};
  real y[${N_STATES}] = {${list([1, 0, 1])}};
  real f0[${N_STATES}], f1[${N_STATES}], y_new[${N_STATES}];
  const real dt = static_cast<real>(${END_TIME}.0 / steps);
  double t = 0.0;
  problem.rhs(t, y, f0);
  // The largest error over the trajectory: unlike the final error, it does not
  // vanish by chance where the global error changes sign.
  double linear = 0.0, nonlinear = 0.0;
  for (int s = 0; s < steps; ++s) {
    step(problem, t, dt, y, f0, y_new, f1);
    t += static_cast<double>(dt);
    for (int i = 0; i < ${N_STATES}; ++i) y[i] = y_new[i];
    if (fsal) {
      for (int i = 0; i < ${N_STATES}; ++i) f0[i] = f1[i];
    } else {
      problem.rhs(t, y, f0);
    }
    double e[${N_STATES}];
    exact_solution(t, e);
    linear = fmax(linear, fmax(fabs(static_cast<double>(y[0]) - e[0]), fabs(static_cast<double>(y[1]) - e[1])));
    nonlinear = fmax(nonlinear, fabs(static_cast<double>(y[2]) - e[2]));
  }
  std::printf("global %s %d %.17g %.17g %lld\\n", name, steps, linear, nonlinear, problem.rhs_calls);
}

static void local(const char* name, Step step, double h) {
  const real atol[${N_STATES}] = {real(1), real(1), real(1)};
  const real rtol[${N_STATES}] = {real(0), real(0), real(0)};
  Problem problem = {atol, rtol, 0};
  const real y[${N_STATES}] = {${list([1, 0, 1])}};
  real f0[${N_STATES}], f1[${N_STATES}], y_new[${N_STATES}];
  problem.rhs(0.0, y, f0);
  const real norm = step(problem, 0.0, static_cast<real>(h), y, f0, y_new, f1);
  std::printf("local %s %.17g %.17g\\n", name, h, static_cast<double>(norm));
}

static void reference(const char* name, Step step) {
  const real atol[${N_STATES}] = {${list(r.atol)}};
  const real rtol[${N_STATES}] = {${list(r.rtol)}};
  Problem problem = {atol, rtol, 0};
  const real y[${N_STATES}] = {${list(r.y)}};
  real f0[${N_STATES}], y_new[${N_STATES}];
  real f1[${N_STATES}] = {real(0), real(0), real(0)};
  problem.rhs(${r.t}, y, f0);
  const real norm = step(problem, ${r.t}, real(${r.h}), y, f0, y_new, f1);
  std::printf("reference %s %.17g", name, static_cast<double>(norm));
  for (int i = 0; i < ${N_STATES}; ++i) std::printf(" %.17g", static_cast<double>(y_new[i]));
  for (int i = 0; i < ${N_STATES}; ++i) std::printf(" %.17g", static_cast<double>(f1[i]));
  std::printf("\\n");
}

int main() {
${calls.join('\n')}
  return 0;
}
`;
}

export interface MethodMeta {
  order: number;
  errorOrder: number;
  adaptive: boolean;
  fsal: boolean;
  stages: number;
  rhsPerStep: number;
}
export interface GlobalRun {
  steps: number;
  linear: number;
  nonlinear: number;
  rhsCalls: number;
}
export interface LocalRun {
  h: number;
  norm: number;
}
export interface ReferenceRun {
  norm: number;
  yNew: number[];
  f1: number[];
}
export interface HarnessOutput {
  meta: Map<string, MethodMeta>;
  global: Map<string, GlobalRun[]>;
  local: Map<string, LocalRun[]>;
  reference: Map<string, ReferenceRun>;
}

export function parseHarnessOutput(text: string): HarnessOutput {
  const out: HarnessOutput = { meta: new Map(), global: new Map(), local: new Map(), reference: new Map() };
  const push = <T>(map: Map<string, T[]>, key: string, value: T): void => {
    map.set(key, [...(map.get(key) ?? []), value]);
  };
  for (const line of text.trim().split('\n')) {
    const [kind, name, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    if (kind === 'meta') {
      out.meta.set(name, { order: n[0], errorOrder: n[1], adaptive: n[2] === 1, fsal: n[3] === 1, stages: n[4], rhsPerStep: n[5] });
    } else if (kind === 'global') {
      push(out.global, name, { steps: n[0], linear: n[1], nonlinear: n[2], rhsCalls: n[3] });
    } else if (kind === 'local') {
      push(out.local, name, { h: n[0], norm: n[1] });
    } else if (kind === 'reference') {
      out.reference.set(name, { norm: n[0], yNew: n.slice(1, 1 + N_STATES), f1: n.slice(1 + N_STATES) });
    } else {
      throw new Error(`unexpected harness output: ${line}`);
    }
  }
  return out;
}
