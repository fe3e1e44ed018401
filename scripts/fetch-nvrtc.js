#!/usr/bin/env node
// Makes sure the test suite has an NVRTC: when none can be found, installs
// NVIDIA's `nvidia-cuda-nvrtc` wheel with pip into ./.nvrtc (git-ignored).
// Prints the library path it settled on. With CUBIE_REQUIRE_NVRTC=1 a
// failure exits non-zero; otherwise NVRTC tests are skipped.
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const target = path.join(root, '.nvrtc');
const WHEEL_LAYOUTS = ['nvidia/cu13/lib', 'nvidia/cuda_nvrtc/lib', 'nvidia/cu12/lib'];
const LIBRARIES = ['libnvrtc.so.13', 'libnvrtc.so.12', 'libnvrtc.so.11'];

function localCopy() {
  for (const layout of WHEEL_LAYOUTS) {
    for (const lib of LIBRARIES) {
      const p = path.join(target, layout, lib);
      if (fs.existsSync(p)) return p;
    }
  }
  return undefined;
}

/** NVRTC the library itself would find (needs the build; absent build means "not found"). */
function foundByCubie() {
  try {
    const probe = execFileSync(process.execPath, ['-e', "const s=require('./dist/native/nvrtc').nvrtcStatus();if(s.available)console.log(s.path)"], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return probe || undefined;
  } catch {
    return undefined;
  }
}

function pipInstall() {
  const spec = process.env.CUBIE_NVRTC_WHEEL || 'nvidia-cuda-nvrtc';
  for (const python of ['python3', 'python']) {
    const run = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, spec], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.error && run.error.code === 'ENOENT') continue;
    return run.status === 0;
  }
  return false;
}

function main() {
  const found = localCopy() || foundByCubie();
  if (found) {
    console.log(found);
    return 0;
  }
  console.error('cubie: no NVRTC found; installing the nvidia-cuda-nvrtc wheel into .nvrtc/ with pip');
  const installed = pipInstall() && localCopy();
  if (installed) {
    console.log(installed);
    return 0;
  }
  console.error('cubie: could not install NVRTC with pip; NVRTC tests will be skipped');
  return process.env.CUBIE_REQUIRE_NVRTC === '1' ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
module.exports = { localCopy };
