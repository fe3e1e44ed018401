'use strict';
// Table `cellml`: a cardiac model from CellML, swept. The ten Tusscher 2006
// epicardial model (19 states, from the Chaste collection in
// test/fixtures/cellml/chaste), imported with importCellml, 1 s of pacing
// (1000 ms), a 64 x 64 sweep of two conductances (g_CaL and g_Kr, 0.5x to
// 1.5x their published values; CUBIE_BENCH_CELLML_RUNS changes the count),
// CPU backend, rtol = atol = 1e-6, dtMax from the import's hint (half the
// stimulus pulse). Time per trajectory on one thread (a sample of the
// sweep: the baseline) and on every core (the whole sweep), with the ratio;
// radau (the method) and rodas5p.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { fmtInt, fmtRatio, fmtUs, intEnv, nowS, table } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const MODEL = path.join(__dirname, '..', 'test', 'fixtures', 'cellml', 'chaste', 'ten_tusscher_model_2006_epi.cellml');

async function run() {
  const { importCellml, createSystem, Solver } = require(DIST);
  const runs = intEnv('CUBIE_BENCH_CELLML_RUNS', 4096, 4);
  const sample = Math.min(runs, intEnv('CUBIE_BENCH_CELLML_SAMPLE', 64, 1));
  const imported = importCellml(fs.readFileSync(MODEL, 'utf8'));
  const system = createSystem(imported.system);
  const pick = (suffix) => {
    const name = Object.keys(imported.parameters).find((p) => p.endsWith(suffix));
    if (!name) throw new Error(`no parameter ending in ${suffix} in ${path.basename(MODEL)}`);
    return name;
  };
  const gCaL = pick('g_CaL');
  const gKr = pick('g_Kr');
  const side = Math.round(Math.sqrt(runs));
  const columns = (n) => {
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = imported.parameters[gCaL] * (0.5 + (i % side) / (side - 1 || 1));
      b[i] = imported.parameters[gKr] * (0.5 + Math.floor(i / side) / (side - 1 || 1));
    }
    return { [gCaL]: a, [gKr]: b };
  };
  const options = { duration: 1000, rtol: 1e-6, atol: 1e-6, dtMax: imported.options?.dtMax, saveEvery: 1 };
  const rows = [];
  for (const method of ['radau', 'rodas5p']) {
    const timeOn = async (threads, n) => {
      const solver = new Solver(system, { method, backend: 'cpu', outputTypes: ['state', 'iteration_counters'], threads });
      await solver.compile();
      const start = nowS();
      const r = await solver.solve({}, { ...imported.parameters, ...columns(n) }, options);
      const seconds = nowS() - start;
      const ok = Array.from(r.status).filter((s) => s === 0).length;
      let steps = 0;
      for (let i = 0; i < n; i++) steps += r.iterationCounters.accepted[i];
      return { usPerRun: (seconds * 1e6) / n, ok, steps: steps / n };
    };
    const one = await timeOn(1, sample);
    const all = await timeOn(os.cpus().length, side * side);
    rows.push([method, '1', fmtInt(sample), `${one.ok}/${sample}`, one.steps.toFixed(0), fmtUs(one.usPerRun), '1.00x']);
    rows.push([method, String(os.cpus().length), fmtInt(side * side), `${all.ok}/${side * side}`, all.steps.toFixed(0), fmtUs(all.usPerRun), fmtRatio(one.usPerRun / all.usPerRun)]);
  }
  const text = [
    `ten Tusscher 2006 (epi), ${system.states.length} states, 1000 ms, ${side} x ${side} sweep of ${gCaL} and ${gKr} (0.5x to 1.5x), dtMax ${options.dtMax} ms`,
    table(['method', 'threads', 'runs', 'status 0', 'steps/run', 'us/run', 'speed-up'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']),
    'speed-up: time per trajectory on one thread (a sample of the sweep) over that on every core. No GPU row: none here.',
  ].join('\n');
  return { text };
}

module.exports = { name: 'cellml', title: 'A CellML cardiac model swept on the CPU (ten Tusscher 2006)', run };

if (require.main === module) {
  run().then(({ text }) => console.log(text), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
