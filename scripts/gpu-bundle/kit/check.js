'use strict';
// The GPU check's driver, started by run.sh with the bundle's Node.js. Runs
// each phase in its own process, within a time budget (CUBIE_CHECK_BUDGET_S,
// counted from run.sh's start), and writes $OUT/gpu-check.json after every
// phase. A phase that fails, crashes or overruns is recorded and the run goes
// on; a phase with too little time left is skipped with the reason.
//
// Phases: environment, doctor (driver, device, NVRTC: cubie's own search,
// then the NVRTC wheels of the machine's python3), numerics (phase-numerics.js),
// lorenz (phase-lorenz.js), python (probe), diffrax and torchdiffeq
// (lorenz_py.py), agreement, summary.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { errorRecord, maxRelDiff, nowS, readJson, writeJson } = require('./common');

const KIT = __dirname;
const APP = process.env.CUBIE_CHECK_APP || path.join(KIT, '..');
const OUT = process.env.OUT || path.join(process.cwd(), 'gpu-out');
const T0 = Number(process.env.CUBIE_CHECK_T0 || nowS());
const BUDGET = Number(process.env.CUBIE_CHECK_BUDGET_S || 480);
const NODE = process.env.CUBIE_CHECK_NODE || process.execPath;
const PYTHON = process.env.CUBIE_CHECK_PYTHON || '';
const ONLY = (process.env.CUBIE_CHECK_PHASES || '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const PHASES_DIR = path.join(OUT, 'phases');

/** Planned seconds of each phase for a 480 s budget (scaled to the budget given), and the least it needs to start. */
const PLAN = [
  { name: 'doctor', share: 30, min: 10 },
  { name: 'numerics', share: 115, min: 45 },
  { name: 'lorenz', share: 120, min: 30 },
  { name: 'python', share: 25, min: 10 },
  { name: 'diffrax', share: 115, min: 40 },
  { name: 'torchdiffeq', share: 60, min: 25 },
];
const SCALE = BUDGET / 480;

/** Published figures (Utkarsh et al., CMAME 2024, DiffEqGPU; MPGOS as measured there): V100, float32, t in [0, 1]. */
const PUBLISHED = {
  source: 'Utkarsh et al., "Automated translation and accelerated solving of differential equations on multiple GPU platforms", CMAME 2024 (DiffEqGPU.jl), with MPGOS measured there',
  gpu: 'NVIDIA V100',
  trajectories: 8388608,
  fixed: { what: '1,000 fixed steps (dt = 1e-3)', mpgosMs: 94, diffeqgpuMs: 145 },
  adaptive: { what: 'adaptive, rtol = atol = 1e-8', mpgosMs: 48.8, diffeqgpuMs: 69.5 },
};

const check = {
  schema: 'cubie-gpu-check/1',
  startedAt: new Date(T0 * 1000).toISOString(),
  budgetS: BUDGET,
  bundle: readJson(path.join(APP, 'check', 'bundle.json'), null),
  machine: {},
  device: null,
  driver: null,
  nvrtc: null,
  phases: {},
  skipped: [],
  failures: [],
  summary: null,
};
const decidedSkip = new Set();

function elapsed() {
  return nowS() - T0;
}
function remaining() {
  return BUDGET - elapsed();
}
function banner(text) {
  process.stdout.write(`\n[check] ${text} (${elapsed().toFixed(0)} s used, ${remaining().toFixed(0)} s of ${BUDGET} s left)\n`);
}
function save() {
  check.elapsedS = elapsed();
  writeJson(path.join(OUT, 'gpu-check.json'), check);
}
function skip(name, reason) {
  check.phases[name] = { status: 'skipped', reason };
  check.skipped.push({ what: name, reason });
  decidedSkip.add(name);
  process.stdout.write(`[check] ${name}: SKIPPED: ${reason}\n`);
  save();
}
function wanted(name) {
  return ONLY.length === 0 || ONLY.includes(name);
}

/** Seconds a phase may take: what is left, less the planned shares of the later phases that will run. */
function allowance(name) {
  const i = PLAN.findIndex((p) => p.name === name);
  const later = PLAN.slice(i + 1).filter((p) => !decidedSkip.has(p.name) && wanted(p.name)).reduce((s, p) => s + p.share * SCALE, 0);
  return remaining() - later - 5;
}

/** Starts a phase, or skips it when the budget cannot hold it; returns its seconds, or null when skipped. */
function startPhase(name) {
  if (!wanted(name)) {
    skip(name, `not in CUBIE_CHECK_PHASES (${ONLY.join(',')})`);
    return null;
  }
  const plan = PLAN.find((p) => p.name === name);
  const allowed = allowance(name);
  const least = plan ? plan.min : 0;
  banner(`phase ${name}: up to ${Math.max(0, allowed).toFixed(0)} s`);
  if (allowed < least) {
    skip(name, `time budget: ${Math.max(0, allowed).toFixed(0)} s available to this phase, it needs at least ${least} s (CUBIE_CHECK_BUDGET_S=${BUDGET})`);
    return null;
  }
  return allowed;
}

/** Runs a command with its output on ours, killed (with its group) past `seconds`. */
function runChild(command, args, { seconds, env = {}, cwd = APP } = {}) {
  return new Promise((resolve) => {
    const started = nowS();
    let child;
    try {
      child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    } catch (e) {
      resolve({ code: null, signal: null, timedOut: false, seconds: 0, error: e.message });
      return;
    }
    let timedOut = false;
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // gone
        }
      }
    };
    const timer = seconds
      ? setTimeout(() => {
          timedOut = true;
          process.stdout.write(`[check] ${path.basename(args[0] || command)}: past its ${seconds.toFixed(0)} s, stopping it\n`);
          kill('SIGTERM');
          setTimeout(() => kill('SIGKILL'), 5000).unref();
        }, seconds * 1000)
      : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, seconds: nowS() - started, error: e.message });
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, timedOut, seconds: nowS() - started });
    });
  });
}

