#!/usr/bin/env node
// `npm run test:gpu`: the numerical tests on a real GPU (test/cuda/gpu/*.gpu.ts),
// through the CUDA backend. Where no usable device is found it says why and
// exits 0 without running (or counting) any test. Needs dist/ built (for the
// device check) and NVRTC. Arguments go to jest.
//
// CUBIE_TEST_GPU_FAKE=1 runs the same files on the CUDA driver test double
// (test/support/fake-cuda), to check the suite itself on a machine without a GPU.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');

function main() {
  const env = { ...process.env };
  if (env.CUBIE_TEST_GPU_FAKE === '1') {
    const { buildFakeCuda } = require(path.join(root, 'test', 'support', 'fake-cuda', 'build.js'));
    const fake = buildFakeCuda();
    env.CUBIE_LIBCUDA_PATH = fake.library;
    env.CUBIE_FAKE_CUDA_HOST_KERNELS = fake.hostKernels;
    env.CUBIE_FAKE_CUDA_DEVICES = env.CUBIE_FAKE_CUDA_DEVICES || '2';
    console.log('cubie test:gpu: on the CUDA driver test double (CUBIE_TEST_GPU_FAKE=1), not a GPU');
  }
  if (!env.CUBIE_NVRTC_PATH) {
    const { localCopy } = require(path.join(root, 'scripts', 'fetch-nvrtc.js'));
    const local = localCopy();
    if (local) env.CUBIE_NVRTC_PATH = local;
  }
  const check = spawnSync(
    process.execPath,
    ['-e', "require('./dist/backends/cuda/devices').cudaUnavailableReason('all').then((r) => process.stdout.write(JSON.stringify({ reason: r === undefined ? null : r })))"],
    { cwd: root, env, encoding: 'utf8' },
  );
  if (check.status !== 0) {
    console.error(`cubie test:gpu: could not check for a GPU (is dist/ built? npm run build:ts):\n${check.stderr}`);
    return 1;
  }
  const { reason } = JSON.parse(check.stdout);
  if (reason !== null) {
    console.log(`cubie test:gpu: no usable CUDA device here: ${reason}`);
    console.log('cubie test:gpu: the GPU suite did not run (0 tests run, none counted as passed).');
    return 0;
  }
  const jest = require.resolve('jest/bin/jest', { paths: [root] });
  const run = spawnSync(process.execPath, [jest, '--testMatch', '<rootDir>/test/cuda/gpu/**/*.gpu.ts', '--runInBand', ...process.argv.slice(2)], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  return run.status === null ? 1 : run.status;
}

process.exitCode = main();
