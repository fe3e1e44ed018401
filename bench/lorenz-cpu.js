'use strict';
// Table 1 of `npm run bench`: a Lorenz ensemble on the CPU, measured side by
// side in one process: cubie's CPU backend (1 thread and 2 / all threads), a
// hand-written C++ loop of the same method and controller compiled with -O3
// (the limit to approach), scipy's solve_ivp on a sample of runs and
// numeric.js's dopri on a sample of runs. See bench/README.md.
//
// Environment:
//   CUBIE_BENCH_RUNS    ensemble size (default 65536)
//   CUBIE_BENCH_REPS    timed repetitions of the full-ensemble rows (default 5; best and median shown)
//   CUBIE_BENCH_SAMPLE  runs in the scipy / numeric samples (default 256)
//   CUBIE_BENCH_PYTHON  python interpreter for the scipy row (default python3)
//   CUBIE_BENCH_CPU_TARGET  cubie's cpuTarget, 'native' (default) or 'portable'; the hand-written
//                       loop is built with the same target flags, so both round alike
//   CXX                 C++ compiler for the hand-written loop (default c++, as cubie's CPU backend)

const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { intEnv, sampleIndices, nowS, best, median, mean, fmtInt, fmtUs, fmtRatio, table, progressFor } = require('./support');

const T1 = 1;
const RHO_MAX = 21;
const TOL = 1e-8;
const SIGMA = 10;
const BETA = 8 / 3;
const TARGET_SINGLE = 1.25; // cubie 1 thread / hand-written loop, at most
const TARGET_SPEEDUP = 1.8; // cubie 1 thread / cubie 2 threads, at least

const SYSTEM = {
  name: 'lorenz',
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: SIGMA, rho: RHO_MAX, beta: BETA },
};
// The scalar engine (cpuLanes 1), which the hand-written loop mirrors step for step; the
// lanes are measured against Boost in the cpu-lanes table.
const SETTINGS = { method: 'tsit5', precision: 'float64', atol: TOL, rtol: TOL, duration: T1, cpuLanes: 1 };

function linspace(a, b, n) {
  const out = new Float64Array(n);
  // Same arithmetic as the C++ baseline: a + (b - a) * i / (n - 1), with a = 0.
  for (let i = 0; i < n; i++) out[i] = (b * i) / (n - 1);
  if (a !== 0) throw new Error('linspace: only a = 0 is mirrored by the baseline');
  return out;
}

const progress = progressFor('lorenz-cpu');

function firstLine(text) {
  return String(text || '').split('\n').find((l) => l.trim() !== '') || '';
}

// ---------------------------------------------------------------- hand-written C++

function cpuTarget() {
  const target = process.env.CUBIE_BENCH_CPU_TARGET || 'native';
  if (target !== 'native' && target !== 'portable') throw new Error(`CUBIE_BENCH_CPU_TARGET: 'native' or 'portable' (got '${target}')`);
  return target;
}

/** cubie's host flags for the target (what its CPU backend passes), less the shared-library ones. */
function baselineFlags(target) {
  let hostFlags;
  try {
    ({ hostFlags } = require('../dist/backends/cpu/build.js'));
  } catch (e) {
    throw new Error(`cannot load cubie's host flags from dist/ (run 'npm run build' first): ${e.message}`);
  }
  return hostFlags(target).filter((f) => f !== '-fPIC' && f !== '-shared');
}

