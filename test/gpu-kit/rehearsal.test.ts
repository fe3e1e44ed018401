/**
 * A rehearsal of the GPU check (`npm run gpu:bundle`, then
 * `sh .gpu-bundle/run.sh` on a GPU machine) on this machine, which has no
 * GPU: the bundle is built, copied to a temporary folder, and run.sh runs
 * there as on a GPU machine without Node.js and without a network - no
 * network (unshare -rn, where the kernel allows it), a PATH of only the
 * tools run.sh and the CPU backend use (no `node`: this machine's node is in
 * /usr/bin, so PATH is a folder of links to the tools, not /usr/bin), and a
 * clean environment.
 *
 * 1. As on a GPU machine whose driver is missing: the GPU phases are skipped
 *    with the reason, the CPU baseline of the Lorenz protocol runs (2^12 runs).
 * 2. On the CUDA driver test double (test/support/fake-cuda, two "devices"),
 *    with NVRTC found the way a GPU machine's pip wheel is found (through
 *    python3's sys.path): every GPU phase runs its code end to end, on a few
 *    methods and scaled-down batches. Times mean nothing there.
 * 3. Node.js started on the bundle's own C library (what run.sh does on a
 *    machine whose glibc or libstdc++ is older than this one's).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const LIMIT = 60 * 2 ** 20;
const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find((p) => fs.existsSync(p));
const isolated = UNSHARE !== undefined && spawnSync(UNSHARE, ['-rn', 'true']).status === 0;
const network = isolated ? 'none (unshare -rn)' : 'NOT isolated: unshare -rn is not permitted here';
const fakeCuda = path.join(root, 'build', 'fake-cuda', 'libcuda.so.1');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { localCopy } = require('../../scripts/fetch-nvrtc.js') as { localCopy(): string | undefined };

let tmp: string;
let bundle: string;
let tools: string;
let manifest: { totalBytes: number; files: Record<string, number>; dependencies: Record<string, string>; id: string };

/** Absolute path of a command on this machine's PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The real python3 (not a pyenv shim, which needs its own PATH). */
function realPython(): string | undefined {
  const py = which('python3');
  if (!py) return undefined;
  const r = spawnSync(py, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function runCheck(out: string, env: Record<string, string>): { code: number | null; output: string; json: any } {
  const command = isolated ? [UNSHARE!, '-rn', path.join(tools, 'sh'), path.join(bundle, 'run.sh')] : [path.join(tools, 'sh'), path.join(bundle, 'run.sh')];
  const r = spawnSync(command[0], command.slice(1), {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 300_000,
    // TMPDIR: run.sh unpacks into $TMPDIR/cubie-gpu-check-<id>, here inside the test's folder
    env: { HOME: path.join(tmp, 'home'), TMPDIR: tmp, PATH: tools, OUT: out, CUBIE_CHECK_NETWORK: network, ...env },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  let json: any = null;
  try {
    json = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
  } catch {
    // asserted below
  }
  return { code: r.status, output, json };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-gpu-kit-'));
  fs.mkdirSync(path.join(tmp, 'home'));
  const built = path.join(tmp, 'built');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'gpu-bundle', 'build.js'), '--out', built], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`building the bundle failed:\n${r.stdout}\n${r.stderr}`);
  process.stdout.write(r.stdout);
  manifest = JSON.parse(fs.readFileSync(path.join(built, 'MANIFEST.json'), 'utf8'));
  // the GPU machine gets a copy, somewhere else
  bundle = path.join(tmp, 'bundle');
  fs.cpSync(built, bundle, { recursive: true });
  fs.rmSync(built, { recursive: true, force: true });
  // PATH: links to the tools run.sh and the CPU backend use, and no node
  tools = path.join(tmp, 'tools');
  fs.mkdirSync(tools);
  for (const t of ['sh', 'tar', 'gzip', 'date', 'mkdir', 'cat', 'tee', 'rm', 'chmod', 'dirname', 'head', 'tr', 'uname', 'c++', 'as', 'ld']) {
    const p = which(t);
    if (p) fs.symlinkSync(p, path.join(tools, t));
  }
  const py = realPython();
  if (py) fs.symlinkSync(py, path.join(tools, 'python3'));
}, 600_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe(`the GPU check bundle, run as on a GPU machine (network: ${network}; no node on PATH)`, () => {
  it('is at most 60 MiB, and leaves out what the check does not load', () => {
    let total = 0;
    for (const e of fs.readdirSync(bundle)) {
      const st = fs.statSync(path.join(bundle, e));
      if (st.isFile()) total += st.size;
    }
    expect(total).toBeLessThanOrEqual(LIMIT);
    expect(manifest.totalBytes).toBeLessThanOrEqual(LIMIT);
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['mathjs', 'yaml', 'node-gyp-build']));
    expect(Object.keys(manifest.dependencies)).not.toEqual(expect.arrayContaining(['vega']));
    expect(fs.readdirSync(bundle).sort()).toEqual(['BUNDLE_ID', 'MANIFEST.json', 'node.gz', 'payload.tar.gz', 'run.sh']);
    expect(fs.existsSync(path.join(tools, 'node'))).toBe(false);
  });

  it('without a GPU: finishes, skips the GPU phases with the reason, and runs the CPU baseline of the Lorenz protocol', () => {
    const out = path.join(tmp, 'out-nogpu');
    const { code, output, json } = runCheck(out, { CUBIE_CHECK_CPU_RUNS: '4096' });
    process.stdout.write(output.split('\n').filter((l) => !l.startsWith('      /')).join('\n'));
    expect(json).not.toBeNull();
    expect({ code, failures: json.failures }).toEqual({ code: 0, failures: [] });
    expect(json.schema).toBe('cubie-gpu-check/1');
    expect(json.machine.node).toMatchObject({ mode: 'system', systemNode: null });
    expect(json.machine.network).toBe(network);
    expect(json.phases.doctor.status).toBe('passed');
    expect(json.phases.doctor.gpu.usable).toBe(false);
    expect(json.phases.doctor.gpu.reason).toMatch(/driver|libcuda/i);
    expect(json.phases.numerics).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no usable GPU/) });
    const lorenz = json.phases.lorenz;
    expect(lorenz.status).toBe('passed');
    expect(lorenz.gpu).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/driver|libcuda/i) });
    const rows = lorenz.rows.filter((r: any) => r.backend === 'cpu');
    expect(rows.map((r: any) => [r.config, r.n])).toEqual([
      ['rk4-fixed', 4096],
      ['tsit5-fixed', 4096],
      ['tsit5-adaptive', 4096],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'ran', unfinished: 0, kernelMs: null });
      expect(r.totalNsPerTrajectory).toBeGreaterThan(0);
      // float32 against the float64 reference: float32's accuracy over 1,000 steps
      expect(r.maxRelErrorVsReference).toBeLessThan(1e-3);
    }
    expect(lorenz.adaptiveSteps.accepted.mean).toBeGreaterThan(10);
    for (const framework of ['diffrax', 'torchdiffeq']) {
      expect(json.phases[framework]).toMatchObject({ status: 'skipped', reason: expect.any(String) });
    }
    expect(json.summary.verdict).toMatch(/no GPU/);
    expect(json.skipped.map((s: any) => s.what)).toEqual(expect.arrayContaining(['numerics', 'diffrax', 'torchdiffeq']));
    const log = fs.readFileSync(path.join(out, 'gpu-check.log'), 'utf8');
    expect(log).toMatch(/\[run\.sh\] unpacked Node\.js and cubie/);
    expect(log).toMatch(/s used of 480 s/);
    expect(log).toMatch(/\[check\] verdict: no GPU/);
  });

  const nvrtc = localCopy();
  const fakeReady = fs.existsSync(fakeCuda) && nvrtc !== undefined;
  (fakeReady ? it : it.skip)('on the CUDA driver test double: every GPU phase runs end to end (NVRTC found through python3)', () => {
    // a pip wheel's layout (nvidia/cu13/lib) on python3's sys.path, as on a GPU machine
    const site = path.join(tmp, 'site');
    fs.mkdirSync(path.join(site, 'nvidia', 'cu13'), { recursive: true });
    fs.symlinkSync(path.dirname(nvrtc!), path.join(site, 'nvidia', 'cu13', 'lib'));
    const out = path.join(tmp, 'out-fake');
    const { code, output, json } = runCheck(out, {
      PYTHONPATH: site,
      CUBIE_LIBCUDA_PATH: fakeCuda,
      // the double's host builds and the NVRTC images are kept between runs (keyed by source digest / cache key)
      CUBIE_FAKE_CUDA_HOST_KERNELS: path.join(path.dirname(fakeCuda), 'kernels'),
      ...(process.env.CUBIE_CACHE_DIR ? { CUBIE_CACHE_DIR: process.env.CUBIE_CACHE_DIR } : {}),
      CUBIE_FAKE_CUDA_DEVICES: '2',
      CUBIE_CHECK_METHODS: 'tsit5,rk4,rodas4',
      CUBIE_CHECK_SCALE: '0.1',
      CUBIE_CHECK_SIZES: '2048,4096',
      CUBIE_CHECK_REPS: '1',
      CUBIE_CHECK_CPU_RUNS: '2048',
    });
    process.stdout.write(output.split('\n').filter((l) => !l.startsWith('      /')).join('\n'));
    expect(json).not.toBeNull();
    expect({ code, failures: json.failures }).toEqual({ code: 0, failures: [] });
    expect(json.phases.doctor.gpu.usable).toBe(true);
    expect(json.nvrtc.foundBy).toMatch(/python3/);
    expect(json.device.name).toMatch(/^Fake CUDA device/);
    const numerics = json.phases.numerics;
    expect(numerics.status).toBe('passed');
    expect(numerics.counts).toMatchObject({ failed: 0 });
    expect(numerics.counts.passed).toBeGreaterThanOrEqual(12);
    expect(numerics.cases.find((c: any) => c.id === 'devices').status).toBe('passed');
    for (const id of ['ball-events-float64', 'ball-events-float32']) expect(numerics.cases.find((c: any) => c.id === id)).toMatchObject({ status: 'passed' });
    const gpuRows = json.phases.lorenz.rows.filter((r: any) => r.backend === 'cuda');
    expect(gpuRows).toHaveLength(6);
    for (const r of gpuRows) {
      expect(r.status).toBe('ran');
      expect(r.kernelMs).toBeGreaterThan(0);
      expect(r.maxRelErrorVsReference).toBeLessThan(1e-3);
    }
    expect(json.phases.lorenz.references['4096'].backend).toBe('cuda');
  });

  it("starts Node.js on the bundle's own C library when asked (a machine with an older glibc)", () => {
    const out = path.join(tmp, 'out-libc');
    const { code, output, json } = runCheck(out, { CUBIE_CHECK_NODE_MODE: 'bundled', CUBIE_CHECK_PHASES: 'doctor' });
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(json.machine.node.mode).toBe('bundled-libc');
    expect(json.phases.doctor.status).toBe('passed');
    expect(json.phases.lorenz).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/CUBIE_CHECK_PHASES/) });
  });
});
