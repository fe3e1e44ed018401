import { CubieError } from '../shared/errors';
import type { CompilePlan } from '../codegen/compile-plan';
import { readOption, SolveOptions } from '../options/solve-options';

/** Run-time settings, resolved and checked; they become the kernel's scalar slots. */
export interface RunPlan {
  t0: number;
  duration: number;
  settlingTime: number;
  saveEvery: number;
  nSaves: number;
  times: Float64Array;
  samplesPerWindow: number;
  nWindows: number;
  dt: number;
  dtMin: number;
  dtMax: number;
  safety: number;
  minGain: number;
  maxGain: number;
  kp: number;
  ki: number;
  kd: number;
  maxSteps: number;
  newtonTol: number;
  newtonMaxIters: number;
  linearTol: number;
  linearMaxIters: number;
  maxEvents: number;
  /** Records kept per run; 0 unless the plan records events. */
  maxEventRecords: number;
  eventTolerance: number;
  /** Noise: the Brownian tree's point spacing in t (kernel/cubie/brownian.h). */
  brownianTolerance: number;
}

const RELATIVE_EPS = 1e-9;

/** Every saveEvery from the start of the saved span, and its end exactly. */
function saveGrid(tStart: number, duration: number, saveEvery: number): Float64Array {
  const steps = duration / saveEvery;
  const whole = Math.floor(steps + RELATIVE_EPS);
  const endsOnGrid = Math.abs(steps - whole) <= RELATIVE_EPS * Math.max(1, steps);
  const nSaves = whole + 1 + (endsOnGrid ? 0 : 1);
  if (nSaves > 2 ** 31 - 1) throw new CubieError('INVALID_OPTION', `Option 'saveEvery' gives ${nSaves} saves per run`, { where: 'saveEvery' });
  const times = new Float64Array(nSaves);
  for (let k = 0; k < nSaves; k++) times[k] = k === nSaves - 1 ? tStart + duration : tStart + k * saveEvery;
  return times;
}

/** saveAt as given: at least one time, strictly ascending, within the saved span [t0 + settlingTime, that + duration]. */
function checkedSaveAt(saveAt: ArrayLike<number>, tStart: number, duration: number): Float64Array {
  const times = Float64Array.from(saveAt);
  const tEnd = tStart + duration;
  const slack = RELATIVE_EPS * Math.max(1, Math.abs(tStart), Math.abs(tEnd));
  if (times.length === 0) throw new CubieError('INVALID_OPTION', "Option 'saveAt' is empty; give at least one time", { where: 'saveAt' });
  if (times.length > 2 ** 31 - 1) throw new CubieError('INVALID_OPTION', `Option 'saveAt' has ${times.length} times`, { where: 'saveAt' });
  times.forEach((t, k) => {
    if (t < tStart - slack || t > tEnd + slack) {
      throw new CubieError('INVALID_OPTION', `Option 'saveAt' [${k}] is ${t}, outside the saved span [${tStart}, ${tEnd}] (t0 + settlingTime to that + duration)`, { where: `saveAt[${k}]` });
    }
    if (k > 0 && !(t > times[k - 1])) {
      throw new CubieError('INVALID_OPTION', `Option 'saveAt' must increase strictly: [${k - 1}] is ${times[k - 1]}, [${k}] is ${t}`, { where: `saveAt[${k}]` });
    }
  });
  return times;
}

