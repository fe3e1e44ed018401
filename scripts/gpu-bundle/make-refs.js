'use strict';
// The CPU backend's outputs for the GPU check's reference cases
// (kit/cases.js), computed on the machine that builds the bundle and stored
// in it, so that the GPU machine compares its results without needing a C++
// compiler. Output: DIR/manifest.json and one raw little-endian file per
// array (float64 or float32 values, int32 statuses).
//
//   node scripts/gpu-bundle/make-refs.js DIR [--app ROOT]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { numericCases, parameterColumn } = require('./kit/cases');

function rawBytes(array) {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function makeRefs(dir, appRoot = path.join(__dirname, '..', '..'), progress = () => {}) {
  const { Solver, probe } = require(path.join(appRoot, 'dist', 'index.js'));
  const found = await probe();
  if (!found.hostCompiler.available) throw new Error(`the GPU check's references need the CPU backend here: no C++ compiler (${found.hostCompiler.error})`);
  const cases = numericCases().filter((c) => c.judge.kind === 'reference');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const solvers = cases.map((c) => new Solver(c.system, { ...c.settings, backend: 'cpu' }));
  // compile first, a few at a time (each is a c++ process)
  await pool(solvers, Math.max(2, os.cpus().length), (s) => s.compile());
  progress(`compiled ${solvers.length} CPU kernels in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const entries = [];
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k];
    const [name] = c.parameter;
    const result = await solvers[k].solve({}, { [name]: parameterColumn(c, c.runs) });
    const files = {};
    const write = (what, array) => {
      const file = `${c.id}.${what}.bin`;
      fs.writeFileSync(path.join(dir, file), rawBytes(array));
      files[what] = { file, type: array.constructor.name, length: array.length };
    };
    write('timeDomain', result.timeDomain);
    write('status', result.status);
    if (c.judge.compare === 'summaries') write('summaries', result.summaries);
    const entry = { id: c.id, runs: c.runs, shape: result.shape, files };
    if (result.iterationCounters) {
      entry.acceptedSteps = Array.from(result.iterationCounters.accepted).reduce((a, b) => a + b, 0);
    }
    entries.push(entry);
  }
  const manifest = {
    what: "the CPU backend's outputs for the GPU check's reference cases (scripts/gpu-bundle/kit/cases.js)",
    createdAt: new Date().toISOString(),
    host: { hostname: os.hostname(), cpu: os.cpus()[0]?.model, compiler: found.hostCompiler.version, node: process.version },
    seconds: (Date.now() - started) / 1000,
    cases: entries,
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

module.exports = { makeRefs };

if (require.main === module) {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (!dir) {
    process.stderr.write('usage: node scripts/gpu-bundle/make-refs.js DIR [--app ROOT]\n');
    process.exit(2);
  }
  const appIndex = args.indexOf('--app');
  const app = appIndex >= 0 ? path.resolve(args[appIndex + 1]) : undefined;
  makeRefs(path.resolve(dir), app, (s) => process.stdout.write(`make-refs: ${s}\n`))
    .then((m) => process.stdout.write(`make-refs: ${m.cases.length} cases in ${m.seconds.toFixed(1)} s\n`))
    .catch((e) => {
      process.stderr.write(`make-refs: ${e.stack || e}\n`);
      process.exit(1);
    });
}
