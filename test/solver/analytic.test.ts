import { createSystem, solveIvp, Solver, StatusBits } from '../../src';

// Global error of an adaptive method at tolerance tol stays within a modest
// multiple of tol on these smooth, non-chaotic problems; the bounds below
// are that multiple, stated per test.

describe('accuracy against analytic solutions (CPU backend, float64)', () => {
  it('exponential decay, swept over 8 rates, tsit5 at tol 1e-10: error < 1e-8', async () => {
    const rates = [0.1, 0.3, 0.5, 1, 2, 3, 4, 5];
    const result = await solveIvp({ equations: 'dx = -k*x', states: { x: 1 }, parameters: ['k'] }, { x: 1 }, { k: rates }, {
      duration: 2,
      saveEvery: 0.25,
      atol: 1e-10,
      rtol: 1e-10,
    });
    expect(result.shape).toEqual([9, 1, rates.length]);
    expect(Array.from(result.status)).toEqual(rates.map(() => 0));
    for (let r = 0; r < rates.length; r++) {
      const x = result.trajectory('x', r);
      result.time.forEach((t, k) => expect(Math.abs(x[k] - Math.exp(-rates[r] * t))).toBeLessThan(1e-8));
    }
  });

  it('harmonic oscillator over two periods, dopri5 at tol 1e-9: error < 1e-7', async () => {
    const system = createSystem({ equations: ['dx = v', 'dv = -w^2*x'], states: { x: 1, v: 0 }, parameters: { w: 2 } });
    const result = await solveIvp(system, { x: 1, v: 0 }, { w: [1, 2, 3] }, { method: 'dopri5', duration: 2 * Math.PI, saveEvery: Math.PI / 8, atol: 1e-9, rtol: 1e-9 });
    [1, 2, 3].forEach((w, r) => {
      const x = result.trajectory('x', r);
      const v = result.trajectory('v', r);
      result.time.forEach((t, k) => {
        expect(Math.abs(x[k] - Math.cos(w * t))).toBeLessThan(1e-7);
        expect(Math.abs(v[k] + w * Math.sin(w * t))).toBeLessThan(1e-7 * w);
      });
    });
  });

  it('a linear 3-state system (rotation with decay, plus a decoupled mode): error < 1e-8', async () => {
    // x' = -a x + b y, y' = -b x - a y, z' = -c z: (x, y) rotate at rate b while decaying at rate a.
    const result = await solveIvp(
      { equations: ['dx = -a*x + b*y', 'dy = -b*x - a*y', 'dz = -c*z'], parameters: { a: 0.5, b: 3, c: 2 } },
      { x: 1, y: 0, z: 2 },
      {},
      { duration: 3, saveEvery: 0.5, atol: 1e-11, rtol: 1e-11, method: 'vern7' },
    );
    result.time.forEach((t, k) => {
      const decay = Math.exp(-0.5 * t);
      expect(Math.abs(result.timeDomain[k * 3 + 0] - decay * Math.cos(3 * t))).toBeLessThan(1e-8);
      expect(Math.abs(result.timeDomain[k * 3 + 1] + decay * Math.sin(3 * t))).toBeLessThan(1e-8);
      expect(Math.abs(result.timeDomain[k * 3 + 2] - 2 * Math.exp(-2 * t))).toBeLessThan(1e-8);
    });
  });

  it('float32: decay matches to single-precision accuracy and the arrays are Float32Array', async () => {
    const result = await solveIvp({ equations: 'dx = -k*x', parameters: ['k'] }, { x: 1 }, { k: [0.5, 2] }, {
      precision: 'float32',
      duration: 1,
      saveEvery: 0.1,
      atol: 1e-6,
      rtol: 1e-6,
    });
    expect(result.timeDomain).toBeInstanceOf(Float32Array);
    [0.5, 2].forEach((k, r) => {
      const x = result.trajectory('x', r);
      result.time.forEach((t, i) => expect(Math.abs(x[i] - Math.exp(-k * t))).toBeLessThan(2e-5));
    });
  });
});