export function runPlan(plan: CompilePlan, options: SolveOptions): RunPlan {
  const t0 = readOption(options, 't0', 0);
  const duration = readOption(options, 'duration', 1);
  const settlingTime = readOption(options, 'settlingTime', 0);
  if (settlingTime < 0) throw new CubieError('INVALID_OPTION', `Option 'settlingTime' must be >= 0 (got ${settlingTime})`, { where: 'settlingTime' });
  const givenSaveEvery = readOption(options, 'saveEvery');
  const saveAt = readOption(options, 'saveAt');
  const tStart = t0 + settlingTime;
  if (saveAt !== undefined && givenSaveEvery !== undefined) {
    throw new CubieError('INVALID_OPTION', "Options 'saveAt' and 'saveEvery' both say when to save; give one", { where: 'saveAt' });
  }
  const saveEvery = givenSaveEvery ?? duration;
  const times = saveAt === undefined ? saveGrid(tStart, duration, saveEvery) : checkedSaveAt(saveAt, tStart, duration);
  const nSaves = times.length;

  let samplesPerWindow = 1;
  let nWindows = 0;
  if (plan.summaries.metrics.length && saveAt !== undefined) {
    throw new CubieError(
      'INVALID_OPTION',
      "Summaries are computed over windows of the regular saveEvery grid; with 'saveAt' ask for 'state' or 'observables' only, or save on a grid",
      { where: 'saveAt' },
    );
  }
  if (plan.summaries.metrics.length) {
    const summariseEvery = readOption(options, 'summariseEvery', duration);
    const ratio = summariseEvery / saveEvery;
    samplesPerWindow = Math.round(ratio);
    if (samplesPerWindow < 1 || Math.abs(ratio - samplesPerWindow) > RELATIVE_EPS * ratio) {
      throw new CubieError(
        'INVALID_OPTION',
        `Option 'summariseEvery' (${summariseEvery}) must be a whole multiple of 'saveEvery' (${saveEvery}): summaries are computed from the samples taken every saveEvery`,
        { where: 'summariseEvery' },
      );
    }
    nWindows = Math.max(1, Math.ceil((nSaves - 1) / samplesPerWindow));
  }

  // No absolute floor by default: the kernel stops a step only below a few spacings of t (scipy has no floor either).
  const dtMin = readOption(options, 'dtMin', 0);
  // A step may span the whole integration unless bounded; the controller, not a cap, keeps it accurate.
  const dtMax = readOption(options, 'dtMax', settlingTime + duration);
  if (dtMin > dtMax) throw new CubieError('INVALID_OPTION', `Option 'dtMin' (${dtMin}) exceeds 'dtMax' (${dtMax})`, { where: 'dtMin' });
  let dt = readOption(options, 'dt') ?? 0; // 0: the kernel picks a starting step
  if (plan.controller === 'fixed' && dt === 0) dt = Math.min(1e-3, duration);
  const pid = plan.controller === 'pid';
  const maxSteps = readOption(options, 'maxSteps', 1e6);
  // The kernel counts steps in int32, and so do the counters it reports.
  if (maxSteps > 2 ** 31 - 1) {
    throw new CubieError('INVALID_OPTION', `Option 'maxSteps' is ${maxSteps}; at most ${2 ** 31 - 1} steps per run are counted`, { where: 'maxSteps' });
  }
  return {
    t0,
    duration,
    settlingTime,
    saveEvery,
    nSaves,
    times,
    samplesPerWindow,
    nWindows,
    dt,
    dtMin,
    dtMax,
    safety: readOption(options, 'safety', 0.9),
    minGain: readOption(options, 'minGain', pid ? 0.2 : 0.3),
    maxGain: readOption(options, 'maxGain', pid ? 5 : 2),
    kp: readOption(options, 'kp', pid ? 1 / 18 : 0.7),
    ki: readOption(options, 'ki', pid ? 1 / 9 : -0.4),
    kd: readOption(options, 'kd', pid ? 1 / 18 : 0),
    maxSteps: Math.floor(maxSteps),
    newtonTol: readOption(options, 'newtonTol', 1e-3),
    newtonMaxIters: Math.floor(readOption(options, 'newtonMaxIters', 8)),
    linearTol: readOption(options, 'linearTol', 1e-6),
    linearMaxIters: Math.floor(readOption(options, 'linearMaxIters', 50)),
    maxEvents: readOption(options, 'maxEvents', 10_000),
    maxEventRecords: plan.recordEvents ? readOption(options, 'maxEventRecords', 16) : 0,
    eventTolerance: readOption(options, 'eventTolerance', 0),
    // Independent of dt, so another dt, a rejected step or a landing step sees the same path.
    brownianTolerance: readOption(options, 'brownianTolerance', (settlingTime + duration) * 1e-6),
  };
}
