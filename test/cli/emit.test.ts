/** `cubie emit`: the source that runs, for both backends, and PTX through NVRTC. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../src/files/model-file';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { nvrtcAvailable } from '../../src/native/nvrtc';
import { itNvrtc } from '../support/nvrtc';
import { cubie, cubieOk, examples } from './support';

const lorenz = path.join(examples, 'lorenz.yaml');

/** The emitted text without its leading `//` header lines. */
function body(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => !l.startsWith('// cubie emit') && !/^\/\/ (This one source|and the host|The cubie|Build as)/.test(l));
  return lines.slice(first).join('\n');
}

describe('cubie emit', () => {
  it('--target cuda and --target cpp print the one kernel source both backends compile, with a header saying so', () => {
    const model = loadModel(lorenz);
    const source = generateKernel(model.system, model.options).source;
    const cuda = cubieOk(['emit', lorenz, '--target', 'cuda']).stdout;
    const cpp = cubieOk(['emit', lorenz, '--target', 'cpp']).stdout;
    expect(body(cuda)).toBe(source);
    expect(body(cpp)).toBe(source);
    expect(cuda).toMatch(/^\/\/ cubie emit --target cuda: system 'lorenz' \(hash [0-9a-f]{12}\) from .*lorenz\.yaml; method tsit5, float64, controller pi$/m);
    expect(cuda).toContain('the host C++ compiler builds it for the CPU backend (--target cpp prints the same text)');
    expect(cpp).toMatch(/^\/\/ Build as the CPU backend does: c\+\+ -std=c\+\+17 .* -I \S+kernel kernel\.cpp/m);
    // The default target is cuda.
    expect(cubieOk(['emit', lorenz]).stdout).toBe(cuda);
    // --out writes the same text to a file.
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-emit-')), 'kernel.cu');
    cubieOk(['emit', lorenz, '--out', out]);
    expect(fs.readFileSync(out, 'utf8')).toBe(cuda);
  });

  itNvrtc('--target ptx compiles with NVRTC for the --arch given', () => {
    const ptx = cubieOk(['emit', lorenz, '--target', 'ptx', '--arch', 'sm_90']).stdout;
    expect(ptx).toMatch(/^\/\/ cubie emit --target ptx: system 'lorenz'/);
    expect(ptx).toMatch(/^\.target sm_90$/m);
    expect(ptx).toMatch(/\.visible \.entry cubie_integrate\(/);
    expect(cubieOk(['emit', lorenz, '--target', 'ptx']).stdout).toMatch(/^\.target sm_80$/m);
  });

  it('--target ptx without NVRTC is a clean NVRTC_UNAVAILABLE error; --arch is checked', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-home-'));
    const run = cubie(['emit', lorenz, '--target', 'ptx'], { env: { PATH: '/usr/bin:/bin', HOME: home, CUBIE_NVRTC_PATH: path.join(home, 'no-nvrtc-here') } });
    if (nvrtcAvailable() && run.status === 0) {
      // A system-wide CUDA toolkit is found even with the variables hidden.
      expect(run.stdout).toMatch(/^\.target sm_80$/m);
    } else {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^cubie emit: NVRTC was not found\. .*\[NVRTC_UNAVAILABLE\]$/m);
    }
    const arch = cubie(['emit', lorenz, '--target', 'ptx', '--arch', 'volta']);
    expect(arch.status).toBe(2);
    expect(arch.stderr).toContain("--arch must look like sm_80 or sm_90, got 'volta'");
    expect(cubie(['emit', lorenz, '--arch', 'sm_90']).stderr).toContain('--arch applies to --target ptx');
  });
});
