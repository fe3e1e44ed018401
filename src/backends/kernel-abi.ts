import type { NativeBuffer } from '../native/surface';

/**
 * Mirror of kernel/cubie/args.h: the slot order of the kernel's one
 * argument. Change both together, and bump ABI_VERSION.
 */
export const ABI_VERSION = 5;

export const Scalar = {
  N_RUNS: 0,
  T0: 1,
  DURATION: 2,
  SETTLING_TIME: 3,
  SAVE_EVERY: 4,
  N_SAVES: 5,
  SAMPLES_PER_WINDOW: 6,
  N_WINDOWS: 7,
  DT: 8,
  DT_MIN: 9,
  DT_MAX: 10,
  SAFETY: 11,
  MIN_GAIN: 12,
  MAX_GAIN: 13,
  KP: 14,
  KI: 15,
  KD: 16,
  MAX_STEPS: 17,
  NEWTON_TOL: 18,
  NEWTON_MAX_ITERS: 19,
  LINEAR_TOL: 20,
  LINEAR_MAX_ITERS: 21,
  DRIVER_KNOTS: 22,
  DRIVER_UNIFORM_DT: 23,
  DRIVER_PERIODIC: 24,
  MAX_EVENTS: 25,
  MAX_EVENT_RECORDS: 26,
  EVENT_TOLERANCE: 27,
  /** Noise: the seed's high and low 32 bits (a double holds each exactly). */
  SEED_HIGH: 28,
  SEED_LOW: 29,
  /** Noise: the Brownian tree's point spacing in t; 0 asks for the deepest tree. */
  BROWNIAN_TOLERANCE: 30,
} as const;
export const SCALAR_SLOTS = 31;

export const Buffer = {
  STATE_OUT: 0,
  SUMMARY_OUT: 1,
  STATUS: 2,
  COUNTERS: 3,
  ATOL: 4,
  RTOL: 5,
  DRIVER_KNOTS: 6,
  DRIVER_COEFFS: 7,
  SAVE_TIMES: 8,
  EVENT_AT_TIMES: 9,
  EVENT_COUNT: 10,
  EVENT_TIME: 11,
  EVENT_WHICH: 12,
  EVENT_STATE: 13,
  /** Noise only: each run's index in the whole batch (Float64Array), the stream of its Brownian path. */
  RUN_INDEX: 14,
} as const;
/** Fixed buffer slots; each state's y0 and then each parameter follow. */
export const FIXED_BUFFER_SLOTS = 15;

/** Fixed slots read per run, sliced with the runs like y0 and the parameters (the rest are outputs or shared). */
export const INPUT_SLOTS: ReadonlySet<number> = new Set([Buffer.RUN_INDEX]);

/** The slots a kernel writes per run (the rest are inputs, or shared by every run). */
export const OUTPUT_SLOTS: ReadonlySet<number> = new Set([Buffer.STATE_OUT, Buffer.SUMMARY_OUT, Buffer.STATUS, Buffer.COUNTERS, Buffer.EVENT_COUNT, Buffer.EVENT_TIME, Buffer.EVENT_WHICH, Buffer.EVENT_STATE]);

/** Per-run status bits (0 = success). */
export const StatusBits = {
  MAX_STEPS: 1,
  DT_UNDERFLOW: 2,
  NONFINITE: 4,
  NEWTON_FAILED: 8,
  /** A terminal event ended the run: a success, not a failure. */
  TERMINATED: 16,
  /** More than maxEvents events (a Zeno guard): the run stopped. */
  TOO_MANY_EVENTS: 32,
  /** delay(): a lag that is not positive or is under the fixed dt, or a past older than the history kept (raise delayHistory). */
  DELAY: 64,
} as const;

/** Whether a run's status says it failed (any flag but TERMINATED). */
export function runFailed(status: number): boolean {
  return (status & ~StatusBits.TERMINATED) !== 0;
}

export const COUNTER_NAMES = ['accepted', 'rejected', 'rhsEvaluations', 'jacobianEvaluations', 'newtonIterations', 'linearIterations', 'factorizations'] as const;

/** A buffer slot's value: a typed array, or null for an unused slot (as the addon takes it). */
export type KernelBuffer = NativeBuffer;
