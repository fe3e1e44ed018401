'use strict';
// Table `cvode`: cubie's implicit methods against SUNDIALS CVODE (BDF, Newton
// with a dense LU, analytic Jacobian) on ensembles of three IVP Test Set
// problems (ROBER, HIRES, POLLU; test/fixtures/stiff/ivp-testset.json), one
// thread each, at rtol 1e-6 and 1e-8, with the error of each measured against
// a tight scipy Radau reference. Target (issue 15): cubie at least 5x faster
// than CVODE on each problem and tolerance, with an error no larger than CVODE's.
//
// The ensemble: N runs (default 1,024) per problem, run i with one rate
// constant scaled by 0.9 + 0.2 i / (N - 1): ROBER's k3, HIRES's 280 (the
// coefficient of y6*y8, renamed k), POLLU's k1. cubie takes it as a parameter
// (the fixture's equations, that constant moved from `constants` to
// `parameters`); CVODE (bench/baselines/cvode_stiff.cpp) and the reference
// (bench/baselines/stiff_reference.py) read the same values. Interval: the
// fixture's (ROBER to t = 1e11, HIRES to 321.8122, POLLU to 60); atol = rtol
// times the fixture's atolHint (1e-4 for ROBER and HIRES, 1 for POLLU).
//
// Environment:
//   CUBIE_BENCH_CVODE_RUNS     runs per problem (default 1024)
//   CUBIE_BENCH_CVODE_SAMPLE   runs in the reference sample, evenly spaced (default 32)
//   CUBIE_BENCH_CVODE_METHODS  cubie methods, comma-separated (default rodas4,rodas5p,radau;
//                              kvaerno5 works too but costs ~10 s a round on ROBER)
//   CUBIE_BENCH_REPS           timed rounds (default 3; best and median shown)
//   CUBIE_BENCH_PYTHON         python with numpy and scipy for the reference (default python3)
//   CUBIE_BENCH_SUNDIALS       a SUNDIALS install prefix (PREFIX/include, PREFIX/lib) instead
//                              of the system's; without it and without the system's headers the
//                              bench runs `apt-get install -y libsundials-dev` once per machine
//                              (as root, where apt-get exists) unless CUBIE_BENCH_NO_INSTALL=1
//   CXX                        C++ compiler for the CVODE baseline (default c++)
//
//   node bench/cvode.js          prints the table
//   require('./cvode').run()     resolves to { text } (bench/run.js prints it)

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureAptPackage } = require('./apt');
const { intEnv, sampleIndices, nowS, best, median, mean, fmtUs, fmtRatio, table, progressFor } = require('./support');

const TESTSET = path.join(__dirname, '..', 'test', 'fixtures', 'stiff', 'ivp-testset.json');
const RTOLS = [1e-6, 1e-8];
const TARGET = 5;
const REF_RTOL = 1e-12;
const REF_ATOL = 1e-20;
// Per problem: the perturbed constant, its nominal value, and how the cubie system gets it.
const PROBLEMS = [
  { key: 'rober', label: 'ROBER', parameter: 'k3', nominal: 1e4 },
  { key: 'hires', label: 'HIRES', parameter: 'k', nominal: 280, literal: /\b280\*/g },
  { key: 'pollu', label: 'POLLU', parameter: 'k1', nominal: 0.35 },
];

const progress = progressFor('cvode');

function firstLine(text) {
  return String(text || '').split('\n').find((l) => l.trim() !== '') || '';
}
function lastLine(text) {
  return String(text || '').trim().split('\n').pop() || '';
}

// ---------------------------------------------------------------- problems

/** The cubie system of a fixture problem with its perturbed constant as a parameter. */
function systemOf(spec, fixture) {
  const constants = { ...fixture.constants };
  let equations = fixture.equations;
  if (spec.literal) {
    const count = (equations.match(spec.literal) || []).length;
    if (count === 0) throw new Error(`${spec.key}: the fixture's equations no longer contain ${spec.literal}`);
    equations = equations.replace(spec.literal, `${spec.parameter}*`);
  } else {
    if (constants[spec.parameter] !== spec.nominal) throw new Error(`${spec.key}: fixture constant ${spec.parameter} is ${constants[spec.parameter]}, expected ${spec.nominal}`);
    delete constants[spec.parameter];
  }
  return { name: `cvode_bench_${spec.key}`, equations, states: fixture.states, constants, parameters: { [spec.parameter]: spec.nominal } };
}

