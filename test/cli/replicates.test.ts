/**
 * cubie run with replicates and per-run outputs: every replicate's run in the
 * per-run files (run c*R + k is replicate k of combination c, with c's inputs
 * and the Brownian path of batch run c*R + k), equal to one library solve
 * with the same seed; with ensembleOutputs the statistics beside them
 * (NAME.ensemble.*); sharded by runs, each shard writes its moments and
 * cubie merge gives the unsharded files (per-run bit for bit, statistics to
 * rounding); cubie plot draws runs (told apart by replicate) or, with
 * --ensemble, the statistics.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Solver } from '../../src';
import { cubie, cubieOk, numpy, ouModel, scratchFolder, writeModel } from './support';

const system = { name: 'cli_ou_replicates', equations: 'dx = theta*(mu - x)', states: { x: 2 }, parameters: { theta: 1, mu: 0.5, sigma: 0.8 }, noise: { x: 'sigma' } };
const yaml = (options: string) => ouModel('cli_ou_replicates', [0.5, 2], `  replicates: 7\n${options}`);
const R = 7;

describe('cubie run with replicates and per-run outputs', () => {
  const { at, dir } = scratchFolder('replicates');
  const readNpy = (file: string) => numpy<number[]>(`a = np.load(sys.argv[1]); print(json.dumps(a.ravel().tolist()))`, [file]);
  const library = () => new Solver(system, { backend: 'cpu', method: 'euler-maruyama' })
    .solve({}, { theta: [0.5, 2] }, { gridType: 'combinatorial', dt: 0.0625, saveEvery: 0.5, seed: 77, replicates: R, ensembleOutputs: ['mean', 'var', 'min', 'max'] });

  it('without ensembleOutputs: the runs of every replicate, equal to the library solve bit for bit, in any chunking', async () => {
    const model = writeModel(dir(), 'runs.yaml', yaml(''));
    cubieOk(['run', model, '--out', at('runs', 'ou.npy'), '--quiet', '--runs-per-chunk', '3']);
    const sidecar = JSON.parse(fs.readFileSync(at('runs', 'ou.json'), 'utf8'));
    expect(sidecar.nRuns).toBe(14);
    expect(sidecar.inputs).toMatchObject({ nRuns: 14, replicates: R, swept: ['parameters.theta'] });
    expect(sidecar.ensemble).toBeUndefined();
    expect(fs.readdirSync(at('runs')).sort()).toEqual(['ou.json', 'ou.npy', 'ou.status.npy']);
    const result = await library();
    expect(readNpy(at('runs', 'ou.npy'))).toEqual(Array.from(result.timeDomain));
    // replicates of one combination differ; the first state is x(0) for all
    const x = readNpy(at('runs', 'ou.npy'));
    expect(new Set(x.slice(2 * 14, 2 * 14 + R)).size).toBe(R);
  });

  it('CSV: each run carries its combination\'s inputs and its replicate number', () => {
    const model = writeModel(dir(), 'csv.yaml', yaml(''));
    cubieOk(['run', model, '--out', at('csv', 'ou.csv'), '--quiet']);
    const runs = fs.readFileSync(at('csv', 'ou.runs.csv'), 'utf8').trim().split('\n');
    expect(runs[0]).toBe('run,theta,replicate,status');
    expect(runs.slice(1).map((line) => line.split(',').slice(1, 3).join(','))).toEqual([0, 1].flatMap((c) => Array.from({ length: R }, (_, k) => `${c === 0 ? '0.5' : '2'},${k}`)));
    expect(fs.readFileSync(at('csv', 'ou.csv'), 'utf8').split('\n')[0]).toBe('run,theta,replicate,time,variable,value');
    // cubie plot reads the table back past the replicate column
    const spec = JSON.parse(cubieOk(['plot', at('csv', 'ou.json'), '--spec']).stdout);
    expect(JSON.stringify(spec)).toMatch(/theta=2 #6/);
  });

  it('with ensembleOutputs: the statistics beside the runs, as the library computes them', async () => {
    const model = writeModel(dir(), 'both.yaml', yaml('  ensembleOutputs: [mean, var, min, max]'));
    cubieOk(['run', model, '--out', at('both', 'ou.npy'), '--quiet']);
    cubieOk(['run', model, '--out', at('both-chunks', 'ou.npy'), '--quiet', '--runs-per-chunk', '4']);
    expect(fs.readdirSync(at('both')).sort()).toEqual(['ou.ensemble.npy', 'ou.json', 'ou.npy', 'ou.status.npy']);
    const sidecar = JSON.parse(fs.readFileSync(at('both', 'ou.json'), 'utf8'));
    expect(sidecar.ensemble).toEqual({ legend: ['x.mean', 'x.var', 'x.min', 'x.max'], replicates: R, nCombinations: 2, file: { path: 'ou.ensemble.npy', shape: [3, 4, 2], dtype: '<f8' } });
    expect(sidecar.output.timeDomain.shape).toEqual([3, 1, 14]);
    const result = await library();
    expect(readNpy(at('both', 'ou.npy'))).toEqual(Array.from(result.timeDomain));
    expect(readNpy(at('both', 'ou.ensemble.npy'))).toEqual(Array.from(result.ensemble!.values)); // one chunk: the same sums
    // Chunks of 4 runs end inside combinations of 7: each combination's statistics are written when it completes.
    const chunked = readNpy(at('both-chunks', 'ou.ensemble.npy'));
    chunked.forEach((v, i) => expect(Math.abs(v - result.ensemble!.values[i])).toBeLessThanOrEqual(1e-14 * Math.abs(result.ensemble!.values[i])));
    cubieOk(['run', model, '--out', at('both-csv', 'ou.csv'), '--quiet', '--runs-per-chunk', '3']);
    const rows = fs.readFileSync(at('both-csv', 'ou.ensemble.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,combination,theta,x.mean,x.var,x.min,x.max');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual(['0,0,0.5', '0.5,0,0.5', '1,0,0.5', '0,1,2', '0.5,1,2', '1,1,2']);
    // csv row (combination c, time k), statistic j = npy [k, j, c]
    rows.slice(1).forEach((r, i) => {
      const [c, k] = [Math.floor(i / 3), i % 3];
      r.split(',').slice(3).map(Number).forEach((v, j) => {
        const want = result.ensemble!.values[(k * 4 + j) * 2 + c];
        expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-14 * Math.abs(want));
      });
    });
  });

  it('shards cut by runs write moments beside their runs; cubie merge gives the unsharded files (npy and csv)', () => {
    const model = writeModel(dir(), 'shards.yaml', yaml('  ensembleOutputs: [mean, std, min, max]'));
    for (const format of ['npy', 'csv']) {
      const sub = (name: string) => at(`${name}-${format}`);
      cubieOk(['run', model, '--out', path.join(sub('one'), `ou.${format}`), '--quiet']);
      for (let i = 0; i < 3; i++) cubieOk(['run', model, '--out', path.join(sub('shards'), `ou.${format}`), '--quiet', '--shard', `${i}/3`, '--runs-per-chunk', '2']);
      const shard1 = JSON.parse(fs.readFileSync(path.join(sub('shards'), 'ou.shard-1-of-3.json'), 'utf8'));
      expect(shard1.runs).toEqual({ first: 4, end: 9 }); // replicates 4..6 of theta 0.5 and 0..1 of theta 2
      expect(shard1.ensemble).toMatchObject({ nCombinations: 2, partial: { combinations: { first: 0, end: 2 } }, file: { path: 'ou.shard-1-of-3.moments.npy', shape: [5, 3, 1, 2] } });
      const parts = [0, 1, 2].map((i) => path.join(sub('shards'), `ou.shard-${i}-of-3.json`));
      cubieOk(['merge', ...parts, '--out', path.join(sub('merged'), `ou.${format}`), '--quiet']);
      const merged = JSON.parse(fs.readFileSync(path.join(sub('merged'), 'ou.json'), 'utf8'));
      const one = JSON.parse(fs.readFileSync(path.join(sub('one'), 'ou.json'), 'utf8'));
      expect(merged.ensemble).toEqual(one.ensemble);
      expect(merged.output).toEqual(one.output);
      const perRun = format === 'npy' ? ['ou.npy', 'ou.status.npy'] : ['ou.csv', 'ou.runs.csv'];
      for (const name of perRun) expect(fs.readFileSync(path.join(sub('merged'), name)).equals(fs.readFileSync(path.join(sub('one'), name)))).toBe(true);
      const stats = (folder: string): number[] => format === 'npy'
        ? readNpy(path.join(folder, 'ou.ensemble.npy'))
        : fs.readFileSync(path.join(folder, 'ou.ensemble.csv'), 'utf8').trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(3).map(Number));
      const [want, got] = [stats(sub('one')), stats(sub('merged'))];
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-13 * Math.abs(want[i])));
    }
  });

  it('cubie plot draws the runs, told apart by replicate, and with --ensemble the statistics', () => {
    const spec = JSON.parse(cubieOk(['plot', at('both', 'ou.json'), '--spec']).stdout);
    const labels = new Set((JSON.stringify(spec).match(/theta=[0-9.]+ #\d/g) ?? []));
    expect(labels.size).toBe(5); // five runs spread over the 14, each named by input and replicate
    expect(JSON.stringify(spec)).not.toMatch(/"summary"|max of x/); // no summary-against-inputs panel with replicates
    const band = JSON.parse(cubieOk(['plot', at('both', 'ou.json'), '--spec', '--ensemble']).stdout);
    expect(band.title.subtitle[1]).toBe('mean ± std, min…max over 7 replicates');
    expect(cubie(['plot', at('runs', 'ou.json'), '--ensemble']).stderr).toMatch(/--ensemble: .* has no ensemble statistics/);
  });
});
