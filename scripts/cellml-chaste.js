#!/usr/bin/env node
/**
 * Imports every .cellml file of DIR (e.g. Chaste's cardiac models) with
 * importCellml and simulates 1 s of model time (1000 steps' worth of ms
 * where time is in ms) on the CPU backend with radau, rtol 1e-6, atol 1e-8,
 * and the import's dtMax hint (half the stimulus pulse). Prints per model:
 * states, wall time, solver status, and the membrane voltage's range (the
 * state annotated `membrane_voltage`, else one named V/Vm/E in a membrane
 * component) so that a missed stimulus shows as a flat trace.
 *
 *   node scripts/cellml-chaste.js DIR [--json] [--only NAME,NAME]
 *
 * Needs `npm run build:ts` first. Exit status 1 when any model fails.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const cubie = require('../dist');

function voltageOf(model) {
  const vars = Object.values(model.variables).filter((v) => v.role === 'state');
  return (vars.find((v) => (v.terms ?? []).some((t) => t.endsWith('#membrane_voltage')))
    ?? vars.find((v) => /^(V|Vm|V_m|E|v)$/.test(v.variable) && /membrane|cell/i.test(v.component)))?.name;
}

async function simulate(file) {
  const t0 = Date.now();
  const model = cubie.importCellml(fs.readFileSync(file, 'utf8'));
  const importMs = Date.now() - t0;
  const duration = model.timeScale !== undefined ? 1 / model.timeScale : 1000;
  const system = cubie.createSystem(model.system);
  const t1 = Date.now();
  const result = await cubie.solveIvp(system, {}, {}, {
    method: 'radau', backend: 'cpu', rtol: 1e-6, atol: 1e-8, duration, threads: 1, maxSteps: 1e7,
    saveEvery: duration / 1000, outputTypes: ['state'], ...(model.options.dtMax !== undefined ? { dtMax: model.options.dtMax } : {}),
  });
  const v = voltageOf(model);
  const trace = v === undefined ? undefined : Array.from(result.trajectory(v, 0));
  return {
    model: path.basename(file), states: Object.keys(model.y0).length, timeUnits: model.timeUnits, duration, dtMax: model.options.dtMax,
    importMs, solveMs: Date.now() - t1, status: result.status[0], voltage: v,
    vMin: trace && Math.min(...trace), vMax: trace && Math.max(...trace), v0: trace && trace[0],
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const dir = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--only');
  if (dir === undefined) throw new Error('usage: node scripts/cellml-chaste.js DIR [--json] [--only NAME,NAME]');
  const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cellml') && (only === undefined || only.has(f.replace(/\.cellml$/, '')))).sort();
  const rows = [];
  let failed = 0;
  for (const f of files) {
    let row;
    try {
      row = await simulate(path.join(dir, f));
      if (row.status !== 0) failed++;
    } catch (e) {
      row = { model: f, error: `${e.code ?? ''} ${String(e.message).slice(0, 300)}` };
      failed++;
    }
    rows.push(row);
    if (!argv.includes('--json')) {
      console.log(row.error !== undefined ? `FAIL ${f}: ${row.error}`
        : `${row.status === 0 ? 'ok  ' : 'FAIL'} ${f}: ${row.states} states, status ${row.status}, import ${row.importMs} ms, solve ${row.solveMs} ms, `
          + `dtMax ${row.dtMax ?? '-'} ${row.timeUnits}, ${row.voltage ?? '(no voltage)'} ${row.vMin?.toFixed(1)}..${row.vMax?.toFixed(1)}`);
    }
  }
  if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 1));
  else console.log(`${files.length - failed} of ${files.length} models imported and simulated with status 0`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 2; });
