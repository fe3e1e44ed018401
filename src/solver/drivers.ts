import { CubieError } from '../shared/errors';
import type { DriverInput } from '../options/solve-options';
import type { CubieSystem } from '../system';
import type { Precision } from '../options/solve-options';

/**
 * Sampled drivers as the kernel evaluates them (kernel/cubie/drivers.h):
 * shared knots and, per driver and segment, the coefficients of
 * a + b s + c s^2 + d s^3 with s the time since the segment's first knot.
 */
export interface FittedDrivers {
  knots: Float64Array;
  coeffs: Float32Array | Float64Array;
  uniformDt: number;
  periodic: boolean;
}

const SETTINGS = new Set(['time', 'dt', 't0', 'order', 'periodic']);

function bad(message: string, where = 'drivers'): never {
  throw new CubieError('INVALID_OPTION', message, { where });
}

function sampleTimes(input: DriverInput, n: number): { knots: Float64Array; uniformDt: number } {
  if (input.time !== undefined) {
    if (input.time.length !== n) bad(`drivers.time has ${input.time.length} values but the samples have ${n}`, 'drivers.time');
    const knots = Float64Array.from(input.time);
    for (let i = 1; i < n; i++) if (!(knots[i] > knots[i - 1])) bad(`drivers.time must increase strictly (index ${i})`, 'drivers.time');
    const dt = (knots[n - 1] - knots[0]) / (n - 1);
    const uniform = knots.every((t, i) => Math.abs(t - (knots[0] + i * dt)) <= 1e-12 * Math.max(1, Math.abs(t)));
    return { knots, uniformDt: uniform ? dt : 0 };
  }
  const dt = input.dt;
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt)) bad("drivers needs 'time' (sample times) or a positive 'dt'", 'drivers.dt');
  const t0 = input.t0 ?? 0;
  if (typeof t0 !== 'number' || !Number.isFinite(t0)) bad('drivers.t0 must be a finite number', 'drivers.t0');
  return { knots: Float64Array.from({ length: n }, (_, i) => t0 + i * dt), uniformDt: dt };
}

/** Second derivatives of the natural (ends: 0) or periodic cubic spline through (t, y). */
function splineCurvatures(t: Float64Array, y: ArrayLike<number>, periodic: boolean): Float64Array {
  const n = t.length;
  const h = (i: number): number => t[i + 1] - t[i];
  const slope = (i: number): number => (y[i + 1] - y[i]) / h(i);
  const M = new Float64Array(n);
  if (n < 3) return M;
  if (!periodic) {
    // Tridiagonal system for M_1 .. M_{n-2} (Thomas algorithm).
    const m = n - 2;
    const c = new Float64Array(m);
    const d = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const i = k + 1;
      const diag = 2 * (h(i - 1) + h(i));
      const rhs = 6 * (slope(i) - slope(i - 1));
      const lower = k > 0 ? h(i - 1) : 0;
      const denom = diag - lower * (k > 0 ? c[k - 1] : 0);
      c[k] = h(i) / denom;
      d[k] = (rhs - lower * (k > 0 ? d[k - 1] : 0)) / denom;
    }
    for (let k = m - 1; k >= 0; k--) M[k + 1] = d[k] - (k < m - 1 ? c[k] * M[k + 2] : 0);
    return M;
  }
  // Periodic: unknowns M_0 .. M_{n-2} on a cyclic tridiagonal system, solved
  // with the Sherman-Morrison correction of two Thomas solves.
  const m = n - 1;
  const hw = (i: number): number => h(((i % m) + m) % m);
  const sw = (i: number): number => slope(((i % m) + m) % m);
  const a = new Float64Array(m); // sub-diagonal
  const b = new Float64Array(m); // diagonal
  const cc = new Float64Array(m); // super-diagonal
  const r = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    a[i] = hw(i - 1);
    b[i] = 2 * (hw(i - 1) + hw(i));
    cc[i] = hw(i);
    r[i] = 6 * (sw(i) - sw(i - 1));
  }
  if (m === 2) {
    // Both off-diagonal couplings join the same two unknowns.
    const a01 = a[0] + cc[0];
    const a10 = a[1] + cc[1];
    const det = b[0] * b[1] - a01 * a10;
    M[0] = (r[0] * b[1] - a01 * r[1]) / det;
    M[1] = (b[0] * r[1] - a10 * r[0]) / det;
    M[2] = M[0];
    return M;
  }
  const thomas = (diag: Float64Array, rhs: Float64Array): Float64Array => {
    const cp = new Float64Array(m);
    const dp = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const lower = i > 0 ? a[i] : 0;
      const denom = diag[i] - lower * (i > 0 ? cp[i - 1] : 0);
      cp[i] = i < m - 1 ? cc[i] / denom : 0;
      dp[i] = (rhs[i] - lower * (i > 0 ? dp[i - 1] : 0)) / denom;
    }
    const x = new Float64Array(m);
    for (let i = m - 1; i >= 0; i--) x[i] = dp[i] - (i < m - 1 ? cp[i] * x[i + 1] : 0);
    return x;
  };
  const gamma = -b[0];
  const diag = Float64Array.from(b);
  diag[0] -= gamma;
  diag[m - 1] -= (cc[m - 1] * a[0]) / gamma;
  const u = new Float64Array(m);
  u[0] = gamma;
  u[m - 1] = cc[m - 1];
  const x = thomas(diag, r);
  const z = thomas(diag, u);
  const factor = (x[0] + (a[0] * x[m - 1]) / gamma) / (1 + z[0] + (a[0] * z[m - 1]) / gamma);
  for (let i = 0; i < m; i++) M[i] = x[i] - factor * z[i];
  M[m] = M[0];
  return M;
}

