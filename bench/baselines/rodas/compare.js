#!/usr/bin/env node
'use strict';
// Reads the output of driver.f (Hairer's rodas.f, METH=1) and runs cubie's
// rodas4 on the same problems and tolerances (CPU backend, float64, every
// step-control setting at cubie's default unless --controller is given);
// prints one markdown table: accepted and rejected steps and the final error
// in tolerance units of both codes. Used by run.sh.
//
//   node bench/baselines/rodas/compare.js RODAS_OUTPUT [--controller gustafsson|i|pi]

const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', '..', '..');
const { createSystem, Solver } = require(path.join(root, 'dist'));
const fixture = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'stiff', 'ivp-testset.json'), 'utf8'));

function parseRodas(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 9) continue;
    const [problem, rtol, idid, nstep, naccpt, nrejct, ndec, njac, err] = f;
    rows.push({ problem, rtol: Number(rtol), idid: Number(idid), nstep: +nstep, accepted: +naccpt, rejected: +nrejct, ndec: +ndec, njac: +njac, err: Number(err) });
  }
  return rows;
}

async function cubie(problemName, rtol, controller) {
  const problem = fixture.problems[problemName];
  const system = createSystem({ name: `testset_${problemName}`, equations: problem.equations, states: problem.states, constants: problem.constants });
  const atol = rtol * (problem.atolHint ?? 1);
  const solver = new Solver(system, { method: 'rodas4', backend: 'cpu', outputTypes: ['state', 'iteration_counters'], ...(controller ? { stepController: controller } : {}) });
  const r = await solver.solve({}, {}, { t0: problem.t0, duration: problem.tend - problem.t0, rtol, atol });
  solver.close();
  const n = system.states.length;
  const final = r.timeDomain.subarray(n, 2 * n);
  const err = Math.max(...problem.reference.map((ref, i) => Math.abs(final[i] - ref) / (atol + rtol * Math.abs(ref))));
  return { status: r.status[0], accepted: r.iterationCounters.accepted[0], rejected: r.iterationCounters.rejected[0], err };
}

const fmt = (x) => x.toLocaleString('en-US');
const units = (x) => (x < 0.01 ? x.toExponential(1) : x.toFixed(2));

async function main() {
  const args = process.argv.slice(2);
  const c = args.indexOf('--controller');
  const controller = c >= 0 ? args[c + 1] : undefined;
  const file = args.find((a, i) => !a.startsWith('--') && (c < 0 || i !== c + 1));
  if (!file) throw new Error('usage: compare.js RODAS_OUTPUT [--controller NAME]');
  const rows = parseRodas(fs.readFileSync(file, 'utf8'));
  if (rows.length === 0) throw new Error(`${file}: no result lines from driver.f`);
  const lines = [
    `| problem | rtol | rodas.f accepted | rejected | error (tol units) | cubie rodas4${controller ? ` (${controller})` : ''} accepted | rejected | error (tol units) | cubie / rodas.f steps |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const mine = await cubie(row.problem, row.rtol, controller);
    if (row.idid !== 1 || mine.status !== 0) throw new Error(`${row.problem} ${row.rtol}: rodas.f idid ${row.idid}, cubie status ${mine.status}`);
    const ratio = (mine.accepted + mine.rejected) / (row.accepted + row.rejected);
    lines.push(`| ${row.problem} | ${row.rtol.toExponential(0)} | ${fmt(row.accepted)} | ${fmt(row.rejected)} | ${units(row.err)} | ${fmt(mine.accepted)} | ${fmt(mine.rejected)} | ${units(mine.err)} | ${ratio.toFixed(3)} |`);
  }
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exitCode = 1;
});