function buildBaseline(dir, target) {
  const cxx = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
  const source = path.join(__dirname, 'baselines', 'lorenz_tsit5.cpp');
  const exe = path.join(dir, 'lorenz_tsit5');
  const flags = baselineFlags(target);
  execFileSync(cxx, [...flags, `-I${path.join(__dirname, '..', 'kernel')}`, source, '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
  let version = cxx;
  try {
    version = firstLine(execFileSync(cxx, ['--version'], { encoding: 'utf8' }));
  } catch {
    // keep the command name
  }
  return { exe, version, flags };
}

/** One invocation: REPS timed passes over the whole batch; returns its JSON report. */
function runBaseline(exe, n, reps, outFile, threads = 1) {
  const args = [String(n), String(reps), outFile || '-', String(threads)];
  const stdout = execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

function readBaselineOutput(file, n) {
  const buf = fs.readFileSync(file);
  const expected = n * (3 * 8 + 3 * 4);
  if (buf.length !== expected) throw new Error(`baseline output ${file}: ${buf.length} bytes, expected ${expected}`);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  return {
    x: new Float64Array(ab, 0, n),
    y: new Float64Array(ab, 8 * n, n),
    z: new Float64Array(ab, 16 * n, n),
    accepted: new Int32Array(ab, 24 * n, n),
    rejected: new Int32Array(ab, 28 * n, n),
    status: new Int32Array(ab, 32 * n, n),
  };
}

// ---------------------------------------------------------------- cubie

function loadCubie() {
  try {
    return require('../dist');
  } catch (e) {
    throw new Error(`cannot load cubie from dist/ (run 'npm run build' first): ${e.message}`);
  }
}

/** Final state of every run from a result: { x, y, z } Float64Arrays (the last save). */
function finalStates(result) {
  const [nTimes, nVars, nRuns] = result.shape;
  const at = (v) => result.timeDomain.subarray(((nTimes - 1) * nVars + v) * nRuns, ((nTimes - 1) * nVars + v + 1) * nRuns);
  const names = result.variables;
  return { x: at(names.indexOf('x')), y: at(names.indexOf('y')), z: at(names.indexOf('z')) };
}

// ---------------------------------------------------------------- scipy

function runScipy(rhoSample, reps) {
  const python = process.env.CUBIE_BENCH_PYTHON || 'python3';
  const script = path.join(__dirname, 'baselines', 'scipy_lorenz.py');
  const input = JSON.stringify({ rho: Array.from(rhoSample), t1: T1, rtol: TOL, atol: TOL, reps });
  const r = spawnSync(python, [script], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    if (r.error.code === 'ENOENT') return { skipped: `${python} not found` };
    return { skipped: `${python} failed to start: ${r.error.message}` };
  }
  if (r.status !== 0) {
    const err = String(r.stderr || '').trim().split('\n').pop() || `exit status ${r.status}`;
    return { skipped: `${python} ${path.basename(script)} failed: ${err}` };
  }
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- numeric

function runNumeric(rhoSample, reps) {
  let numeric;
  try {
    numeric = require('numeric');
  } catch (e) {
    return { skipped: `cannot load 'numeric' (a devDependency): ${e.message}` };
  }
  const solveOne = (rho) => {
    const f = (t, u) => [SIGMA * (u[1] - u[0]), u[0] * (rho - u[2]) - u[1], u[0] * u[1] - BETA * u[2]];
    return numeric.dopri(0, T1, [1, 1, 1], f, TOL, 1e6);
  };
  // Untimed warm-up, so the JIT has compiled dopri before the timed passes.
  for (let j = 0; j < 64; j++) solveOne(rhoSample[j % rhoSample.length]);
  const seconds = [];
  let final = [];
  let steps = [];
  let fevals = [];
  let failed = 0;
  for (let rep = 0; rep < reps; rep++) {
    final = [];
    steps = [];
    fevals = [];
    failed = 0;
    const start = nowS();
    for (const rho of rhoSample) {
      const sol = solveOne(rho);
      const last = sol.x.length - 1;
      if (sol.x[last] !== T1 || sol.msg) failed++;
      final.push(sol.y[last]);
      steps.push(last);
      fevals.push(1 + 6 * sol.iterations);
    }
    seconds.push(nowS() - start);
  }
  return { seconds, final, steps, fevals, failed };
}

// ---------------------------------------------------------------- formatting

const fmtExp = (x) => (x === 0 ? '0' : x.toExponential(1));

/** Largest |a - b| over the sample, for [[x, y, z] ...] against cubie's finals at the same indices. */
function maxDiffAgainst(cubieFinal, indices, finals) {
  let worst = 0;
  indices.forEach((run, j) => {
    const ref = [cubieFinal.x[run], cubieFinal.y[run], cubieFinal.z[run]];
    for (let v = 0; v < 3; v++) worst = Math.max(worst, Math.abs(finals[j][v] - ref[v]));
  });
  return worst;
}

// ---------------------------------------------------------------- the table

async function run() {
  const n = intEnv('CUBIE_BENCH_RUNS', 65536, 2);
  const reps = intEnv('CUBIE_BENCH_REPS', 5, 1);
  const sampleSize = intEnv('CUBIE_BENCH_SAMPLE', 256, 1);
  const allThreads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const rho = linspace(0, RHO_MAX, n);
  const indices = sampleIndices(n, sampleSize);
  const rhoSample = Float64Array.from(indices, (i) => rho[i]);
  const notes = [];
  const errors = [];
  const loadBefore = os.loadavg()[0];

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-bench-'));
  try {
    // --- set-up, not timed: compile the baseline, compile (or load) cubie's kernel, warm both.
    progress('compiling the hand-written C++ loop');
    const target = cpuTarget();
    const baseline = buildBaseline(tmp, target);
    const baselineOut = path.join(tmp, 'baseline.bin');
    const check = runBaseline(baseline.exe, n, 1, baselineOut);
    const ref = readBaselineOutput(baselineOut, n);

    progress('compiling cubie');
    const cubie = loadCubie();
    const solver = new cubie.Solver(SYSTEM, { ...SETTINGS, cpuTarget: target });
    const info = await solver.compile();
    const y0 = { x: 1, y: 1, z: 1 };
    // The check run (also a warm-up): step counters on, compared run by run with the baseline.
    progress('checking cubie against the hand-written loop');
    const checked = await solver.solve(y0, { rho }, { threads: 1, outputTypes: ['state', 'iteration_counters'] });
    const cubieFinal = finalStates(checked);
    const counters = checked.iterationCounters;
    const cmp = compareRuns(n, cubieFinal, counters, checked.status, ref);

    // Thread rows: 1, 2, and all cores when there are more than 2.
    const threadCounts = [1, 2];
    if (allThreads > 2) threadCounts.push(allThreads);
    await solver.solve(y0, { rho }, { threads: 2 }); // warm the multi-threaded path too

    // --- timed: interleaved rounds, so a load change on the machine hits every row alike.
    const times = Object.fromEntries(threadCounts.map((t) => [t, []]));
    const runMs = Object.fromEntries(threadCounts.map((t) => [t, []]));
    const baselineTimes = [];
    const baseline2Times = [];
    for (let rep = 0; rep < reps; rep++) {
      progress(`timing round ${rep + 1} of ${reps}`);
      for (const threads of threadCounts) {
        const start = nowS();
        const result = await solver.solve(y0, { rho }, { threads });
        times[threads].push(nowS() - start);
        runMs[threads].push(result.timings.runMs);
        if (result.status.some((s) => s !== 0)) errors.push(`cubie (${threads} threads): some runs did not finish`);
      }
      baselineTimes.push(runBaseline(baseline.exe, n, 1).best_s);
      baseline2Times.push(runBaseline(baseline.exe, n, 1, null, 2).best_s);
    }

    progress(`scipy solve_ivp on ${indices.length} runs`);
    const scipy = runScipy(rhoSample, 2);
    progress(`numeric.dopri on ${indices.length} runs`);
    const numeric = runNumeric(rhoSample, 2);

    // --- the table
    const perTraj = (seconds, count) => (seconds * 1e6) / count;
    const cubie1 = perTraj(best(times[1]), n);
    const acceptedMean = mean(Array.from(counters.accepted));
    const fevalMean = mean(Array.from(counters.rhsEvaluations));
    const refAcceptedMean = mean(Array.from(ref.accepted));
    const refFevalMean = mean(Array.from(ref.accepted, (a, i) => 6 * (a + ref.rejected[i]) + 2));
    const rows = [];
    for (const threads of threadCounts) {
      const us = perTraj(best(times[threads]), n);
      const label = threads === 1 ? 'cubie CPU, 1 thread' : `cubie CPU, ${threads} threads${threads === allThreads ? ' (all cores)' : ''}`;
      const speedup = threads === 1 ? '' : `${(cubie1 / us).toFixed(2)}x faster than 1 thread`;
      rows.push([label, fmtInt(n), acceptedMean.toFixed(1), fevalMean.toFixed(0), fmtUs(us), fmtUs(perTraj(median(times[threads]), n)), fmtRatio(us / cubie1), speedup]);
    }
    const baselineUs = perTraj(best(baselineTimes), n);
    rows.push([
      'hand-written C++ -O3, 1 thread',
      fmtInt(n),
      refAcceptedMean.toFixed(1),
      refFevalMean.toFixed(0),
      fmtUs(baselineUs),
      fmtUs(perTraj(median(baselineTimes), n)),
      fmtRatio(baselineUs / cubie1),
      '',
    ]);
    const baseline2Us = perTraj(best(baseline2Times), n);
    rows.push([
      'hand-written C++ -O3, 2 threads',
      fmtInt(n),
      refAcceptedMean.toFixed(1),
      refFevalMean.toFixed(0),
      fmtUs(baseline2Us),
      fmtUs(perTraj(median(baseline2Times), n)),
      fmtRatio(baseline2Us / cubie1),
      `${(baselineUs / baseline2Us).toFixed(2)}x faster than 1 thread (what this machine allows now)`,
    ]);
    // A row for a reference solver timed on the sample of runs, with its largest deviation from cubie.
    const sampleRow = (label, seconds, steps, fevals, final) => {
      const us = perTraj(best(seconds), indices.length);
      return [
        label,
        fmtInt(indices.length),
        mean(steps).toFixed(1),
        mean(fevals).toFixed(0),
        fmtUs(us),
        fmtUs(perTraj(median(seconds), indices.length)),
        fmtRatio(us / cubie1),
        `max |final - cubie| ${fmtExp(maxDiffAgainst(cubieFinal, indices, final))}`,
      ];
    };
    if (scipy.skipped) {
      rows.push(['scipy solve_ivp RK45', 'skipped', '', '', '', '', '', '']);
      notes.push(`scipy row skipped: ${scipy.skipped}`);
    } else {
      rows.push(sampleRow('scipy solve_ivp RK45, 1 thread', scipy.seconds, scipy.steps, scipy.nfev, scipy.final));
      if (scipy.failed) errors.push(`scipy: ${scipy.failed} runs failed`);
      notes.push(`scipy ${scipy.scipy}, numpy ${scipy.numpy}: RK45 is Dormand-Prince 5(4), the nearest scipy method (it has no tsit5); own controller and norm.`);
    }
    if (numeric.skipped) {
      rows.push(['numeric.dopri', 'skipped', '', '', '', '', '', '']);
      notes.push(`numeric row skipped: ${numeric.skipped}`);
    } else {
      rows.push(sampleRow('numeric.dopri (JS), 1 thread', numeric.seconds, numeric.steps, numeric.fevals, numeric.final));
      if (numeric.failed) errors.push(`numeric: ${numeric.failed} runs did not reach t = ${T1}`);
      notes.push('numeric.dopri: Dormand-Prince 5(4) with one absolute tolerance (1e-8) on the max-norm of the error estimate.');
    }

    const single = cubie1 / baselineUs;
    const speedup2 = cubie1 / perTraj(best(times[2]), n);
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const lines = [];
    lines.push(
      `Lorenz ensemble on the CPU: tsit5, float64, rtol = atol = ${TOL}, t in [0, ${T1}], x = y = z = 1, ` +
        `sigma = ${SIGMA}, beta = 8/3, rho = linspace(0, ${RHO_MAX}, ${fmtInt(n)})`,
    );
    lines.push(
      `machine: ${os.cpus()[0] ? os.cpus()[0].model.trim() : 'unknown CPU'}, ${allThreads} cores; node ${process.version}; ${baseline.version}`,
    );
    lines.push(`cpuTarget: '${target}' (CUBIE_BENCH_CPU_TARGET); the hand-written loop is built with the same flags: ${baseline.flags.join(' ')}`);
    lines.push(
      `load average (1 min) before the bench: ${loadBefore.toFixed(2)}` +
        (loadBefore > 0.5 ? ' (other work on the machine: expect noisy timings and a capped thread speed-up)' : ''),
    );
    lines.push(
      `cubie kernel: ${info.cache === 'compiled' ? 'compiled' : `from the ${info.cache} cache`} (${Math.round(info.compileMs)} ms, not timed); timings: best of ${reps} interleaved rounds ` +
        `(median beside it); scipy and numeric: evenly spaced sample of ${indices.length} runs, best of 2 passes (numeric after a warm-up)`,
    );
    lines.push('');
    lines.push(
      table(
        ['row', 'runs', 'steps/run', 'f evals/run', 'us/trajectory', 'median', 'vs cubie 1T', ''],
        rows,
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
    lines.push('  us/trajectory: wall time of the whole batch / runs (cubie: the solve() call, output arrays included).');
    lines.push('  vs cubie 1T: time per trajectory / cubie 1 thread\'s; above 1 is slower than cubie.');
    lines.push('');
    lines.push(
      `same steps as the hand-written loop: ${cmp.countMismatches === 0 ? 'yes' : 'NO'}: ` +
        `cubie ${fmtInt(cmp.cubieAccepted)} accepted / ${fmtInt(cmp.cubieRejected)} rejected, ` +
        `hand-written ${fmtInt(cmp.refAccepted)} / ${fmtInt(cmp.refRejected)}; ` +
        `${fmtInt(cmp.countMismatches)} of ${fmtInt(n)} runs differ in counts; ` +
        `max |final state difference| ${fmtExp(cmp.maxDiff)} (${fmtInt(cmp.identical)} runs bit-identical)`,
    );
    if (cmp.countMismatches > 0 || cmp.maxDiff > 1e-10) {
      errors.push('cubie and the hand-written loop disagree (steps or final states): the ratio compares different work');
    }
    if (cmp.cubieFailed || cmp.refFailed) errors.push(`failed runs: cubie ${cmp.cubieFailed}, hand-written ${cmp.refFailed}`);
    if (Math.abs(check.checksum - cmp.cubieChecksum) > 1e-10 * Math.max(1, Math.abs(check.checksum))) {
      errors.push(`checksum: hand-written ${check.checksum}, cubie ${cmp.cubieChecksum}`);
    }
    lines.push('');
    lines.push('targets:');
    lines.push(
      `  cubie CPU 1 thread within ${TARGET_SINGLE}x of the hand-written loop:  ${single.toFixed(2)}x  ${verdict(single <= TARGET_SINGLE)}`,
    );
    lines.push(
      `  cubie CPU 2 threads at least ${TARGET_SPEEDUP}x faster than 1 thread:    ${speedup2.toFixed(2)}x  ${verdict(speedup2 >= TARGET_SPEEDUP)}` +
        (allThreads < 2
          ? ' (only 1 core here: not meaningful)'
          : baselineUs / baseline2Us < TARGET_SPEEDUP
            ? ` (the hand-written control also reached only ${(baselineUs / baseline2Us).toFixed(2)}x: the machine is busy; rerun when it is quiet)`
            : ''),
    );
    const runMsNote = threadCounts
      .map((t) => `${t} thread${t === 1 ? '' : 's'} ${fmtUs((best(runMs[t]) * 1e3) / n)}`)
      .join(', ');
    notes.push(`cubie native run time only (timings.runMs, best), us/trajectory: ${runMsNote}.`);
    if (notes.length) {
      lines.push('');
      for (const note of notes) lines.push(`note: ${note}`);
    }
    for (const e of errors) lines.push(`WARNING: ${e}`);
    return { name: 'lorenz-cpu', text: lines.join('\n'), ok: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function compareRuns(n, cubieFinal, counters, status, ref) {
  let countMismatches = 0;
  let maxDiff = 0;
  let identical = 0;
  let cubieAccepted = 0;
  let cubieRejected = 0;
  let refAccepted = 0;
  let refRejected = 0;
  let cubieFailed = 0;
  let refFailed = 0;
  let cubieChecksum = 0;
  for (let i = 0; i < n; i++) {
    cubieAccepted += counters.accepted[i];
    cubieRejected += counters.rejected[i];
    refAccepted += ref.accepted[i];
    refRejected += ref.rejected[i];
    if (status[i] !== 0) cubieFailed++;
    if (ref.status[i] !== 0) refFailed++;
    if (counters.accepted[i] !== ref.accepted[i] || counters.rejected[i] !== ref.rejected[i]) countMismatches++;
    const dx = Math.abs(cubieFinal.x[i] - ref.x[i]);
    const dy = Math.abs(cubieFinal.y[i] - ref.y[i]);
    const dz = Math.abs(cubieFinal.z[i] - ref.z[i]);
    const d = Math.max(dx, dy, dz);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
    if (dx === 0 && dy === 0 && dz === 0) identical++;
    cubieChecksum += cubieFinal.x[i] + cubieFinal.y[i] + cubieFinal.z[i];
  }
  return { countMismatches, maxDiff, identical, cubieAccepted, cubieRejected, refAccepted, refRejected, cubieFailed, refFailed, cubieChecksum };
}

module.exports = { name: 'lorenz-cpu', title: 'Lorenz ensemble, CPU backend', run, buildBaseline, runBaseline, readBaselineOutput };
