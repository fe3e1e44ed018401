import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

/** Runs a script in a fresh Node process with NVRTC and the driver hidden. */
function runHidden(script: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: home,
    CUBIE_NVRTC_PATH: path.join(home, 'no-nvrtc-here'),
    CUBIE_LIBCUDA_PATH: path.join(home, 'libcuda.so.1'),
  };
  try {
    return execFileSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8' });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

describe('without NVRTC or a CUDA driver', () => {
  it('require works, probe reports both absent and where it looked, a compile is a clear CubieError', () => {
    const out = runHidden(`
      const cubie = require('./dist');
      const { compileCuda } = require('./dist/native/nvrtc');
      (async () => {
        const p = await cubie.probe();
        let error;
        try { await compileCuda({ source: 'x', name: 'x.cu', target: 'ptx' }); } catch (e) { error = e; }
        console.log(JSON.stringify({ p, error: { name: error.constructor.name, code: error.code, message: error.message } }));
      })();
    `);
    const { p, error } = JSON.parse(out);
    expect(p.nvrtc.available).toBe(false);
    expect(p.nvrtc.searched[0]).toMatch(/no-nvrtc-here$/);
    expect(p.nvrtc.searched.join('\n')).toContain('/usr/local/cuda/lib64');
    expect(p.nvrtc.searched.join('\n')).toContain('nvidia/cu13/lib');
    expect(p.nvrtc.error).toContain('CUBIE_NVRTC_PATH');
    expect(p.driver.available).toBe(false);
    expect(p.driver.error).toContain('libcuda.so.1');
    expect(p.devices).toEqual([]);
    expect(error).toMatchObject({ name: 'CubieError', code: 'NVRTC_UNAVAILABLE' });
    expect(error.message).toContain('NVRTC was not found');
  });

  it('both module systems load the package by name', () => {
    const cjs = runHidden(`console.log(typeof require('cubie').probe, typeof require('cubie').CubieError)`);
    expect(cjs.trim()).toBe('function function');
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { probe, CubieError } from 'cubie'; console.log(typeof probe, typeof CubieError)"], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(esm.trim()).toBe('function function');
  });
});

describe('the built addon', () => {
  it('names no CUDA, NVRTC or cudart library as NEEDED', () => {
    const addon = ['build/Release/cubie.node', ...(() => {
      try {
        return fs.readdirSync(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)).map((f) => `prebuilds/${process.platform}-${process.arch}/${f}`);
      } catch {
        return [];
      }
    })()].filter((f) => fs.existsSync(path.join(root, f)));
    expect(addon.length).toBeGreaterThan(0);
    for (const file of addon) {
      const dynamic = execFileSync('readelf', ['-d', path.join(root, file)], { encoding: 'utf8' });
      const needed = dynamic.split('\n').filter((l) => l.includes('(NEEDED)'));
      expect(needed.length).toBeGreaterThan(0);
      expect(needed.join('\n')).not.toMatch(/libcuda|libnvrtc|libcudart/);
    }
  });
});
