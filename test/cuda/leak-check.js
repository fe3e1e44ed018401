#!/usr/bin/env node
// The addon's CUDA paths under a memory checker: solves on the driver test
// double through every path (several devices and chunks, out-of-memory
// retries, a kernel failure and the context reset after it, a lost device,
// cancellation, a refused PTX), then everything released. Run it twice, the
// second time under valgrind (the first fills the caches, so that no NVRTC
// compile runs under valgrind):
//
//   npm run build:ts && node test/cuda/leak-check.js
//   valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
//     --num-callers=30 --suppressions=test/cuda/valgrind.supp --error-exitcode=3 \
//     node test/cuda/leak-check.js
//
// It exits non-zero when a result differs from the CPU backend's, a fault
// does not give its error, or the double's books show anything left behind.
'use strict';
const path = require('path');

const root = path.join(__dirname, '..', '..');
const dist = (p) => require(path.join(root, 'dist', p));
const { buildFakeCuda } = require(path.join(root, 'test', 'support', 'fake-cuda', 'build.js'));
const fs = require('fs');

const fakeBuild = buildFakeCuda();
process.env.CUBIE_LIBCUDA_PATH = fakeBuild.library;
process.env.CUBIE_FAKE_CUDA_HOST_KERNELS = fakeBuild.hostKernels;
if (!process.env.CUBIE_NVRTC_PATH) process.env.CUBIE_NVRTC_PATH = require(path.join(root, 'scripts', 'fetch-nvrtc.js')).localCopy();
if (!process.env.CUBIE_CACHE_DIR) process.env.CUBIE_CACHE_DIR = path.join(root, '.cubie-test-cache');

const control = { exports: {} };
process.dlopen(control, fakeBuild.library);
const fake = {
  configure: (s = {}) => control.exports.configure({ hostKernels: fakeBuild.hostKernels, ...s }),
  stats: () => JSON.parse(control.exports.stats()),
};

const { Solver } = dist('index.js');
const { cudaKernelFor, releaseCudaKernels } = dist('backends/cuda/cuda-backend.js');
const { compileHostLibrary } = dist('backends/cpu/build.js');
const { sha256Hex } = dist('cache/key.js');
const { compilePlan } = dist('codegen/compile-plan.js');
const { generateKernel } = dist('codegen/generate.js');

function check(condition, what) {
  if (!condition) throw new Error(`leak-check: ${what}`);
}

function onCuda(solver, run = {}) {
  solver.kernel = async (options, plan = compilePlan(solver.system, options)) => {
    const source = generateKernel(solver.system, plan).source;
    const digest = /cubie-source:([0-9a-f]{64})/.exec(source)[1];
    const file = path.join(fakeBuild.hostKernels, `${digest}.so`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, (await compileHostLibrary(source, 'leak-check')).image);
    const { kernel, info } = await cudaKernelFor(source, sha256Hex(source), solver.system.name, { ...options, devices: run.devices });
    return { kernel: { run: (s, b, o) => kernel.run(s, b, { ...o, ...run }) }, info };
  };
  return solver;
}

function sameBits(a, b, what) {
  check(a.length === b.length, `${what}: lengths differ`);
  for (let i = 0; i < a.length; i++) check(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

async function expectFailure(promise, pattern, what) {
  try {
    await promise;
  } catch (e) {
    check(pattern.test(e.message), `${what}: unexpected error ${e.message}`);
    return;
  }
  throw new Error(`leak-check: ${what} did not fail`);
}

function expectClean(what) {
  const s = fake.stats();
  check(s.violations.length === 0, `${what}: driver misuse: ${s.violations.join('; ')}`);
  check(s.liveAllocations === 0 && s.liveHostAllocations === 0 && s.liveStreams === 0 && s.liveEvents === 0, `${what}: left behind ${JSON.stringify(s)}`);
}

async function main() {
  const system = { name: 'leak_check', equations: ['dx = -k*x + sin(t)', 'dy = x - y'], states: { x: 1, y: 0 }, parameters: { k: 1 } };
  const settings = { method: 'tsit5', precision: 'float64', duration: 1, saveEvery: 0.1, outputTypes: ['state', 'mean', 'iteration_counters'] };
  const k = Float64Array.from({ length: 500 }, (_, i) => 0.1 + i * 0.01);
  // Portable: valgrind (3.19) cannot decode the AVX-512 a native build may use on this machine.
  const cpu = await new Solver(system, { ...settings, backend: 'cpu', cpuTarget: 'portable', cpuLanes: 1 }).solve({}, { k }); // the scalar engine, as the driver double runs it
  const solve = (run, options) => onCuda(new Solver(system, settings), run).solve({}, { k }, options);

  fake.configure({ devices: 3, launchDelayUs: 500 });
  sameBits((await solve({ devices: [0, 1, 2], chunkRuns: 40 })).timeDomain, cpu.timeDomain, 'three devices');
  expectClean('three devices');

  fake.configure({ freeBytes: 1 << 20, capacityBytes: 24 << 10, faults: 'host-oom-at:2,launch-oom-at:3' });
  sameBits((await solve()).summaries, cpu.summaries, 'out-of-memory retries');
  expectClean('out-of-memory retries');

  fake.configure({ faults: 'launch-fail-at:2' });
  await expectFailure(solve({ chunkRuns: 100 }), /CUDA_ERROR_LAUNCH_FAILED/, 'launch failure');
  fake.configure({});
  sameBits((await solve({ chunkRuns: 100 })).timeDomain, cpu.timeDomain, 'after a launch failure');
  expectClean('launch failure');

  fake.configure({ devices: 2, faults: 'device-lost-at:1' });
  await expectFailure(solve({ devices: [1] }), /CUDA_ERROR_(LAUNCH_FAILED|DEVICE_UNAVAILABLE)/, 'device lost');
  await expectFailure(solve({ devices: [1] }), /CUDA_ERROR_DEVICE_UNAVAILABLE/, 'lost device again');
  expectClean('device lost');

  fake.configure({ launchDelayUs: 5000 });
  const controller = new AbortController();
  await expectFailure(solve({ chunkRuns: 50 }, { signal: controller.signal, onProgress: () => controller.abort() }), /aborted/, 'cancellation');
  expectClean('cancellation');

  await releaseCudaKernels();
  fake.configure({ cc: '13.0', faults: 'refuse-ptx' });
  await expectFailure(solve(), /refused the PTX/, 'refused PTX');
  expectClean('refused PTX');

  await releaseCudaKernels();
  const s = fake.stats();
  check(s.liveModules === 0 && s.devices.every((d) => d.retains === 0), `modules or contexts left: ${JSON.stringify(s.devices)}`);
  expectClean('the end');
  console.log('leak-check: every path ran; the driver double\'s books are clean');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
