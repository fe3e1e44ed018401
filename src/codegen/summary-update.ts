/**
 * The summary State's members and the statements that reset and update
 * them (bodies of init, begin_window and sample), for one Plan. Only what
 * the plan asks for is emitted, so unused members cost nothing per thread.
 */
import type { Plan } from './summary-plan';
import { tracksSlopes, usesCurvatures, usesSlopes } from './summary-plan';

/** Per-variable real accumulators of the window, with the plan flag that needs each. */
function windowAccumulators(plan: Plan): string[] {
  const wanted: [boolean, string][] = [
    [plan.sum, 'sum'],
    [plan.shifted, 'shift'],
    [plan.shifted, 'sum_shifted'],
    [plan.shifted, 'sum_shifted_sq'],
    [plan.sumSquares, 'sum_sq'],
    [plan.max, 'max_value'],
    [plan.min, 'min_value'],
    [plan.maxAbs, 'max_abs'],
    [plan.slopeMax, 'dxdt_max'],
    [plan.slopeMin, 'dxdt_min'],
    [plan.curvatureMax, 'd2xdt2_max'],
    [plan.curvatureMin, 'd2xdt2_min'],
  ];
  return wanted.filter(([needed]) => needed).map(([, name]) => name);
}

/** Window counters: samples, samples with a first derivative, with a second derivative. */
function windowCounters(plan: Plan): string[] {
  return [
    ...(plan.count ? ['count'] : []),
    ...(tracksSlopes(plan) ? ['slope_count'] : []),
    ...(usesCurvatures(plan) ? ['curvature_count'] : []),
  ];
}

/** Event lists: [found counter, time slots, slots per variable]. */
function eventLists(plan: Plan): [string, string, string][] {
  return [
    ...(plan.peaks > 0 ? [['peaks_found', 'peak_times', 'n_peaks'] as [string, string, string]] : []),
    ...(plan.negativePeaks > 0 ? [['negative_peaks_found', 'negative_peak_times', 'n_negative_peaks'] as [string, string, string]] : []),
  ];
}

/** The struct's members, doubles first for alignment. */
export function stateMembers(plan: Plan): string[] {
  const lines: string[] = [];
  if (plan.history >= 1) lines.push('double t1;  // time of the previous sample');
  if (plan.history >= 2) lines.push('double t2;  // time of the one before');
  if (plan.history >= 1) lines.push('real x1[n_summarised];  // previous sample');
  if (plan.history >= 2) lines.push('real x2[n_summarised];  // the one before');
  for (const name of windowAccumulators(plan)) lines.push(`real ${name}[n_summarised];`);
  for (const [, times, slots] of eventLists(plan)) lines.push(`real ${times}[n_summarised][${slots}];`);
  for (const [found] of eventLists(plan)) lines.push(`int ${found}[n_summarised];`);
  if (plan.history >= 1) lines.push('int history;  // earlier samples available, at most ' + plan.history);
  for (const counter of windowCounters(plan)) lines.push(`int ${counter};`);
  return lines;
}

/** init: the history emptied and every member given a value, so nothing is read uninitialised. */
export function runResets(plan: Plan): string[] {
  const perVariable = [
    ...(plan.history >= 1 ? [`s.x1[i] = ${plan.zero};`] : []),
    ...(plan.history >= 2 ? [`s.x2[i] = ${plan.zero};`] : []),
    ...eventLists(plan).map(([, times, slots]) => `for (int p = 0; p < ${slots}; ++p) s.${times}[i][p] = ${plan.zero};`),
  ];
  return [
    ...(plan.history >= 1 ? ['s.history = 0;', 's.t1 = 0.0;'] : []),
    ...(plan.history >= 2 ? ['s.t2 = 0.0;'] : []),
    ...loop(perVariable),
  ];
}

/** begin_window: counters and accumulators to zero (min/max are replaced by the window's first value). */
export function windowResets(plan: Plan): string[] {
  return [
    ...windowCounters(plan).map((counter) => `s.${counter} = 0;`),
    ...loop([
      ...windowAccumulators(plan).map((name) => `s.${name}[i] = ${plan.zero};`),
      ...eventLists(plan).map(([found]) => `s.${found}[i] = 0;`),
    ]),
  ];
}

