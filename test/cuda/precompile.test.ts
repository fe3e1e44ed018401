/**
 * `cubie precompile` on a machine without a GPU fills the cache with CUBINs a
 * GPU job then loads (here: the driver test double, as an sm_80 device).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Solver } from '../../src';
import { precompile } from '../../src/cli/precompile';
import { nvrtcStatus } from '../../src/native/nvrtc';
import { fakeCudaSuite, onCuda } from '../support/cuda';

const fake = fakeCudaSuite();

const MODEL = `system:
  name: precompiled_cuda
  equations: |
    dx = v
    dv = -omega^2*x - 2*zeta*omega*v
  states: { x: 1, v: 0 }
  parameters: { omega: 1, zeta: 0.1 }
parameters:
  omega: [1, 2, 3]
options:
  method: cash-karp-54
  precision: float32
  duration: 2
  saveEvery: 0.25
`;

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-precompile-'));
  fs.writeFileSync(path.join(dir, 'model.yaml'), MODEL);
  out = [];
  err = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((text) => out.push(String(text)) > 0);
  jest.spyOn(process.stderr, 'write').mockImplementation((text) => err.push(String(text)) > 0);
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cubie precompile', () => {
  it('builds CUBINs for the listed architectures into the cache; a GPU job then loads one from disk', async () => {
    const cacheDir = path.join(dir, 'cache');
    const model = path.join(dir, 'model.yaml');
    expect(await precompile([model, '--arch', 'sm_80,sm_90,compute_90', '--cache-dir', cacheDir])).toBe(0);
    expect(out.join('')).toMatch(/sm_80 +CUBIN .* compiled in/);
    expect(out.join('')).toMatch(/compute_90 +PTX/);
    const entries = fs.readdirSync(path.join(cacheDir, 'precompiled_cuda'));
    expect(entries.filter((e) => e.endsWith('.cubin'))).toHaveLength(2);
    expect(entries.filter((e) => e.endsWith('.ptx'))).toHaveLength(1);

    // Again: everything is there already.
    out = [];
    expect(await precompile([model, '--arch', 'sm_80', '--cache-dir', cacheDir, '--json'])).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject({ target: 'sm_80', ok: true, cache: 'memory' });

    // A solve on an sm_80 device with that cache, in a process that has not compiled it: from disk.
    const { images } = await import('../../src/backends/cuda/build');
    images.clear();
    fake.configure({ cc: '8.0' });
    const solver = new Solver(
      { name: 'precompiled_cuda', equations: 'dx = v\ndv = -omega^2*x - 2*zeta*omega*v\n', states: { x: 1, v: 0 }, parameters: { omega: 1, zeta: 0.1 } },
      { method: 'cash-karp-54', precision: 'float32', duration: 2, saveEvery: 0.25, cacheDir },
    );
    const result = await onCuda(solver).solver.solve({}, { omega: [1, 2, 3] });
    expect(result.kernel).toMatchObject({ backend: 'cuda', cache: 'disk', compileMs: 0 });
  });

  it('an architecture NVRTC cannot build is reported by name and fails the command; the others are built', async () => {
    const archs = nvrtcStatus().archs!;
    const model = path.join(dir, 'model.yaml');
    const code = await precompile([model, '--arch', 'sm_70,sm_80', '--cache-dir', path.join(dir, 'cache')]);
    if (archs.includes(70)) {
      expect(code).toBe(0); // an NVRTC of CUDA 12 or older still builds Volta
      return;
    }
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/sm_70 +FAILED: NVRTC \d+\.\d+ cannot compile for sm_70/);
    expect(out.join('')).toMatch(/sm_80 +CUBIN/);
  });

  it('bad command lines are usage errors', async () => {
    const model = path.join(dir, 'model.yaml');
    await expect(precompile([model])).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('--arch sm_80,sm_90') });
    await expect(precompile([model, '--arch', 'ampere'])).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining("got 'ampere'") });
    await expect(precompile(['--arch', 'sm_80'])).rejects.toMatchObject({ message: expect.stringContaining('give the model file') });
    expect(await precompile(['--help'])).toBe(0);
    expect(out.join('')).toContain('usage: cubie precompile MODEL --arch LIST');
  });
});