/** Run i's value of the perturbed constant: nominal * (0.9 + 0.2 i / (n - 1)). */
function perturbed(nominal, n) {
  return Float64Array.from({ length: n }, (_, i) => nominal * (n === 1 ? 1 : 0.9 + (0.2 * i) / (n - 1)));
}

// ---------------------------------------------------------------- CVODE

function sundialsFlags() {
  const prefix = (process.env.CUBIE_BENCH_SUNDIALS || '').trim();
  if (!prefix) return { include: [], lib: [] };
  const libDir = ['lib', 'lib64'].map((d) => path.join(prefix, d)).find((d) => fs.existsSync(d)) || path.join(prefix, 'lib');
  return { include: [`-I${path.join(prefix, 'include')}`], lib: [`-L${libDir}`, `-Wl,-rpath,${libDir}`] };
}

function hasSystemHeaders() {
  return ['/usr/include/cvode/cvode.h', '/usr/local/include/cvode/cvode.h'].some((f) => fs.existsSync(f));
}

/** Installs Debian's libsundials-dev when it is missing (bench/apt.js); returns a reason when it could not. */
function ensureSundials() {
  if (process.env.CUBIE_BENCH_SUNDIALS) return undefined;
  const missing = ensureAptPackage('libsundials-dev', hasSystemHeaders, progress);
  return missing && `SUNDIALS headers not found (cvode/cvode.h; or set CUBIE_BENCH_SUNDIALS to a SUNDIALS prefix): ${missing}`;
}

/** Compiles the CVODE baseline into dir; { exe, compiler, sundials } or { skipped }. */
function buildCvode(dir) {
  const missing = ensureSundials();
  if (missing) return { skipped: missing };
  const cxx = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
  const source = path.join(__dirname, 'baselines', 'cvode_stiff.cpp');
  const exe = path.join(dir, 'cvode_stiff');
  const { include, lib } = sundialsFlags();
  const libs = ['-lsundials_cvode', '-lsundials_nvecserial', '-lsundials_sunmatrixdense', '-lsundials_sunlinsoldense'];
  let r;
  // SUNDIALS 7 moved the shared core into libsundials_core.
  for (const extra of [[], ['-lsundials_core']]) {
    r = spawnSync(cxx, ['-O3', '-march=native', '-std=c++17', ...include, source, '-o', exe, ...lib, ...libs, ...extra, '-lm'], { encoding: 'utf8' });
    if (r.status === 0) break;
  }
  if (r.error) return { skipped: `C++ compiler '${cxx}' not found: ${r.error.message}` };
  if (r.status !== 0) return { skipped: `the CVODE baseline did not compile: ${firstLine(r.stderr)}` };
  for (const p of PROBLEMS) {
    const c = spawnSync(exe, ['check', p.key], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`cvode_stiff check ${p.key}: the analytic Jacobian disagrees with differences of the rhs: ${c.stdout}${c.stderr}`);
  }
  let compiler = cxx;
  try {
    compiler = firstLine(spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout) || cxx;
  } catch {
    // keep the command name
  }
  return { exe, compiler };
}

