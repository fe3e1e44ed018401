/**
 * Failures on the driver test double: each injected fault gives its clear
 * error or its recovery, and leaves nothing allocated (the suite's hooks
 * check the double's books after every test).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Solver } from '../../src';
import { cudaKernelFor, cudaUnavailableReason, cudaUsable, releaseCudaKernels } from '../../src/backends/cuda/cuda-backend';
import { cudaKeyContext } from '../../src/backends/cuda/build';
import type { CubieError } from '../../src/shared/errors';
import { nvrtcStatus } from '../../src/native/nvrtc';
import { probe } from '../../src/backends/probe';
import type { SolveResult } from '../../src/solver/result';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';

const fake = fakeCudaSuite();

const decay = { name: 'faults_cuda', equations: ['dx = -k*x', 'dy = k*x - y'], states: { x: 1, y: 0 }, parameters: { k: 1 } };
const settings = { method: 'heun', precision: 'float32' as const, duration: 1, saveEvery: 0.25, dt: 0.01 };
const k = Float32Array.from({ length: 300 }, (_, i) => 0.1 + i * 0.01);
let cpu: SolveResult;

beforeAll(async () => {
  cpu = await new Solver(decay, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { k });
});

async function solveOn(run: Parameters<typeof onCuda>[1] = {}): Promise<SolveResult> {
  const result = await onCuda(new Solver(decay, settings), run).solver.solve({}, { k });
  expectSameBits(result.timeDomain, cpu.timeDomain, 'timeDomain');
  return result;
}

async function failure(run: Parameters<typeof onCuda>[1] = {}): Promise<CubieError> {
  return (await onCuda(new Solver(decay, settings), run).solver.solve({}, { k }).then(
    () => {
      throw new Error('the solve should have failed');
    },
    (e) => e,
  )) as CubieError;
}

describe('CUDA driver faults', () => {
  it('the double is what probe() and cudaUsable() see', async () => {
    fake.configure({ devices: 2, cc: '8.6' });
    const p = await probe();
    expect(p.driver).toMatchObject({ available: true, version: '13.0' });
    expect(await cudaUsable()).toBe(true);
    expect(await cudaUsable([0, 1])).toBe(true);
    expect(await cudaUsable([2])).toBe(false);
    expect(await cudaUnavailableReason([2])).toMatch(/names device 2, but this machine has 2 device\(s\)/);
    fake.configure({ devices: 0 });
    expect(await cudaUsable()).toBe(false);
    expect(await cudaUnavailableReason()).toMatch(/reports no device/);
  });

  it('a kernel that fails at run time: the error names the call, the CUresult, what cubie was doing; the next solve gets a fresh context', async () => {
    await solveOn();
    fake.configure({ faults: 'launch-fail-at:2' });
    const error = await failure({ chunkRuns: 100 });
    expect(error).toMatchObject({
      code: 'CUDA_ERROR',
      details: { result: 'CUDA_ERROR_LAUNCH_FAILED', device: 0, contextLost: true },
    });
    // The failure is sticky and reported asynchronously, as on a real device: whichever call on that
    // context comes after the kernel faulted reports it. With the two-slot pipeline that is the wait
    // for a chunk, the copy of its results, or any stream call that enqueues the next chunk, by timing.
    const streamCalls = ['cuEventSynchronize', 'cuMemcpyDtoHAsync_v2', 'cuEventRecord', 'cuMemcpyHtoDAsync_v2', 'cuMemsetD8Async', 'cuLaunchKernel'];
    expect(streamCalls).toContain((error.details as { call: string }).call);
    expect(error.message).toMatch(
      /\w+ failed with CUDA_ERROR_LAUNCH_FAILED \(unspecified launch failure\) while (waiting for the kernel and the copies of|copying .* (back from|to) the device for|timing the chunk for|marking the end of the chunk for|clearing .* for|launching the kernel .* for) runs \d+\.\.\d+ on device 0; the device's context is unusable/,
    );
    // The broken context held cubie's buffers (the driver refuses frees on it); releasing it reclaimed them.
    const s = fake.stats();
    expect(s.reclaimedAllocations).toBeGreaterThan(0);
    expect(s.devices[0].retains).toBe(0);
    fake.configure({});
    await solveOn({ chunkRuns: 100 });
  });

  it('a lost device: a clear error, then a clear error on the next solve, and work again once it is back', async () => {
    fake.configure({ devices: 2, faults: 'device-lost-at:1' });
    const error = await failure({ devices: [1] });
    expect(error).toMatchObject({ code: 'CUDA_ERROR', details: { device: 1, contextLost: true } });
    const again = await failure({ devices: [1] });
    expect(again.message).toMatch(/cuDevicePrimaryCtxRetain failed with CUDA_ERROR_DEVICE_UNAVAILABLE .* while retaining the device's primary context on device 1/);
    await solveOn({ devices: [0] });
    fake.configure({ devices: 2 });
    await solveOn({ devices: [1] });
  });

  it('a device NVRTC does not know runs PTX; a refused PTX falls back to a CUBIN of its major version', async () => {
    fake.configure({ cc: '9.9' });
    await solveOn();
    expect(fake.stats()).toMatchObject({ ptxLoads: 1, cubinLoads: 0 });
    await releaseCudaKernels();
    fake.configure({ cc: '9.9', faults: 'refuse-ptx' });
    await solveOn();
    expect(fake.stats()).toMatchObject({ ptxLoads: 1, refusedImages: 1, cubinLoads: 1 });
  });

  it('a refused PTX with no CUBIN to fall back on names both versions', async () => {
    const nvrtc = nvrtcStatus().version!;
    fake.configure({ cc: '13.0', faults: 'refuse-ptx' });
    const error = await failure();
    expect(error.code).toBe('CUDA_ERROR');
    expect(error.message).toContain(`The CUDA driver (CUDA 13.0) refused the PTX that NVRTC ${nvrtc} built for compute_`);
    expect(error.message).toContain('CUDA_ERROR_UNSUPPORTED_PTX_VERSION');
    expect(fake.stats().launches).toBe(0);
  });

  it('a driver of an older CUDA major than NVRTC: refused before any compile, and auto does not pick CUDA', async () => {
    const nvrtc = nvrtcStatus().version!;
    const nvrtcMajor = Number(nvrtc.split('.')[0]);
    const older = (nvrtcMajor - 1) * 1000 + 40;
    fake.configure({ driverVersion: older });
    const error = await failure();
    expect(error.code).toBe('DRIVER_UNAVAILABLE');
    expect(error.message).toContain(`The CUDA driver supports CUDA ${nvrtcMajor - 1}.4, older than NVRTC ${nvrtc}: it cannot load the CUBIN or PTX`);
    expect(error.message).toContain(`nvidia-cuda-nvrtc-cu${nvrtcMajor - 1}`);
    expect(await cudaUsable()).toBe(false);
    expect(fake.stats()).toMatchObject({ cubinLoads: 0, ptxLoads: 0, launches: 0 });
    fake.configure({ driverVersion: nvrtcMajor * 1000 });
    expect(await cudaUsable()).toBe(true);
  });

  it('an architecture this NVRTC cannot build for is a clear error, not a crash', async () => {
    const nvrtc = nvrtcStatus();
    fake.configure({ cc: '7.0' });
    if (nvrtc.archs!.includes(70) || nvrtc.archs!.some((a) => a < 70)) {
      await solveOn(); // an NVRTC that still knows Volta builds a CUBIN for it
      expect(fake.stats().cubinLoads).toBe(1);
      return;
    }
    const error = await failure();
    expect(error.code).toBe('NVRTC_UNAVAILABLE');
    expect(error.message).toContain(`NVRTC ${nvrtc.version} cannot compile for sm_70: it builds for sm_${Math.min(...nvrtc.archs!)} to sm_`);
    expect(error.message).toContain('use NVRTC 12 for this GPU');
    expect(await cudaUsable()).toBe(false);
    expect(fake.stats().launches).toBe(0);
  });

  it('devices of two architectures each get their own CUBIN, under keys naming the architecture and NVRTC version', async () => {
    fake.configure({ devices: 2, cc: '8.0,9.0', launchDelayUs: 1000 });
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-cuda-cache-'));
    try {
      const result = await onCuda(new Solver(decay, { ...settings, cacheDir }), { devices: [0, 1], chunkRuns: 50 }).solver.solve({}, { k });
      expectSameBits(result.timeDomain, cpu.timeDomain, 'timeDomain');
      expect(fake.stats().cubinLoads).toBe(2);
      const entries = fs.readdirSync(path.join(cacheDir, decay.name)).filter((f) => f.endsWith('.cubin'));
      expect(entries).toHaveLength(2);
      const sm80 = cudaKeyContext({ kind: 'cubin', arch: 80 });
      const sm90 = cudaKeyContext({ kind: 'cubin', arch: 90 });
      expect(sm80.digest).not.toBe(sm90.digest);
      for (const entry of entries) expect(entry).toMatch(/^[0-9a-f]{64}\.cubin$/);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('block size: the user\'s is used; one the kernel cannot take is an INVALID_OPTION', async () => {
    await solveOn({ blockSize: 64 });
    expect(fake.stats().launchLog.every((l) => l.split(' ')[2] === '64')).toBe(true);
    await expect(failure({ blockSize: 2048 })).resolves.toMatchObject({ code: 'INVALID_OPTION', details: { where: 'blockSize' } });
    await releaseCudaKernels();
    fake.configure({ functionMaxThreads: 256 }); // as a kernel with many registers
    const tooBig = await failure({ blockSize: 512 });
    expect(tooBig.code).toBe('INVALID_OPTION');
    expect(tooBig.message).toContain('blockSize 512 is more than this kernel allows on device 0 (256 threads)');
    await solveOn(); // the occupancy calculator stays within it
    expect(fake.stats().launchLog.every((l) => Number(l.split(' ')[2]) <= 256)).toBe(true);
  });

  it('the double catches what a GPU would punish: a kernel writing past a buffer, an argument block of the wrong size', async () => {
    const cuda = onCuda(new Solver(decay, settings));
    await cuda.solver.solve({}, { k: [1, 2, 3, 4] });
    const [kernel] = cuda.kernels;
    const { scalars, buffers } = cuda.calls[0];
    // One save row (2 states x 4 runs) short: the kernel's last saves land in the guard zone.
    const short = [...buffers];
    short[0] = new Float32Array(buffers[0]!.length - 8);
    const error = (await kernel.run(scalars, short).catch((e) => e)) as CubieError;
    expect(error).toMatchObject({ code: 'CUDA_ERROR', details: { result: 'CUDA_ERROR_ILLEGAL_ADDRESS', contextLost: true } });
    // Caught after the launch; and again when the broken context, released, frees the buffer.
    expect(fake.stats().violations).toEqual(['the kernel wrote outside a 128-byte allocation', 'guard zone of a 128-byte device allocation overwritten']);
    fake.clearViolations();
    // The kernel's parameter (read with cuFuncGetParamInfo) is checked against the block cubie passes.
    await expect(kernel.run(scalars, [...buffers, null])).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/takes \d+ bytes of arguments; this solve passes \d+/),
    });
  });

  it('devices that do not exist are named', async () => {
    fake.configure({ devices: 2 });
    await expect(cudaKernelFor('', '', 'x', { devices: [3] })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('names device 3, but this machine has 2 device(s)') });
    await expect(cudaKernelFor('', '', 'x', { devices: [1, 1] })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('names device 1 twice') });
  });
});
