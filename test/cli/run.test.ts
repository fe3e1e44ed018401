/**
 * `cubie run` end to end: the real executable, its NPY output read back by
 * numpy, its CSV parsed back, both compared with solveIvp on the same model.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { solveIvp } from '../../src';
import { loadModel } from '../../src/files/model-file';
import { bin, cubie, cubieOk, events, fixtures, numpy, root, tempDir, writeModel } from './support';

/** util-linux `script` runs a command on a pseudo-terminal: the one way to see what a terminal sees. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const oscillator = path.join(fixtures, 'oscillator.yaml');

/** The model's batch solved in-process, the reference the CLI's files must equal. */
async function reference(file: string) {
  const model = loadModel(file);
  const y0 = Object.fromEntries(model.inputs.columns.filter((c) => c.role === 'y0').map((c) => [c.name, c.values]));
  const parameters = Object.fromEntries(model.inputs.columns.filter((c) => c.role === 'parameters').map((c) => [c.name, c.values]));
  return solveIvp(model.system, y0, parameters, model.options);
}

describe('cubie run', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('run');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports what it did: model, runs, backend, kernel origin and time, wall time, failed runs; no progress bar off a terminal', () => {
    const run = cubieOk(['run', oscillator]);
    const out = run.stdout;
    expect(out).toMatch(/^model\s+.*oscillator\.yaml: system cli_oscillator \(2 states, 2 parameters\), model hash [0-9a-f]{12}$/m);
    expect(out).toMatch(/^runs\s+6 = omega \(3\) x zeta \(2\), combinatorial; 1 chunk of up to 6 runs/m);
    expect(out).toMatch(/^kernel\s+cpu, (compiled in [\d.]+ m?s|loaded from the disk cache in [\d.]+ m?s) \(key [0-9a-f]{12}/m);
    expect(out).toMatch(/^solved\s+6 runs in [\d.]+ m?s .*wall time [\d.]+ m?s$/m);
    expect(out).toMatch(/^failed\s+none of 6$/m);
    // stderr is a pipe here: no bar, no carriage returns, nothing at all.
    expect(run.stderr).toBe('');
  });

  (hasScript ? it : it.skip)('on a terminal, a progress bar redrawn in place and erased at the end; --quiet and --json draw none', () => {
    const onTerminal = (flags: string) =>
      spawnSync('script', ['-qec', `${process.execPath} ${bin} run ${oscillator} --runs-per-chunk 1 ${flags}`, '/dev/null'], { cwd: root, encoding: 'utf8', env: process.env }).stdout;
    const drawn = onTerminal('');
    expect(drawn).toMatch(/\r\[█+░*\] +\d+%  \d\/6 runs/);
    expect(drawn).toMatch(/\r\[█+\] 100%  6\/6 runs .*\x1b\[K\r\x1b\[Ksolved/);
    for (const flags of ['--quiet', '--json']) expect(onTerminal(flags)).not.toMatch(/\r\[|█/);
  });

  it('--out FILE.npy: numpy reads [nTimes, nVariables, nRuns] equal to solveIvp, summaries and status beside it, chunk by chunk', async () => {
    const whole = path.join(dir, 'whole.npy');
    const chunked = path.join(dir, 'chunked.npy');
    cubieOk(['run', oscillator, '--out', whole, '--quiet']);
    const log = events(cubieOk(['run', oscillator, '--out', chunked, '--json', '--runs-per-chunk', '4']).stdout);
    expect(log.start).toMatchObject({ nRuns: 6, runsPerChunk: 4, chunks: 2, shard: null });
    expect(log.done).toMatchObject({ nRuns: 6, failedRuns: 0, chunks: 2 });

    const read = numpy<{ shape: number[]; dtype: string; values: number[]; summaries: { shape: number[]; values: number[] }; status: { dtype: string; values: number[] } }>(
      `base = sys.argv[1]
a = np.load(base + '.npy'); s = np.load(base + '.summaries.npy'); st = np.load(base + '.status.npy')
print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'values': a.ravel().tolist(),
  'summaries': {'shape': list(s.shape), 'values': s.ravel().tolist()}, 'status': {'dtype': str(st.dtype), 'values': st.tolist()}}))`,
      [whole.replace(/\.npy$/, '')],
    );
    const expected = await reference(oscillator);
    expect(read.shape).toEqual([9, 2, 6]);
    expect(read.shape).toEqual(expected.shape);
    expect(read.dtype).toBe('float64');
    expect(read.values).toEqual(Array.from(expected.timeDomain));
    expect(read.summaries.shape).toEqual([2, 4, 6]);
    expect(read.summaries.values).toEqual(Array.from(expected.summaries));
    expect(read.status).toEqual({ dtype: 'int32', values: [0, 0, 0, 0, 0, 0] });
    // Written in two chunks or one: the same bytes.
    for (const suffix of ['.npy', '.summaries.npy', '.status.npy']) {
      expect(fs.readFileSync(chunked.replace(/\.npy$/, suffix)).equals(fs.readFileSync(whole.replace(/\.npy$/, suffix)))).toBe(true);
    }

    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'whole.json'), 'utf8'));
    expect(sidecar).toMatchObject({
      format: 'cubie-result',
      version: 1,
      precision: 'float64',
      nRuns: 6,
      runs: { first: 0, end: 6 },
      shard: null,
      variables: ['x', 'v'],
      summaryLegend: ['x.max', 'x.mean', 'v.max', 'v.mean'],
      nWindows: 2,
      time: Array.from(expected.time),
      inputs: { gridType: 'combinatorial', swept: ['parameters.omega', 'parameters.zeta'], parameters: { omega: [1, 2, 3], zeta: [0.05, 0.5] }, y0: { x: 1, v: 0 }, nRuns: 6 },
      settings: { duration: 2, saveEvery: 0.25, outputTypes: ['state', 'max', 'mean'] },
      output: { format: 'npy', timeDomain: { path: 'whole.npy', shape: [9, 2, 6], dtype: '<f8' }, summaries: { path: 'whole.summaries.npy', shape: [2, 4, 6] } },
      status: { failedRuns: 0, counts: {}, firstFailed: [] },
      execution: { backend: 'cpu', runsPerChunk: 6, chunks: 1 },
    });
    expect(sidecar.model.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sidecar.execution.maxRssBytes).toBeGreaterThan(0);
    // No partial files are left behind.
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('float32 models write <f4 arrays that numpy reads as float32, equal to solveIvp', async () => {
    const file = writeModel(dir, 'f32.yaml', fs.readFileSync(oscillator, 'utf8').replace('options:\n', 'options:\n  precision: float32\n'));
    const out = path.join(dir, 'f32.npy');
    cubieOk(['run', file, '--out', out, '--quiet']);
    const read = numpy<{ dtype: string; values: number[] }>(`a = np.load(sys.argv[1]); print(json.dumps({'dtype': str(a.dtype), 'values': a.astype(np.float64).ravel().tolist()}))`, [out]);
    expect(read.dtype).toBe('float32');
    expect(read.values).toEqual(Array.from((await reference(file)).timeDomain));
  });

  it('--out FILE.csv: a long table (run, swept inputs, time, variable, value) that parses back to the solveIvp values', async () => {
    const out = path.join(dir, 'table.csv');
    cubieOk(['run', oscillator, '--out', out, '--quiet', '--runs-per-chunk', '5']);
    const expected = await reference(oscillator);
    const [header, ...rows] = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('run,omega,zeta,time,variable,value');
    const [nTimes, nVariables, nRuns] = expected.shape;
    expect(rows).toHaveLength(nTimes * nVariables * nRuns);
    const omega = [1, 2, 3];
    const zeta = [0.05, 0.5];
    for (const row of rows) {
      const [run, om, ze, time, variable, value] = row.split(',');
      const r = Number(run);
      expect(Number(om)).toBe(omega[Math.floor(r / 2)]);
      expect(Number(ze)).toBe(zeta[r % 2]);
      const t = expected.time.indexOf(Number(time));
      expect(t).toBeGreaterThanOrEqual(0);
      const v = expected.variables.indexOf(variable);
      expect(Number(value)).toBe(expected.timeDomain[(t * nVariables + v) * nRuns + r]);
    }
    const summaries = fs.readFileSync(path.join(dir, 'table.summaries.csv'), 'utf8').trim().split('\n');
    expect(summaries[0]).toBe('run,omega,zeta,window,variable,summary,value');
    expect(summaries).toHaveLength(1 + 2 * 4 * 6);
    const [run, , , window, variable, summary, value] = summaries.find((l) => l.startsWith('3,') && l.includes(',1,v,mean,'))!.split(',');
    expect([run, window, variable, summary]).toEqual(['3', '1', 'v', 'mean']);
    expect(Number(value)).toBe(expected.summaries[(1 * 4 + 3) * 6 + 3]);
    expect(fs.readFileSync(path.join(dir, 'table.runs.csv'), 'utf8')).toBe('run,omega,zeta,status\n0,1,0.05,0\n1,1,0.5,0\n2,2,0.05,0\n3,2,0.5,0\n4,3,0.05,0\n5,3,0.5,0\n');
    // pandas-style consumers: numpy's own CSV reader takes the table too.
    const loaded = numpy<number[]>(`t = np.genfromtxt(sys.argv[1], delimiter=',', names=True, dtype=None, encoding='utf8'); print(json.dumps([int(len(t)), float(t['value'][-1])]))`, [out]);
    expect(loaded).toEqual([rows.length, Number(rows[rows.length - 1].split(',')[5])]);
  });

  it('--json prints one event per line: start, kernel, progress per chunk, done with the peak memory', () => {
    const log = cubieOk(['run', oscillator, '--json', '--runs-per-chunk', '2']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((e) => e.event)).toEqual(['start', 'kernel', 'progress', 'progress', 'progress', 'done']);
    expect(log[1]).toMatchObject({ backend: 'cpu', key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(['compiled', 'disk', 'memory', 'disabled']).toContain(log[1].cache);
    expect(log.slice(2, 5).map((e) => e.done)).toEqual([2, 4, 6]);
    expect(log[5].maxRssBytes).toBeGreaterThan(10 * 2 ** 20);
  });

  it('failed runs are counted, flagged in the status array, and warned about on stderr even with --quiet', () => {
    const file = writeModel(dir, 'fails.yaml', fs.readFileSync(oscillator, 'utf8').replace('options:\n', 'options:\n  maxSteps: 3\n'));
    const out = path.join(dir, 'fails.npy');
    const run = cubieOk(['run', file, '--out', out, '--quiet']);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/warning: 6 of 6 \(6 MAX_STEPS\); first: runs 0, 1, 2, 3, 4, 5/);
    const status = numpy<number[]>(`print(json.dumps(np.load(sys.argv[1]).tolist()))`, [out.replace(/\.npy$/, '.status.npy')]);
    expect(status).toEqual([1, 1, 1, 1, 1, 1]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'fails.json'), 'utf8')).status).toEqual({ failedRuns: 6, counts: { MAX_STEPS: 6 }, firstFailed: [0, 1, 2, 3, 4, 5] });
  });

  it('--backend is checked, and a backend that cannot run is a clean error that leaves no files', () => {
    const bad = cubie(['run', oscillator, '--backend', 'gpu']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--backend must be auto, cpu or cuda, got 'gpu'");
    const out = path.join(dir, 'nocuda.npy');
    const run = cubie(['run', oscillator, '--backend', 'cuda', '--out', out], { env: { CUBIE_NVRTC_PATH: path.join(dir, 'none'), CUBIE_LIBCUDA_PATH: path.join(dir, 'none.so') } });
    if (run.status === 0) {
      // A machine with a usable GPU ran it there.
      expect(run.stdout).toMatch(/^kernel\s+cuda,/m);
    } else {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/\[(DRIVER_UNAVAILABLE|NVRTC_UNAVAILABLE|CUDA_ERROR)\]/);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('nocuda'))).toEqual([]);
    }
  });

  it('an interrupt (SIGINT) stops the batch between chunks, exits 130 and removes the partial files', async () => {
    const file = writeModel(dir, 'long.yaml', fs.readFileSync(oscillator, 'utf8').replace('omega: [1, 2, 3]', 'omega: { linspace: [1, 3, 20000] }').replace('saveEvery: 0.25', 'saveEvery: 0.001'));
    const out = path.join(dir, 'interrupted.npy');
    const child = spawn(process.execPath, [bin, 'run', file, '--out', out, '--json', '--runs-per-chunk', '500'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      if (!interrupted && d.toString().includes('"event":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(interrupted).toBe(true);
    expect(status).toBe(130);
    expect(stderr).toContain('cubie run: interrupted; partial output files were removed');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('interrupted'))).toEqual([]);
  });

  it('inputs may come from generators and data files next to the model; verbatim grids pair lists', async () => {
    fs.writeFileSync(path.join(dir, 'omega.csv'), 'label,omega\na,1.5\nb,2.5\nc,3.5\n');
    const file = writeModel(
      dir,
      'gen.yaml',
      [
        'system:',
        '  equations: ["dx = v", "dv = -omega^2*x - 2*zeta*omega*v"]',
        '  states: { x: 1, v: 0 }',
        '  parameters: [omega, zeta]',
        'parameters:',
        '  omega: { file: omega.csv, column: omega }',
        '  zeta: { linspace: [0.1, 0.3, 3] }',
        'options: { duration: 1, grid_type: verbatim }',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'gen.npy');
    cubieOk(['run', file, '--out', out, '--quiet']);
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'gen.json'), 'utf8'));
    expect(sidecar.inputs).toMatchObject({ gridType: 'verbatim', nRuns: 3, parameters: { omega: [1.5, 2.5, 3.5], zeta: [0.1, 0.2, 0.3] } });
    const expected = await solveIvp(
      { equations: ['dx = v', 'dv = -omega^2*x - 2*zeta*omega*v'], states: { x: 1, v: 0 }, parameters: ['omega', 'zeta'] },
      { x: 1, v: 0 },
      { omega: [1.5, 2.5, 3.5], zeta: [0.1, 0.2, 0.3] },
      { duration: 1, gridType: 'verbatim' },
    );
    const read = numpy<number[]>(`print(json.dumps(np.load(sys.argv[1]).ravel().tolist()))`, [out]);
    expect(read).toEqual(Array.from(expected.timeDomain));
  });
});
