// Builds the CUDA driver test double (fake_cuda.cc) into build/fake-cuda/libcuda.so.1
// when the source is newer than the library. Used by the jest global setup,
// the CUDA test helpers and scripts that check the addon under valgrind.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..', '..', '..');
const source = path.join(__dirname, 'fake_cuda.cc');
const outDir = path.join(root, 'build', 'fake-cuda');
const library = path.join(outDir, 'libcuda.so.1');
const hostKernels = path.join(outDir, 'kernels');

/** node_api.h: beside this Node (a standard install), in node-gyp's header cache, or under --nodedir. */
function nodeIncludeDir() {
  const version = process.versions.node;
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    path.join(os.homedir(), '.cache', 'node-gyp', version, 'include', 'node'),
    path.join(os.homedir(), '.node-gyp', version, 'include', 'node'),
    '/usr/include/node',
  ].filter(Boolean);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (!found) throw new Error(`fake libcuda: node_api.h not found (looked in ${candidates.join(', ')}); run node-gyp once to fetch the headers`);
  return found;
}

function upToDate() {
  try {
    const built = fs.statSync(library).mtimeMs;
    return built >= fs.statSync(source).mtimeMs && built >= fs.statSync(__filename).mtimeMs;
  } catch {
    return false;
  }
}

/** Builds the library if needed; returns where it and the host kernels live. */
function buildFakeCuda() {
  fs.mkdirSync(hostKernels, { recursive: true });
  if (!upToDate()) {
    const tmp = `${library}.${process.pid}.tmp`;
    const cxx = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
    try {
      execFileSync(
        cxx,
        ['-std=c++17', '-O1', '-g', '-fPIC', '-shared', '-Wall', '-Wextra', '-pthread', '-I', nodeIncludeDir(), source, '-o', tmp, '-ldl'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      fs.renameSync(tmp, library);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`fake libcuda: build failed: ${e.stderr ? e.stderr.toString() : e.message}`);
    }
  }
  return { library, hostKernels };
}

module.exports = { buildFakeCuda, library, hostKernels };

if (require.main === module) console.log(buildFakeCuda().library);
