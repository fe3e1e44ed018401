/**
 * cubie run on a model with noise: chunks and shards keep each run's index in
 * the whole grid (runIndexOffset), so every way of cutting the batch writes
 * the same numbers as one library solve with the same seed; a drawn seed is
 * recorded in the sidecar's settings, and shards without a seed are refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Solver } from '../../src';
import { cubie, cubieOk, numpy, scratchFolder, tempDir, writeModel } from './support';

const yaml = (seed: string) => `system:
  name: cli_gbm
  equations: "dx = mu*x"
  states: { x: 1 }
  parameters: { mu: 0.5, sigma: 0.3 }
  noise: { x: sigma*x }
parameters:
  mu: [0.1, 0.5, 1]
  sigma: [0.1, 0.2, 0.3, 0.4]
options:
  method: milstein
  dt: 0.03125
  saveEvery: 0.5
  outputTypes: [state, wiener]
${seed}`;

describe('cubie run with noise', () => {
  const { at, dir } = scratchFolder('sde');
  const read = (file: string) => numpy<number[]>(`print(json.dumps(np.load(sys.argv[1]).ravel().tolist()))`, [file]);

  it('whole, in chunks of 5, and as 3 merged shards: the library solve with the same seed, bit for bit', async () => {
    const model = writeModel(dir(), 'gbm.yaml', yaml('  seed: 1234'));
    for (const sub of ['whole', 'chunks', 'shards', 'merged']) fs.mkdirSync(at(sub));
    cubieOk(['run', model, '--out', at('whole', 'gbm.npy'), '--quiet']);
    cubieOk(['run', model, '--out', at('chunks', 'gbm.npy'), '--quiet', '--runs-per-chunk', '5']);
    for (let i = 0; i < 3; i++) cubieOk(['run', model, '--out', at('shards', 'gbm.npy'), '--quiet', '--shard', `${i}/3`, '--runs-per-chunk', '3']);
    cubieOk(['merge', ...[0, 1, 2].map((i) => at('shards', `gbm.shard-${i}-of-3.npy`)), '--out', at('merged', 'gbm.npy'), '--quiet']);
    const whole = fs.readFileSync(at('whole', 'gbm.npy'));
    expect(fs.readFileSync(at('chunks', 'gbm.npy')).equals(whole)).toBe(true);
    expect(fs.readFileSync(at('merged', 'gbm.npy')).equals(whole)).toBe(true);

    const system = { name: 'cli_gbm', equations: 'dx = mu*x', states: { x: 1 }, parameters: { mu: 0.5, sigma: 0.3 }, noise: { x: 'sigma*x' } };
    const result = await new Solver(system, { backend: 'cpu', method: 'milstein', outputTypes: ['state', 'wiener'] })
      .solveWith({}, { mu: [0.1, 0.5, 1], sigma: [0.1, 0.2, 0.3, 0.4] }, { dt: 0.03125, saveEvery: 0.5, seed: 1234 }, 'combinatorial');
    expect(read(at('whole', 'gbm.npy'))).toEqual(Array.from(result.timeDomain));
  });

  it('a drawn seed is in the sidecar, and a shard without a seed is refused', () => {
    const model = writeModel(dir(), 'unseeded.yaml', yaml(''));
    fs.mkdirSync(at('drawn'));
    cubieOk(['run', model, '--out', at('drawn', 'u.npy'), '--quiet']);
    const sidecar = JSON.parse(fs.readFileSync(at('drawn', 'u.json'), 'utf8'));
    expect(Number.isSafeInteger(sidecar.settings.seed)).toBe(true);
    const refused = cubie(['run', model, '--out', at('drawn', 's.npy'), '--shard', '0/2']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/give 'seed' in the model's options/);
  });
});

it('examples/gene-expression.yaml runs to completion with every run finite, as its header says', () => {
  const dir = tempDir('sde-example');
  try {
    const out = path.join(dir, 'gene.npy');
    const run = cubieOk(['run', path.join('examples', 'gene-expression.yaml'), '--out', out, '--plot', out.replace('.npy', '.svg')]);
    expect(run.stdout).toMatch(/^failed\s+none of 24$/m);
    expect(numpy<number[]>(`a = np.load(sys.argv[1]); assert np.isfinite(a).all(); print(json.dumps(list(a.shape)))`, [out])).toEqual([61, 4, 24]);
    expect(JSON.parse(fs.readFileSync(out.replace('.npy', '.json'), 'utf8')).variables).toEqual(['m', 'p', 'W.m', 'W.p']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
