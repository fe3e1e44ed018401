/**
 * Sharding: the split rule, shards picked by flag or by scheduler variables
 * (Slurm arrays, Kubernetes indexed Jobs), and `cubie merge` producing files
 * identical to an unsharded run's, or refusing shards that do not belong
 * together.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseShard, shardFromEnvironment, shardRange } from '../../src/files/shard';
import { cubie, cubieOk, fixtures, numpy, tempDir, writeModel } from './support';

describe('the shard rule', () => {
  it('cuts runs 0..n-1 into N contiguous blocks differing by at most one run; every run in exactly one', () => {
    for (const n of [0, 1, 2, 7, 10, 97, 1000, 2 ** 31 - 1]) {
      for (const count of [1, 2, 3, 8, 13, 1000]) {
        let next = 0;
        const sizes: number[] = [];
        for (let index = 0; index < count; index++) {
          const { first, end } = shardRange(n, { index, count });
          expect(first).toBe(next);
          expect(first).toBe(Math.floor((index * n) / count));
          sizes.push(end - first);
          next = end;
        }
        expect(next).toBe(n);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('reads I/N, and Slurm arrays (ID - MIN, by STEP) and Kubernetes indexed Jobs from the environment', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8, source: '--shard' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '13', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4, source: 'SLURM_ARRAY_TASK_ID' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '5' })).toEqual({ index: 4, count: 5, source: 'SLURM_ARRAY_TASK_ID' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4, source: 'SLURM_ARRAY_TASK_ID' });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow('does not map to a shard');
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' }, 5)).toEqual({ index: 2, count: 5, source: 'JOB_COMPLETION_INDEX' });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '5' }, 5)).toThrow('is not below --shard-count 5');
    expect(shardFromEnvironment({ PATH: '/bin' })).toBeUndefined();
  });
});

describe('cubie run --shard and cubie merge', () => {
  let dir: string;
  let model: string;
  beforeAll(() => {
    dir = tempDir('shard');
    // 4 x 5 = 20 runs, with summaries and iteration counters, so that every array is sharded and merged.
    model = writeModel(
      dir,
      'sweep.yaml',
      fs
        .readFileSync(path.join(fixtures, 'oscillator.yaml'), 'utf8')
        .replace('omega: [1, 2, 3]', 'omega: [1, 2, 3, 4]')
        .replace('zeta: [0.05, 0.5]', 'zeta: { linspace: [0.05, 0.45, 5] }')
        .replace('outputTypes: [state, max, mean]', 'outputTypes: [state, max, mean, iteration_counters]'),
    );
    for (const sub of ['shards', 'whole', 'merged']) fs.mkdirSync(path.join(dir, sub));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const at = (...parts: string[]) => path.join(dir, ...parts);
  const same = (a: string, b: string) => expect({ file: path.basename(a), same: fs.readFileSync(a).equals(fs.readFileSync(b)) }).toEqual({ file: path.basename(a), same: true });

  it('three shards (by flag, by Slurm variables, by a Kubernetes index) merge into files byte-identical to an unsharded run', () => {
    const out = at('shards', 'sweep.npy');
    cubieOk(['run', model, '--out', out, '--quiet', '--shard', '0/3']);
    const slurm = cubieOk(['run', model, '--out', out], { env: { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3' } });
    expect(slurm.stdout).toMatch(/^shard\s+1\/3 \(from SLURM_ARRAY_TASK_ID\): runs 6\.\.12 \(7 of 20\)$/m);
    cubieOk(['run', model, '--out', out, '--quiet', '--shard-count', '3', '--runs-per-chunk', '2'], { env: { JOB_COMPLETION_INDEX: '2' } });
    expect(fs.readdirSync(at('shards')).sort()).toEqual(
      [0, 1, 2].flatMap((i) => ['json', 'npy', 'status.npy', 'summaries.npy', 'counters.npy'].map((ext) => `sweep.shard-${i}-of-3.${ext}`)).sort(),
    );
    const shard1 = JSON.parse(fs.readFileSync(at('shards', 'sweep.shard-1-of-3.json'), 'utf8'));
    expect(shard1).toMatchObject({ nRuns: 20, runs: { first: 6, end: 13 }, shard: { index: 1, count: 3 }, output: { timeDomain: { shape: [9, 2, 7] } } });

    cubieOk(['run', model, '--out', at('whole', 'sweep.npy'), '--quiet']);
    // A shell glob over the shard folder names every file of every shard: each shard counts once.
    const merged = cubieOk(['merge', ...fs.readdirSync(at('shards')).map((f) => at('shards', f)), '--out', at('merged', 'sweep.npy')]);
    expect(merged.stdout).toMatch(/^merged\s+3 shards, 20 runs$/m);
    for (const file of ['sweep.npy', 'sweep.summaries.npy', 'sweep.status.npy', 'sweep.counters.npy']) same(at('merged', file), at('whole', file));

    const whole = JSON.parse(fs.readFileSync(at('whole', 'sweep.json'), 'utf8'));
    const joined = JSON.parse(fs.readFileSync(at('merged', 'sweep.json'), 'utf8'));
    const { execution, createdAt, ...wholeRest } = whole;
    const { execution: none, createdAt: created, mergedFrom, ...joinedRest } = joined;
    expect(joinedRest).toEqual(wholeRest);
    expect(execution.backend).toBe('cpu');
    expect([none, typeof created]).toEqual([null, 'string']);
    expect(mergedFrom.map((m: { runs: unknown; shard: unknown }) => [m.runs, m.shard])).toEqual([
      [{ first: 0, end: 6 }, { index: 0, count: 3 }],
      [{ first: 6, end: 13 }, { index: 1, count: 3 }],
      [{ first: 13, end: 20 }, { index: 2, count: 3 }],
    ]);
    void createdAt;
    const shape = numpy<number[]>(`print(json.dumps(list(np.load(sys.argv[1]).shape)))`, [at('merged', 'sweep.npy')]);
    expect(shape).toEqual([9, 2, 20]);
  });

  it('CSV shards merge into tables byte-identical to an unsharded run', () => {
    for (const i of [0, 1]) cubieOk(['run', model, '--out', at('shards', 'table.csv'), '--quiet', '--shard', `${i}/2`, '--runs-per-chunk', '3']);
    cubieOk(['run', model, '--out', at('whole', 'table.csv'), '--quiet']);
    cubieOk(['merge', at('shards', 'table.shard-0-of-2.csv'), at('shards', 'table.shard-1-of-2.json'), '--out', at('merged', 'table.csv'), '--quiet']);
    for (const file of ['table.csv', 'table.summaries.csv', 'table.runs.csv']) same(at('merged', file), at('whole', file));
    expect(fs.readFileSync(at('merged', 'table.runs.csv'), 'utf8').split('\n')[0]).toBe('run,omega,zeta,status,accepted,rejected,rhsEvaluations,jacobianEvaluations,newtonIterations,linearIterations,factorizations');
  });

  it('event records and counts merge like the other arrays: npy and csv byte-identical to an unsharded run, the sidecar too', () => {
    const ball = path.join(fixtures, 'ball.yaml');
    for (const i of [0, 1, 2]) cubieOk(['run', ball, '--out', at('shards', 'ball.npy'), '--quiet', '--shard', `${i}/3`, '--runs-per-chunk', '1']);
    for (const i of [0, 1]) cubieOk(['run', ball, '--out', at('shards', 'balls.csv'), '--quiet', '--shard', `${i}/2`]);
    cubieOk(['run', ball, '--out', at('whole', 'ball.npy'), '--quiet']);
    cubieOk(['run', ball, '--out', at('whole', 'balls.csv'), '--quiet']);
    const merged = cubieOk(['merge', ...[0, 1, 2].map((i) => at('shards', `ball.shard-${i}-of-3.events.npy`)), '--out', at('merged', 'ball.npy')]);
    expect(merged.stdout).toMatch(/^terminal\s+4 of 6 runs ended at a terminal event/m);
    cubieOk(['merge', ...[0, 1].map((i) => at('shards', `balls.shard-${i}-of-2.events.csv`)), '--out', at('merged', 'balls.csv'), '--quiet']);
    for (const file of ['ball.npy', 'ball.status.npy', 'ball.events.npy', 'ball.event-counts.npy', 'balls.csv', 'balls.runs.csv', 'balls.events.csv']) same(at('merged', file), at('whole', file));
    for (const stem of ['ball', 'balls']) {
      const { execution, createdAt, ...whole } = JSON.parse(fs.readFileSync(at('whole', `${stem}.json`), 'utf8'));
      const { execution: none, createdAt: created, mergedFrom, ...joined } = JSON.parse(fs.readFileSync(at('merged', `${stem}.json`), 'utf8'));
      void [execution, createdAt, none, created, mergedFrom];
      expect(joined).toEqual(whole);
    }
  });

  it('more shards than runs: empty shards are valid results and still merge', () => {
    const tiny = writeModel(dir, 'tiny.yaml', fs.readFileSync(model, 'utf8').replace('omega: [1, 2, 3, 4]', 'omega: 1').replace('{ linspace: [0.05, 0.45, 5] }', '[0.1, 0.2]'));
    for (let i = 0; i < 3; i++) cubieOk(['run', tiny, '--out', at('shards', 'tiny.npy'), '--quiet', '--shard', `${i}/3`]);
    expect(numpy<number[]>(`print(json.dumps(list(np.load(sys.argv[1]).shape)))`, [at('shards', 'tiny.shard-0-of-3.npy')])).toEqual([9, 2, 0]);
    cubieOk(['run', tiny, '--out', at('whole', 'tiny.npy'), '--quiet']);
    cubieOk(['merge', ...[0, 1, 2].map((i) => at('shards', `tiny.shard-${i}-of-3.npy`)), '--out', at('merged', 'tiny.npy'), '--quiet']);
    same(at('merged', 'tiny.npy'), at('whole', 'tiny.npy'));
  });

  it('refuses a missing shard, a shard of another model or settings, overlapping shards, and a mismatched format', () => {
    const shards = (ext: string, ...names: string[]) => names.map((n) => at('shards', `sweep.${n}.${ext}`));
    const missing = cubie(['merge', ...shards('npy', 'shard-0-of-3', 'shard-2-of-3'), '--out', at('merged', 'x.npy')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('runs 6..12 of 20 are missing (not given: shard 1/3) [SHARD_MISMATCH]');

    const other = writeModel(dir, 'other.yaml', fs.readFileSync(model, 'utf8').replace('rtol: 1.0e-9', 'rtol: 1.0e-8'));
    cubieOk(['run', other, '--out', at('shards', 'other.npy'), '--quiet', '--shard', '1/3']);
    const foreign = cubie(['merge', ...shards('npy', 'shard-0-of-3', 'shard-2-of-3'), at('shards', 'other.shard-1-of-3.npy'), '--out', at('merged', 'x.npy')]);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toMatch(/comes from a different model or settings than .* \(model hash [0-9a-f]{12} vs [0-9a-f]{12}\)/);

    cubieOk(['run', model, '--out', at('shards', 'sweep.npy'), '--quiet', '--shard', '0/2']);
    const overlap = cubie(['merge', ...shards('npy', 'shard-0-of-2', 'shard-1-of-3', 'shard-2-of-3'), '--out', at('merged', 'x.npy')]);
    expect(overlap.status).toBe(1);
    expect(overlap.stderr).toMatch(/runs 6\.\.9 are in both shard 0\/2 .* and shard 1\/3.* \[SHARD_MISMATCH\]/);

    const format = cubie(['merge', ...shards('npy', 'shard-0-of-3', 'shard-1-of-3', 'shard-2-of-3'), '--out', at('merged', 'x.csv')]);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('the shards are npy results; merge them into a .npy file');
    expect(fs.readdirSync(at('merged')).filter((f) => f.startsWith('x.'))).toEqual([]);
  });
});
