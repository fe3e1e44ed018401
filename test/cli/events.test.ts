/**
 * Event models through the command line: `cubie run` writes the event
 * records (.events.npy + .event-counts.npy, or .events.csv and an `events`
 * column in .runs.csv) equal to result.events of the same batch solved
 * in-process, records them in the sidecar, reports terminated runs apart
 * from failed ones, and `cubie plot` marks the events on the trajectories.
 */
import * as fs from 'fs';
import * as path from 'path';
import { solveIvp } from '../../src';
import { loadModel } from '../../src/files/model-file';
import { eventCsvColumns } from '../../src/files/event-files';
import { createResultWriter, inputColumnNames } from '../../src/files/result-writer';
import { outputPaths } from '../../src/files/sidecar';
import type { SolveResult } from '../../src/solver/result';
import { cubieOk, events as jsonEvents, fixtures, numpy, tempDir, writeModel } from './support';

const ball = path.join(fixtures, 'ball.yaml');
const H = [1, 4];
const K = [0.5, 0.7, 0.9];
/** Run r's swept inputs (k fastest), as the CSV tables and plot labels print them. */
const inputsOf = (r: number) => ({ h: H[Math.floor(r / 3)], k: K[r % 3] });

async function reference(file: string): Promise<SolveResult> {
  const model = loadModel(file);
  const y0 = Object.fromEntries(model.inputs.columns.filter((c) => c.role === 'y0').map((c) => [c.name, c.values]));
  const parameters = Object.fromEntries(model.inputs.columns.filter((c) => c.role === 'parameters').map((c) => [c.name, c.values]));
  return solveIvp(model.system, y0, parameters, model.options);
}

/** result.events as the .events.npy file lays it out, [maxRecords, 2 + nStates, nRuns], NaN as null. */
function expectedNpy(result: SolveResult): Array<number | null> {
  const e = result.events!;
  const n = result.nRuns;
  const nStates = e.states.length;
  const out: Array<number | null> = [];
  for (let k = 0; k < e.maxRecords; k++) {
    const rows = [e.time.subarray(k * n, (k + 1) * n), e.which.subarray(k * n, (k + 1) * n), ...e.states.map((_, i) => e.state.subarray((k * nStates + i) * n, (k * nStates + i + 1) * n))];
    for (const row of rows) for (const v of row) out.push(Number.isNaN(v) ? null : v);
  }
  return out;
}

