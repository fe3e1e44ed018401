/** The CPU backend through the cache, with real host compiles (used sparingly: ~0.5–2 s each). */
import * as fs from 'fs';
import * as path from 'path';
import { solveIvp, Solver } from '../../src';
import { FileCacheStore } from '../../src/cache/file-store';
import { collectWarnings, lastJson, requireDist, startChild, tick, tmpRoot } from './support';

// Each test uses its own equations: the key follows the source, and one process shares loaded kernels by key.
const decay = (name: string, rate = 'k') => ({ name, equations: `dx = -${rate}*x`, parameters: { k: 1 } });
const settings = { duration: 1, saveEvery: 0.5 };

describe('CPU solves through the kernel cache', () => {
  it('compiled, then memory, then disk in a fresh process; SolveResult.kernel says which and how long compiling took', async () => {
    const cacheDir = tmpRoot();
    const first = await solveIvp(decay('decay'), { x: [1, 2, 3] }, {}, { cacheDir, precision: 'float32', ...settings });
    expect(first.kernel).toMatchObject({ backend: 'cpu', cache: 'compiled' });
    expect(first.kernel.key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.kernel.compileMs).toBeGreaterThan(0);
    const second = await solveIvp(decay('decay'), { x: [1, 2, 3] }, {}, { cacheDir, precision: 'float32', ...settings });
    expect(second.kernel).toEqual({ ...first.kernel, cache: 'memory', compileMs: 0 });
    expect(Array.from(second.timeDomain)).toEqual(Array.from(first.timeDomain));
    const entries = await new FileCacheStore(cacheDir).entries();
    expect(entries.map((e) => [e.system, e.key, e.kind])).toEqual([['decay', first.kernel.key, 'so']]);

    // Fresh processes (over dist/, which may lag src/ while it is edited: compare them with each other).
    requireDist();
    const one = lastJson(await startChild('solve.js', { cacheDir, name: 'decay' }).done);
    const two = lastJson(await startChild('solve.js', { cacheDir, name: 'decay' }).done);
    expect(['compiled', 'disk']).toContain(one.kernel.cache);
    expect(two.kernel).toEqual({ ...one.kernel, cache: 'disk', compileMs: 0 });
    expect(two.digest).toBe(one.digest);
  });

  it('run-time settings never change the key', async () => {
    const cacheDir = tmpRoot();
    const solver = new Solver(decay('runtime', '2*k'), { cacheDir, precision: 'float32' });
    const a = await solver.solve({ x: [1] }, { k: [1] }, { duration: 1, saveEvery: 0.5 });
    const b = await solver.solve({ x: [1] }, { k: [1] }, { duration: 2, saveEvery: 0.25, atol: 1e-4 });
    expect(b.kernel).toMatchObject({ key: a.kernel.key, cache: 'memory' });
  });

  it('cache: false compiles in memory only', async () => {
    const cacheDir = tmpRoot();
    const result = await solveIvp(decay('nocache', '3*k'), { x: 1 }, {}, { cacheDir, cache: false, precision: 'float32', ...settings });
    expect(result.kernel).toMatchObject({ cache: 'disabled' });
    expect(result.kernel.compileMs).toBeGreaterThan(0);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('flush mode through Solver.update: one configuration on disk; reverting recompiles; a kernel in use keeps working', async () => {
    const cacheDir = tmpRoot();
    const store = new FileCacheStore(cacheDir);
    const system = decay('flushy', '4*k');
    const solver = new Solver(system, { cacheDir, cachingMode: 'flush', precision: 'float32', ...settings });
    const f32 = await solver.solve({ x: [1] }, { k: [1] });
    expect(f32.kernel.cache).toBe('compiled');
    expect((await store.entries('flushy')).map((e) => e.key)).toEqual([f32.kernel.key]);

    // A long solve on the float32 kernel is in flight while another configuration flushes its entry.
    const inFlight = new Solver(system, { cacheDir, cachingMode: 'flush', precision: 'float32' }).solve(
      { x: Array.from({ length: 20000 }, () => 1) },
      { k: [1] },
      { duration: 5, saveEvery: 1 },
    );
    solver.update({ precision: 'float64' });
    const f64 = await solver.solve({ x: [1] }, { k: [1] });
    expect(f64.kernel.cache).toBe('compiled');
    expect(f64.kernel.key).not.toBe(f32.kernel.key);
    expect((await store.entries('flushy')).map((e) => e.key)).toEqual([f64.kernel.key]);
    const survived = await inFlight;
    expect(survived.status.every((s) => s === 0)).toBe(true);
    expect(survived.trajectory('x', 19999)[5]).toBeCloseTo(Math.exp(-20), 6);

    solver.update({ precision: 'float32' });
    const back = await solver.solve({ x: [1] }, { k: [1] });
    expect(back.kernel).toMatchObject({ key: f32.kernel.key, cache: 'compiled' });
    expect((await store.entries('flushy')).map((e) => e.key)).toEqual([f32.kernel.key]);
  });

  it('an unusable cache folder never fails a solve', async () => {
    const file = path.join(tmpRoot(), 'not-a-folder');
    fs.writeFileSync(file, '');
    const warnings = collectWarnings();
    try {
      const result = await solveIvp(decay('homeless', '5*k'), { x: 1 }, {}, { cacheDir: path.join(file, 'cache'), precision: 'float32', ...settings });
      await tick();
      expect(result.kernel.cache).toBe('compiled');
      expect(result.status[0]).toBe(0);
      expect(warnings.list.map((w) => w.code)).toEqual(['CUBIE_CACHE_UNWRITABLE']);
    } finally {
      warnings.stop();
    }
  });

  it('bad cache options fail the solve with INVALID_OPTION naming them', async () => {
    await expect(solveIvp(decay('badopts'), { x: 1 }, {}, { cachingMode: 'sometimes' as never })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      details: { where: 'cachingMode' },
    });
    await expect(solveIvp(decay('badopts'), { x: 1 }, {}, { maxCacheAge: 'a while' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      details: { where: 'maxCacheAge' },
    });
  });
});
