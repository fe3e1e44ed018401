/**
 * The examples run with `cubie run` as their headers say, and `npm start`
 * (scripts/start.js) writes the Lorenz example's arrays and picture to the
 * folder it names.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cubieOk, examples, numpy, root, tempDir } from './support';

describe('examples', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('examples');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['van-der-pol.yaml', [2001, 2, 900], 'mu (30) x A (30)'],
    ['robertson.yaml', [101, 3, 16], 'k1 (16)'],
    ['neuron.yaml', [3001, 2, 41], 'gain (41)'],
    ['mackey-glass.yaml', [501, 1, 4], 'tau (4)'],
  ])('%s runs to completion without failed runs', (file, shape, sweep) => {
    const out = path.join(dir, file.replace('.yaml', '.npy'));
    const run = cubieOk(['run', path.join('examples', file), '--out', out, '--plot', out.replace('.npy', '.svg')]);
    expect(run.stdout).toContain(`= ${sweep}, combinatorial`);
    expect(run.stdout).toMatch(/^failed\s+none of \d+$/m);
    expect(numpy<number[]>(`a = np.load(sys.argv[1]); assert np.isfinite(a).all(); print(json.dumps(list(a.shape)))`, [out])).toEqual(shape);
    expect(fs.readFileSync(out.replace('.npy', '.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
  });

  it('the Mackey–Glass example: a steady state at the shortest delay, an oscillation growing with the delay', () => {
    // x* = 1 solves beta x/(1 + x^n) = gamma x; over the last 200 days: its range per delay
    const ranges = numpy<number[][]>(`a = np.load(sys.argv[1]); t = a[300:, 0, :]; print(json.dumps([[float(t[:, r].min()), float(t[:, r].max())] for r in range(4)]))`, [path.join(dir, 'mackey-glass.npy')]);
    expect(Math.abs(ranges[0][0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(ranges[0][1] - 1)).toBeLessThan(1e-6);
    const spans = ranges.map(([lo, hi]) => hi - lo);
    expect(spans[1]).toBeGreaterThan(0.1);
    expect(spans[2]).toBeGreaterThan(spans[1]);
    expect(spans[3]).toBeGreaterThan(spans[2]);
  });

  it('the Robertson example takes a stiff solver\'s few steps (its iteration counters are written beside it)', () => {
    const counters = numpy<{ shape: number[]; accepted: number[] }>(`c = np.load(sys.argv[1]); print(json.dumps({'shape': list(c.shape), 'accepted': c[0].tolist()}))`, [path.join(dir, 'robertson.counters.npy')]);
    expect(counters.shape).toEqual([7, 16]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'robertson.json'), 'utf8')).counterLegend[0]).toBe('accepted');
    for (const steps of counters.accepted) expect(steps).toBeGreaterThan(10);
    for (const steps of counters.accepted) expect(steps).toBeLessThan(1000);
  });

  it('the neuron example reads its stimulus from stimulus.csv beside it and crosses threshold within the sweep', () => {
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'neuron.json'), 'utf8'));
    expect(sidecar.system.drivers).toEqual(['I_stim']);
    expect(sidecar.settings.drivers.I_stim).toHaveLength(fs.readFileSync(path.join(examples, 'stimulus.csv'), 'utf8').trim().split('\n').length - 1);
    const vmax = numpy<number[]>(`s = np.load(sys.argv[1]); print(json.dumps(s[-1, 0, :].tolist()))`, [path.join(dir, 'neuron.summaries.npy')]);
    expect(sidecar.summaryLegend[0]).toBe('V.max');
    expect(vmax[0]).toBeLessThan(-50); // no stimulus: rest
    expect(vmax[vmax.length - 1]).toBeGreaterThan(20); // full stimulus: spikes
  });

  it('the bouncing ball records its impacts; runs ended by the terminal 20th impact are successes; the first impact is at sqrt(2h/g)', () => {
    const out = path.join(dir, 'ball.npy');
    const run = cubieOk(['run', path.join('examples', 'bouncing-ball.yaml'), '--out', out, '--plot', path.join(dir, 'ball.svg')]);
    expect(run.stdout).toContain('= y(0) (9) x k (5), combinatorial');
    expect(run.stdout).toMatch(/^failed\s+none of 45$/m);
    expect(run.stdout).toMatch(/^terminal\s+\d+ of 45 runs ended at a terminal event/m);
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'ball.json'), 'utf8'));
    const h = sidecar.inputs.y0.y as number[];
    const first = numpy<{ shape: number[]; t: number[]; counts: number[] }>(
      `e = np.load(sys.argv[1] + '.events.npy'); c = np.load(sys.argv[1] + '.event-counts.npy')
print(json.dumps({'shape': list(e.shape), 't': e[0, 0, :].tolist(), 'counts': c.tolist()}))`,
      [out.replace(/\.npy$/, '')],
    );
    expect(first.shape).toEqual([20, 4, 45]);
    // Runs in grid order, k fastest: run r dropped from h[floor(r / 5)].
    first.t.forEach((t, r) => expect(Math.abs(t - Math.sqrt((2 * h[Math.floor(r / 5)]) / 9.81))).toBeLessThan(1e-8));
    // k = 0.5 comes to rest within 8 s from every height: its runs reach the terminal 20th impact.
    for (let r = 0; r < 45; r += 5) expect(first.counts[r]).toBe(20);
    expect(fs.readFileSync(path.join(dir, 'ball.svg'), 'utf8')).toContain('bounce events per run');
  });

  it('npm start (scripts/start.js) solves the Lorenz rho sweep into the folder it names, with its plot', () => {
    const folder = path.join(dir, 'demo');
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'start.js'), folder], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`$ cubie run examples/lorenz.yaml --out ${path.join(folder, 'lorenz.npy')} --plot ${path.join(folder, 'lorenz.svg')}`);
    expect(run.stdout).toContain(`The results are in ${folder}`);
    expect(fs.readdirSync(folder).sort()).toEqual(['lorenz.json', 'lorenz.npy', 'lorenz.status.npy', 'lorenz.summaries.npy', 'lorenz.svg']);
    const zmax = numpy<number[]>(`s = np.load(sys.argv[1]); print(json.dumps(s[-1, 0, :].tolist()))`, [path.join(folder, 'lorenz.summaries.npy')]);
    const rho = JSON.parse(fs.readFileSync(path.join(folder, 'lorenz.json'), 'utf8')).inputs.parameters.rho as number[];
    expect(rho).toHaveLength(201);
    // Below rho = 1 the origin attracts; between 1 and ~24 the fixed point has z = rho - 1.
    const at = (r: number) => zmax[rho.indexOf(r)];
    expect(at(0.5)).toBeLessThan(1e-3);
    expect(at(10)).toBeCloseTo(9, 3);
    expect(at(40)).toBeGreaterThan(45);
  });
});
