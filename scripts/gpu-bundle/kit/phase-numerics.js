'use strict';
// Phase "numerics" of the GPU check: the cases of cases.js on the CUDA
// backend, judged against exp(-k t), against the CPU backend's outputs
// stored in the bundle (refs/), or against the CUDA backend itself
// (chunking, several devices, abort). Writes its report after every case,
// so a phase killed at its deadline still leaves what it did.
//
//   node phase-numerics.js OUT.json   (env: CUBIE_CHECK_APP, CUBIE_CHECK_DEADLINE, ...)
const fs = require('fs');
const path = require('path');
const { errorRecord, instrumentCuda, listEnv, log, numberEnv, nowS, writeJson, runPhase } = require('./common');
const { numericCases, parameterColumn, firstRuns, ballImpacts } = require('./cases');

const appRoot = process.env.CUBIE_CHECK_APP || path.join(__dirname, '..');
const refsDir = process.env.CUBIE_CHECK_REFS || path.join(__dirname, 'refs');
const deadline = Number(process.env.CUBIE_CHECK_DEADLINE || nowS() + 600);
const outFile = process.argv[2];
const say = (s) => log('numerics', s);
const report = {};
const save = () => outFile && writeJson(outFile, report);

function readRef(entry, what) {
  const f = entry.files[what];
  const bytes = fs.readFileSync(path.join(refsDir, f.file));
  const Type = { Float64Array, Float32Array, Int32Array }[f.type];
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Type(copy.buffer, 0, f.length);
}

function maxRel(a, b, floor) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(floor, Math.abs(b[i]));
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

