/**
 * Deterministic sample sequences for the summary tests, three variables
 * each, chosen so that every rule has something to bite on: several peaks
 * per window (more than peaks[3] keeps), peaks on window boundaries, flat
 * stretches, a short final interval, and windows too short for a second
 * derivative.
 */
import type { Samples } from './reference';

/** Every metric, with counts that the signals both fill and leave short. */
export const ALL_NAMES = ['mean', 'std', 'rms', 'min', 'max', 'extrema', 'max_magnitude', 'peaks[3]', 'negative_peaks[2]',
  'dxdt_max', 'dxdt_min', 'dxdt_extrema', 'd2xdt2_max', 'd2xdt2_min', 'd2xdt2_extrema'];

export interface SignalCase extends Samples {
  name: string;
}

/** A fixed-seed linear congruential generator (Numerical Recipes constants): uniform in [-1, 1). */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/** t_k = tStart + k*h for k = 0..count-1, then the extra times given. */
function grid(tStart: number, h: number, count: number, extra: number[] = []): number[] {
  return [...Array.from({ length: count }, (_, k) => tStart + k * h), ...extra];
}

const TWO_PI = 2 * Math.PI;

export function signalCases(): SignalCase[] {
  const noise = lcg(20240607);
  const waves = grid(0.5, 0.05, 101); // m = 20: five windows of 1 s, ~3.7 peaks each in the first variable
  const steady = grid(0, 0.125, 41); // dyadic steps: the ramp's values and differences are exact in float32
  const shortEnd = grid(1, 0.1, 21, [3.03]); // last interval 0.03 instead of 0.1; the last window holds 3 samples
  const single = grid(0, 0.2, 13); // m = 1: window 0 holds k = 0, 1 and has no second derivative
  const flats = grid(0, 1, 16);
  return [
    {
      name: 'waves',
      perWindow: 20,
      times: waves,
      values: [
        waves.map((t) => Math.sin(TWO_PI * 3.7 * t)),
        waves.map((t) => 2 * Math.cos(TWO_PI * 1.3 * t) + 0.5),
        waves.map((t) => Math.sin(TWO_PI * 0.4 * t) + 0.3 * Math.sin(TWO_PI * 2.9 * t + 1)),
      ],
    },
    {
      name: 'ramp, constant, noise',
      perWindow: 8,
      times: steady,
      values: [steady.map((t) => 0.25 + 0.75 * t), steady.map(() => 3.5), steady.map(() => noise())],
    },
    {
      name: 'short last interval',
      perWindow: 6,
      times: shortEnd,
      values: [
        shortEnd.map((t) => Math.sin(TWO_PI * t) + 0.1 * noise()),
        shortEnd.map((t) => Math.exp(-t)),
        shortEnd.map((t) => 1e4 + Math.cos(3 * t)), // a large offset: std must survive cancellation
      ],
    },
    {
      name: 'one sample per window',
      perWindow: 1,
      times: single,
      values: [single.map(() => noise()), single.map((_, k) => (k % 2 === 0 ? 1 : -1)), single.map((t) => Math.sin(TWO_PI * 0.7 * t))],
    },
    {
      name: 'plateaus',
      perWindow: 5,
      times: flats,
      values: [
        [0, 1, 1, 0, 2, 2, 2, 1, 3, 0, 0, 1, 0, 5, 5, 4],
        [0, -1, -1, 0, -2, -2, -1, -3, 0, 0, -1, 0, -5, -5, -4, -6],
        [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
      ],
    },
  ];
}

/** The hand-worked example of the semantics (see the reference tests): m = 2, times 0..4. */
export const HAND_CASE: SignalCase = {
  name: 'hand-worked',
  perWindow: 2,
  times: [0, 1, 2, 3, 4],
  values: [[0, 2, 1, 3, 0], [0, -2, -1, -3, 0], [5, 5, 5, 5, 5]],
};
