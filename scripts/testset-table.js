#!/usr/bin/env node
'use strict';
// The README's table of the IVP Test Set with default step control: steps,
// Jacobian evaluations, factorisations and the final error in tolerance
// units, per problem, method and tolerance. Prints it; with --write, puts it
// between the README's testset-table markers.
//
//   npm run build:ts && node scripts/testset-table.js [--write]
//   node scripts/testset-table.js --methods=kvaerno5 --problems=rober,hires  (some rows, printed only)
//   node scripts/testset-table.js --methods=kvaerno5 --problems=ringmod --dt-max=1e-8  (a step cap, printed only)

const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const { createSystem, Solver } = require(path.join(root, 'dist'));
const fixture = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'stiff', 'ivp-testset.json'), 'utf8'));
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(',');
const METHODS = option('methods') ?? ['rodas4', 'rodas5p', 'radau', 'kvaerno5'];
const PROBLEMS = option('problems');
const TOLERANCES = [1e-6, 1e-9];
const DT_MAX = option('dt-max') !== undefined ? Number(option('dt-max')[0]) : undefined;
const BEGIN = '<!-- testset-table:begin (node scripts/testset-table.js --write) -->';
const END = '<!-- testset-table:end -->';

async function row(name, problem, method, rtol) {
  const system = createSystem({ name: `testset_${name}`, equations: problem.equations, states: problem.states, constants: problem.constants });
  const atol = rtol * (problem.atolHint ?? 1);
  const solver = new Solver(system, { method, backend: 'cpu', outputTypes: ['state', 'iteration_counters'] });
  const r = await solver.solve({}, {}, { t0: problem.t0, duration: problem.tend - problem.t0, rtol, atol, ...(DT_MAX !== undefined ? { dtMax: DT_MAX } : {}) });
  solver.close();
  const n = system.states.length;
  const final = r.timeDomain.subarray(n, 2 * n);
  const units = Math.max(...problem.reference.map((ref, i) => Math.abs(final[i] - ref) / (atol + rtol * Math.abs(ref))));
  const c = r.iterationCounters;
  const cell = (x) => x.toLocaleString('en-US');
  return `| ${name} | ${method} | ${rtol.toExponential(0)} | ${r.status[0]} | ${cell(c.accepted[0])} | ${cell(c.rejected[0])} | ${cell(c.jacobianEvaluations[0])} | ${cell(c.factorizations[0])} | ${units < 0.01 ? units.toExponential(1) : units.toFixed(2)} |`;
}

async function main() {
  const lines = [
    '| problem | method | rtol | status | accepted | rejected | Jacobians | LU | error (tol units) |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, problem] of Object.entries(fixture.problems)) {
    if (PROBLEMS !== undefined && !PROBLEMS.includes(name)) continue;
    for (const method of METHODS) for (const rtol of TOLERANCES) lines.push(await row(name, problem, method, rtol));
  }
  const table = lines.join('\n');
  if (!process.argv.includes('--write') || PROBLEMS !== undefined || option('methods') !== undefined || DT_MAX !== undefined) {
    console.log(table);
    return;
  }
  const readmePath = path.join(root, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
  fs.writeFileSync(readmePath, `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`);
  console.log(`README.md: table of ${lines.length - 2} rows written`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
