#!/usr/bin/env node
/**
 * Runs SBML Test Suite semantic cases through cubie's SBML import and CPU backend.
 *
 *   node scripts/sbml-test-suite.js CASES_DIR [--out DIR] [--json] [--cases 1-200,305] [--limit N]
 *
 * CASES_DIR is laid out like the suite's cases/semantic (NNNNN/NNNNN-sbml-lXvY.xml,
 * -settings.txt, -results.csv, -model.m). Each case is imported with importSbml,
 * solved with rodas4 (rtol 1e-10, atol 1e-14, steps no longer than the output
 * interval) at the times of its -results.csv,
 * and passes when every reported value is within absolute + relative * |expected|
 * (the suite's own rule). Prints pass / fail / skip per case (skip: a feature
 * refused with an UNSUPPORTED_* error, with its code and message; any other error
 * is a failure) and totals by
 * tag; --json prints the summary as JSON instead. Needs `npm run build:ts` first.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const cubie = require('../dist');

function parseArgs(argv) {
  const args = { dir: undefined, out: undefined, json: false, cases: undefined, limit: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i];
    else if (a === '--json') args.json = true;
    else if (a === '--limit') args.limit = Number(argv[++i]);
    else if (a === '--cases') {
      args.cases = new Set();
      for (const part of argv[++i].split(',')) {
        const [lo, hi] = part.split('-').map(Number);
        for (let n = lo; n <= (hi ?? lo); n++) args.cases.add(n);
      }
    } else if (args.dir === undefined) args.dir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (args.dir === undefined) throw new Error('usage: node scripts/sbml-test-suite.js CASES_DIR [--out DIR] [--json] [--cases LIST] [--limit N]');
  return args;
}

function readSettings(text) {
  const s = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
    if (m) s[m[1]] = m[2].trim();
  }
  const list = (v) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);
  return {
    start: Number(s.start ?? 0), duration: Number(s.duration), steps: Number(s.steps),
    variables: list(s.variables), absolute: Number(s.absolute), relative: Number(s.relative),
    amount: new Set(list(s.amount)), concentration: new Set(list(s.concentration)),
  };
}

function readTags(text) {
  const tags = [];
  for (const key of ['componentTags', 'testTags']) {
    const m = new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(text);
    if (m) tags.push(...m[1].split(',').map((x) => x.trim()).filter(Boolean));
  }
  return tags;
}

function readCsv(text) {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((l) => l.split(',').map((v) => {
    const t = v.trim();
    if (/^-?inf/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    return Number(t);
  }));
  return { header, rows };
}

function pickXml(files) {
  const xml = files.filter((f) => /-sbml-l\dv\d\.xml$/.test(f)).sort();
  return xml[xml.length - 1];
}

function close(sim, exp, abs, rel) {
  if (Number.isNaN(exp)) return Number.isNaN(sim);
  if (!Number.isFinite(exp)) return sim === exp;
  return Math.abs(sim - exp) <= abs + rel * Math.abs(exp);
}

/**
 * A skip is cubie refusing a feature it does not carry (UNSUPPORTED_SBML, and the
 * like). Any other error (an import that builds an invalid system, a kernel that
 * does not compile) is cubie's fault on a valid case: a failure.
 */
function refused(e) {
  return typeof e.code === 'string' && e.code.startsWith('UNSUPPORTED');
}