/** NODE is the bundle's node, or run.sh's wrapper that starts it through the bundled C library. */
function nodeArgs(script, ...rest) {
  return [NODE, [script, ...rest]];
}

/** `cubie doctor --json` with an environment; the parsed report, or { error }. */
function doctorJson(extraEnv = {}) {
  const [cmd, args] = nodeArgs(path.join(APP, 'bin', 'cubie.js'), 'doctor', '--json');
  const r = spawnSync(cmd, args, { cwd: APP, env: { ...process.env, ...extraEnv }, encoding: 'utf8', timeout: 60000 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { error: `cubie doctor --json exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stderr || r.stdout || '').slice(0, 2000)}` };
  }
}

function capture(cmd, args, timeoutMs = 15000) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
    if (r.error) return { error: r.error.message };
    return { code: r.status, stdout: (r.stdout || '').trim(), stderr: (r.stderr || '').trim().slice(0, 2000) };
  } catch (e) {
    return { error: e.message };
  }
}

function environment() {
  banner('environment');
  const m = check.machine;
  m.hostname = os.hostname();
  m.kernel = `${os.type()} ${os.release()} ${os.arch()}`;
  m.cpus = os.cpus().length;
  m.cpuModel = os.cpus()[0]?.model;
  m.memoryGiB = Number((os.totalmem() / 2 ** 30).toFixed(1));
  m.node = { version: process.version, mode: process.env.CUBIE_CHECK_NODE_MODE || 'system', systemNode: process.env.CUBIE_CHECK_SYSTEM_NODE || null };
  m.network = process.env.CUBIE_CHECK_NETWORK || 'not checked';
  m.libc = process.report?.getReport?.().header?.glibcVersionRuntime ?? null;
  if (PYTHON) {
    const v = capture(PYTHON, ['-c', 'import sys; print(sys.version.split()[0])']);
    m.python = { path: PYTHON, version: v.stdout || null, error: v.error || (v.code ? v.stderr : undefined) };
  } else {
    m.python = null;
  }
  const smi = capture('nvidia-smi', ['--query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit,pci.bus_id', '--format=csv,noheader']);
  m.nvidiaSmi = smi.error ? { error: smi.error } : smi.code === 0 ? smi.stdout.split('\n') : { error: smi.stderr || `exit ${smi.code}` };
  process.stdout.write(`[check] ${m.kernel}, ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB; Node.js ${m.node.version} (${m.node.mode}); python3 ${m.python?.version ?? 'none'}; glibc ${m.libc}\n`);
  process.stdout.write(`[check] nvidia-smi: ${Array.isArray(m.nvidiaSmi) ? m.nvidiaSmi.join(' | ') : m.nvidiaSmi.error}\n`);
  save();
}

