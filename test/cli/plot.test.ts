/**
 * Pictures: `cubie run --plot` and `cubie plot RESULT` draw trajectories and,
 * for one- or two-input sweeps, a summary against the inputs (line or heat
 * map), rendered by vega-lite. The SVG is parsed and its marks counted.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cubie, cubieOk, fixtures, tempDir, writeModel } from './support';

const oscillator = path.join(fixtures, 'oscillator.yaml');

interface SvgSummary {
  width: number;
  height: number;
  /** Marks by kind ('line', 'rect', ...), counted. */
  marks: Record<string, number>;
  texts: string[];
}

/** Parses an SVG with Python's XML parser (so it must be well-formed) and counts vega's marks. */
function svg(file: string): SvgSummary {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
S = '{http://www.w3.org/2000/svg}'
marks = {}
for g in root.iter(S + 'g'):
    cls = (g.get('class') or '').split()
    if 'role-mark' in cls:
        kind = [c[5:] for c in cls if c.startswith('mark-')][0]
        marks[kind] = marks.get(kind, 0) + len(list(g))
texts = [t.text for t in root.iter(S + 'text') if t.text]
print(json.dumps({'width': float(root.get('width')), 'height': float(root.get('height')), 'marks': marks, 'texts': texts}))`;
  const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as SvgSummary;
}

describe('plots', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('plot');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a two-input grid: trajectories per variable and a heat map of the first summary; cubie plot draws the same from .npy and .csv', () => {
    const live = path.join(dir, 'live.svg');
    const run = cubieOk(['run', oscillator, '--out', path.join(dir, 'osc.npy'), '--plot', live]);
    expect(run.stdout).toMatch(/^plot\s+.*live\.svg$/m);
    const picture = svg(live);
    // 5 runs x 2 variables as lines; 3 x 2 cells.
    expect(picture.marks).toEqual({ line: 10, rect: 6 });
    expect(picture.width).toBeGreaterThan(500);
    for (const text of ['x', 'v', 'time', 'omega', 'zeta', 'x.max (last window)', 'omega=1, zeta=0.05', 'omega=3, zeta=0.5']) expect(picture.texts).toContain(text);
    expect(picture.texts.join('\n')).toMatch(/cli_oscillator \(.*oscillator\.yaml\)/);
    expect(picture.texts.join('\n')).toContain('6 runs · sweep: omega 1…3 (3), zeta 0.05…0.5 (2) · method tsit5');

    const fromNpy = cubieOk(['plot', path.join(dir, 'osc.npy')]);
    expect(fromNpy.stdout.trim()).toMatch(/osc\.svg$/);
    expect(fs.readFileSync(path.join(dir, 'osc.svg'), 'utf8')).toBe(fs.readFileSync(live, 'utf8'));
    cubieOk(['run', oscillator, '--out', path.join(dir, 'osc-table.csv'), '--quiet']);
    cubieOk(['plot', path.join(dir, 'osc-table.csv'), '--out', path.join(dir, 'from-csv.svg')]);
    expect(fs.readFileSync(path.join(dir, 'from-csv.svg'), 'utf8')).toBe(fs.readFileSync(live, 'utf8'));
  });

  it('a one-input sweep draws the summary as a line; --variables and --summary choose what is drawn; --spec prints Vega-Lite', () => {
    const model = writeModel(dir, 'line.yaml', fs.readFileSync(oscillator, 'utf8').replace('zeta: [0.05, 0.5]', 'zeta: 0.2').replace('omega: [1, 2, 3]', 'omega: { linspace: [0.5, 4, 12] }'));
    cubieOk(['run', model, '--out', path.join(dir, 'line.npy'), '--quiet']);
    cubieOk(['plot', path.join(dir, 'line.json'), '--variables', 'v', '--summary', 'v.mean', '--out', path.join(dir, 'line.svg')]);
    const picture = svg(path.join(dir, 'line.svg'));
    // 5 trajectories of v, the summary line and its points.
    expect(picture.marks).toMatchObject({ line: 6, symbol: 12 });
    expect(picture.texts).toContain('v.mean (last window)');
    expect(picture.texts).not.toContain('x');
    const spec = JSON.parse(cubieOk(['plot', path.join(dir, 'line.npy'), '--spec']).stdout);
    expect(spec.$schema).toContain('vega-lite');
    expect(spec.vconcat).toHaveLength(2);
    const bad = cubie(['plot', path.join(dir, 'line.npy'), '--summary', 'z.max']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--summary: no summary 'z.max' in this result (summaries: x.max, x.mean, v.max, v.mean)");
  });

  it('without summaries the swept panel shows the maximum of the first variable; without a sweep only trajectories', () => {
    const noSummaries = writeModel(dir, 'plain.yaml', fs.readFileSync(oscillator, 'utf8').replace('outputTypes: [state, max, mean]', 'outputTypes: [state]').replace('  summariseEvery: 1\n', ''));
    cubieOk(['run', noSummaries, '--plot', path.join(dir, 'plain.svg'), '--quiet']);
    const plain = svg(path.join(dir, 'plain.svg'));
    expect(plain.marks).toEqual({ line: 10, rect: 6 });
    expect(plain.texts).toContain('max of x over the saved times');
    const single = writeModel(dir, 'single.yaml', fs.readFileSync(oscillator, 'utf8').replace('omega: [1, 2, 3]', 'omega: 2').replace('zeta: [0.05, 0.5]', 'zeta: 0.1'));
    cubieOk(['run', single, '--plot', path.join(dir, 'single.svg'), '--quiet']);
    const one = svg(path.join(dir, 'single.svg'));
    expect(one.marks).toEqual({ line: 2 });
    expect(one.texts).toContain('run 0');
  });

  it('cubie plot names a missing result clearly', () => {
    const run = cubie(['plot', path.join(dir, 'nothing.npy')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cannot read result sidecar '${path.join(dir, 'nothing.json')}' (for ${path.join(dir, 'nothing.npy')}): no such file [FILE_NOT_FOUND]`);
  });
});