/** One pass of CVODE over the ensemble (self-timed); the final states land in outFile. */
function runCvode(exe, problem, rtol, atol, values, outFile) {
  const r = spawnSync(exe, [problem, String(rtol), String(atol), outFile], {
    input: Array.from(values, String).join('\n'),
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`cvode_stiff ${problem} ${rtol}: ${r.error ? r.error.message : lastLine(r.stderr) || `exit status ${r.status}`}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- reference

/** The reference for each problem, the three python processes in parallel: { key: result | { skipped } }. */
async function runReferences(jobs) {
  const python = process.env.CUBIE_BENCH_PYTHON || 'python3';
  const script = path.join(__dirname, 'baselines', 'stiff_reference.py');
  const one = ({ key, values }) =>
    new Promise((resolve) => {
      const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', (e) => resolve({ skipped: e.code === 'ENOENT' ? `${python} not found` : `${python} failed to start: ${e.message}` }));
      child.on('close', (code) => {
        if (code !== 0) return resolve({ skipped: `${path.basename(script)} ${key} failed: ${lastLine(err) || `exit status ${code}`}` });
        try {
          resolve(JSON.parse(out));
        } catch (e) {
          resolve({ skipped: `${path.basename(script)} ${key}: unreadable output (${e.message})` });
        }
      });
      child.stdin.end(JSON.stringify({ problem: key, values: Array.from(values), rtol: REF_RTOL, atol: REF_ATOL }));
    });
  const results = await Promise.all(jobs.map(one));
  return Object.fromEntries(jobs.map((j, i) => [j.key, results[i]]));
}

/** max over the sample and components of |y - ref| / (atol + rtol |ref|); NaN when a run has no result. */
function errorVsReference(finalOf, sample, reference, rtol, atol) {
  let worst = 0;
  sample.forEach((run, s) => {
    const y = finalOf(run);
    reference.final[s].forEach((want, i) => {
      const e = Math.abs(y[i] - want) / (atol + rtol * Math.abs(want));
      worst = Number.isNaN(e) || Number.isNaN(worst) ? NaN : Math.max(worst, e);
    });
  });
  return worst;
}

// ---------------------------------------------------------------- table

const fmtErr = (e) => (e === undefined ? 'n/a' : Number.isNaN(e) ? 'NaN' : e >= 100 || (e > 0 && e < 0.01) ? e.toExponential(1) : e.toFixed(e >= 10 ? 1 : 2));
const fmtCount = (x) => (x === undefined || !Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function run() {
  if (!fs.existsSync(TESTSET)) return { text: `SKIP: no ${path.relative(process.cwd(), TESTSET)} (the IVP Test Set fixture)` };
  let cubie;
  try {
    cubie = require(path.join(__dirname, '..', 'dist'));
  } catch (e) {
    throw new Error(`cannot load cubie from dist/ (run 'npm run build:ts' first): ${e.message}`);
  }
  const { Solver } = cubie;
  const fixtures = JSON.parse(fs.readFileSync(TESTSET, 'utf8')).problems;
  const missing = PROBLEMS.filter((p) => !fixtures[p.key]).map((p) => p.key);
  if (missing.length) return { text: `SKIP: the IVP Test Set fixture lacks ${missing.join(', ')}` };

  const n = intEnv('CUBIE_BENCH_CVODE_RUNS', 1024, 2);
  const reps = intEnv('CUBIE_BENCH_REPS', 3, 1);
  const sample = sampleIndices(n, intEnv('CUBIE_BENCH_CVODE_SAMPLE', 32, 1));
  const methods = (process.env.CUBIE_BENCH_CVODE_METHODS || 'rodas4,rodas5p,radau').split(',').map((m) => m.trim()).filter(Boolean);
  const load = os.loadavg()[0];

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-bench-cvode-'));
  const solvers = [];
  try {
    progress('building the CVODE baseline');
    const cvode = buildCvode(tmp);
    if (cvode.skipped) return { text: `SKIP: ${cvode.skipped}` };

    const problems = PROBLEMS.map((spec) => {
      const fixture = fixtures[spec.key];
      return {
        ...spec,
        fixture,
        system: systemOf(spec, fixture),
        nStates: Object.keys(fixture.states).length,
        duration: fixture.tend - fixture.t0,
        values: perturbed(spec.nominal, n),
        atolOf: (rtol) => rtol * (fixture.atolHint ?? 1),
      };
    });

    // The reference runs first, alone, so it does not share the CPUs with the timed rounds.
    progress(`scipy Radau reference (rtol ${REF_RTOL}) on ${sample.length} runs of each problem`);
    const refStarted = nowS();
    // The nominal constant rides along as one more run: the reference's own check against the Test Set's solution.
    const stacked = await runReferences(problems.map((p) => ({ key: p.key, values: [...sample.map((i) => p.values[i]), p.nominal] })));
    const refSeconds = nowS() - refStarted;
    const references = {};
    const nominalRefs = {};
    for (const [key, r] of Object.entries(stacked)) {
      references[key] = r.skipped ? r : { ...r, final: r.final.slice(0, sample.length) };
      nominalRefs[key] = r.skipped ? r : { ...r, final: r.final.slice(sample.length) };
    }

    // cubie: one Solver per problem and method, compiled and warmed up (on a few runs) outside the timing.
    const cubieOf = {};
    for (const p of problems) {
      for (const method of methods) {
        progress(`compiling ${p.key} ${method}`);
        const solver = new Solver(p.system, { method, backend: 'cpu', precision: 'float64', outputTypes: ['state', 'iteration_counters'] });
        solvers.push(solver);
        const info = await solver.compile();
        await solver.solve({}, { [p.parameter]: p.values.subarray(0, 8) }, { duration: p.duration, t0: p.fixture.t0, rtol: RTOLS[0], atol: p.atolOf(RTOLS[0]), threads: 1 });
        cubieOf[`${p.key}/${method}`] = { solver, info };
      }
    }

    // Timed: interleaved rounds (every problem, tolerance, cubie method and CVODE in each round).
    const times = {};
    const last = {};
    const push = (key, s) => (times[key] ??= []).push(s);
    for (let round = 0; round < reps; round++) {
      for (const p of problems) {
        for (const rtol of RTOLS) {
          const atol = p.atolOf(rtol);
          for (const method of methods) {
            progress(`round ${round + 1}/${reps}: ${p.key} rtol ${rtol} cubie ${method}`);
            const { solver } = cubieOf[`${p.key}/${method}`];
            const started = nowS();
            const result = await solver.solve({}, { [p.parameter]: p.values }, { duration: p.duration, t0: p.fixture.t0, rtol, atol, threads: 1, maxSteps: 1e7 });
            push(`${p.key}/${rtol}/${method}`, nowS() - started);
            last[`${p.key}/${rtol}/${method}`] = result;
          }
          progress(`round ${round + 1}/${reps}: ${p.key} rtol ${rtol} CVODE`);
          const outFile = path.join(tmp, `${p.key}-${rtol}.bin`);
          const report = runCvode(cvode.exe, p.key, rtol, atol, p.values, outFile);
          push(`${p.key}/${rtol}/cvode`, report.seconds[0]);
          last[`${p.key}/${rtol}/cvode`] = { report, outFile };
        }
      }
    }

    // ---- the table
    const rows = [];
    const verdicts = [];
    const warnings = [];
    const notes = [];
    let sundials = '';
    let estimatedLu = false;
    for (const p of problems) {
      const ref = references[p.key];
      if (ref.skipped) notes.push(`${p.label}: no reference (${ref.skipped}); errors shown as n/a`);
      else if (ref.failed) warnings.push(`${p.label}: the reference solve failed (${ref.message})`);
      const haveRef = !ref.skipped && !ref.failed;
      for (const rtol of RTOLS) {
        const atol = p.atolOf(rtol);
        // CVODE
        const { report, outFile } = last[`${p.key}/${rtol}/cvode`];
        sundials = report.sundials;
        const buf = fs.readFileSync(outFile);
        const cvFinal = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
        if (cvFinal.length !== n * p.nStates) throw new Error(`cvode_stiff ${p.key}: ${cvFinal.length} values in ${outFile}, expected ${n * p.nStates}`);
        if (report.failed) warnings.push(`${p.label} rtol ${rtol.toExponential()}: CVODE failed on ${report.failed} of ${n} runs`);
        const cvErr = haveRef ? errorVsReference((run) => cvFinal.subarray(run * p.nStates, (run + 1) * p.nStates), sample, ref, rtol, atol) : undefined;
        const cvUs = (best(times[`${p.key}/${rtol}/cvode`]) * 1e6) / n;
        rows.push([
          p.label,
          rtol.toExponential(),
          'CVODE BDF',
          fmtUs(cvUs),
          fmtUs((median(times[`${p.key}/${rtol}/cvode`]) * 1e6) / n),
          '1.00x',
          fmtErr(cvErr),
          fmtCount(report.steps / n),
          fmtCount((report.netf + report.ncfn) / n),
          fmtCount(report.rhs / n),
          fmtCount(report.jac / n),
          fmtCount(report.setups / n),
          '',
        ]);
        // cubie
        const passed = [];
        for (const method of methods) {
          const r = last[`${p.key}/${rtol}/${method}`];
          const c = r.iterationCounters;
          const failed = Array.from(r.status).filter((s) => s !== 0).length;
          if (failed) warnings.push(`${p.label} rtol ${rtol.toExponential()}: cubie ${method} failed on ${failed} of ${n} runs (status != 0)`);
          const [nTimes, nVars] = r.shape;
          const finalOf = (run) => {
            if (r.status[run] !== 0) return new Float64Array(p.nStates).fill(NaN);
            return Float64Array.from({ length: nVars }, (_, v) => r.timeDomain[((nTimes - 1) * nVars + v) * n + run]);
          };
          if (r.variables.join() !== Object.keys(p.fixture.states).join()) throw new Error(`${p.key}: cubie saved ${r.variables.join()}, not the states in order`);
          const err = haveRef ? errorVsReference(finalOf, sample, ref, rtol, atol) : undefined;
          const us = (best(times[`${p.key}/${rtol}/${method}`]) * 1e6) / n;
          const ratio = cvUs / us;
          // Factorisations: the counter when cubie has one; otherwise one per Jacobian evaluation (one
          // per attempted step), radau two (a real and a complex LU).
          const factorKey = Object.keys(c).find((k) => /factori[sz]ations?/i.test(k));
          if (!factorKey) estimatedLu = true;
          const lu = factorKey ? mean(Array.from(c[factorKey])) : mean(Array.from(c.jacobianEvaluations)) * (method === 'radau' ? 2 : 1);
          const fast = ratio >= TARGET;
          const accurate = err === undefined ? undefined : err <= cvErr || (Number.isFinite(err) && err <= 1 && !Number.isFinite(cvErr));
          const verdict = fast && accurate ? 'PASS' : 'MISS';
          if (fast && accurate) passed.push(method);
          rows.push([
            '',
            '',
            `cubie ${method}`,
            fmtUs(us),
            fmtUs((median(times[`${p.key}/${rtol}/${method}`]) * 1e6) / n),
            fmtRatio(ratio),
            fmtErr(err),
            fmtCount(mean(Array.from(c.accepted))),
            fmtCount(mean(Array.from(c.rejected))),
            fmtCount(mean(Array.from(c.rhsEvaluations))),
            fmtCount(mean(Array.from(c.jacobianEvaluations))),
            `${factorKey ? '' : '~'}${fmtCount(lu)}`,
            `${verdict}${fast ? '' : ` (<${TARGET}x)`}${accurate === false ? ' (err > CVODE)' : accurate === undefined ? ' (no ref)' : ''}`,
          ]);
        }
        verdicts.push(`${p.label} rtol ${rtol.toExponential()}: ${passed.length ? `PASS (${passed.join(', ')})` : 'MISS'}`);
      }
    }

    const nominalCheck = problems
      .map((p) => {
        const r = nominalRefs[p.key];
        if (r.skipped || r.failed) return `${p.label} n/a`;
        const e = Math.max(...r.final[0].map((y, i) => Math.abs(y - p.fixture.reference[i]) / (1e-20 + Math.abs(p.fixture.reference[i]))));
        return `${p.label} ${e.toExponential(1)}`;
      })
      .join(', ');
    const refInfo = Object.values(references).find((r) => !r.skipped);

    const lines = [];
    lines.push(
      `IVP Test Set ROBER (t to 1e11, k3), HIRES (t to 321.8122, k = 280), POLLU (t to 60, k1): ${n} runs each, the constant scaled by ` +
        `0.9 + 0.2 i/(N-1); rtol ${RTOLS.map((r) => r.toExponential()).join(' and ')}, atol = rtol x ${problems.map((p) => `${p.fixture.atolHint ?? 1}`).join('/')}; float64, 1 thread; ` +
        `${os.cpus().length} CPUs, load ${load.toFixed(2)}`,
    );
    lines.push(
      `CVODE: SUNDIALS ${sundials} (BDF, dense LU, analytic J; ${cvode.compiler}, -O3 -march=native), self-timed loop; cubie: the solve() call. ` +
        `Best of ${reps} interleaved rounds (median beside it).`,
    );
    lines.push(
      refInfo
        ? `Error: max over ${sample.length} evenly spaced runs and all components of |y - ref| / (atol + rtol |ref|) at the end, ` +
            `ref = scipy ${refInfo.scipy} Radau, rtol ${REF_RTOL}, atol ${REF_ATOL}, analytic J (${refSeconds.toFixed(1)} s); ` +
            `the reference at the nominal constants vs the Test Set's solution (max rel. diff.): ${nominalCheck}`
        : 'Error: n/a (no reference)',
    );
    lines.push('');
    lines.push(
      table(
        ['problem', 'rtol', 'solver', 'us/traj', 'median', 'CVODE/row', 'err (tol)', 'steps/run', 'rej/run', 'f/run', 'J/run', 'LU/run', `target (>=${TARGET}x, err <= CVODE)`],
        rows,
        ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
    lines.push('  steps/run: accepted steps; rej/run: rejected (CVODE: error-test plus convergence failures); f/run: rhs evaluations;');
    lines.push('  J/run: Jacobian evaluations; LU/run: factorisations (CVODE: linear-solver setups, CVodeGetNumLinSolvSetups;');
    lines.push(
      estimatedLu
        ? '  cubie, marked ~: not counted by this build; one LU per attempted step for rodas4 and kvaerno5, a real and a complex one for radau).'
        : "  cubie: its 'factorizations' counter, in which radau's real and complex LU count one each).",
    );
    lines.push(`Target per problem and rtol (any cubie method ${TARGET}x faster than CVODE with an error no larger): ${verdicts.join('; ')}`);
    for (const note of notes) lines.push(`note: ${note}`);
    for (const w of warnings) lines.push(`WARNING: ${w}`);
    return { text: lines.join('\n') };
  } finally {
    for (const s of solvers) s.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { name: 'cvode', title: 'Stiff ensembles against SUNDIALS CVODE (ROBER, HIRES, POLLU)', run };

if (require.main === module) require('./support').printTable(run);