/** Doctor: what cubie finds; when it finds no NVRTC (or one the driver cannot use), the wheels of python3. */
async function doctor() {
  const seconds = startPhase('doctor');
  if (seconds === null) return;
  const phase = { status: 'running', tried: [] };
  check.phases.doctor = phase;
  const t = nowS();
  try {
    // the text form, for the log
    const [cmd, args] = nodeArgs(path.join(APP, 'bin', 'cubie.js'), 'doctor');
    await runChild(cmd, args, { seconds: 60 });
    let report = doctorJson();
    if (report.error) throw new Error(report.error);
    let chosen = { path: report.nvrtc?.path ?? null, foundBy: process.env.CUBIE_NVRTC_PATH ? 'CUBIE_NVRTC_PATH as given' : "cubie's own search" };
    const present = (r) => r.driver?.available && (r.devices?.length ?? 0) > 0;
    const usable = (r) => r.cudaBackend?.usable === true;
    if (!report.nvrtc?.available || (present(report) && !usable(report))) {
      const candidates = [];
      if (PYTHON) {
        const found = capture(PYTHON, [path.join(KIT, 'find_nvrtc.py')], 30000);
        try {
          candidates.push(...JSON.parse(found.stdout).map((c) => ({ ...c, foundBy: 'python3 (find_nvrtc.py: nvidia wheels in site-packages)' })));
        } catch {
          phase.findNvrtcError = found.error || found.stderr || `exit ${found.code}`;
        }
      }
      for (const dir of ['/usr/local/cuda/lib64', ...globCuda()]) {
        for (const name of ['libnvrtc.so.13', 'libnvrtc.so.12', 'libnvrtc.so.11']) {
          const p = path.join(dir, name);
          if (fs.existsSync(p)) candidates.push({ path: p, major: Number(name.split('.').pop()), foundBy: `a CUDA toolkit folder (${dir})` });
        }
      }
      const seen = new Set([report.nvrtc?.path && safeReal(report.nvrtc.path)]);
      let best = null;
      for (const c of candidates) {
        const real = safeReal(c.path);
        if (seen.has(real)) continue;
        seen.add(real);
        const r = doctorJson({ CUBIE_NVRTC_PATH: c.path });
        phase.tried.push({ path: c.path, foundBy: c.foundBy, nvrtc: r.nvrtc?.version ?? null, usable: usable(r), reason: r.cudaBackend?.reason ?? r.nvrtc?.error ?? r.error ?? null });
        if (r.error) continue;
        if (usable(r)) {
          best = { report: r, c };
          break;
        }
        if (!best && r.nvrtc?.available && !report.nvrtc?.available) best = { report: r, c };
      }
      if (best) {
        report = best.report;
        chosen = { path: best.c.path, foundBy: best.c.foundBy };
        process.env.CUBIE_NVRTC_PATH = best.c.path; // every later phase uses it
        process.stdout.write(`[check] NVRTC: using ${best.c.path} (${best.c.foundBy}); CUBIE_NVRTC_PATH set for the later phases\n`);
      }
    }
    phase.report = report;
    const gpuUsable = usable(report);
    const reason = gpuUsable
      ? null
      : !report.driver?.available
        ? `no CUDA driver: ${report.driver?.error ?? 'libcuda.so.1 not found'}`
        : !(report.devices?.length > 0)
          ? 'the driver reports no device'
          : !report.nvrtc?.available
            ? `no NVRTC: ${report.nvrtc?.error ?? 'not found'}`
            : report.cudaBackend?.reason ?? 'the CUDA backend cannot run';
    phase.gpu = { usable: gpuUsable, reason };
    check.device = report.devices?.[0] ?? null;
    check.devices = report.devices ?? [];
    check.driver = report.driver ?? null;
    check.nvrtc = report.nvrtc?.available ? { version: report.nvrtc.version, path: report.nvrtc.path, foundBy: chosen.foundBy } : { available: false, error: report.nvrtc?.error ?? null, tried: phase.tried.length };
    check.hostCompiler = report.hostCompiler ?? null;
    phase.status = 'passed';
    process.stdout.write(`[check] GPU: ${gpuUsable ? `usable: ${check.device.name}, compute ${check.device.computeCapability}` : `not usable: ${reason}`}\n`);
  } catch (e) {
    phase.status = 'failed';
    phase.error = errorRecord(e);
    phase.gpu = { usable: false, reason: `cubie doctor failed: ${e.message}` };
    check.failures.push({ what: 'doctor', error: e.message });
  }
  phase.seconds = nowS() - t;
  save();
}

