'use strict';
// Debian packages a bench needs for its baseline (Boost, SUNDIALS): installed
// with apt-get once per machine where that is possible (root, apt-get there),
// else a reason the bench prints as its skip message.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const lastLine = (text) => String(text || '').trim().split('\n').pop() || '';

/**
 * Makes sure `pkg` is installed, judged by `present()` (its headers exist).
 * Returns undefined when it is, else why not. CUBIE_BENCH_NO_INSTALL=1 never
 * installs; a failed install is remembered in a marker file so later runs on
 * the machine skip at once.
 */
function ensureAptPackage(pkg, present, progress) {
  if (present()) return undefined;
  const marker = path.join(os.tmpdir(), `cubie-bench-${pkg}-apt-tried`);
  if (process.env.CUBIE_BENCH_NO_INSTALL === '1') return `${pkg} is not installed and CUBIE_BENCH_NO_INSTALL=1`;
  if (fs.existsSync(marker)) return `${pkg} is not installed; apt-get install ${pkg} already failed on this machine (${marker})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return `${pkg} is not installed (install it as root: apt-get install ${pkg})`;
  if (spawnSync('apt-get', ['--version'], { encoding: 'utf8' }).error) return `${pkg} is not installed and there is no apt-get to install it with`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { encoding: 'utf8', env, timeout: 900e3, maxBuffer: 64 << 20 });
  progress(`installing ${pkg} with apt-get (once per machine)`);
  let r = install();
  if (r.status !== 0) {
    progress('apt-get update, then install again');
    spawnSync('apt-get', ['update'], { encoding: 'utf8', env, timeout: 300e3, maxBuffer: 64 << 20 });
    r = install();
  }
  if (r.status !== 0 || !present()) {
    fs.writeFileSync(marker, `${new Date().toISOString()}\n${r.stdout || ''}\n${r.stderr || ''}`);
    return `apt-get install ${pkg} failed: ${lastLine(r.stderr) || (r.error && r.error.message) || `exit status ${r.status}`}`;
  }
  return undefined;
}

module.exports = { ensureAptPackage };
