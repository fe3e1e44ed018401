#!/usr/bin/env node
'use strict';
// `npm run bench`: runs each benchmark table and prints it. A bench reports;
// it does not gate: a missed target prints MISS and the exit status stays 0.
// It exits 1 only when a table could not be measured at all (e.g. dist/ not
// built, no C++ compiler).
//
//   node bench/run.js [TABLE...]     tables by name (default: all)
// See bench/README.md.

const TABLES = [require('./lorenz-cpu'), require('./cpu-lanes'), require('./stiff'), require('./cache'), require('./cli-memory'), require('./cuda-registers'), require('./lorenz-gpu'), require('./step-control'), require('./cvode'), require('./events'), require('./cellml'), require('./sparse-linear'), require('./krylov-lanes'), require('./sde'), require('./sde-adaptive-lanes'), require('./ball-lanes')];

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !TABLES.some((t) => t.name === w));
  if (unknown.length) {
    console.error(`unknown table(s): ${unknown.join(', ')}; tables: ${TABLES.map((t) => t.name).join(', ')}`);
    return 2;
  }
  const tables = wanted.length ? TABLES.filter((t) => wanted.includes(t.name)) : TABLES;
  let failed = 0;
  for (const [i, table] of tables.entries()) {
    console.log(`== ${i + 1}. ${table.title} (${table.name}) ==`);
    const started = Date.now();
    try {
      const { text } = await table.run();
      console.log(text);
    } catch (e) {
      failed++;
      console.log(`ERROR: could not measure this table: ${e && e.stack ? e.stack : e}`);
    }
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log('');
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