async function runCase(dir, num) {
  const id = String(num).padStart(5, '0');
  const caseDir = path.join(dir, id);
  const files = fs.readdirSync(caseDir);
  const tags = readTags(fs.readFileSync(path.join(caseDir, `${id}-model.m`), 'utf8'));
  const settings = readSettings(fs.readFileSync(path.join(caseDir, `${id}-settings.txt`), 'utf8'));
  const expected = readCsv(fs.readFileSync(path.join(caseDir, `${id}-results.csv`), 'utf8'));
  const xmlFile = pickXml(files);
  const base = { id, tags, file: xmlFile };
  let model;
  let system;
  const outNames = [];
  try {
    if (xmlFile === undefined) throw new cubie.CubieError('UNSUPPORTED_SBML', 'no SBML file');
    // comp external model definitions: the case's other files (the suite ships them beside the model)
    const files = (href) => (/^[\w.-]+$/.test(href) && fs.existsSync(path.join(caseDir, href)) ? fs.readFileSync(path.join(caseDir, href), 'utf8') : undefined);
    model = cubie.importSbml(fs.readFileSync(path.join(caseDir, xmlFile), 'utf8'), { t0: settings.start, files });
    const used = new Set([...Object.keys(model.sbmlIds), ...Object.keys(model.y0), ...Object.keys(model.parameters)]);
    const lines = [];
    for (const [k, v] of settings.variables.entries()) {
      const as = settings.amount.has(v) ? 'amount' : settings.concentration.has(v) ? 'concentration' : undefined;
      const expr = cubie.outputExpression(model, v, as);
      if (expr === undefined) throw new cubie.CubieError('UNSUPPORTED_SBML', `the reported variable '${v}' is not a compartment, species, parameter or reaction of the imported model`);
      let name = `out${k}`;
      while (used.has(name) || used.has(`d${name}`)) name = `${name}x`;
      used.add(name);
      outNames.push(name);
      lines.push(`${name} = ${expr}`);
    }
    const eqs = Array.isArray(model.definition.equations) ? model.definition.equations : [model.definition.equations];
    system = cubie.createSystem({ ...model.definition, equations: [...eqs, ...lines], observables: outNames });
  } catch (e) {
    if (cubie.isCubieError(e)) return { ...base, result: refused(e) ? 'skip' : 'fail', code: e.code, message: e.message };
    return { ...base, result: 'error', code: 'CRASH', message: String(e && e.stack || e) };
  }
  const times = expected.rows.map((r) => r[0]);
  let result;
  try {
    result = await cubie.solveIvp(system, {}, {}, {
      method: 'rodas4', backend: 'cpu', outputTypes: ['state', 'observables'], t0: settings.start, duration: settings.duration, saveAt: times,
      // Steps no longer than the output interval, as simulators that stop at each output time take: a trigger true
      // for less than a quarter of one long step is otherwise missed (cubie samples a step's `when` at 4 points).
      ...(settings.steps > 0 ? { dtMax: settings.duration / settings.steps } : {}),
      rtol: 1e-10, atol: 1e-14, maxSteps: 1e6, threads: 1,
    });
  } catch (e) {
    if (cubie.isCubieError(e)) return { ...base, result: refused(e) ? 'skip' : 'fail', code: e.code, message: e.message };
    return { ...base, result: 'error', code: 'CRASH', message: String(e && e.stack || e) };
  }
  const sim = outNames.map((n) => result.trajectory(n, 0));
  const rows = [];
  let worst = '';
  let ok = result.status[0] === 0;
  if (!ok) worst = `solver status ${result.status[0]}`;
  for (let i = 0; i < times.length; i++) {
    const row = [times[i]];
    for (const [k, v] of settings.variables.entries()) {
      const col = expected.header.indexOf(v, 1);
      const s = sim[k][i];
      row.push(s);
      if (col < 0) continue;
      const exp = expected.rows[i][col];
      if (!close(s, exp, settings.absolute, settings.relative)) {
        if (ok) worst = `${v} at t=${times[i]}: ${s} vs ${exp}`;
        ok = false;
      }
    }
    rows.push(row);
  }
  return { ...base, result: ok ? 'pass' : 'fail', message: worst, header: [expected.header[0], ...settings.variables], rows };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const all = fs.readdirSync(args.dir).filter((d) => /^\d{5}$/.test(d)).map(Number).sort((a, b) => a - b);
  const cases = all.filter((n) => args.cases === undefined || args.cases.has(n)).slice(0, args.limit);
  if (args.out) fs.mkdirSync(args.out, { recursive: true });
  const results = [];
  for (const n of cases) {
    const r = await runCase(args.dir, n);
    if (args.out && r.rows) {
      fs.writeFileSync(path.join(args.out, `${r.id}.csv`), [r.header.join(','), ...r.rows.map((x) => x.join(','))].join('\n') + '\n');
    }
    delete r.rows;
    results.push(r);
    if (!args.json) console.log(`${r.id} ${r.result}${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message.split('\n')[0].slice(0, 200)}` : ''}`);
  }
  const totals = { cases: results.length, pass: 0, fail: 0, skip: 0, error: 0 };
  const byTag = {};
  for (const r of results) {
    totals[r.result]++;
    for (const t of r.tags) {
      byTag[t] ??= { pass: 0, fail: 0, skip: 0, error: 0 };
      byTag[t][r.result]++;
    }
  }
  const summary = { totals, byTag, cases: results };
  if (args.out) fs.writeFileSync(path.join(args.out, 'summary.json'), JSON.stringify(summary, null, 1));
  if (args.json) {
    console.log(JSON.stringify(summary, null, 1));
  } else {
    console.log(`\ntotal ${totals.cases}: pass ${totals.pass}, fail ${totals.fail}, skip ${totals.skip}, error ${totals.error}`);
    console.log('\ntag                              pass  fail  skip  error');
    for (const [t, c] of Object.entries(byTag).sort((a, b) => a[0].localeCompare(b[0]))) {
      console.log(`${t.padEnd(32)} ${String(c.pass).padStart(5)} ${String(c.fail).padStart(5)} ${String(c.skip).padStart(5)} ${String(c.error).padStart(6)}`);
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
