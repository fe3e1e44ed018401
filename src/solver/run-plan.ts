import { CubieError } from '../shared/errors';
import type { CompilePlan } from '../codegen/compile-plan';
import { finiteNumber, positiveNumber, SolveOptions } from '../options/solve-options';

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
}

const RELATIVE_EPS = 1e-9;

export function runPlan(plan: CompilePlan, options: SolveOptions): RunPlan {
  const t0 = finiteNumber(options, 't0', 0);
  const duration = positiveNumber(options, 'duration', 1)!;
  const settlingTime = finiteNumber(options, 'settlingTime', 0);
  if (settlingTime < 0) throw new CubieError('INVALID_OPTION', `Option 'settlingTime' must be >= 0 (got ${settlingTime})`, { where: 'settlingTime' });
  const givenSaveEvery = positiveNumber(options, 'saveEvery');
  const saveEvery = givenSaveEvery ?? duration;
  const steps = duration / saveEvery;
  const whole = Math.floor(steps + RELATIVE_EPS);
  const endsOnGrid = Math.abs(steps - whole) <= RELATIVE_EPS * Math.max(1, steps);
  const nSaves = whole + 1 + (endsOnGrid ? 0 : 1);
  if (nSaves > 2 ** 31 - 1) throw new CubieError('INVALID_OPTION', `Option 'saveEvery' gives ${nSaves} saves per run`, { where: 'saveEvery' });
  const tStart = t0 + settlingTime;
  const times = new Float64Array(nSaves);
  for (let k = 0; k < nSaves; k++) times[k] = k === nSaves - 1 ? tStart + duration : tStart + k * saveEvery;

  let samplesPerWindow = 1;
  let nWindows = 0;
  if (plan.summaries.metrics.length) {
    const summariseEvery = positiveNumber(options, 'summariseEvery', duration)!;
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

  const dtMin = positiveNumber(options, 'dtMin', 1e-6)!;
  const dtMax = positiveNumber(options, 'dtMax', 1)!;
  if (dtMin > dtMax) throw new CubieError('INVALID_OPTION', `Option 'dtMin' (${dtMin}) exceeds 'dtMax' (${dtMax})`, { where: 'dtMin' });
  let dt = positiveNumber(options, 'dt') ?? 0; // 0: the kernel picks a starting step
  if (plan.controller === 'fixed' && dt === 0) dt = Math.min(1e-3, duration);
  const pid = plan.controller === 'pid';
  const maxSteps = positiveNumber(options, 'maxSteps', 1e6)!;
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
    safety: positiveNumber(options, 'safety', 0.9)!,
    minGain: positiveNumber(options, 'minGain', pid ? 0.2 : 0.3)!,
    maxGain: positiveNumber(options, 'maxGain', pid ? 5 : 2)!,
    kp: finiteNumber(options, 'kp', pid ? 1 / 18 : 0.7),
    ki: finiteNumber(options, 'ki', pid ? 1 / 9 : -0.4),
    kd: finiteNumber(options, 'kd', pid ? 1 / 18 : 0),
    maxSteps: Math.floor(maxSteps),
    newtonTol: positiveNumber(options, 'newtonTol', 1e-3)!,
    newtonMaxIters: Math.floor(positiveNumber(options, 'newtonMaxIters', 8)!),
    linearTol: positiveNumber(options, 'linearTol', 1e-6)!,
    linearMaxIters: Math.floor(positiveNumber(options, 'linearMaxIters', 50)!),
  };
}
