#!/usr/bin/env node
// A second NVRTC for the tests and the register bench: CUDA 13 dropped
// offline compilation for sm_70 (Volta), so showing that the kernels still
// build for it takes NVRTC 12, and NVIDIA's pip index here has only 13.
// Debian packages NVRTC 12 (non-free `libnvrtc12` and its builtins); this
// script reads the package index from deb.debian.org, downloads both
// packages, checks each against the SHA-256 the index gives, and unpacks the
// libraries into ./.nvrtc12 (git-ignored). Prints the library path.
//
// Without it the sm_70 checks are skipped; CUBIE_REQUIRE_NVRTC12=1 (set in
// CI) makes a failure exit 1. CUBIE_DEBIAN_MIRROR overrides the mirror.
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const root = path.join(__dirname, '..');
const target = path.join(root, '.nvrtc12');
const MIRROR = process.env.CUBIE_DEBIAN_MIRROR || 'https://deb.debian.org/debian';
// Stable first, then unstable, should a later stable release drop the package.
const SUITES = ['trixie', 'sid'];
const DEBIAN_ARCH = { x64: 'amd64', arm64: 'arm64' };
const MULTIARCH = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function localCopy() {
  const p = path.join(target, 'lib', 'libnvrtc.so.12');
  return fs.existsSync(p) ? p : undefined;
}

function download(url, redirects = 5) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { timeout: 20000 }, (res) => {
        if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
          res.resume();
          resolve(download(new URL(res.headers.location, url).toString(), redirects - 1));
          return;
        }
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
          return;
        }
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      })
      .on('timeout', function onTimeout() {
        this.destroy(new Error(`GET ${url}: timed out`));
      })
      .on('error', reject);
  });
}

/** The stanzas of a Debian Packages file, as maps of field to value. */
function parsePackages(text) {
  return text
    .split(/\n\n+/)
    .map((stanza) => {
      const fields = new Map();
      let last;
      for (const line of stanza.split('\n')) {
        if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
        else {
          const colon = line.indexOf(':');
          if (colon > 0) {
            last = line.slice(0, colon);
            fields.set(last, line.slice(colon + 1).trim());
          }
        }
      }
      return fields;
    })
    .filter((f) => f.has('Package'));
}

/** libnvrtc12 and the builtins package it depends on, from the first suite that has them. */
async function findPackages(arch) {
  const tried = [];
  for (const suite of SUITES) {
    const url = `${MIRROR}/dists/${suite}/non-free/binary-${arch}/Packages.gz`;
    let stanzas;
    try {
      stanzas = parsePackages(zlib.gunzipSync(await download(url)).toString('utf8'));
    } catch (e) {
      tried.push(`${url}: ${e.message}`);
      // No network (or no route to the mirror): the next suite would only wait as long again.
      if (!/HTTP \d+/.test(e.message)) break;
      continue;
    }
    const nvrtc = stanzas.find((s) => s.get('Package') === 'libnvrtc12');
    const builtinsName = /(libnvrtc-builtins[0-9.]+)/.exec(nvrtc?.get('Depends') ?? '')?.[1];
    const builtins = stanzas.find((s) => s.get('Package') === builtinsName && s.get('Version') === nvrtc.get('Version'));
    if (nvrtc && builtins) return { suite, packages: [nvrtc, builtins] };
    tried.push(`${url}: no libnvrtc12 with its builtins`);
  }
  throw new Error(`no libnvrtc12 from ${MIRROR}: ${tried.join('; ')}`);
}

/** The data archive of a .deb (an `ar` archive: debian-binary, control.tar.*, data.tar.*). */
function dataMember(deb, name) {
  if (deb.toString('latin1', 0, 8) !== '!<arch>\n') throw new Error(`${name} is not a Debian package (no ar header)`);
  let at = 8;
  while (at + 60 <= deb.length) {
    const member = deb.toString('latin1', at, at + 16).trim().replace(/\/$/, '');
    const size = Number(deb.toString('latin1', at + 48, at + 58).trim());
    const body = at + 60;
    if (!Number.isInteger(size) || body + size > deb.length) throw new Error(`${name}: truncated ar member ${member}`);
    if (member.startsWith('data.tar')) return { member, bytes: deb.subarray(body, body + size) };
    at = body + size + (size % 2);
  }
  throw new Error(`${name} has no data.tar member`);
}

async function fetchNvrtc12() {
  const arch = DEBIAN_ARCH[process.arch];
  if (!arch || process.platform !== 'linux') throw new Error(`no Debian NVRTC 12 for ${process.platform}/${process.arch}`);
  const { suite, packages } = await findPackages(arch);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-nvrtc12-'));
  try {
    const unpacked = path.join(work, 'root');
    fs.mkdirSync(unpacked);
    for (const pkg of packages) {
      const file = pkg.get('Filename');
      const deb = await download(`${MIRROR}/${file}`);
      const digest = crypto.createHash('sha256').update(deb).digest('hex');
      if (digest !== pkg.get('SHA256')) {
        throw new Error(`${file}: SHA-256 ${digest} does not match the index's ${pkg.get('SHA256')}`);
      }
      const { member, bytes } = dataMember(deb, file);
      const archive = path.join(work, member);
      fs.writeFileSync(archive, bytes);
      // GNU tar recognises the compression (xz, zstd, gzip) of a file it reads.
      const tar = spawnSync('tar', ['-xf', archive, '-C', unpacked], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`unpacking ${file}: ${tar.stderr || tar.error}`);
    }
    const libDir = path.join(unpacked, 'usr', 'lib', MULTIARCH[process.arch]);
    const staged = path.join(work, 'nvrtc12');
    fs.mkdirSync(path.join(staged, 'lib'), { recursive: true });
    // The names the loader asks for (libnvrtc.so.12, libnvrtc-builtins.so.12.N);
    // copying follows their symlinks to the versioned files.
    const sonames = fs.readdirSync(libDir).filter((n) => /^libnvrtc\.so\.12$|^libnvrtc-builtins\.so\.12\.\d+$/.test(n));
    for (const name of sonames) fs.copyFileSync(path.join(libDir, name), path.join(staged, 'lib', name));
    fs.writeFileSync(
      path.join(staged, 'SOURCE.txt'),
      `Debian ${suite} non-free, unpacked by scripts/fetch-nvrtc12.js:\n` +
        packages.map((p) => `${p.get('Package')} ${p.get('Version')} sha256 ${p.get('SHA256')}`).join('\n') +
        '\n',
    );
    if (!fs.existsSync(path.join(staged, 'lib', 'libnvrtc.so.12'))) throw new Error('the package held no libnvrtc.so.12');
    // Whole or not at all: a half-unpacked folder is never taken for a copy.
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staged, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return localCopy();
}

async function main() {
  const found = localCopy();
  if (found) {
    console.log(found);
    return 0;
  }
  console.error('cubie: fetching NVRTC 12 (for the sm_70 checks) from Debian into .nvrtc12/');
  try {
    console.log(await fetchNvrtc12());
    return 0;
  } catch (e) {
    const required = process.env.CUBIE_REQUIRE_NVRTC12 === '1';
    console.error(`cubie: could not fetch NVRTC 12: ${e.message}; ${required ? 'CUBIE_REQUIRE_NVRTC12=1, so this is an error' : 'the sm_70 checks will be skipped'}`);
    return required ? 1 : 0;
  }
}

if (require.main === module) main().then((code) => (process.exitCode = code));
module.exports = { localCopy };
