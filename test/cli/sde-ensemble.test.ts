/**
 * cubie run with replicates and ensembleOutputs: NAME.ensemble.npy holds the
 * statistics of one library solve with the same seed, whatever the chunking
 * (chunks of whole combinations, each reduced 65,536 runs at a time); CSV
 * gives the same numbers in a table; shards of whole combinations merge into
 * the unsharded files bit for bit (shards inside combinations: to rounding);
 * an interrupted write leaves no result; cubie plot and --plot draw the mean
 * with its bands. Per-run files of replicates: test/cli/replicates.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { Solver } from '../../src';
import { bin, cubie, cubieOk, numpy, ouModel, root, scratchFolder, tempDir, writeModel } from './support';

const yaml = (options: string) => ouModel('cli_ou_ensemble', [0.5, 1, 2], options);

const ensembleOptions = `  replicates: 200
  ensembleOutputs: [mean, var, min]
  outputTypes: []`;

describe('cubie run with replicates and ensembleOutputs', () => {
  const { at, dir } = scratchFolder('sde-ensemble');

  it('writes NAME.ensemble.npy [nTimes, legend, nCombinations] equal to the library solve, whole or in chunks of one combination', async () => {
    const model = writeModel(dir(), 'ou.yaml', yaml(ensembleOptions));
    fs.mkdirSync(at('whole'));
    fs.mkdirSync(at('chunks'));
    cubieOk(['run', model, '--out', at('whole', 'ou.npy'), '--quiet']);
    cubieOk(['run', model, '--out', at('chunks', 'ou.npy'), '--quiet', '--runs-per-chunk', '200']);
    const files = fs.readdirSync(at('whole')).sort();
    expect(files).toEqual(['ou.ensemble.npy', 'ou.json', 'ou.status.npy']);
    const sidecar = JSON.parse(fs.readFileSync(at('whole', 'ou.json'), 'utf8'));
    expect(sidecar.ensemble).toMatchObject({ legend: ['x.mean', 'x.var', 'x.min'], replicates: 200, nCombinations: 3, file: { path: 'ou.ensemble.npy', shape: [3, 3, 3], dtype: '<f8' } });
    expect(sidecar.nRuns).toBe(600);
    expect(sidecar.output.timeDomain).toBeNull();
    expect(sidecar.execution.chunks).toBe(1);
    expect(JSON.parse(fs.readFileSync(at('chunks', 'ou.json'), 'utf8')).execution.chunks).toBe(3);

    const result = await new Solver({ name: 'cli_ou_ensemble', equations: 'dx = theta*(mu - x)', states: { x: 2 }, parameters: { theta: 1, mu: 0.5, sigma: 0.8 }, noise: { x: 'sigma' } }, { backend: 'cpu', method: 'euler-maruyama', outputTypes: [] })
      .solve({}, { theta: [0.5, 1, 2] }, { dt: 0.0625, saveEvery: 0.5, seed: 77, replicates: 200, ensembleOutputs: ['mean', 'var', 'min'] });
    const read = (file: string) => numpy<number[]>(`a = np.load(sys.argv[1]); assert a.dtype == np.float64; print(json.dumps(a.ravel().tolist()))`, [file]);
    const expected = Array.from(result.ensemble!.values);
    expect(read(at('whole', 'ou.ensemble.npy'))).toEqual(expected);
    expect(read(at('chunks', 'ou.ensemble.npy'))).toEqual(expected);
    expect(numpy<number[]>(`a = np.load(sys.argv[1]); print(json.dumps([int(a.shape[0]), int((a != 0).sum())]))`, [at('whole', 'ou.status.npy')])).toEqual([600, 0]);
  });

  it('cubie plot draws an ensemble result as the mean over time with a ± std band (here from var; no max, so no range)', () => {
    const svg = at('whole', 'p.svg');
    cubieOk(['plot', at('whole', 'ou.json'), '--out', svg]);
    const text = fs.readFileSync(svg, 'utf8');
    expect(text.match(/mark-area/g)!.length).toBe(3); // one band per combination drawn
    expect(text).toMatch(/mark-line/);
    expect(text).toMatch(/theta=0\.5/);
    expect(text).toMatch(/mean ± std over 200 replicates/);
    const spec = JSON.parse(cubieOk(['plot', at('whole', 'ou.json'), '--spec']).stdout);
    const rows = spec.data.values as Array<{ t: number; combination: string; mean: number; lo: number; hi: number; min: number; max: number }>;
    expect(rows.length).toBe(3 * 3); // 3 times x 3 combinations x 1 variable
    const values = numpy<number[]>(`a = np.load(sys.argv[1]); print(json.dumps(a.ravel().tolist()))`, [at('whole', 'ou.ensemble.npy')]);
    // legend x.mean, x.var, x.min; shape [3 times, 3, 3 combinations]
    const last = rows.find((r) => r.t === 1 && r.combination === 'theta=2')!;
    const [mean, variance, min] = [0, 1, 2].map((j) => values[(2 * 3 + j) * 3 + 2]);
    expect(last.mean).toBe(mean);
    expect(last.hi - last.mean).toBeCloseTo(Math.sqrt(variance), 12);
    expect(min).toBeLessThan(mean);
    expect([last.min, last.max]).toEqual([undefined, undefined]); // min without max: no range drawn
    expect(cubie(['plot', at('whole', 'ou.json'), '--summary', 'x.max']).stderr).toMatch(/no per-run summaries/);
  });

  it('cubie run --plot draws the same picture as cubie plot on the written result', () => {
    const model = writeModel(dir(), 'ou-plot.yaml', yaml(ensembleOptions.replace('[mean, var, min]', '[mean, std, min, max]')));
    fs.mkdirSync(at('plotted'));
    cubieOk(['run', model, '--out', at('plotted', 'ou.csv'), '--plot', at('plotted', 'run.svg'), '--quiet', '--runs-per-chunk', '200']);
    cubieOk(['plot', at('plotted', 'ou.json'), '--out', at('plotted', 'plot.svg')]);
    const run = fs.readFileSync(at('plotted', 'run.svg'), 'utf8');
    expect(run.match(/mark-area/g)!.length).toBe(6); // std band and min..max range, 3 combinations
    expect(run).toMatch(/mean ± std, min…max over 200 replicates/);
    expect(run).toBe(fs.readFileSync(at('plotted', 'plot.svg'), 'utf8'));
    expect(fs.readdirSync(at('plotted')).some((f) => f.includes('.partial-'))).toBe(false);
  });

  it('shards take whole combinations, and cubie merge joins them into the unsharded files bit for bit (npy and csv)', () => {
    const model = writeModel(dir(), 'ou-shards.yaml', yaml(ensembleOptions).replace('theta: [0.5, 1, 2]', 'theta: [0.5, 0.75, 1, 1.5, 2]'));
    for (const format of ['npy', 'csv']) {
      const sub = (name: string) => at(`${name}-${format}`);
      for (const name of ['one', 'shards', 'merged']) fs.mkdirSync(sub(name));
      cubieOk(['run', model, '--out', path.join(sub('one'), `ou.${format}`), '--quiet']);
      for (let i = 0; i < 3; i++) cubieOk(['run', model, '--out', path.join(sub('shards'), `ou.${format}`), '--quiet', '--shard', `${i}/3`, '--runs-per-chunk', '200']);
      const shardJson = JSON.parse(fs.readFileSync(path.join(sub('shards'), 'ou.shard-1-of-3.json'), 'utf8'));
      expect(shardJson.runs).toEqual({ first: 200, end: 600 }); // combinations 1..2 of 0..4, 200 replicates each
      const parts = [0, 1, 2].map((i) => path.join(sub('shards'), `ou.shard-${i}-of-3.json`));
      cubieOk(['merge', ...parts, '--out', path.join(sub('merged'), `ou.${format}`), '--quiet']);
      const names = format === 'npy' ? ['ou.ensemble.npy', 'ou.status.npy'] : ['ou.ensemble.csv', 'ou.runs.csv'];
      for (const name of names) expect(fs.readFileSync(path.join(sub('merged'), name)).equals(fs.readFileSync(path.join(sub('one'), name)))).toBe(true);
      const merged = JSON.parse(fs.readFileSync(path.join(sub('merged'), 'ou.json'), 'utf8'));
      const one = JSON.parse(fs.readFileSync(path.join(sub('one'), 'ou.json'), 'utf8'));
      expect(merged.ensemble).toEqual(one.ensemble);
      expect(merged.output.status).toEqual(one.output.status);
      expect(merged.nRuns).toBe(1000);
    }
  });

  it('with fewer combinations than shards, shards cut inside combinations and write moments; cubie merge folds them into the unsharded statistics (npy and csv)', () => {
    // 2 combinations x 301 replicates over 5 shards: every shard holds part of a combination, shard 2 parts of both
    const options = ensembleOptions.replace('replicates: 200', 'replicates: 301').replace('[mean, var, min]', '[mean, var, std, min, max]');
    const model = writeModel(dir(), 'ou-cut.yaml', yaml(options).replace('theta: [0.5, 1, 2]', 'theta: [0.5, 2]'));
    for (const format of ['npy', 'csv']) {
      const sub = (name: string) => at(`cut-${name}-${format}`);
      for (const name of ['one', 'shards', 'merged']) fs.mkdirSync(sub(name));
      cubieOk(['run', model, '--out', path.join(sub('one'), `ou.${format}`), '--quiet']);
      for (let i = 0; i < 5; i++) cubieOk(['run', model, '--out', path.join(sub('shards'), `ou.${format}`), '--quiet', '--shard', `${i}/5`, '--runs-per-chunk', '50']);
      const shard2 = JSON.parse(fs.readFileSync(path.join(sub('shards'), 'ou.shard-2-of-5.json'), 'utf8'));
      expect(shard2.runs).toEqual({ first: 240, end: 361 });
      expect(shard2.ensemble).toMatchObject({ legend: ['x.mean', 'x.var', 'x.std', 'x.min', 'x.max'], replicates: 301, nCombinations: 2, partial: { combinations: { first: 0, end: 2 } }, file: { path: 'ou.shard-2-of-5.moments.npy', shape: [5, 3, 1, 2] } });
      // A shard's moments are not a picture: cubie plot says to merge first.
      expect(cubie(['plot', path.join(sub('shards'), 'ou.shard-2-of-5.json')]).stderr).toMatch(/holds the moments of its replicates of combinations 0\.\.1, not statistics; merge the shards \(cubie merge\)/);
      const parts = [0, 1, 2, 3, 4].map((i) => path.join(sub('shards'), `ou.shard-${i}-of-5.json`));
      cubieOk(['merge', ...parts, '--out', path.join(sub('merged'), `ou.${format}`), '--quiet']);
      const merged = JSON.parse(fs.readFileSync(path.join(sub('merged'), 'ou.json'), 'utf8'));
      const one = JSON.parse(fs.readFileSync(path.join(sub('one'), 'ou.json'), 'utf8'));
      expect(merged.ensemble).toEqual(one.ensemble);
      expect(merged.output.status).toEqual(one.output.status);
      const status = format === 'npy' ? 'ou.status.npy' : 'ou.runs.csv';
      expect(fs.readFileSync(path.join(sub('merged'), status)).equals(fs.readFileSync(path.join(sub('one'), status)))).toBe(true);
      // The statistics agree to rounding (Chan merges in another order); min and max exactly.
      const read = (folder: string): number[] => format === 'npy'
        ? numpy<number[]>(`a = np.load(sys.argv[1]); print(json.dumps(a.ravel().tolist()))`, [path.join(folder, 'ou.ensemble.npy')])
        : fs.readFileSync(path.join(folder, 'ou.ensemble.csv'), 'utf8').trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(3).map(Number));
      const [want, got] = [read(sub('one')), read(sub('merged'))];
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-13 * Math.abs(want[i])));
      if (format === 'npy') {
        for (let k = 0; k < 3; k++) for (const j of [3, 4]) for (let c = 0; c < 2; c++) expect(got[(k * 5 + j) * 2 + c]).toBe(want[(k * 5 + j) * 2 + c]);
      }
      expect(cubieOk(['plot', path.join(sub('merged'), 'ou.json'), '--out', path.join(sub('merged'), 'ou.svg')]).status).toBe(0);
    }
  });

  it('cubie merge refuses moments that do not count the shard\'s runs, and shards cut by different counts', () => {
    const options = ensembleOptions.replace('replicates: 200', 'replicates: 10');
    const model = writeModel(dir(), 'ou-bad-cut.yaml', yaml(options).replace('theta: [0.5, 1, 2]', 'theta: [1]'));
    fs.mkdirSync(at('bad-cut'));
    for (let i = 0; i < 2; i++) cubieOk(['run', model, '--out', at('bad-cut', 'ou.npy'), '--quiet', '--shard', `${i}/2`]);
    expect(JSON.parse(fs.readFileSync(at('bad-cut', 'ou.shard-1-of-2.json'), 'utf8')).runs).toEqual({ first: 5, end: 10 });
    // Shard 1 ran replicates 5..9: moments that count 4 of them are refused, and nothing is written.
    const moments = at('bad-cut', 'ou.shard-1-of-2.moments.npy');
    const good = fs.readFileSync(moments);
    numpy(`a = np.load(sys.argv[1]); a[0] = 4; np.save(sys.argv[1], a); print('null')`, [moments]);
    const bad = cubie(['merge', at('bad-cut', 'ou.shard-0-of-2.json'), at('bad-cut', 'ou.shard-1-of-2.json'), '--out', at('bad-cut', 'merged', 'ou.npy')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/counts 4 replicates of combination 0, but its shard ran 5/);
    expect(fs.existsSync(at('bad-cut', 'merged', 'ou.ensemble.npy'))).toBe(false);
    fs.writeFileSync(moments, good);
    // 1 combination over 1 shard is not cut: with --shard 0/1 the shard holds final statistics, and does not merge with moments.
    cubieOk(['run', model, '--out', at('bad-cut', 'whole', 'ou.npy'), '--quiet', '--shard', '0/1']);
    const mixed = cubie(['merge', at('bad-cut', 'ou.shard-0-of-2.json'), at('bad-cut', 'whole', 'ou.shard-0-of-1.json'), '--out', at('bad-cut', 'mixed', 'ou.npy')]);
    expect(mixed.stderr).toMatch(/holds moments of a shard inside combinations .* final statistics/);
  });

  it('--out .csv: NAME.ensemble.csv with time, combination, inputs and one column per statistic', () => {
    const model = writeModel(dir(), 'ou-csv.yaml', yaml(ensembleOptions));
    fs.mkdirSync(at('csv'));
    cubieOk(['run', model, '--out', at('csv', 'ou.csv'), '--quiet']);
    const lines = fs.readFileSync(at('csv', 'ou.ensemble.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time,combination,theta,x.mean,x.var,x.min');
    expect(lines).toHaveLength(1 + 3 * 3);
    // time 0 of every combination: all replicates start at x = 2
    expect(lines[1]).toBe('0,0,0.5,2,0,2');
    expect(fs.readFileSync(at('csv', 'ou.runs.csv'), 'utf8').split('\n')[0]).toBe('run,combination,replicate,status');
  });

  it('an interrupt (SIGINT) between chunks exits 130 and leaves no ensemble, status or sidecar file', async () => {
    const model = writeModel(dir(), 'long.yaml', yaml(ensembleOptions).replace('theta: [0.5, 1, 2]', 'theta: { linspace: [0.5, 2, 4000] }'));
    fs.mkdirSync(at('interrupted'));
    const child = spawn(process.execPath, [bin, 'run', model, '--out', at('interrupted', 'ou.npy'), '--json', '--runs-per-chunk', '200'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
    expect(stderr).toContain('partial output files were removed');
    expect(fs.readdirSync(at('interrupted'))).toEqual([]);
  });
});

it('examples/noisy-gene.yaml writes its ensemble, and cubie plot draws the mean ± std band from it', () => {
  const dir = tempDir('noisy-gene');
  try {
    const out = path.join(dir, 'noisy-gene.npy');
    const run = cubieOk(['run', path.join('examples', 'noisy-gene.yaml'), '--out', out]);
    expect(run.stdout).toMatch(/^failed\s+none of 1500$/m);
    // mean and std at the last save: finite, std > 0, and the mean of m near its deterministic level k_m / g_m
    const last = numpy<number[][]>(`a = np.load(sys.argv[1]); assert a.shape == (61, 4, 3) and np.isfinite(a).all(); print(json.dumps(a[-1].tolist()))`, [out.replace('.npy', '.ensemble.npy')]);
    [1, 2, 4].forEach((km, c) => {
      expect(Math.abs(last[0][c] - km) / km).toBeLessThan(0.1);
      expect(last[1][c]).toBeGreaterThan(0);
    });
    const svg = path.join(dir, 'band.svg');
    cubieOk(['plot', out, '--out', svg]);
    const text = fs.readFileSync(svg, 'utf8');
    expect(text).toMatch(/mark-area/);
    expect(text).toMatch(/k_m=4/);
    expect(fs.readdirSync(dir).some((f) => f.includes('.partial-'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