function globCuda() {
  try {
    return fs.readdirSync('/usr/local').filter((d) => /^cuda-\d/.test(d)).map((d) => path.join('/usr/local', d, 'lib64'));
  } catch {
    return [];
  }
}
function safeReal(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

const gpu = () => check.phases.doctor?.gpu ?? { usable: false, reason: 'the doctor phase did not run' };

function childEnv(deadline) {
  const g = gpu();
  return {
    CUBIE_CHECK_APP: APP,
    CUBIE_CHECK_DEADLINE: String(deadline),
    CUBIE_CHECK_GPU: g.usable ? '1' : '0',
    CUBIE_CHECK_GPU_REASON: g.reason ?? '',
  };
}

/** A Node.js phase script writing its report to phases/NAME.json. */
async function nodePhase(name, script, extraArgs = []) {
  const seconds = startPhase(name);
  if (seconds === null) return null;
  const file = path.join(PHASES_DIR, `${name}.json`);
  fs.rmSync(file, { force: true });
  const deadline = nowS() + seconds - 3;
  const [cmd, args] = nodeArgs(path.join(KIT, script), file, ...extraArgs);
  const r = await runChild(cmd, args, { seconds: seconds + 20, env: childEnv(deadline) });
  const report = readJson(file, null) ?? {};
  const status = r.timedOut ? 'failed' : r.code === 0 && report.status !== 'error' ? report.status ?? 'passed' : 'failed';
  const phase = { ...report, status, seconds: r.seconds, exit: { code: r.code, signal: r.signal, timedOut: r.timedOut } };
  if (r.timedOut) phase.reason = `stopped past its time (${seconds.toFixed(0)} s)`;
  else if (r.code !== 0) phase.reason = phase.reason ?? `the phase process exited ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.error ? `: ${r.error}` : ''}`;
  check.phases[name] = phase;
  if (status === 'failed') check.failures.push({ what: name, error: phase.reason ?? 'some checks failed' });
  save();
  return phase;
}

async function numerics() {
  if (!gpu().usable) return skip('numerics', `no usable GPU: ${gpu().reason}`);
  const phase = await nodePhase('numerics', 'phase-numerics.js');
  if (phase && phase.cases) {
    for (const c of phase.cases) if (c.status === 'failed') check.failures.push({ what: `numerics: ${c.id}`, error: c.reason ?? 'failed' });
    save();
  }
}

async function lorenz() {
  const phase = await nodePhase('lorenz', 'phase-lorenz.js', [path.join(OUT, 'lorenz-samples.json')]);
  if (phase && phase.skipped) for (const s of phase.skipped) check.skipped.push({ what: `lorenz: ${s.what}`, reason: s.reason });
  save();
}

async function pythonProbe() {
  if (!PYTHON) {
    skip('python', 'no python3 on PATH');
    skip('diffrax', 'no python3 on PATH');
    skip('torchdiffeq', 'no python3 on PATH');
    return;
  }
  const seconds = startPhase('python');
  if (seconds === null) return;
  const file = path.join(PHASES_DIR, 'python.json');
  fs.rmSync(file, { force: true });
  const r = await runChild(PYTHON, [path.join(KIT, 'lorenz_py.py'), 'probe', file], { seconds: Math.min(seconds, 120), env: pythonEnv() });
  const probe = readJson(file, null);
  check.phases.python = probe ? { status: 'passed', ...probe, seconds: r.seconds } : { status: 'failed', reason: `the probe exited ${r.code}${r.timedOut ? ' (timed out)' : ''}`, seconds: r.seconds };
  if (probe) {
    const j = probe.jax ?? {};
    const t = probe.torch ?? {};
    process.stdout.write(`[check] python3 ${probe.python}: jax ${j.version ?? `missing (${j.error})`}, diffrax ${j.diffrax ?? `missing (${j.diffrax_error ?? j.error})`}, JAX GPU ${j.gpu ?? false}; torch ${t.version ?? `missing (${t.error})`}, torchdiffeq ${t.torchdiffeq ?? `missing (${t.torchdiffeq_error ?? t.error})`}, torch CUDA ${t.gpu ?? false}\n`);
  }
  save();
}

function pythonEnv() {
  return { XLA_PYTHON_CLIENT_PREALLOCATE: 'false', TF_CPP_MIN_LOG_LEVEL: '2', PYTHONUNBUFFERED: '1' };
}

function importable(framework) {
  const probe = check.phases.python;
  if (!probe || probe.status !== 'passed') return `the python probe did not run (${probe?.reason ?? 'skipped'})`;
  if (framework === 'diffrax') {
    const j = probe.jax ?? {};
    if (!j.version) return `python3 cannot import jax (${j.error})`;
    if (!j.diffrax) return `python3 cannot import diffrax (${j.diffrax_error})`;
    if (!j.gpu && process.env.CUBIE_CHECK_PY_ALLOW_CPU !== '1') return `JAX sees no GPU (${(j.devices || []).join(', ') || j.devices_error})`;
  } else {
    const t = probe.torch ?? {};
    if (!t.version) return `python3 cannot import torch (${t.error})`;
    if (!t.torchdiffeq) return `python3 cannot import torchdiffeq (${t.torchdiffeq_error})`;
    if (!t.gpu && process.env.CUBIE_CHECK_PY_ALLOW_CPU !== '1') return `torch sees no CUDA device (${t.gpu_error ?? 'torch.cuda.is_available() is False'})`;
  }
  if (!gpu().usable && process.env.CUBIE_CHECK_PY_ALLOW_CPU !== '1') return `no usable GPU for cubie to compare with: ${gpu().reason}`;
  return null;
}

async function pythonFramework(framework) {
  if (check.phases[framework]?.status === 'skipped') return;
  const why = importable(framework);
  if (why) return skip(framework, why);
  const seconds = startPhase(framework);
  if (seconds === null) return;
  const samples = readJson(path.join(OUT, 'lorenz-samples.json'), { sizes: {} });
  const sizes = (check.phases.lorenz?.protocol?.sizes ?? [16, 17, 18, 19, 20, 21, 22, 23].map((p) => 2 ** p)).map(Number);
  const plan = {
    sizes,
    indices: Object.fromEntries(Object.entries(samples.sizes ?? {}).map(([n, s]) => [n, s.indices])),
    reps: Number(process.env.CUBIE_CHECK_REPS || 3),
    deadline: nowS() + seconds - 5,
    allow_cpu: process.env.CUBIE_CHECK_PY_ALLOW_CPU === '1',
    jax_cache_dir: path.join(process.env.CUBIE_CHECK_WORK || os.tmpdir(), 'jax-cache'),
  };
  const planFile = path.join(PHASES_DIR, `${framework}-plan.json`);
  writeJson(planFile, plan);
  const file = path.join(PHASES_DIR, `${framework}.json`);
  fs.rmSync(file, { force: true });
  const r = await runChild(PYTHON, [path.join(KIT, 'lorenz_py.py'), framework, planFile, file], { seconds: seconds + 20, env: pythonEnv() });
  const report = readJson(file, null) ?? {};
  const status = r.timedOut ? 'failed' : report.status === 'skipped' ? 'skipped' : r.code === 0 && report.status === 'ran' ? 'passed' : 'failed';
  const phase = { ...report, status, seconds: r.seconds, exit: { code: r.code, signal: r.signal, timedOut: r.timedOut } };
  if (r.timedOut) phase.reason = `stopped past its time (${seconds.toFixed(0)} s)`;
  if (status === 'failed') check.failures.push({ what: framework, error: phase.reason ?? report.error ?? 'failed' });
  if (status === 'skipped') check.skipped.push({ what: framework, reason: report.reason });
  for (const s of report.skipped ?? []) check.skipped.push({ what: `${framework}: ${s.what}`, reason: s.reason });
  // the sample finals stay in phases/; the report keeps figures
  for (const row of phase.rows ?? []) delete row.sample;
  check.phases[framework] = phase;
  save();
}

/** Final states on the samples: every row against the float64 reference, and Diffrax / torchdiffeq against cubie. */
function agreement() {
  banner('agreement');
  const samples = readJson(path.join(OUT, 'lorenz-samples.json'), null);
  const out = { metric: 'max |a - b| / max(1, |b|) over the sampled runs and the three states', rows: [] };
  if (!samples) {
    check.phases.agreement = { status: 'skipped', reason: 'no samples from the lorenz phase' };
    save();
    return;
  }
  const cubieConfig = { 'tsit5-fixed': 'tsit5-fixed', 'tsit5-adaptive': 'tsit5-adaptive', 'rk4-fixed': 'rk4-fixed' };
  for (const framework of ['diffrax', 'torchdiffeq']) {
    const rep = readJson(path.join(PHASES_DIR, `${framework}.json`), null);
    for (const row of rep?.rows ?? []) {
      if (!row.sample) continue;
      const ref = samples.sizes?.[row.n]?.reference;
      const cubie = samples.rows?.[`cubie-cuda/${cubieConfig[row.config]}/${row.n}`] ?? null;
      const entry = {
        framework,
        config: row.config,
        n: row.n,
        vsReference: ref ? maxRelDiff(row.sample, ref) : null,
        vsCubie: cubie ? maxRelDiff(row.sample, cubie) : null,
        cubieVsReference: cubie && ref ? maxRelDiff(cubie, ref) : null,
      };
      out.rows.push(entry);
      const phaseRow = check.phases[framework]?.rows?.find((r) => r.config === row.config && r.n === row.n);
      if (phaseRow) Object.assign(phaseRow, { maxRelErrorVsReference: entry.vsReference, maxRelDiffVsCubie: entry.vsCubie });
    }
  }
  out.status = 'passed';
  check.phases.agreement = out;
  for (const e of out.rows) {
    process.stdout.write(`[check] ${e.framework} ${e.config} N=${e.n}: vs float64 ${fmtE(e.vsReference)}, vs cubie ${fmtE(e.vsCubie)} (cubie vs float64 ${fmtE(e.cubieVsReference)})\n`);
  }
  save();
}

const fmtE = (x) => (typeof x === 'number' ? x.toExponential(1) : 'n/a');
const fmtMs = (x) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 1) : 'n/a');

