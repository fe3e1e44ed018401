// Each test file sees the NVRTC the global setup settled on, and a private cache.
'use strict';
const path = require('path');
const { localCopy } = require('../../scripts/fetch-nvrtc.js');

const root = path.join(__dirname, '..', '..');
if (!process.env.CUBIE_NVRTC_PATH) {
  const local = localCopy();
  if (local) process.env.CUBIE_NVRTC_PATH = local;
}
if (!process.env.CUBIE_CACHE_DIR) process.env.CUBIE_CACHE_DIR = path.join(root, '.cubie-test-cache');
