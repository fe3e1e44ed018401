/**
 * The ways a command line or a model file can be wrong, through the real
 * executable: it exits non-zero (2 for the command line itself, 1 for its
 * inputs) with a message that names the file, the line, the key path and
 * what was expected. (The model checks in detail: model.test.ts.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { cubie, fixtures, tempDir, writeModel } from './support';

const oscillator = path.join(fixtures, 'oscillator.yaml');
const GOOD_SYSTEM = ['system:', '  equations: |', '    dx = -k*x', '  parameters: { k: 1 }'];

describe('cubie run: errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('errors');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fails(args: string[], status: number, code: string): string {
    const run = cubie(args);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status, stdout: '' });
    expect(run.stderr).toContain(`[${code}]`);
    return run.stderr;
  }

  it('a missing model file', () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(fails(['run', missing], 1, 'FILE_NOT_FOUND')).toContain(`cannot read model file '${missing}': no such file`);
  });

  it('a data file the model names that does not exist: the key path and the resolved path', () => {
    const file = writeModel(dir, 'data.yaml', [...GOOD_SYSTEM, 'parameters:', '  k: { file: rates.csv, column: k }', ''].join('\n'));
    expect(fails(['run', file], 1, 'FILE_NOT_FOUND')).toContain(`parameters.k.file: no such file: ${path.join(dir, 'rates.csv')}`);
  });

  it('bad YAML: the line and column, the parser\'s reason and the offending text', () => {
    const file = writeModel(dir, 'bad.yaml', ['system:', '  equations: [dx = -k*x', '  parameters: { k: 1 }', ''].join('\n'));
    const message = fails(['run', file], 1, 'PARSE_ERROR');
    expect(message).toMatch(new RegExp(`${file}:3:\\d+: not valid YAML: .*\\]`));
    expect(message).toContain('parameters: { k: 1 }');
  });

  it('bad JSON: the line and column', () => {
    const file = writeModel(dir, 'bad.json', '{\n  "system": { "equations": "dx = -x" },\n  "options": { "duration": 1, }\n}\n');
    expect(fails(['run', file], 1, 'PARSE_ERROR')).toMatch(new RegExp(`${file}:3:\\d+: not valid JSON`));
  });

  it('an unknown top-level key, pointed at where it is written, with the nearest known key', () => {
    const file = writeModel(dir, 'top.yaml', [...GOOD_SYSTEM, 'optons:', '  duration: 1', ''].join('\n'));
    expect(fails(['run', file], 1, 'INVALID_INPUT')).toContain(
      `${file}:5:1: optons: unknown key 'optons' (a model file has system, y0, parameters, options, description); did you mean 'options'?`,
    );
  });

  it('an unknown option, snake_case or camelCase, with its key path and the nearest option', () => {
    const file = writeModel(dir, 'option.yaml', [...GOOD_SYSTEM, 'options:', '  duration: 1', '  save_evry: 0.1', ''].join('\n'));
    expect(fails(['run', file], 1, 'INVALID_OPTION')).toContain(`${file}:7:3: options.save_evry: Unknown option 'save_evry' in options; did you mean 'saveEvery'?`);
  });

  it('bad shard specs and scheduler variables', () => {
    for (const spec of ['3/2', '2/2', 'x', '1/0', '-1/2', '1:2']) {
      const message = fails(['run', oscillator, '--shard', spec], 2, 'INVALID_OPTION');
      expect(message).toContain('--shard');
      expect(message).toContain("see 'cubie run --help'");
    }
    const slurm = cubie(['run', oscillator], { env: { SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' } });
    expect(slurm.status).toBe(2);
    expect(slurm.stderr).toContain('SLURM array task 9 (min 0, step 1, count 4) does not map to a shard 0..3');
    const k8s = cubie(['run', oscillator], { env: { JOB_COMPLETION_INDEX: '1' } });
    expect(k8s.status).toBe(2);
    expect(k8s.stderr).toContain('JOB_COMPLETION_INDEX is set (a Kubernetes indexed Job) but the number of shards is not: pass --shard-count N');
    expect(cubie(['run', oscillator, '--shard-count', '3']).stderr).toContain('--shard-count needs JOB_COMPLETION_INDEX');
  });

  it('command-line mistakes exit 2 with the nearest flag or what is expected', () => {
    expect(fails(['run', oscillator, '--shrd', '0/2'], 2, 'INVALID_OPTION')).toContain("unknown option '--shrd' for 'cubie run'; did you mean '--shard'?");
    expect(fails(['run', oscillator, '--out', path.join(dir, 'x.txt')], 2, 'INVALID_OPTION')).toContain('must end in .npy (NumPy array) or .csv (long table)');
    expect(fails(['run', oscillator, '--plot', path.join(dir, 'x.png')], 2, 'INVALID_OPTION')).toContain('name it *.svg');
    expect(fails(['run', oscillator, '--runs-per-chunk', '0'], 2, 'INVALID_OPTION')).toContain('--runs-per-chunk must be a whole number >= 1');
    expect(fails(['run'], 2, 'INVALID_OPTION')).toContain('give the model file');
    expect(fails(['run', oscillator, '--out'], 2, 'INVALID_OPTION')).toContain('--out needs a value');
    expect(fails(['emit', oscillator, '--target', 'wasm'], 2, 'INVALID_OPTION')).toContain('--target must be cuda, cpp or ptx');
    expect(fails(['merge', path.join(dir, 'a.npy')], 2, 'INVALID_OPTION')).toContain('--out FILE.npy');
  });

  it('--help prints each command\'s usage and exits 0', () => {
    for (const command of ['run', 'emit', 'merge', 'plot']) {
      const run = cubie([command, '--help']);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`usage: cubie ${command}`);
    }
    const top = cubie(['--help']);
    expect(top.status).toBe(0);
    for (const command of ['run', 'plot', 'merge', 'emit', 'doctor']) expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
