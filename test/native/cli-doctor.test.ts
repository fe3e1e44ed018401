import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { itNvrtc } from '../support/nvrtc';

const bin = path.join(__dirname, '..', '..', 'bin', 'cubie.js');

describe('cubie doctor', () => {
  it('prints a JSON probe with every section', () => {
    const out = execFileSync(process.execPath, [bin, 'doctor', '--json'], { encoding: 'utf8' });
    const probe = JSON.parse(out);
    expect(Object.keys(probe).sort()).toEqual(['cudaBackend', 'devices', 'driver', 'hostCompiler', 'nvrtc']);
    expect(probe.hostCompiler.available).toBe(true);
    expect(probe.hostCompiler.version).toMatch(/\d+\.\d+/);
    expect(Array.isArray(probe.nvrtc.searched)).toBe(true);
  });

  it('prints a readable report naming each component', () => {
    const out = execFileSync(process.execPath, [bin, 'doctor'], { encoding: 'utf8' });
    for (const label of ['NVRTC', 'CUDA driver', 'GPUs', 'C++ compiler', "backend 'auto' will use"]) expect(out).toContain(label);
  });

  // Through the driver test double: a GPU and a driver, but for an older CUDA major than NVRTC.
  itNvrtc('says when the CUDA backend cannot run although a driver and a GPU are there, and that auto will use the CPU', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { library } = require('../support/fake-cuda/build.js').buildFakeCuda() as { library: string };
    const env = { ...process.env, CUBIE_LIBCUDA_PATH: library, CUBIE_FAKE_CUDA_DRIVER_VERSION: '11040' };
    const out = execFileSync(process.execPath, [bin, 'doctor'], { encoding: 'utf8', env });
    expect(out).toMatch(/^ok {2}GPU 0 {9}Fake CUDA device 0/m);
    expect(out).toMatch(/^-- {2}CUDA backend {2}The CUDA driver supports CUDA 11\.4, older than NVRTC/m);
    expect(out).toContain("backend 'auto' will use: cpu");
    const json = JSON.parse(execFileSync(process.execPath, [bin, 'doctor', '--json'], { encoding: 'utf8', env }));
    expect(json.cudaBackend).toMatchObject({ usable: false, reason: expect.stringContaining('older than NVRTC') });
  });

  it('an unknown command exits 2 with usage', () => {
    const run = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stderr).toContain('usage: cubie');
  });
});
