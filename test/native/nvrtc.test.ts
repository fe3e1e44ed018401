import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CubieError } from '../../src/shared/errors';
import { compileCuda, nvrtcStatus, offendingLines } from '../../src/native/nvrtc';
import { findPtxas, itNvrtc } from '../support/nvrtc';

const SAXPY = `
#include "cubie/platform.h"
CUBIE_KERNEL void saxpy(int n, float a, const float* __restrict__ x, float* __restrict__ y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
`;
const platformHeader = fs.readFileSync(path.join(__dirname, '..', '..', 'kernel', 'cubie', 'platform.h'), 'utf8');

describe('NVRTC compile service', () => {
  itNvrtc('finds NVRTC and reports its version, path and architectures', () => {
    const status = nvrtcStatus();
    expect(status.available).toBe(true);
    expect(status.version).toMatch(/^\d+\.\d+$/);
    expect(fs.existsSync(status.path!)).toBe(true);
    expect(status.archs).toEqual(expect.arrayContaining([80, 90]));
  });

  itNvrtc('compiles a kernel with a named header to PTX for compute_80, and ptxas accepts it', async () => {
    const result = await compileCuda({
      source: SAXPY,
      name: 'saxpy.cu',
      headers: { 'cubie/platform.h': platformHeader },
      options: ['-arch=compute_80', '--std=c++17'],
      target: 'ptx',
    });
    expect(result.ptx).toContain('.entry saxpy');
    expect(result.ptx).toContain('.target sm_80');
    const ptxas = findPtxas();
    if (ptxas === undefined) return; // NVRTC proved the PTX; ptxas is an extra check where a toolkit exists
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-ptx-'));
    const ptxFile = path.join(dir, 'saxpy.ptx');
    fs.writeFileSync(ptxFile, result.ptx!);
    const out = execFileSync(ptxas, ['-arch=sm_80', '-v', ptxFile, '-o', path.join(dir, 'saxpy.cubin')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(fs.statSync(path.join(dir, 'saxpy.cubin')).size).toBeGreaterThan(0);
    expect(out).not.toMatch(/error/i);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  itNvrtc('compiles to CUBIN for sm_90 (an ELF image)', async () => {
    const result = await compileCuda({
      source: SAXPY,
      name: 'saxpy.cu',
      headers: { 'cubie/platform.h': platformHeader },
      options: ['-arch=sm_90'],
      target: 'cubin',
    });
    expect(Buffer.isBuffer(result.cubin)).toBe(true);
    expect(result.cubin!.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });

  itNvrtc('a syntax error rejects with COMPILE_FAILED, the NVRTC log, and the offending line', async () => {
    const source = 'extern "C" __global__ void k(float* y) {\n  y[0] = 1.0f\n  y[1] = 2.0f;\n}\n';
    const failure = compileCuda({ source, name: 'broken.cu', options: ['-arch=compute_80'], target: 'ptx' });
    await expect(failure).rejects.toBeInstanceOf(CubieError);
    const error = (await failure.catch((e) => e)) as CubieError;
    expect(error.code).toBe('COMPILE_FAILED');
    expect(error.log).toMatch(/broken\.cu\(\d+\): error/);
    expect(error.message).toContain('broken.cu:');
    expect(error.message).toMatch(/y\[[01]\] = [12]\.0f/);
  });

  itNvrtc('a CUBIN request for a virtual architecture says why nothing came back', async () => {
    const failure = compileCuda({ source: SAXPY, name: 'saxpy.cu', headers: { 'cubie/platform.h': platformHeader }, options: ['-arch=compute_80'], target: 'cubin' });
    await expect(failure).rejects.toMatchObject({ code: 'COMPILE_FAILED', message: expect.stringContaining('sm_XX') });
  });

  itNvrtc('keeps the event loop turning while it compiles', async () => {
    // Enough independent math that the compile lasts a few hundred milliseconds.
    const body = Array.from({ length: 80 }, (_, i) => `  y[${i}] = sin(y[${i + 1}]) * cos(y[${i + 2}] * ${i + 1}.0) + exp(y[${i + 3}]);`).join('\n');
    const source = `extern "C" __global__ void heavy(double* y) {\n${body}\n}\n`;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await compileCuda({ source, name: 'heavy.cu', options: ['-arch=compute_80'], target: 'ptx' });
    clearInterval(timer);
    // Had the compile blocked the loop, no timer could have fired before it returned.
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('offendingLines', () => {
  it('quotes each source line an error points at, once', () => {
    const log = 'k.cu(2): error: expected a ";"\nk.cu(2): error: again\nk.cu(3): warning: w\n';
    expect(offendingLines(log, 'k.cu', 'a\nb = 1\nc')).toBe('k.cu:2: b = 1');
  });
});