/** sample: every accumulator updated with x at t, then the history shifted. */
export function sampleBody(plan: Plan): string[] {
  const slopes = usesSlopes(plan);
  const curvatures = usesCurvatures(plan);
  const events = eventLists(plan).length > 0;
  const firstInWindow = plan.shifted || plan.max || plan.min || plan.maxAbs;
  const head = [
    ...(firstInWindow ? ['const bool first = s.count == 0;'] : []),
    ...(slopes ? ['const bool has_previous = s.history >= 1;'] : []),
    ...(curvatures || events ? ['const bool has_two_previous = s.history >= 2;'] : []),
    ...(tracksSlopes(plan) ? ['const bool first_slope = s.slope_count == 0;'] : []),
    ...(curvatures ? ['const bool first_curvature = s.curvature_count == 0;'] : []),
    // Spacings in double (times are double), then in the kernel's precision.
    ...(slopes ? ['const real h = static_cast<real>(t - s.t1);'] : []),
    ...(curvatures ? ['const real h_previous = static_cast<real>(s.t1 - s.t2);'] : []),
  ];
  const updates = [
    ...valueUpdates(plan),
    ...(slopes ? ['if (has_previous) {', ...indent(derivativeUpdates(plan)), '}'] : []),
    ...(events ? ['if (has_two_previous) {', ...indent(eventUpdates(plan)), '}'] : []),
    ...(plan.history >= 2 ? ['s.x2[i] = s.x1[i];'] : []),
    ...(plan.history >= 1 ? ['s.x1[i] = v;'] : []),
  ];
  if (updates.length === 0) return [];
  const tail = [
    ...(plan.count ? ['s.count += 1;'] : []),
    ...(tracksSlopes(plan) ? ['if (has_previous) s.slope_count += 1;'] : []),
    ...(curvatures ? ['if (has_two_previous) s.curvature_count += 1;'] : []),
    ...(plan.history >= 2 ? ['s.t2 = s.t1;'] : []),
    ...(plan.history >= 1 ? ['s.t1 = t;', `if (s.history < ${plan.history}) s.history += 1;`] : []),
  ];
  return [...head, ...loop(['const real v = x[i];', ...updates]), ...tail];
}

function valueUpdates(plan: Plan): string[] {
  return [
    ...(plan.sum ? ['s.sum[i] += v;'] : []),
    ...(plan.shifted
      ? ['if (first) s.shift[i] = v;', 'const real d = v - s.shift[i];', 's.sum_shifted[i] += d;', 's.sum_shifted_sq[i] += d * d;']
      : []),
    ...(plan.sumSquares ? ['s.sum_sq[i] += v * v;'] : []),
    ...(plan.max ? ['if (first || v > s.max_value[i]) s.max_value[i] = v;'] : []),
    ...(plan.min ? ['if (first || v < s.min_value[i]) s.min_value[i] = v;'] : []),
    ...(plan.maxAbs ? [`if (first || ${plan.abs}(v) > s.max_abs[i]) s.max_abs[i] = ${plan.abs}(v);`] : []),
  ];
}

/** Inside `if (has_previous)`: the backward difference, and the three-point second difference once two samples precede. */
function derivativeUpdates(plan: Plan): string[] {
  const curvatures = usesCurvatures(plan);
  return [
    'const real slope = (v - s.x1[i]) / h;',
    ...(plan.slopeMax ? ['if (first_slope || slope > s.dxdt_max[i]) s.dxdt_max[i] = slope;'] : []),
    ...(plan.slopeMin ? ['if (first_slope || slope < s.dxdt_min[i]) s.dxdt_min[i] = slope;'] : []),
    ...(curvatures
      ? [
        'if (has_two_previous) {',
        '  const real previous_slope = (s.x1[i] - s.x2[i]) / h_previous;',
        `  const real curvature = ${plan.two} * (slope - previous_slope) / (h_previous + h);`,
        ...(plan.curvatureMax ? ['  if (first_curvature || curvature > s.d2xdt2_max[i]) s.d2xdt2_max[i] = curvature;'] : []),
        ...(plan.curvatureMin ? ['  if (first_curvature || curvature < s.d2xdt2_min[i]) s.d2xdt2_min[i] = curvature;'] : []),
        '}',
      ]
      : []),
  ];
}

/**
 * Inside `if (has_two_previous)`: the previous sample is a strict local
 * maximum (minimum); record its time while slots remain. The slot is found
 * by a loop with constant bounds rather than indexed by the counter: a
 * run-time index would force the whole State out of registers into local
 * memory on the GPU.
 */
function eventUpdates(plan: Plan): string[] {
  const record = (comparison: string, found: string, times: string, slots: string): string[] => [
    `if (${comparison} && s.${found}[i] < ${slots}) {`,
    `  for (int p = 0; p < ${slots}; ++p) if (p == s.${found}[i]) s.${times}[i][p] = static_cast<real>(s.t1);`,
    `  s.${found}[i] += 1;`,
    '}',
  ];
  return [
    ...(plan.peaks > 0 ? record('s.x2[i] < s.x1[i] && s.x1[i] > v', 'peaks_found', 'peak_times', 'n_peaks') : []),
    ...(plan.negativePeaks > 0
      ? record('s.x2[i] > s.x1[i] && s.x1[i] < v', 'negative_peaks_found', 'negative_peak_times', 'n_negative_peaks')
      : []),
  ];
}

/** `for (int i ...) { lines }` over the variables, or nothing when there are no lines. */
export function loop(lines: string[]): string[] {
  return lines.length === 0 ? [] : ['for (int i = 0; i < n_summarised; ++i) {', ...indent(lines), '}'];
}

export function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
