// Runs once before the suite: makes sure an NVRTC is on hand (fetching the
// pip wheel into .nvrtc/ when none is found), fetches NVRTC 12 into .nvrtc12/
// for the sm_70 checks, and builds the CUDA driver test double into
// build/fake-cuda/.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

module.exports = async function globalSetup() {
  const script = path.join(__dirname, '..', '..', 'scripts', 'fetch-nvrtc.js');
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = (run.stdout || '').trim().split('\n').pop();
  if (run.status !== 0) throw new Error('NVRTC is required (CUBIE_REQUIRE_NVRTC=1) but could not be found or installed');
  if (found && !process.env.CUBIE_NVRTC_PATH) process.env.CUBIE_NVRTC_PATH = found;
  // NVRTC 12 for the sm_70 checks (test/cuda/sm70.test.ts); they skip without it unless CUBIE_REQUIRE_NVRTC12=1.
  const volta = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'fetch-nvrtc12.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (volta.status !== 0) throw new Error('NVRTC 12 is required (CUBIE_REQUIRE_NVRTC12=1) but could not be fetched');
  // The CUDA driver test double (test/support/fake-cuda), built once here rather than by each test file.
  require('./fake-cuda/build.js').buildFakeCuda();
};