/** Fits every driver of the system to its samples; undefined when the system has none. */
export function fitDrivers(system: CubieSystem, option: DriverInput | undefined, precision: Precision): FittedDrivers | undefined {
  const names = system.drivers;
  if (names.length === 0) {
    if (option !== undefined && Object.keys(option).some((k) => !SETTINGS.has(k))) bad(`system '${system.name}' has no drivers, but the 'drivers' option gives samples`);
    return undefined;
  }
  if (option === undefined || typeof option !== 'object') {
    bad(`system '${system.name}' has drivers (${names.join(', ')}); give their samples with the 'drivers' option, e.g. { ${names[0]}: [...], dt: 0.01 }`);
  }
  for (const key of Object.keys(option)) {
    if (!SETTINGS.has(key) && !names.includes(key)) bad(`drivers.${key} is not a driver of system '${system.name}' (drivers: ${names.join(', ')})`, `drivers.${key}`);
  }
  const samples = names.map((name) => {
    const values = option[name];
    if (values === undefined || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
      bad(`drivers.${name} is missing: give its samples as an array`, `drivers.${name}`);
    }
    const array = values as ArrayLike<number>;
    for (let i = 0; i < array.length; i++) if (!Number.isFinite(array[i])) bad(`drivers.${name}[${i}] is not a finite number`, `drivers.${name}`);
    return array;
  });
  const n = samples[0].length;
  if (n < 2) bad('drivers need at least 2 samples');
  samples.forEach((s, k) => {
    if (s.length !== n) bad(`drivers.${names[k]} has ${s.length} samples but drivers.${names[0]} has ${n}`, `drivers.${names[k]}`);
  });
  const order = option.order ?? 3;
  if (order !== 1 && order !== 3) bad(`drivers.order must be 1 (linear) or 3 (cubic spline), got ${String(order)}`, 'drivers.order');
  const periodic = option.periodic ?? false;
  if (typeof periodic !== 'boolean') bad('drivers.periodic must be true or false', 'drivers.periodic');
  const { knots, uniformDt } = sampleTimes(option, n);
  if (periodic) {
    samples.forEach((s, k) => {
      const scale = Math.max(1, Math.abs(s[0]));
      if (Math.abs(s[n - 1] - s[0]) > 1e-9 * scale) {
        bad(`drivers.${names[k]}: a periodic driver's samples span one period, so the last sample must repeat the first (${s[0]} vs ${s[n - 1]})`, `drivers.${names[k]}`);
      }
    });
  }
  const segments = n - 1;
  const coeffs = precision === 'float32' ? new Float32Array(names.length * segments * 4) : new Float64Array(names.length * segments * 4);
  samples.forEach((y, k) => {
    const M = order === 3 ? splineCurvatures(knots, y, periodic) : new Float64Array(n);
    for (let i = 0; i < segments; i++) {
      const h = knots[i + 1] - knots[i];
      const base = (k * segments + i) * 4;
      coeffs[base] = y[i];
      coeffs[base + 1] = (y[i + 1] - y[i]) / h - (h * (2 * M[i] + M[i + 1])) / 6;
      coeffs[base + 2] = M[i] / 2;
      coeffs[base + 3] = (M[i + 1] - M[i]) / (6 * h);
    }
  });
  return { knots, coeffs, uniformDt, periodic };
}