function sameBits(a, b) {
  if (a.length !== b.length) return `${a.length} values against ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `value ${i}: ${a[i]} against ${b[i]}`;
  return null;
}

const countNonZero = (status) => status.reduce((n, s) => n + (s !== 0 ? 1 : 0), 0);

async function main() {
  const cubie = require(path.join(appRoot, 'dist', 'index.js'));
  const { listDevices } = require(path.join(appRoot, 'dist', 'backends', 'cuda', 'devices.js'));
  const registry = require(path.join(appRoot, 'dist', 'methods', 'registry.js'));
  const cuda = instrumentCuda(appRoot);
  const scale = numberEnv('CUBIE_CHECK_SCALE', 1);
  const only = listEnv('CUBIE_CHECK_METHODS');
  const keepMethod = (m) => only === undefined || only.includes(m);
  const all = numericCases({ explicitMethods: registry.methodNames().filter(keepMethod), implicitMethods: registry.implicitMethodNames().filter(keepMethod) });
  const manifest = JSON.parse(fs.readFileSync(path.join(refsDir, 'manifest.json'), 'utf8'));
  const refOf = new Map(manifest.cases.map((e) => [e.id, e]));
  Object.assign(report, { startedAt: new Date().toISOString(), scale, methods: only ?? 'all', references: { createdAt: manifest.createdAt, host: manifest.host }, compile: null, cases: [] });

  const devices = await listDevices();
  report.devices = devices.map((d) => ({ index: d.index, name: d.name, major: d.major, minor: d.minor }));
  const runsOf = (c) => Math.max(1, Math.round(c.runs * scale));
  const inputOf = (c) => ({ [c.parameter[0]]: parameterColumn(c, runsOf(c)) });
  const cudaSolver = (c, extra = {}) => new cubie.Solver(c.system, { ...c.settings, backend: 'cuda', ...extra });

  // Every kernel first, concurrently: NVRTC runs on the addon's worker threads.
  const t0 = nowS();
  const solvers = new Map(all.map((c) => [c.id, cudaSolver(c)]));
  const compiled = await Promise.all(
    all.map(async (c) => {
      try {
        const info = await solvers.get(c.id).compile();
        return { id: c.id, ok: true, ms: info.compileMs, cache: info.cache };
      } catch (e) {
        return { id: c.id, ok: false, error: errorRecord(e) };
      }
    }),
  );
  report.compile = { seconds: nowS() - t0, kernels: compiled.length, failed: compiled.filter((k) => !k.ok).map((k) => ({ id: k.id, error: k.error })), slowestMs: Math.max(0, ...compiled.filter((k) => k.ok).map((k) => k.ms)) };
  say(`${compiled.length} kernels compiled (or loaded) in ${report.compile.seconds.toFixed(1)} s; ${report.compile.failed.length} failed`);
  save();

  for (const c of all) {
    const record = { id: c.id, what: c.what, runs: runsOf(c) };
    report.cases.push(record);
    const left = deadline - nowS();
    if (left < 5) {
      Object.assign(record, { status: 'skipped', reason: `time budget: ${left.toFixed(0)} s left in this phase` });
      save();
      continue;
    }
    const compileFailure = compiled.find((k) => k.id === c.id && !k.ok);
    if (compileFailure) {
      Object.assign(record, { status: 'failed', reason: 'the kernel did not compile or load', error: compileFailure.error });
      say(`FAIL ${c.id}: ${compileFailure.error.message}`);
      save();
      continue;
    }
    const started = nowS();
    try {
      Object.assign(record, await runCase(c, solvers.get(c.id), { cubie, cuda, devices, refOf, runs: runsOf(c), inputOf, cudaSolver }));
    } catch (e) {
      Object.assign(record, { status: 'failed', reason: 'threw', error: errorRecord(e) });
    }
    record.seconds = nowS() - started;
    say(`${record.status === 'passed' ? 'ok  ' : record.status === 'skipped' ? 'skip' : 'FAIL'} ${c.id}${record.figure !== undefined ? ` (${record.figureName} ${fmt(record.figure)}, bound ${fmt(record.bound)})` : ''}${record.reason ? `: ${record.reason}` : ''}`);
    save();
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const r of report.cases) counts[r.status] = (counts[r.status] ?? 0) + 1;
  report.counts = counts;
  report.status = counts.failed > 0 || report.compile.failed.length > 0 ? 'failed' : 'passed';
  report.finishedAt = new Date().toISOString();
  save();
  say(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}

function fmt(x) {
  return typeof x === 'number' ? (x === 0 ? '0' : x.toExponential(2)) : String(x);
}

async function runCase(c, solver, { cubie, cuda, devices, refOf, runs, inputOf, cudaSolver }) {
  const j = c.judge;
  if (j.kind === 'analytic') {
    const input = inputOf(c);
    const k = input.k;
    const result = await solver.solve({}, input);
    if (result.kernel.backend !== 'cuda') return { status: 'failed', reason: `ran on ${result.kernel.backend}` };
    const unfinished = countNonZero(result.status);
    let worst = 0;
    for (let run = 0; run < runs; run += 1) {
      const x = result.trajectory('x', run);
      result.time.forEach((t, q) => {
        worst = Math.max(worst, Math.abs(x[q] - Math.exp(-k[run] * t)));
      });
    }
    const ok = unfinished === 0 && worst < j.bound;
    return { status: ok ? 'passed' : 'failed', figureName: 'max |x - exp(-k t)|', figure: worst, bound: j.bound, unfinished, kernelMs: cuda.lastRun?.kernelMs };
  }
  if (j.kind === 'impacts') {
    const input = inputOf(c);
    const result = await solver.solve({}, input);
    if (result.kernel.backend !== 'cuda') return { status: 'failed', reason: `ran on ${result.kernel.backend}` };
    const { TERMINATED } = cubie.StatusBits;
    const notTerminated = Array.from(result.status).filter((s) => s !== TERMINATED).length;
    const wrongCounts = Array.from(result.events.count).filter((n) => n !== j.impacts).length;
    let worst = 0;
    for (let run = 0; run < runs; run += 1) {
      ballImpacts(c.system.states.y, c.system.parameters.g, input.k[run], j.impacts).forEach((t, e) => {
        worst = Math.max(worst, Math.abs(result.events.time[e * runs + run] - t));
      });
    }
    const problems = [];
    if (notTerminated) problems.push(`${notTerminated} runs did not end with TERMINATED`);
    if (wrongCounts) problems.push(`${wrongCounts} runs counted other than ${j.impacts} impacts`);
    if (!(worst < j.bound)) problems.push(`impact times differ from the analytic ones by ${fmt(worst)} (bound ${fmt(j.bound)})`);
    return { status: problems.length ? 'failed' : 'passed', reason: problems.join('; ') || undefined, figureName: 'max |t_impact - analytic|', figure: worst, bound: j.bound, kernelMs: cuda.lastRun?.kernelMs };
  }
  if (j.kind === 'reference') {
    const entry = refOf.get(c.id);
    if (!entry) return { status: 'skipped', reason: 'no stored CPU reference for this case (bundle built with another case list)' };
    const result = await solver.solve({}, inputOf(c));
    if (result.kernel.backend !== 'cuda') return { status: 'failed', reason: `ran on ${result.kernel.backend}` };
    const refStatus = firstRuns(readRef(entry, 'status'), entry.runs, runs);
    const out = { kernelMs: cuda.lastRun?.kernelMs, unfinished: countNonZero(result.status), cpuUnfinished: countNonZero(refStatus) };
    const problems = [];
    if (j.sameStatus && sameBits(result.status, refStatus) !== null) problems.push(`statuses differ from the CPU backend's (${sameBits(result.status, refStatus)})`);
    if (j.allFinished && (out.unfinished > 0 || out.cpuUnfinished > 0)) problems.push(`${out.unfinished} GPU and ${out.cpuUnfinished} CPU runs did not finish`);
    const ref = firstRuns(readRef(entry, j.compare), entry.runs, runs);
    const got = j.compare === 'summaries' ? result.summaries : result.timeDomain;
    out.figureName = `max relative difference of ${j.compare} (floor ${j.floor})`;
    out.figure = got.length === ref.length ? maxRel(got, ref, j.floor) : Infinity;
    out.bound = j.bound;
    if (!(out.figure <= j.bound)) problems.push(`${j.compare} differ from the CPU backend's by ${fmt(out.figure)} (bound ${fmt(j.bound)})`);
    if (j.stepsWithin !== undefined && result.iterationCounters && entry.acceptedSteps !== undefined && runs === entry.runs) {
      const steps = Array.from(result.iterationCounters.accepted).reduce((a, b) => a + b, 0);
      out.acceptedSteps = { gpu: steps, cpu: entry.acceptedSteps, relative: Math.abs(steps - entry.acceptedSteps) / entry.acceptedSteps };
      if (!(out.acceptedSteps.relative <= j.stepsWithin)) problems.push(`accepted steps ${steps} against the CPU's ${entry.acceptedSteps}`);
    }
    return { status: problems.length ? 'failed' : 'passed', reason: problems.join('; ') || undefined, ...out };
  }
  if (j.kind === 'chunking') {
    const input = inputOf(c);
    const one = await solver.solve({}, input);
    const whole = cuda.lastRun;
    const many = await solver.solve({}, input, j.maxDeviceBytes ? { maxDeviceBytes: j.maxDeviceBytes } : { chunkRuns: j.chunkRuns });
    const split = cuda.lastRun;
    const chunks = split?.devices?.[0]?.chunks;
    const wholeChunks = whole?.devices?.[0]?.chunks;
    const problems = [];
    // scaled down (CUBIE_CHECK_SCALE < 1, the rehearsal), any split into chunks will do
    const minChunks = runs >= c.runs ? j.minChunks : 1;
    if (!(chunks > minChunks)) problems.push(`${chunks} chunks, expected more than ${minChunks}`);
    const td = sameBits(many.timeDomain, one.timeDomain);
    if (td) problems.push(`timeDomain not bit-identical: ${td}`);
    const st = sameBits(many.status, one.status);
    if (st) problems.push(`status not bit-identical: ${st}`);
    return { status: problems.length ? 'failed' : 'passed', reason: problems.join('; ') || undefined, chunks: { many: chunks, whole: wholeChunks }, kernelMs: { many: split?.kernelMs, whole: whole?.kernelMs }, unfinished: countNonZero(one.status) };
  }
  if (j.kind === 'devices') {
    const same = devices.filter((d) => d.major === devices[0].major && d.minor === devices[0].minor).map((d) => d.index);
    if (same.length < 2) return { status: 'skipped', reason: `one device of ${devices[0]?.name ?? 'this'} architecture: the multi-device check needs two` };
    const input = inputOf(c);
    const single = await cudaSolver(c, { devices: [same[0]] }).solve({}, input);
    // at least eight chunks, so that every device gets some (scaled-down runs too)
    const all = await cudaSolver(c, { devices: same }).solve({}, input, { chunkRuns: Math.max(1, Math.min(j.chunkRuns, Math.floor(runs / 8))) });
    const used = cuda.lastRun.devices.filter((d) => d.runs > 0).length;
    const td = sameBits(all.timeDomain, single.timeDomain);
    const problems = [];
    if (used < 2) problems.push(`only ${used} device took runs`);
    if (td) problems.push(`timeDomain not bit-identical: ${td}`);
    return { status: problems.length ? 'failed' : 'passed', reason: problems.join('; ') || undefined, devicesUsed: used };
  }
  if (j.kind === 'abort') {
    const controller = new AbortController();
    try {
      // at least 20 chunks: several devices with two chunks in flight each must not finish the batch at once
      await solver.solve({}, inputOf(c), { chunkRuns: Math.max(1, Math.min(j.chunkRuns, Math.floor(runs / 20))), signal: controller.signal, onProgress: () => controller.abort() });
      return { status: 'failed', reason: 'the solve finished although it was aborted after its first chunk' };
    } catch (e) {
      return e && e.code === 'ABORTED' ? { status: 'passed', code: e.code } : { status: 'failed', reason: `expected ABORTED, got ${e && e.code}`, error: errorRecord(e) };
    }
  }
  return { status: 'skipped', reason: `unknown judge ${j.kind}` };
}

runPhase(main, { say, report, save, appRoot });