function summary() {
  const rows = check.phases.lorenz?.rows ?? [];
  const largest = (backend, config) => rows.filter((r) => r.backend === backend && r.config === config && r.status !== 'failed').sort((a, b) => b.n - a.n)[0] ?? null;
  const pyRow = (framework, config) => (check.phases[framework]?.rows ?? []).filter((r) => r.config === config && r.status === 'ran').sort((a, b) => b.n - a.n)[0] ?? null;
  const table = [];
  for (const config of ['rk4-fixed', 'tsit5-fixed', 'tsit5-adaptive']) {
    for (const backend of ['cuda', 'cpu']) {
      const r = largest(backend, config);
      if (r) table.push({ who: `cubie ${backend === 'cuda' ? 'GPU' : 'CPU backend'}`, config, n: r.n, kernelMs: r.kernelMs, totalMs: r.totalMs, kernelNsPerTrajectory: r.kernelNsPerTrajectory, totalNsPerTrajectory: r.totalNsPerTrajectory, errorVsFloat64: r.maxRelErrorVsReference ?? null });
    }
    for (const framework of ['diffrax', 'torchdiffeq']) {
      const r = pyRow(framework, config);
      if (r) table.push({ who: framework, config, n: r.n, kernelMs: r.best_kernel_ms, totalMs: r.best_total_ms, kernelNsPerTrajectory: (r.best_kernel_ms * 1e6) / r.n, totalNsPerTrajectory: (r.best_total_ms * 1e6) / r.n, errorVsFloat64: r.maxRelErrorVsReference ?? null, vsCubie: r.maxRelDiffVsCubie ?? null });
    }
  }
  const at = (config) => rows.find((r) => r.backend === 'cuda' && r.config === config && r.n === PUBLISHED.trajectories && r.status !== 'failed');
  const vsPublished = {};
  for (const [config, kind] of [['rk4-fixed', 'fixed'], ['tsit5-fixed', 'fixed'], ['tsit5-adaptive', 'adaptive']]) {
    const r = at(config);
    vsPublished[config] = r
      ? { cubieKernelMs: r.kernelMs, cubieTotalMs: r.totalMs, published: PUBLISHED[kind], mpgosOverCubie: r.kernelMs ? PUBLISHED[kind].mpgosMs / r.kernelMs : null, diffeqgpuOverCubie: r.kernelMs ? PUBLISHED[kind].diffeqgpuMs / r.kernelMs : null }
      : { reason: `no GPU row at N = ${PUBLISHED.trajectories}` };
  }
  const num = check.phases.numerics;
  check.summary = {
    verdict: check.failures.length ? 'failed' : gpu().usable ? 'passed' : 'no GPU: GPU phases skipped',
    device: check.device ? `${check.device.name}, compute ${check.device.computeCapability}` : null,
    driver: check.driver?.version ?? null,
    nvrtc: check.nvrtc?.version ?? null,
    numerics: num?.counts ?? (num ? { status: num.status, reason: num.reason } : null),
    largestRows: table,
    published: PUBLISHED,
    vsPublished,
    note: "the published figures are a V100's; an H100 has 3.3x (PCIe) to 4.3x (SXM) a V100's float32 throughput, an H200 4.3x, so the same code would take about a quarter of the time there: compare cubie's figure with the published ones divided by that ratio, not with them directly",
  };
  banner('summary');
  process.stdout.write(`[check] verdict: ${check.summary.verdict}${check.failures.length ? ` (${check.failures.map((f) => f.what).join('; ')})` : ''}\n`);
  if (num?.counts) process.stdout.write(`[check] numerics: ${num.counts.passed} passed, ${num.counts.failed} failed, ${num.counts.skipped} skipped\n`);
  process.stdout.write(`[check] ${'who'.padEnd(18)} ${'config'.padEnd(15)} ${'N'.padStart(9)} ${'kernel ms'.padStart(10)} ${'total ms'.padStart(10)} ${'kernel ns/traj'.padStart(15)} ${'vs float64'.padStart(10)} ${'vs cubie'.padStart(9)}\n`);
  for (const t of table) {
    process.stdout.write(`[check] ${t.who.padEnd(18)} ${t.config.padEnd(15)} ${String(t.n).padStart(9)} ${fmtMs(t.kernelMs).padStart(10)} ${fmtMs(t.totalMs).padStart(10)} ${(typeof t.kernelNsPerTrajectory === 'number' ? t.kernelNsPerTrajectory.toFixed(2) : 'n/a').padStart(15)} ${fmtE(t.errorVsFloat64).padStart(10)} ${fmtE(t.vsCubie).padStart(9)}\n`);
  }
  for (const [config, v] of Object.entries(vsPublished)) {
    if (v.reason) process.stdout.write(`[check] vs V100 (${config}): ${v.reason}\n`);
    else process.stdout.write(`[check] vs V100 (${config}) at 8,388,608: cubie ${fmtMs(v.cubieKernelMs)} ms kernel; published MPGOS ${v.published.mpgosMs} ms, DiffEqGPU ${v.published.diffeqgpuMs} ms (${v.published.what})\n`);
  }
  for (const s of check.skipped) process.stdout.write(`[check] skipped: ${s.what}: ${s.reason}\n`);
}

