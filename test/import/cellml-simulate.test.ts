/**
 * Imported CellML models solved on the CPU: a representative subset of the
 * Chaste models for 1 s of model time with radau (rtol 1e-6, atol 1e-8)
 * and the import's dtMax hint, status 0 and an action potential where the
 * model is stimulated within that second; action-potential features of four
 * classic models against their papers. All 63 models:
 * `node scripts/cellml-chaste.js test/fixtures/cellml/chaste`.
 *
 * The reference values are read from the papers' action-potential figures
 * and text at a 1 s cycle, so the tolerances are those of reading a figure
 * (a few mV, 15 % of the duration), not of a numerical comparison; Chaste's
 * versions of the models also carry small changes (stimulus protocol).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createSystem, importCellml, solveIvp } from '../../src';

const CHASTE = path.join(__dirname, '..', 'fixtures', 'cellml', 'chaste');

interface Trace { t: number[]; v: number[]; status: number }

async function simulate(file: string, samples = 5000): Promise<Trace> {
  const model = importCellml(fs.readFileSync(path.join(CHASTE, `${file}.cellml`), 'utf8'));
  const duration = model.timeScale !== undefined ? 1 / model.timeScale : 1000;
  const result = await solveIvp(createSystem(model.system), {}, {}, {
    method: 'radau', backend: 'cpu', rtol: 1e-6, atol: 1e-8, duration, saveEvery: duration / samples, outputTypes: ['state'], threads: 1, maxSteps: 1e7,
    ...(model.options.dtMax !== undefined ? { dtMax: model.options.dtMax } : {}),
  });
  const voltage = Object.values(model.variables).find((v) => (v.terms ?? []).some((t) => t.endsWith('#membrane_voltage')));
  if (voltage === undefined) throw new Error(`${file}: no state annotated membrane_voltage`);
  // times in ms for the features below
  const scale = model.timeScale !== undefined ? model.timeScale * 1000 : 1;
  return { t: Array.from(result.time, (x) => x * scale), v: Array.from(result.trajectory(voltage.name, 0)), status: result.status[0] };
}

/** Resting (or maximum diastolic) potential before the upstroke, peak, and APD90 from the steepest upstroke. */
function features({ t, v }: Trace): { rest: number; peak: number; apd90: number } {
  let up = 1;
  for (let i = 1; i < v.length; i++) if (v[i] - v[i - 1] > v[up] - v[up - 1]) up = i;
  const rest = Math.min(...v.slice(0, up));
  let top = up;
  for (let i = up; i < v.length && t[i] < t[up] + 50; i++) if (v[i] > v[top]) top = i;
  const threshold = rest + 0.1 * (v[top] - rest);
  let end = top;
  while (end < v.length - 1 && v[end] > threshold) end++;
  return { rest, peak: v[top], apd90: t[end] - t[up] };
}

describe('Chaste models solve for 1 s with radau', () => {
  it.each([
    'beeler_reuter_model_1977', 'hodgkin_huxley_squid_axon_model_1952_modified', 'bueno_2007_epi', 'difrancesco_noble_model_1985',
    'noble_model_1998', 'fox_mcharg_gilmour_2002',
  ])('%s', async (file) => {
    const trace = await simulate(file, 1000);
    expect(trace.status).toBe(0);
    for (const x of trace.v) expect(Number.isFinite(x)).toBe(true);
    // the stimulus (or the pacemaker) was felt: the membrane depolarised
    const range = Math.max(...trace.v) - Math.min(...trace.v);
    expect(range).toBeGreaterThan(file.startsWith('bueno') ? 0.8 : 50);
  });
});

describe('action-potential features against the papers', () => {
  it('Beeler & Reuter 1977 (J Physiol 268:177-210, Fig. 4): rest -84.6 mV, overshoot about +30 mV, APD90 about 280 ms', async () => {
    const f = features(await simulate('beeler_reuter_model_1977'));
    expect(Math.abs(f.rest - -84.6)).toBeLessThan(2);
    expect(Math.abs(f.peak - 30)).toBeLessThan(10);
    expect(Math.abs(f.apd90 - 280) / 280).toBeLessThan(0.15);
  });

  it('Luo & Rudy 1991 (Circ Res 68:1501-1526, Fig. 2): rest -84 mV, overshoot about +45 mV, APD90 about 350 ms', async () => {
    const f = features(await simulate('luo_rudy_1991'));
    expect(Math.abs(f.rest - -84)).toBeLessThan(2);
    expect(Math.abs(f.peak - 45)).toBeLessThan(10);
    expect(Math.abs(f.apd90 - 350) / 350).toBeLessThan(0.15);
  });

  it('ten Tusscher & Panfilov 2006 epicardial (Am J Physiol 291:H1088-H1100, Fig. 2): rest -86 mV, peak about +35 mV, APD90 about 300 ms', async () => {
    const f = features(await simulate('ten_tusscher_model_2006_epi'));
    expect(Math.abs(f.rest - -86)).toBeLessThan(2);
    expect(Math.abs(f.peak - 35)).toBeLessThan(10);
    expect(Math.abs(f.apd90 - 300) / 300).toBeLessThan(0.15);
  });

  it('Noble 1962 (J Physiol 160:317-352, Fig. 14): maximum diastolic potential about -80 mV, peak about +20 mV, AP about 300 ms', async () => {
    const f = features(await simulate('noble_model_1962'));
    expect(Math.abs(f.rest - -80)).toBeLessThan(5);
    expect(Math.abs(f.peak - 20)).toBeLessThan(10);
    expect(Math.abs(f.apd90 - 300) / 300).toBeLessThan(0.25);
  });
});
