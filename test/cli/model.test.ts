/**
 * Model files in process: validation messages (file:line:column, key path,
 * what was expected), the value generators and data files, the run order
 * (the solver's own), and what the model hash covers.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CubieError, createSystem } from '../../src';
import { buildGrid } from '../../src/solver/grid';
import { loadModel } from '../../src/files/model-file';
import { RunInputs } from '../../src/files/run-inputs';
import { linspace } from '../../src/files/values';
import { tempDir, writeModel } from './support';

const SYSTEM = ['system:', '  name: decay', '  equations: |', '    dx = -k*x + a', '  states: { x: 1 }', '  parameters: { k: 1, a: 0 }'];

describe('model files', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('model');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function model(name: string, lines: string[]): string {
    return writeModel(dir, name, [...lines, ''].join('\n'));
  }

  function error(file: string): CubieError {
    try {
      loadModel(file);
    } catch (e) {
      if (e instanceof CubieError) return e;
      throw e;
    }
    throw new Error(`${file} loaded without an error`);
  }

  it('reads system, inputs and options (camelCase or snake_case) from YAML and JSON alike', () => {
    const yaml = loadModel(model('ok.yaml', [...SYSTEM, 'y0: { x: 2 }', 'parameters:', '  k: [1, 2]', '  a: 0.5', 'options:', '  save_every: 0.5', '  dtMax: 0.1']));
    expect(yaml.system.name).toBe('decay');
    expect(yaml.options).toEqual({ saveEvery: 0.5, dtMax: 0.1 });
    expect(yaml.gridType).toBe('combinatorial');
    expect(yaml.inputs.nRuns).toBe(2);
    expect(yaml.inputs.toJSON()).toEqual({ gridType: 'combinatorial', y0: { x: 2 }, parameters: { k: [1, 2], a: 0.5 }, swept: ['parameters.k'], nRuns: 2 });
    const json = loadModel(
      writeModel(dir, 'ok.json', JSON.stringify({ system: { name: 'decay', equations: 'dx = -k*x + a', states: { x: 1 }, parameters: { k: 1, a: 0 } }, y0: { x: 2 }, parameters: { k: [1, 2], a: 0.5 }, options: { save_every: 0.5, dtMax: 0.1 } }, null, 2)),
    );
    expect(json.hash).toBe(yaml.hash);
  });

  it('errors name the file, line and column, the key path and what was expected', () => {
    const cases: Array<[string[], string, string]> = [
      [[...SYSTEM, 'options:', '  saveEvery: -1'], 'INVALID_OPTION', "8:14: options.saveEvery: Option 'saveEvery' must be a positive finite number (got -1)"],
      [[...SYSTEM, 'options:', '  method: tsit6'], 'INVALID_OPTION', "8:11: options.method: Unknown method 'tsit6' (did you mean 'tsit5'?)"],
      [[...SYSTEM, 'options:', '  atol: [1.0e-6, 1.0e-6]'], 'INVALID_OPTION', "8:9: options.atol: Option 'atol' has 2 values but the system has 1 states"],
      [[...SYSTEM, 'options:', '  output_types: [state, maxx]'], 'INVALID_OPTION', '8:17: options.output_types:'],
      [[...SYSTEM, 'options:', '  gridType: diagonal'], 'INVALID_OPTION', "8:13: options.gridType: expected 'combinatorial'"],
      [[...SYSTEM, 'options:', '  onProgress: log'], 'INVALID_OPTION', "8:15: options.onProgress: 'onProgress' takes a function and can only be given in code"],
      [[...SYSTEM, 'options: 3'], 'INVALID_OPTION', '7:10: options: expected a mapping of solve options, got number 3'],
      [[...SYSTEM, 'y0: { z: 1 }'], 'INVALID_INPUT', "7:7: y0.z: 'z' is not a state of system 'decay' (states: x)"],
      [[...SYSTEM, 'parameters: { k: [] }'], 'INVALID_INPUT', '7:18: parameters.k: expected a number, a list of numbers'],
      [[...SYSTEM, 'parameters: { k: .nan }'], 'INVALID_INPUT', '7:18: parameters.k: expected a finite number, got NaN'],
      [[...SYSTEM, 'parameters:', '  k: { linspace: [0, 1, 2.5] }'], 'INVALID_INPUT', '8:18: parameters.k.linspace: the count (third value) must be a whole number >= 1, got 2.5'],
      [[...SYSTEM, 'parameters:', '  k: { geomspace: [0, 1, 3] }'], 'INVALID_INPUT', 'parameters.k.geomspace: geomspace needs start and stop of the same sign and not zero'],
      [[...SYSTEM, 'parameters:', '  k: [1, 2]', '  a: [1, 2, 3]', 'options: { gridType: verbatim }'], 'INVALID_INPUT', 'parameters.a: verbatim grid: parameters.a has 3 values but parameters.k has 2'],
      [['system:', '  equations: "dx = -k*x"', '  states: { x: lots }'], 'INVALID_SYSTEM', "3:16: system.states.x: states.x must be a finite number, got the text 'lots'"],
      [['system:', '  equations: "dx = -x + q"'], 'UNKNOWN_SYMBOL', "2:14: system.equations: Unknown symbol 'q' in equation line 1"],
      [['system: [dx = -x]'], 'INVALID_SYSTEM', "1:9: system: expected a mapping with 'equations'"],
      [['system:', '  equations: "dx = -x"', '  events:', '    - name: low', '      when: x - q'], 'UNKNOWN_SYMBOL', "5:13: system.events[0].when: Unknown symbol 'q' in event 'low', when ('x - q')"],
      [['system:', '  equations: "dx = -x"', '  events:', '    - { name: low, at: [2, 1] }'], 'INVALID_SYSTEM', "4:24: system.events[0].at: Event 'low': 'at' must be strictly ascending"],
      [['y0: { x: 1 }'], 'INVALID_INPUT', "missing 'system'"],
      [['system:', '  equations: "dx = -k*x"', '  parameters: [k]'], 'INVALID_INPUT', "parameters: parameter 'k' has no default value in the system; give it here"],
      [[...SYSTEM, 'description: 5'], 'INVALID_INPUT', '7:14: description: expected text, got number 5'],
    ];
    cases.forEach(([lines, code, text], i) => {
      const file = model(`case-${i}.yaml`, lines);
      const e = error(file);
      expect({ i, code: e.code }).toEqual({ i, code });
      expect(e.message).toContain(text.includes(':') && /^\d+:\d+:/.test(text) ? `${file}:${text}` : text);
      expect(e.message.startsWith(file)).toBe(true);
      expect(e.details.file).toBe(file);
    });
  });

  it('drivers take samples from data files; an unknown driver is pointed at', () => {
    fs.writeFileSync(path.join(dir, 'drive.csv'), 't,u\n0,0\n1,1\n2,0\n3,1\n');
    const driven = ['system:', '  equations: "dx = u - x"', '  drivers: [u]'];
    const ok = loadModel(model('driven.yaml', [...driven, 'options:', '  drivers:', '    u: { file: drive.csv, column: u }', '    time: { file: drive.csv, column: t }']));
    expect(ok.options.drivers).toEqual({ u: Float64Array.from([0, 1, 0, 1]), time: Float64Array.from([0, 1, 2, 3]) });
    const unknown = error(model('driven-bad.yaml', [...driven, 'options:', '  drivers: { v: [1, 2], dt: 1 }']));
    expect(unknown.message).toContain('options.drivers.v: drivers.v is not a driver of system');
    const column = error(model('driven-column.yaml', [...driven, 'options:', '  drivers: { u: { file: drive.csv, column: w }, dt: 1 }']));
    expect(column.message).toContain("drive.csv has no column 'w' (columns: t, u)");
  });

  it('value generators follow numpy (linspace, logspace, geomspace); data files in .csv, .npy and .json', () => {
    expect(Array.from(linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(linspace(3, 3, 1))).toEqual([3]);
    execFileSync('python3', ['-c', `import numpy as np; np.save(${JSON.stringify(path.join(dir, 'k.npy'))}, np.array([0.5, 1.5, 2.5]))`]);
    fs.writeFileSync(path.join(dir, 'k.json'), JSON.stringify({ k: [4, 5] }));
    const m = loadModel(
      model('gen.yaml', [
        ...SYSTEM,
        'y0:',
        '  x: { logspace: [-1, 1, 3] }',
        'parameters:',
        '  k: { file: k.npy }',
        '  a: { geomspace: [1, 1000, 4] }',
        'options: { gridType: combinatorial }',
      ]),
    );
    const values = (name: string) => Array.from(m.inputs.columns.find((c) => c.name === name)!.values);
    expect(values('x').map((v) => Number(v.toPrecision(12)))).toEqual([0.1, 1, 10]);
    expect(values('k')).toEqual([0.5, 1.5, 2.5]);
    expect(values('a').map((v) => Number(v.toPrecision(12)))).toEqual([1, 10, 100, 1000]);
    expect(values('a')[3]).toBe(1000);
    expect(m.inputs.nRuns).toBe(36);
    const json = loadModel(model('json-values.yaml', [...SYSTEM, 'parameters:', '  k: { file: k.json, column: k }']));
    expect(Array.from(json.inputs.columns.find((c) => c.name === 'k')!.values)).toEqual([4, 5]);
  });

  it("runs are in the solver's order: any run's inputs, and any block of runs, match buildGrid's expansion", () => {
    const system = createSystem({ equations: ['dx = -k*x + a*y', 'dy = b - y'], states: { x: 1, y: 2 }, parameters: { k: 1, a: 0, b: 3 } });
    const y0 = { y: [1, 2] };
    const parameters = { k: [0.1, 0.2, 0.3], b: [7, 8, 9, 10] };
    for (const gridType of ['combinatorial', 'verbatim'] as const) {
      const given = gridType === 'verbatim' ? { y0: { y: [1, 2, 3, 4] }, parameters: { k: [0.1, 0.2, 0.3, 0.4], b: 5 } } : { y0, parameters };
      const grid = buildGrid(system, given.y0, given.parameters, gridType, 'float64');
      const columns = [
        ...system.states.map((name) => ({ role: 'y0' as const, name, values: Float64Array.from(([] as number[]).concat((given.y0 as Record<string, number | number[]>)[name] ?? system.stateDefaults[name])) })),
        ...system.parameters.map((name) => ({
          role: 'parameters' as const,
          name,
          values: Float64Array.from(([] as number[]).concat((given.parameters as Record<string, number | number[]>)[name] ?? system.parameterDefaults[name]!)),
        })),
      ];
      const inputs = new RunInputs(columns, gridType);
      expect(inputs.nRuns).toBe(grid.nRuns);
      const expanded = [...grid.y0, ...grid.parameters];
      for (let run = 0; run < grid.nRuns; run++) columns.forEach((c, i) => expect(inputs.value(run, c)).toBe(expanded[i][run]));
      // A block of runs, as a chunk or shard is solved: lists for swept inputs, numbers for the rest.
      const block = inputs.slice(3, grid.nRuns - 1);
      system.parameters.forEach((name, i) => {
        const want = Array.from(grid.parameters[i].subarray(3, grid.nRuns - 1));
        const got = block.parameters[name];
        expect(typeof got === 'number' ? want.map(() => got) : Array.from(got)).toEqual(want);
      });
    }
  });

  it('the model hash covers what decides the numbers, and nothing that only decides how or where they are computed', () => {
    const base = [...SYSTEM, 'parameters: { k: [1, 2] }', 'options:', '  duration: 2'];
    const hash = (name: string, extra: string[], lines = base) => loadModel(model(name, [...lines, ...extra])).hash;
    const reference = hash('h0.yaml', []);
    expect(hash('h1.yaml', ['  backend: cpu', '  threads: 1', '  chunkRuns: 7', '  cache: false', '  cacheDir: somewhere'])).toBe(reference);
    expect(hash('h2.yaml', ['  rtol: 1.0e-7'])).not.toBe(reference);
    expect(hash('h3.yaml', [], [...SYSTEM, 'parameters: { k: [1, 3] }', 'options:', '  duration: 2'])).not.toBe(reference);
    // A default written out is the same input as the default left implicit.
    expect(hash('h4.yaml', [], [...SYSTEM, 'y0: { x: 1 }', 'parameters: { k: [1, 2], a: 0 }', 'options:', '  duration: 2'])).toBe(reference);
    expect(hash('h5.yaml', [], [...SYSTEM.map((l) => l.replace('a: 0 }', 'a: 0.5 }')), 'parameters: { k: [1, 2] }', 'options:', '  duration: 2'])).not.toBe(reference);
  });
});