async function main() {
  fs.mkdirSync(PHASES_DIR, { recursive: true });
  process.stdout.write(`[check] cubie GPU check: budget ${BUDGET} s (CUBIE_CHECK_BUDGET_S), results in ${OUT}\n`);
  const steps = [
    ['environment', environment],
    ['doctor', doctor],
    ['numerics', numerics],
    ['lorenz', lorenz],
    ['python', pythonProbe],
    ['diffrax', () => pythonFramework('diffrax')],
    ['torchdiffeq', () => pythonFramework('torchdiffeq')],
    ['agreement', agreement],
  ];
  for (const [name, fn] of steps) {
    try {
      await fn();
    } catch (e) {
      check.phases[name] = { ...(check.phases[name] ?? {}), status: 'failed', error: errorRecord(e) };
      check.failures.push({ what: name, error: e.message });
      process.stdout.write(`[check] ${name}: FAILED: ${e.stack || e}\n`);
      save();
    }
  }
  try {
    summary();
  } catch (e) {
    check.failures.push({ what: 'summary', error: e.message });
  }
  check.finishedAt = new Date().toISOString();
  save();
  process.stdout.write(`[check] wrote ${path.join(OUT, 'gpu-check.json')} after ${elapsed().toFixed(0)} s\n`);
  return check.failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stdout.write(`[check] FAILED: ${e.stack || e}\n`);
    check.failures.push({ what: 'check.js', error: e.message });
    try {
      save();
    } catch {
      // nothing more to do
    }
    process.exitCode = 1;
  },
);
