#!/usr/bin/env node
/**
 * The membrane voltage of Chaste models under several implicit methods
 * (rtol 1e-6, atol 1e-8, the import's dtMax) against dormand-prince-54 at
 * rtol 1e-9: status, the linear solver chosen, wall time (compile
 * included) and the largest |V - V_dp54| over 1,000 saves in 1 s of model
 * time. Used for the models whose symbolic Jacobian overflows (README,
 * "Measured on Chaste's 63 cardiac models").
 *
 *   node scripts/cellml-methods.js DIR NAME [NAME ...]
 *
 * Needs `npm run build:ts` first.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const cubie = require('../dist');

const METHODS = [['dormand-prince-54', 1e-9], ['radau', 1e-6], ['rodas4', 1e-6], ['rodas5p', 1e-6], ['kvaerno5', 1e-6]];

async function main() {
  const [dir, ...names] = process.argv.slice(2);
  if (dir === undefined || names.length === 0) throw new Error('usage: node scripts/cellml-methods.js DIR NAME [NAME ...]');
  for (const name of names) {
    const model = cubie.importCellml(fs.readFileSync(path.join(dir, `${name}.cellml`), 'utf8'));
    const system = cubie.createSystem(model.system);
    const duration = model.timeScale !== undefined ? 1 / model.timeScale : 1000;
    const v = Object.values(model.variables).find((x) => x.role === 'state' && (x.terms ?? []).some((t) => t.endsWith('#membrane_voltage'))).name;
    const runs = [];
    for (const [method, rtol] of METHODS) {
      const t0 = Date.now();
      const r = await cubie.solveIvp(system, {}, {}, {
        method, backend: 'cpu', rtol, atol: rtol * 1e-2, duration, threads: 1, maxSteps: 1e7, saveEvery: duration / 1000, outputTypes: ['state'],
        ...(model.options.dtMax !== undefined ? { dtMax: model.options.dtMax } : {}),
      });
      runs.push({ method, status: r.status[0], solver: r.kernel?.linearSolver, ms: Date.now() - t0, v: Array.from(r.trajectory(v, 0)) });
    }
    const ref = runs[0].v;
    console.log(name, runs.map((o) => `${o.method}: status ${o.status} ${o.solver ?? ''} ${o.ms} ms, max |dV| ${Math.max(...o.v.map((x, i) => Math.abs(x - ref[i]))).toPrecision(3)}`).join(' | '));
  }
}

main().catch((e) => { console.error(e); process.exitCode = 2; });