describe('event models on the command line', () => {
  let dir: string;
  let expected: SolveResult;
  beforeAll(async () => {
    dir = tempDir('events');
    expected = await reference(ball);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (...parts: string[]) => path.join(dir, ...parts);

  it('the reference batch has what the tests need: two event names, terminated and running runs, counts past the records', () => {
    const e = expected.events!;
    expect(e.names).toEqual(['tick', 'bounce']);
    expect(Array.from(expected.status)).toEqual([16, 16, 16, 16, 0, 0]);
    expect(Array.from(e.count)).toEqual([6, 6, 7, 7, 6, 6]);
    expect(e.maxRecords).toBe(6);
  });

  it('--out FILE.npy: NAME.events.npy [maxRecords, 2 + nStates, nRuns] float64 and NAME.event-counts.npy int32 equal result.events, chunk by chunk', () => {
    const run = cubieOk(['run', ball, '--out', at('ball.npy'), '--runs-per-chunk', '4']);
    expect(run.stdout).toMatch(/^failed\s+none of 6$/m);
    expect(run.stdout).toMatch(/^terminal\s+4 of 6 runs ended at a terminal event \(a success; saves after it are NaN\)$/m);
    expect(run.stdout).toMatch(/^events\s+38 in 6 runs; up to 6 recorded per run \(2 runs had more: counted, not recorded\)$/m);
    expect(run.stdout).toMatch(/^\s+.*ball\.events\.npy \(.*\)$/m);
    expect(run.stderr).toBe('');
    const read = numpy<{ shape: number[]; dtype: string; values: Array<number | null>; counts: { dtype: string; values: number[] } }>(
      `a = np.load(sys.argv[1] + '.events.npy'); c = np.load(sys.argv[1] + '.event-counts.npy')
print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'values': [None if np.isnan(x) else float(x) for x in a.ravel()],
  'counts': {'dtype': str(c.dtype), 'values': c.tolist()}}))`,
      [at('ball')],
    );
    expect(read.shape).toEqual([6, 4, 6]);
    expect(read.dtype).toBe('float64');
    expect(read.values).toEqual(expectedNpy(expected));
    expect(read.counts).toEqual({ dtype: 'int32', values: Array.from(expected.events!.count) });
    const sidecar = JSON.parse(fs.readFileSync(at('ball.json'), 'utf8'));
    expect(sidecar.events).toEqual({ names: ['tick', 'bounce'], states: ['y', 'v'], maxRecords: 6, legend: ['time', 'which', 'y', 'v'] });
    expect(sidecar.output.events).toEqual({ path: 'ball.events.npy', shape: [6, 4, 6], dtype: '<f8' });
    expect(sidecar.output.eventCounts).toEqual({ path: 'ball.event-counts.npy', shape: [6], dtype: '<i4' });
    expect(sidecar.status).toEqual({ failedRuns: 0, terminatedRuns: 4, counts: { TERMINATED: 4 }, firstFailed: [] });
  });

  it('float32 models: the records are float64 all the same, every float32 state held exactly', async () => {
    const single = writeModel(dir, 'single.yaml', fs.readFileSync(ball, 'utf8').replace('  outputTypes: [state, events]', '  precision: float32\n  atol: 1.0e-6\n  rtol: 1.0e-6\n  outputTypes: [state, events]').replace(/  atol: 1\.0e-9\n  rtol: 1\.0e-9\n/, ''));
    cubieOk(['run', single, '--out', at('single.npy'), '--quiet']);
    const want = await reference(single);
    expect(want.events!.state).toBeInstanceOf(Float32Array);
    const read = numpy<{ dtype: string; values: Array<number | null> }>(
      `a = np.load(sys.argv[1]); print(json.dumps({'dtype': str(a.dtype), 'values': [None if np.isnan(x) else float(x) for x in a.ravel()]}))`,
      [at('single.events.npy')],
    );
    expect(read.dtype).toBe('float64');
    expect(read.values).toEqual(expectedNpy(want));
  });

  it('--json reports terminated runs and the event tally apart from failures', () => {
    const log = jsonEvents(cubieOk(['run', ball, '--json']).stdout);
    expect(log.done).toMatchObject({ nRuns: 6, failedRuns: 0, terminatedRuns: 4, events: { total: 38, runsWithEvents: 6, runsPastRecords: 2, maxRecords: 6 } });
  });

  it('--out FILE.csv: NAME.events.csv has one line per recorded event with the inputs, name and states; NAME.runs.csv an events column', () => {
    cubieOk(['run', ball, '--out', at('table.csv'), '--quiet', '--runs-per-chunk', '4']);
    const e = expected.events!;
    const n = expected.nRuns;
    const [header, ...lines] = fs.readFileSync(at('table.events.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('run,y0.y,k,record,time,event,y,v');
    const want: string[] = [];
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < Math.min(e.count[r], e.maxRecords); k++) {
        const states = [0, 1].map((i) => e.state[(k * 2 + i) * n + r]);
        want.push([r, inputsOf(r).h, inputsOf(r).k, k, e.time[k * n + r], e.names[e.which[k * n + r]], ...states].join(','));
      }
    }
    // Every number printed as the shortest text that reads back to it: JavaScript's own String().
    expect(lines).toEqual(want);
    expect(fs.readFileSync(at('table.runs.csv'), 'utf8')).toBe(
      'run,y0.y,k,status,events\n' + Array.from({ length: n }, (_, r) => `${r},${inputsOf(r).h},${inputsOf(r).k},${expected.status[r]},${e.count[r]}`).join('\n') + '\n',
    );
    const sidecar = JSON.parse(fs.readFileSync(at('table.json'), 'utf8'));
    expect(sidecar.output.events).toEqual({ path: 'table.events.csv', columns: ['run', 'y0.y', 'k', 'record', 'time', 'event', 'y', 'v'] });
    expect(sidecar.output.eventCounts).toBeUndefined();
    expect(sidecar.output.status.columns).toEqual(['run', 'y0.y', 'k', 'status', 'events']);
  });

  it('record slots a run did not fill are NaN with which -1 in the npy, and absent from the CSV', () => {
    const more = writeModel(dir, 'more.yaml', fs.readFileSync(ball, 'utf8').replace('maxEventRecords: 6', 'maxEventRecords: 9'));
    cubieOk(['run', more, '--out', at('more.npy'), '--quiet']);
    const pad = numpy<{ which: number[]; nan: boolean[] }>(
      `a = np.load(sys.argv[1]); print(json.dumps({'which': a[:, 1, 0].tolist(), 'nan': [bool(np.isnan(a[k, [0, 2, 3], 0]).all()) for k in range(a.shape[0])]}))`,
      [at('more.events.npy')],
    );
    expect(pad.which.slice(6)).toEqual([-1, -1, -1]);
    expect(pad.nan).toEqual([false, false, false, false, false, false, true, true, true]);
  });

  it('runs a terminal event ended are not failures; a run that also trips the Zeno guard is', () => {
    const zeno = writeModel(dir, 'zeno.yaml', fs.readFileSync(ball, 'utf8').replace('maxEventRecords: 6', 'maxEventRecords: 6\n  maxEvents: 6'));
    const run = cubieOk(['run', zeno, '--out', at('zeno.npy')]);
    // Runs 2 and 3 reach their 7th event, which is past maxEvents: TOO_MANY_EVENTS (with TERMINATED, as that event was terminal).
    expect(run.stdout).toMatch(/^failed\s+2 of 6 \(2 TOO_MANY_EVENTS\); first: runs 2, 3$/m);
    expect(run.stdout).toMatch(/^terminal\s+2 of 6 runs ended at a terminal event/m);
    expect(run.stderr).toBe('cubie: warning: 2 of 6 (2 TOO_MANY_EVENTS); first: runs 2, 3; their saves after the failure are NaN\n');
    expect(JSON.parse(fs.readFileSync(at('zeno.json'), 'utf8')).status).toEqual({ failedRuns: 2, terminatedRuns: 2, counts: { TERMINATED: 4, TOO_MANY_EVENTS: 2 }, firstFailed: [2, 3] });
  });

  it('cubie plot marks each drawn run\'s recorded events as rules, from the live batch, the npy and the csv alike', () => {
    const spec = JSON.parse(cubieOk(['plot', at('ball.npy'), '--spec']).stdout);
    const panel = spec.vconcat[0];
    expect(panel.spec.layer.map((l: { mark: { type: string } }) => l.mark.type)).toEqual(['line', 'rule']);
    expect(panel.spec.layer[1].encoding.strokeDash.field).toBe('event');
    const marks = (panel.data.values as Array<{ t: number; variable: string; run: string; event?: string }>).filter((v) => v.event !== undefined && v.variable === 'y');
    const e = expected.events!;
    const n = expected.nRuns;
    // Five runs spread over the six are drawn: 0, 1, 3, 4, 5.
    const want = [0, 1, 3, 4, 5].flatMap((r) =>
      Array.from({ length: Math.min(e.count[r], e.maxRecords) }, (_, k) => ({ t: e.time[k * n + r], variable: 'y', run: `y(0)=${inputsOf(r).h}, k=${inputsOf(r).k}`, event: e.names[e.which[k * n + r]] })),
    );
    expect(marks).toEqual(want);
    // Without summaries, the sweep panel draws each run's event count (a terminal event's NaN saves would blank a maximum over time).
    const sweep = spec.vconcat[1];
    expect(sweep.title.text).toBe('events per run (tick, bounce)');
    expect(sweep.data.values.map((p: { a0: number; a1: number; value: number }) => [p.a0, p.a1, p.value])).toEqual(Array.from(e.count, (c, r) => [inputsOf(r).h, inputsOf(r).k, c]));
    // The same picture from the batch as it ran, and from each format on disk.
    cubieOk(['run', ball, '--quiet', '--plot', at('live.svg')]);
    cubieOk(['plot', at('ball.npy'), '--out', at('npy.svg')]);
    cubieOk(['plot', at('table.csv'), '--out', at('csv.svg')]);
    const live = fs.readFileSync(at('live.svg'), 'utf8');
    expect(fs.readFileSync(at('npy.svg'), 'utf8')).toBe(live);
    expect(fs.readFileSync(at('csv.svg'), 'utf8')).toBe(live);
    expect(live).toMatch(/class="mark-rule role-mark/);
    expect(live).toContain('events per run (tick, bounce)');
  });
});

describe('the result writer with event records', () => {
  it('events table columns: a state named after a fixed column gets a state. prefix; inputs named events, record or event a parameters. prefix', () => {
    expect(eventCsvColumns(['parameters.event', 'y0.time'], ['time', 'run', 'x'])).toEqual(['run', 'parameters.event', 'y0.time', 'record', 'time', 'event', 'state.time', 'state.run', 'x']);
    const inputs = loadModel(ball).inputs;
    expect(inputColumnNames(inputs)).toEqual(['y0.y', 'k']);
    const swept = { ...inputs, swept: ['events', 'record', 'event', 'k'].map((name) => ({ role: 'parameters', name })) } as unknown as Parameters<typeof inputColumnNames>[0];
    expect(inputColumnNames(swept)).toEqual(['parameters.events', 'parameters.record', 'parameters.event', 'k']);
  });

  it('an aborted write leaves nothing behind: the event files sit under partial names until finish', async () => {
    const dir = tempDir('events-abort');
    try {
      const result = await reference(ball);
      const model = loadModel(ball);
      const paths = outputPaths(path.join(dir, 'x.npy'));
      const writer = createResultWriter({
        precision: 'float64',
        time: result.time,
        variables: result.variables,
        summaryLegend: [],
        nWindows: 0,
        counterLegend: [],
        events: { names: result.events!.names, states: result.events!.states, maxRecords: result.events!.maxRecords },
        paths,
        runs: { first: 0, end: 6 },
        inputs: model.inputs,
      });
      writer.writeChunk(result, 0);
      expect(fs.readdirSync(dir).filter((f) => f.includes('events') || f.includes('event-counts')).every((f) => /\.partial-\d+$/.test(f))).toBe(true);
      writer.abort();
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
