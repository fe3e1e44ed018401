'use strict';
// Table `sde`: Euler–Maruyama ensembles of Ornstein–Uhlenbeck,
// dx = theta (mu - x) dt + sigma dW, x(0) = 2, mu = 0.5, sigma = 0.8,
// 16 combinations (theta from 0.5 to 2) with equal replicates each, to t = 1
// at dt = 1e-3, only the ensemble mean and variance kept (outputTypes: [],
// CPU backend), against a vectorised NumPy Euler–Maruyama doing the same
// work on the same machine.
//
// Each cubie measurement runs in its own child process, so its peak RSS
// (process.resourceUsage().maxRSS) belongs to that batch size alone: the
// memory target is that it does not grow with the replicates. The child's
// V8 heap is capped (--max-old-space-size=48): uncapped, V8 lets garbage
// pile up over a long batch (30 MiB more at 10^6 runs than at 10^5), and the
// cap shows the batch needs no more; memory it kept would end it out of memory. NumPy's
// replicates are simulated 65,536 at a time (per combination) and merged
// with Chan's update, so its memory is bounded too; its time is measured
// inside Python (perf_counter), excluding interpreter start. Its step works
// in place (`out=`, `*=`, `+=`): the one-line form `x += theta*(mu - x)*dt +
// sq*rng.standard_normal(k)` makes four 512 KiB temporaries a step, and on
// this VM their allocation alone moved it between 14 and 47 ns a step from
// day to day (page faults: glibc maps and unmaps each one), while the
// in-place step stays within a few percent of the normals' own cost.
//
// Total replicates from CUBIE_BENCH_SDE_REPLICATES (default 10^6, the
// issue's: about a minute on 2 cores).
// The sizes run: N/10 on one thread in SIMD lanes and on the scalar engine
// (cpuLanes: 1), N/10 and N on all cores, NumPy at N. Skips NumPy with a
// message when python3 or numpy is missing.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { fmtInt, fmtRatio, fmtUs, intEnv, nowS, table } = require('./support');

const DIST = path.join(__dirname, '..', 'dist');
const COMBINATIONS = 16;
const X0 = 2;
const MU = 0.5;
const SIGMA = 0.8;
const DT = 1e-3;
const T = 1;
const SEED = 20261205;
const thetas = () => Array.from({ length: COMBINATIONS }, (_, c) => 0.5 + (1.5 * c) / (COMBINATIONS - 1));

const exact = (theta) => ({ mean: MU + (X0 - MU) * Math.exp(-theta * T), var: ((SIGMA * SIGMA) / (2 * theta)) * (1 - Math.exp(-2 * theta * T)) });