describe('save times, settling time and status', () => {
  const decay = { equations: 'dx = -x', states: { x: 1 } };

  it('saves t0 + settling + k*saveEvery and adds the end when duration is not a multiple', async () => {
    const onGrid = await solveIvp(decay, {}, {}, { t0: 1, duration: 1, saveEvery: 0.25 });
    expect(Array.from(onGrid.time)).toEqual([1, 1.25, 1.5, 1.75, 2]);
    const offGrid = await solveIvp(decay, {}, {}, { t0: 0, settlingTime: 0.5, duration: 1, saveEvery: 0.3 });
    expect(Array.from(offGrid.time).map((t) => +t.toFixed(12))).toEqual([0.5, 0.8, 1.1, 1.4, 1.5]);
    const ends = await solveIvp(decay, {}, {}, { duration: 2 });
    expect(Array.from(ends.time)).toEqual([0, 2]);
    expect(ends.trajectory('x', 0)[1]).toBeCloseTo(Math.exp(-2), 7);
  });

  it('settling time integrates without saving: the first save is the state at t0 + settlingTime', async () => {
    const result = await solveIvp(decay, {}, {}, { settlingTime: 1, duration: 1, saveEvery: 0.5, atol: 1e-10, rtol: 1e-10 });
    expect(Array.from(result.time)).toEqual([1, 1.5, 2]);
    const x = result.trajectory('x', 0);
    expect(x[0]).toBeCloseTo(Math.exp(-1), 9);
    expect(x[2]).toBeCloseTo(Math.exp(-2), 9);
  });

  it('a solution that blows up gets a status flag and NaN after the failure, others succeed', async () => {
    // x' = x^2 from x0 = 1 reaches infinity at t = 1; from x0 = 0.1 at t = 10.
    const result = await solveIvp({ equations: 'dx = x^2' }, { x: [1, 0.1] }, {}, { duration: 2, saveEvery: 0.5, maxSteps: 100000 });
    expect(result.status[0]).not.toBe(0);
    expect(result.status[0] & (StatusBits.DT_UNDERFLOW | StatusBits.NONFINITE | StatusBits.MAX_STEPS)).not.toBe(0);
    expect(result.status[1]).toBe(0);
    const blown = result.trajectory('x', 0);
    expect(blown[0]).toBe(1);
    expect(Number.isNaN(blown[4])).toBe(true);
    expect(result.trajectory('x', 1)[4]).toBeCloseTo(0.1 / (1 - 0.1 * 2), 6);
  });

  it('maxSteps stops a run with the MAX_STEPS flag', async () => {
    const result = await solveIvp(decay, {}, {}, { method: 'rk4', stepController: 'fixed', dt: 1e-3, duration: 1, maxSteps: 10 });
    expect(result.status[0]).toBe(StatusBits.MAX_STEPS);
  });
});

describe('float32 kernels keep time as two floats (kernel/cubie/run_time.h)', () => {
  // Far from t = 0 a float's spacing (2^-10 near t0 = 1e4, about 1e-3) is
  // coarser than the steps; a float clock would land saves up to half a
  // spacing away from their times. The two-float clock keeps them to about
  // 1e-11, so the error is the integrator's alone.
  it.each([1e4, 1e6])('decay saved every 0.01 from t0 = %d matches exp(-k (t - t0)) to the tolerance', async (t0) => {
    const k = [0.5, 1, 2, 4];
    const result = await solveIvp({ equations: 'dx = -k*x', states: { x: 1 }, parameters: ['k'] }, { x: 1 }, { k }, { precision: 'float32', t0, duration: 1, saveEvery: 0.01, atol: 1e-7, rtol: 1e-6 });
    expect(Array.from(new Set(result.status))).toEqual([0]);
    let worst = 0;
    k.forEach((rate, run) => {
      const x = result.trajectory('x', run);
      result.time.forEach((t, j) => (worst = Math.max(worst, Math.abs(x[j] - Math.exp(-rate * (t - t0))))));
    });
    // A save 5e-4 off its time would be out by k * 5e-4 * x, up to 2e-3 here.
    expect(worst).toBeLessThan(2e-5);
  });
});

describe('Solver', () => {
  it('compiles once: a second solve uses the kernel from memory; run-time changes do not recompile', async () => {
    const solver = new Solver({ name: 'memo_decay', equations: 'dx = -k*x', parameters: { k: 1 } }, { duration: 1 });
    const info = await solver.compile();
    expect(['compiled', 'disk']).toContain(info.cache);
    expect(info.key).toMatch(/^[0-9a-f]{64}$/);
    const first = await solver.solve({ x: [1, 2] }, { k: [1, 2] });
    expect(first.kernel.cache).toBe('memory');
    const second = await solver.solve({ x: [1] }, {}, { duration: 2, atol: 1e-9, saveEvery: 0.5 });
    expect(second.kernel).toEqual({ ...first.kernel });
    solver.update({ precision: 'float32' });
    const third = await solver.solve({ x: [1] });
    expect(third.kernel.key).not.toBe(first.kernel.key);
    solver.close();
  });

  it('reports progress and honours an AbortSignal', async () => {
    const solver = new Solver({ equations: ['dx = y', 'dy = -x'] }, { duration: 50, atol: 1e-12, rtol: 1e-12, saveEvery: 1 });
    await solver.compile();
    const seen: number[] = [];
    const n = 4000;
    const ok = await solver.solve({ x: new Float64Array(n).fill(1), y: 0 }, {}, { threads: 2, chunkRuns: 64, onProgress: (p) => seen.push(p.done) });
    expect(ok.status.every((s) => s === 0)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBeLessThanOrEqual(n);
    const controller = new AbortController();
    const pending = solver.solve({ x: new Float64Array(50 * n).fill(1), y: 0 }, {}, { threads: 2, chunkRuns: 16, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
