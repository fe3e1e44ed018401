import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const bin = path.join(__dirname, '..', '..', 'bin', 'cubie.js');

describe('cubie doctor', () => {
  it('prints a JSON probe with every section', () => {
    const out = execFileSync(process.execPath, [bin, 'doctor', '--json'], { encoding: 'utf8' });
    const probe = JSON.parse(out);
    expect(Object.keys(probe).sort()).toEqual(['devices', 'driver', 'hostCompiler', 'nvrtc']);
    expect(probe.hostCompiler.available).toBe(true);
    expect(probe.hostCompiler.version).toMatch(/\d+\.\d+/);
    expect(Array.isArray(probe.nvrtc.searched)).toBe(true);
  });

  it('prints a readable report naming each component', () => {
    const out = execFileSync(process.execPath, [bin, 'doctor'], { encoding: 'utf8' });
    for (const label of ['NVRTC', 'CUDA driver', 'GPUs', 'C++ compiler', "backend 'auto' will use"]) expect(out).toContain(label);
  });

  it('an unknown command exits 2 with usage', () => {
    const run = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stderr).toContain('usage: cubie');
  });
});