/** In a child: one cubie batch of `replicates` per combination on `threads` at step `dt` (cpuLanes `lanes`); prints JSON. */
async function child(replicates, threads, dt, lanes) {
  const { createSystem, Solver } = require(DIST);
  const ou = createSystem({ name: 'ou_bench_sde', equations: 'dx = theta*(mu - x)', states: { x: X0 }, parameters: { theta: 1, mu: MU, sigma: SIGMA }, noise: { x: 'sigma' } });
  const solver = new Solver(ou, { method: 'euler-maruyama', dt, outputTypes: [], backend: 'cpu', threads, cpuLanes: lanes });
  const options = { duration: T, saveEvery: T, ensembleOutputs: ['mean', 'var'], seed: SEED };
  const theta = Float64Array.from(thetas());
  await solver.solve({}, { theta }, { ...options, replicates: 4 }); // compile and warm
  const start = nowS();
  const result = await solver.solve({}, { theta }, { ...options, replicates });
  const seconds = nowS() - start;
  const { values, legend } = result.ensemble;
  // the last save (t = 1): values[(1 * legend.length + j) * C + c]
  const at = (j, c) => values[(1 * legend.length + j) * COMBINATIONS + c];
  const mean = thetas().map((_, c) => at(legend.indexOf('x.mean'), c));
  const variance = thetas().map((_, c) => at(legend.indexOf('x.var'), c));
  process.stdout.write(JSON.stringify({ seconds, mean, var: variance, lanes: result.kernel.lanes, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

const PYTHON = `
import json, sys, time
try:
    import numpy as np
except ImportError:
    print(json.dumps({"skip": "numpy is not installed"})); sys.exit(0)
R, dt, T, x0, mu, sigma, seed = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
thetas = [float(v) for v in sys.argv[8].split(",")]
CHUNK = 65536  # replicates in memory at once: memory is bounded by the chunk
steps = int(round(T / dt))
rng = np.random.default_rng(seed)
start = time.perf_counter()
means, variances = [], []
for theta in thetas:
    n, m, m2 = 0, 0.0, 0.0
    for first in range(0, R, CHUNK):
        k = min(CHUNK, R - first)
        x = np.full(k, x0)
        d, z = np.empty(k), np.empty(k)
        sq = sigma * np.sqrt(dt)
        for _ in range(steps):
            # x += theta (mu - x) dt + sq N(0, 1), in place: no temporaries
            np.subtract(mu, x, out=d)
            d *= theta * dt
            rng.standard_normal(out=z)
            z *= sq
            x += d
            x += z
        cm, cm2 = x.mean(), ((x - x.mean()) ** 2).sum()
        d, nn = cm - m, n + k
        m, m2, n = m + d * k / nn, m2 + cm2 + d * d * n * k / nn, nn  # Chan et al.
    means.append(m); variances.append(m2 / (n - 1))
seconds = time.perf_counter() - start
z = np.empty(CHUNK)  # the normals alone, a chunk's worth a step: what NumPy's step cannot go below
start = time.perf_counter()
for _ in range(steps):
    rng.standard_normal(out=z)
normals_ns = (time.perf_counter() - start) * 1e9 / (steps * CHUNK)
print(json.dumps({"seconds": seconds, "mean": means, "var": variances, "chunk": CHUNK, "normals_ns": normals_ns}))
`;

function numpy(replicates) {
  const args = ['-c', PYTHON, String(replicates), String(DT), String(T), String(X0), String(MU), String(SIGMA), String(SEED), thetas().join(',')];
  const p = spawnSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (p.error) return { skip: `python3 could not be started (${p.error.code ?? p.error.message})` };
  if (p.status !== 0) return { skip: `python3 failed: ${p.stderr.trim().split('\n').pop()}` };
  return JSON.parse(p.stdout);
}

function cubie(replicates, threads, dt, lanes) {
  const p = spawnSync(process.execPath, ['--max-old-space-size=48', __filename, '--child', String(replicates), String(threads), String(dt), String(lanes)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (p.status !== 0) throw new Error(`cubie child (${replicates} replicates, ${threads} threads) failed: ${p.stderr}`);
  return JSON.parse(p.stdout);
}

/** Worst |mean - exact| in standard errors and worst relative variance error over the combinations. */
function accuracy(m, replicates) {
  let z = 0;
  let rel = 0;
  thetas().forEach((theta, c) => {
    const e = exact(theta);
    z = Math.max(z, Math.abs(m.mean[c] - e.mean) / Math.sqrt(e.var / replicates));
    // the sample variance's standard error is about var * sqrt(2 / (n - 1)) for a normal x
    rel = Math.max(rel, Math.abs(m.var[c] - e.var) / (e.var * Math.sqrt(2 / (replicates - 1))));
  });
  return { z: z.toFixed(2), rel: rel.toFixed(2) };
}

/**
 * The floor (bench/baselines/sde_normals_floor.cpp): the normals alone, in cubie's lanes, built
 * with the flags of a native lane kernel; {lanes, philox_ns, normals_ns} per normal, or {skip}.
 */
function normalsFloor() {
  const cxx = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-bench-sde-'));
  try {
    const { hostFlags } = require(path.join(DIST, 'backends', 'cpu', 'build.js'));
    const { LANE_FLAGS } = require(path.join(DIST, 'backends', 'cpu', 'lanes.js'));
    const flags = [...hostFlags('native'), ...LANE_FLAGS].filter((f) => f !== '-fPIC' && f !== '-shared');
    const exe = path.join(dir, 'sde_normals_floor');
    execFileSync(cxx, [...flags, `-I${path.join(__dirname, '..', 'kernel')}`, path.join(__dirname, 'baselines', 'sde_normals_floor.cpp'), '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(execFileSync(exe, ['4000000'], { encoding: 'utf8' }));
  } catch (e) {
    return { skip: `could not build or run it (${String(e.message).split('\n')[0]})` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  const total = intEnv('CUBIE_BENCH_SDE_REPLICATES', 1000000, 10 * COMBINATIONS);
  const big = Math.floor(total / COMBINATIONS); // replicates per combination
  const small = Math.max(1, Math.floor(big / 10));
  const cores = require('os').cpus().length;
  const rows = [];
  const perStep = {}; // ns per step per core at dt = DT, by what ran
  const nsPerStep = (seconds, threads, runs, dt) => (seconds * 1e9 * threads) / (runs * Math.round(T / dt));
  for (const [replicates, threads, lanes] of [[small, 1, 'auto'], [small, 1, 1], [small, cores, 'auto'], [big, cores, 'auto']]) {
    const m = cubie(replicates, threads, DT, lanes);
    const runs = replicates * COMBINATIONS;
    const ns = nsPerStep(m.seconds, threads, runs, DT);
    const what = `${threads} thread(s), ${m.lanes > 1 ? `${m.lanes} lanes` : 'scalar engine'}`;
    perStep[what] = ns; // the larger batch overwrites: the longer measurement
    const a = accuracy(m, replicates);
    rows.push([m.lanes > 1 ? `cubie, ${m.lanes} lanes` : 'cubie, scalar', String(DT), threads, fmtInt(runs), m.seconds.toFixed(2), fmtUs((m.seconds * 1e6 * threads) / runs), ns.toFixed(0), a.z, a.rel, m.maxRssMiB.toFixed(0)]);
  }
  const np = numpy(big);
  const lines = [];
  if (np.skip) {
    lines.push(`NumPy: skipped (${np.skip})`);
  } else {
    const runs = big * COMBINATIONS;
    const ns = nsPerStep(np.seconds, 1, runs, DT);
    const a = accuracy(np, big);
    rows.push([`NumPy (chunks of ${fmtInt(np.chunk)})`, String(DT), 1, fmtInt(runs), np.seconds.toFixed(2), fmtUs((np.seconds * 1e6) / runs), ns.toFixed(0), a.z, a.rel, 'n/a']);
    lines.push(`NumPy's step: ${ns.toFixed(1)} ns, of which its normals alone (Generator.standard_normal, PCG64, ziggurat) ${np.normals_ns.toFixed(1)} ns.`);
    for (const what of Object.keys(perStep)) {
      const ratio = ns / perStep[what];
      lines.push(`${ratio >= 10 ? 'PASS' : 'MISS'}: ${what}, cubie is ${fmtRatio(ratio)} as fast per core per step as NumPy at dt = ${DT} (target >= 10x)`);
    }
    const floor = normalsFloor();
    // a decade's nine normals serve ten steps at DT: 0.9 a step
    if (floor.skip) {
      lines.push(`Floor: skipped (${floor.skip})`);
    } else {
      const lane = perStep['1 thread(s), ' + `${floor.lanes} lanes`];
      const need = 0.9 * floor.normals_ns;
      lines.push(`Floor (bench/baselines/sde_normals_floor.cpp, ${floor.lanes} lanes, one core): the tree's normals alone cost ${floor.normals_ns.toFixed(2)} ns each ` +
        `(Philox4x32-10 alone ${floor.philox_ns.toFixed(2)}), so the 0.9 a step needs cost ${need.toFixed(2)} ns a step` +
        `${lane ? ` (${((100 * need) / lane).toFixed(0)} % of cubie's ${lane.toFixed(1)})` : ''}; 10x NumPy allows ${(ns / 10).toFixed(2)} ns a step for everything.`);
    }
  }
  const growth = Number(rows[3][9]) / Number(rows[2][9]);
  lines.push(`${growth < 1.25 ? 'PASS' : 'MISS'}: peak RSS ${rows[2][9]} MiB at ${rows[2][3]} runs, ${rows[3][9]} MiB at ${rows[3][3]} runs, ${cores} threads (target: independent of the replicates)`);
  const header = ['solver', 'dt', 'threads', 'runs', 's', 'us/run/core', 'ns/step/core', 'worst mean |z|', 'worst var |z|', 'peak RSS MiB'];
  const text = [
    table(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `OU, Euler–Maruyama to t = ${T}, ${COMBINATIONS} combinations (theta 0.5..2). z: mean's distance from the exact mean in standard errors;`,
    'var z: the same for the variance (EM at this dt is biased by about theta dt / 2 relative, far below one standard error here). Peak RSS: the child process that ran that batch (V8 heap capped at 48 MiB).',
    `At dt = ${DT} every step ends on a point of the Brownian tree (a decimal tree: about one new normal a step, as NumPy draws). Lanes: W replicates per vector, bit for bit the scalar engine's.`,
    ...lines,
  ].join('\n');
  return { text };
}

module.exports = { name: 'sde', title: 'SDE ensembles: OU with Euler–Maruyama against NumPy (CPU)', run };

if (require.main === module) {
  if (process.argv[2] === '--child') {
    child(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6] === '1' ? 1 : 'auto').catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
  } else {
    run().then(({ text }) => console.log(text), (e) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
