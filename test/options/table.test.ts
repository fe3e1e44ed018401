/**
 * The table of options: it covers SolveOptions exactly, its phases decide
 * what the model hash and sidecar settings hold, and execution and cache
 * options never change a model hash or merge compatibility.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/files/model-file';
import { resultSettings } from '../../src/files/model-hash';
import { canonicalOptionName, normalizeOptions, SolveOptions } from '../../src/options/solve-options';
import { OPTION_TABLE, optionNames } from '../../src/options/table';
import { tempDir, writeModel } from '../cli/support';

/** Every key of SolveOptions, checked by the compiler: a key added to the interface and not here fails to build. */
const EVERY_KEY: Record<keyof SolveOptions, true> = {
  method: true, stepController: true, precision: true, outputTypes: true, saveVariables: true, summariseVariables: true, saveMode: true, linearSolver: true, delayHistory: true,
  duration: true, t0: true, settlingTime: true, saveEvery: true, saveAt: true, summariseEvery: true, dt: true, dtMin: true, dtMax: true,
  atol: true, rtol: true, safety: true, minGain: true, maxGain: true, kp: true, ki: true, kd: true, maxSteps: true,
  maxEvents: true, maxEventRecords: true, eventTolerance: true, seed: true, brownianTolerance: true, runIndexOffset: true,
  newtonTol: true, newtonMaxIters: true, linearTol: true, linearMaxIters: true, gridType: true, replicates: true, ensembleOutputs: true, drivers: true,
  onProgress: true, signal: true,
  backend: true, devices: true, threads: true, cpuTarget: true, cpuLanes: true, chunkRuns: true, blockSize: true, maxDeviceBytes: true,
  cache: true, cachingMode: true, cacheDir: true, maxCacheBytes: true, maxCacheAge: true, sharedCache: true,
};

/** One valid, non-default value for each execution and cache option. */
const HOW_AND_WHERE: Record<string, unknown> = {
  backend: 'cpu', devices: [0], threads: 3, cpuTarget: 'portable', cpuLanes: 1, chunkRuns: 7, blockSize: 128, maxDeviceBytes: 2 ** 28,
  cache: false, cachingMode: 'flush', cacheDir: '/tmp/somewhere-else', maxCacheBytes: 2 ** 30, maxCacheAge: '7d', sharedCache: true,
};

describe('the table of options', () => {
  it('has one row for every key of SolveOptions, and nothing else', () => {
    expect(optionNames().sort()).toEqual(Object.keys(EVERY_KEY).sort());
    expect(new Set(optionNames()).size).toBe(OPTION_TABLE.length);
  });

  it('execution and cache options are exactly the ones that never change results (with onProgress and signal)', () => {
    const howAndWhere = OPTION_TABLE.filter((r) => r.phase === 'execution' || r.phase === 'cache').map((r) => r.name).sort();
    expect(howAndWhere).toEqual(Object.keys(HOW_AND_WHERE).sort());
    expect(OPTION_TABLE.filter((r) => !r.changesResults).map((r) => r.name).sort()).toEqual([...howAndWhere, 'onProgress', 'signal'].sort());
    expect(OPTION_TABLE.filter((r) => r.phase === 'compile').map((r) => r.name)).toEqual(['method', 'stepController', 'precision', 'outputTypes', 'saveVariables', 'summariseVariables', 'saveMode', 'delayHistory', 'linearSolver']);
  });

  it("accepts camelCase, snake_case and CuBIE's spellings, and checks values by the row", () => {
    expect(canonicalOptionName('dt_min')).toBe('dtMin');
    expect(canonicalOptionName('caching_mode')).toBe('cachingMode');
    expect(canonicalOptionName('dt_save')).toBe('saveEvery');
    expect(canonicalOptionName('algorithm')).toBe('method');
    expect(canonicalOptionName('no_such_option')).toBeUndefined();
    expect(normalizeOptions({ save_every: 0.5, max_newton_iters: 4 })).toEqual({ saveEvery: 0.5, newtonMaxIters: 4 });
    expect(() => normalizeOptions({ threads: 0 })).toThrow("Option 'threads' must be a whole number from 1 to 9007199254740991 (got 0)");
    expect(() => normalizeOptions({ blockSize: 2048 })).toThrow("Option 'blockSize' must be a whole number from 1 to 1024 (got 2048)");
    expect(() => normalizeOptions({ devices: [] })).toThrow("Option 'devices' must be 'all' or a non-empty array of device indices");
    expect(() => normalizeOptions({ cachingMode: 'keep' })).toThrow("Option 'cachingMode' must be 'hash' or 'flush'");
    expect(() => normalizeOptions({ precision: 'float16' })).toThrow("Option 'precision' must be one of 'float32', 'float64' (got \"float16\"); did you mean 'float32'?");
  });
});

describe('the README', () => {
  it('documents every option of the table', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(optionNames().filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('the model hash and merge compatibility', () => {
  it('ignore every execution and cache option, one at a time and all together', () => {
    const dir = tempDir('options');
    const lines = (extra: string[]) => ['system:', '  name: decay', '  equations: |', '    dx = -k*x', '  states: { x: 1 }', '  parameters: { k: 1 }', 'parameters: { k: [1, 2] }', 'options:', '  duration: 2', ...extra];
    const reference = loadModel(writeModel(dir, 'base.yaml', lines([]).join('\n')));
    const yaml = (v: unknown) => JSON.stringify(v);
    for (const [name, value] of Object.entries(HOW_AND_WHERE)) {
      const model = loadModel(writeModel(dir, `${name}.yaml`, lines([`  ${name}: ${yaml(value)}`]).join('\n')));
      expect({ name, hash: model.hash }).toEqual({ name, hash: reference.hash });
      // `settings` is what `cubie merge` compares besides the hash and the layout.
      expect({ name, settings: resultSettings(model.options) }).toEqual({ name, settings: resultSettings(reference.options) });
    }
    const all = loadModel(writeModel(dir, 'all.yaml', lines(Object.entries(HOW_AND_WHERE).map(([n, v]) => `  ${n}: ${yaml(v)}`)).join('\n')));
    expect(all.hash).toBe(reference.hash);
    // The check can fail: an option that changes results changes the hash.
    expect(loadModel(writeModel(dir, 'rtol.yaml', lines(['  rtol: 1.0e-9']).join('\n'))).hash).not.toBe(reference.hash);
    expect(loadModel(writeModel(dir, 'method.yaml', lines(['  method: rk4', '  stepController: fixed']).join('\n'))).hash).not.toBe(reference.hash);
  });
});
