#!/usr/bin/env node
'use strict';
// `npm run gpu:bundle`: everything a GPU machine without Node.js and without
// a network needs to check cubie there, in .gpu-bundle/ (git-ignored), at most
// 60 MiB:
//   run.sh            the entry point: `OUT=results bash .gpu-bundle/run.sh`
//   node.gz           this machine's Node.js binary, gzip-compressed
//   payload.tar.gz    app/: package.json, bin/cubie.js, dist/ (JavaScript only),
//                     kernel/, build/Release/cubie.node, the runtime
//                     dependencies' node_modules, check/ (the check's scripts,
//                     the CPU references of the numerical checks) and syslib/
//                     (this machine's C and C++ runtime, used only where the
//                     GPU machine's are too old for node or the addon)
//   MANIFEST.json     what is inside, sizes, versions, the commit
//
//   node scripts/gpu-bundle/build.js [--out DIR]
// Needs dist/ (npm run build:ts) and the addon (build/Release/cubie.node).
const { execFileSync, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { tarTree } = require('./tar');
const { makeRefs } = require('./make-refs');

const ROOT = path.join(__dirname, '..', '..');
const KIT = path.join(__dirname, 'kit');
const LIMIT = 60 * 2 ** 20;
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cubie-gpu-bundle');

/**
 * package.json dependencies the check does not load at run time, and why.
 * Everything else in `dependencies` is bundled with its own dependencies.
 */
const NOT_AT_RUN_TIME = {
  'node-addon-api': 'C++ headers for building the addon; the bundle carries the built addon',
  vega: "only `cubie plot` loads it (dynamic import in dist/cli/vega.js); the check never plots",
  'vega-lite': 'the same: only `cubie plot`',
};
/** Parts of bundled packages that CommonJS code under Node.js never loads. */
const PRUNE = {
  mathjs: ['lib/browser', 'lib/esm', 'types', 'bin'],
  yaml: ['browser'],
  '@babel/runtime': ['helpers/esm', 'regenerator'],
};
const DROP_FILE = /\.(md|markdown|map|d\.ts|d\.mts|d\.cts|ts)$|^(CHANGELOG|HISTORY|CONTRIBUTING|AUTHORS)(\..*)?$/i;
const DROP_DIR = new Set(['test', 'tests', '__tests__', 'docs', 'doc', 'example', 'examples', '.github']);

const say = (s) => process.stdout.write(`gpu:bundle: ${s}\n`);
const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;

function copyTree(src, dst, { filter = () => true, rel = '' } = {}) {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    if (rel && !filter(rel, true)) return;
    fs.mkdirSync(dst, { recursive: true });
    for (const e of fs.readdirSync(src)) copyTree(path.join(src, e), path.join(dst, e), { filter, rel: rel ? `${rel}/${e}` : e });
  } else if (st.isFile()) {
    if (!filter(rel, false)) return;
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
    fs.chmodSync(dst, st.mode & 0o777);
  }
}

function treeBytes(dir) {
  let n = 0;
  const walk = (p) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else if (st.isFile()) n += st.size;
  };
  if (fs.existsSync(dir)) walk(dir);
  return n;
}

/** The runtime dependency closure: package name -> its folder, from package.json's dependencies. */
function runtimePackages() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const found = new Map();
  const queue = Object.keys(pkg.dependencies || {}).filter((d) => !(d in NOT_AT_RUN_TIME)).map((name) => [name, ROOT]);
  while (queue.length) {
    const [name, from] = queue.shift();
    if (found.has(name)) continue;
    // Node's lookup: the requiring package's own node_modules, then upwards to the root's.
    let dir = null;
    for (let base = from; ; base = path.dirname(base)) {
      const candidate = path.join(base, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) {
        dir = candidate;
        break;
      }
      if (base === ROOT || base === path.dirname(base)) break;
    }
    if (!dir) throw new Error(`runtime dependency '${name}' is not installed (npm install)`);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    found.set(name, { dir, version: meta.version });
    for (const d of Object.keys({ ...(meta.dependencies || {}), ...(meta.optionalDependencies || {}) })) queue.push([d, dir]);
  }
  return found;
}

function packageFilter(name) {
  const pruned = PRUNE[name] || [];
  return (rel, isDir) => {
    if (rel === 'node_modules' || rel.startsWith('node_modules/')) return false; // nested copies are walked as packages of their own
    if (pruned.some((p) => rel === p || rel.startsWith(`${p}/`))) return false;
    const base = path.basename(rel);
    if (isDir) return !DROP_DIR.has(base);
    return !DROP_FILE.test(base) || /^license/i.test(base);
  };
}

/** The C and C++ runtime of this machine (ld.so, libc, libm, libstdc++...), for GPU machines with older ones. */
function systemLibraries(dst) {
  const want = new Map();
  for (const target of [process.execPath, path.join(ROOT, 'build', 'Release', 'cubie.node')]) {
    let out = '';
    try {
      out = execFileSync('ldd', [target], { encoding: 'utf8' });
    } catch (e) {
      return { skipped: `ldd failed (${e.message.split('\n')[0]}): no fallback C library in the bundle` };
    }
    for (const line of out.split('\n')) {
      const m = /^\s*(\S+)\s+=>\s+(\/\S+)/.exec(line) || /^\s*(\/\S*ld-linux[^\s]*)\s/.exec(line);
      if (!m) continue;
      if (m[2]) want.set(m[1], m[2]);
      else want.set(path.basename(m[1]), m[1]);
    }
  }
  // the glibc pieces libcuda and NVRTC need besides, from the same folder as libc
  const libc = want.get('libc.so.6');
  if (libc) for (const extra of ['libdl.so.2', 'libpthread.so.0', 'librt.so.1', 'libm.so.6']) {
    const p = path.join(path.dirname(libc), extra);
    if (!want.has(extra) && fs.existsSync(p)) want.set(extra, p);
  }
  const loader = [...want.keys()].find((k) => k.startsWith('ld-linux'));
  if (!loader || !libc) return { skipped: 'no ld-linux or libc found by ldd: no fallback C library in the bundle' };
  fs.mkdirSync(dst, { recursive: true });
  for (const [soname, file] of want) {
    const target = path.join(dst, soname === loader ? 'ld-linux-x86-64.so.2' : soname);
    fs.copyFileSync(fs.realpathSync(file), target);
    fs.chmodSync(target, 0o755);
  }
  let glibc = null;
  try {
    glibc = process.report.getReport().header.glibcVersionRuntime;
  } catch {
    // not reported
  }
  return { libraries: [...want.keys()].sort(), glibc };
}

/** gzip of this Node.js binary, kept between builds (it takes seconds). */
function compressedNode() {
  const st = fs.statSync(process.execPath);
  const key = crypto.createHash('sha256').update(`gzip6|${process.execPath}|${process.version}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 16);
  const cached = path.join(CACHE, `node-${process.version}-${key}.gz`);
  if (!fs.existsSync(cached)) {
    const t = Date.now();
    const gz = zlib.gzipSync(fs.readFileSync(process.execPath), { level: 6 }); // level 9 saves 0.1 MiB and takes 4x longer
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(`${cached}.${process.pid}.tmp`, gz);
    fs.renameSync(`${cached}.${process.pid}.tmp`, cached);
    say(`compressed ${process.execPath} (${mib(st.size)}) to ${mib(gz.length)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return { file: cached, size: st.size };
}

/** The CPU references, kept between builds while dist/, kernel/ and the case list are unchanged. */
async function references(dst) {
  const hash = crypto.createHash('sha256');
  const walk = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    else if (/\.(js|h|hpp|cuh)$/.test(p)) hash.update(p.slice(ROOT.length)).update(fs.readFileSync(p));
  };
  for (const p of ['dist', 'kernel', 'scripts/gpu-bundle/kit/cases.js', 'scripts/gpu-bundle/make-refs.js']) walk(path.join(ROOT, p));
  const key = hash.digest('hex').slice(0, 16);
  const cached = path.join(CACHE, `refs-${key}`);
  if (!fs.existsSync(path.join(cached, 'manifest.json'))) {
    const tmp = `${cached}.${process.pid}.tmp`;
    await makeRefs(tmp, ROOT, (s) => say(`references: ${s}`));
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(tmp, cached);
    for (const old of fs.readdirSync(CACHE).filter((e) => e.startsWith('refs-') && e !== `refs-${key}` && !e.endsWith('.tmp'))) {
      fs.rmSync(path.join(CACHE, old), { recursive: true, force: true });
    }
  } else {
    say(`references: unchanged inputs, reusing ${path.relative(ROOT, cached)}`);
  }
  copyTree(cached, dst);
  return JSON.parse(fs.readFileSync(path.join(cached, 'manifest.json'), 'utf8'));
}

function gitDescribe() {
  const git = (args) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src', 'native', 'kernel', 'scripts/gpu-bundle']);
  return { commit, modifiedSources: dirty === null ? null : dirty.length > 0 };
}

async function build({ out = path.join(ROOT, '.gpu-bundle') } = {}) {
  const started = Date.now();
  for (const need of ['dist/index.js', 'build/Release/cubie.node', 'bin/cubie.js', 'kernel']) {
    if (!fs.existsSync(path.join(ROOT, need))) throw new Error(`${need} is missing: run \`npm run build:ts\` (dist/) or \`npm install\` (the addon) first`);
  }
  const staging = `${out}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const app = path.join(staging, 'app');
  fs.mkdirSync(app, { recursive: true });

  // cubie itself
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  copyTree(path.join(ROOT, 'bin', 'cubie.js'), path.join(app, 'bin', 'cubie.js'));
  copyTree(path.join(ROOT, 'dist'), path.join(app, 'dist'), { filter: (rel, isDir) => isDir || /\.(js|mjs|cjs|json)$/.test(rel) });
  copyTree(path.join(ROOT, 'kernel'), path.join(app, 'kernel'));
  copyTree(path.join(ROOT, 'build', 'Release', 'cubie.node'), path.join(app, 'build', 'Release', 'cubie.node'));

  // runtime dependencies
  const packages = runtimePackages();
  for (const [name, { dir }] of packages) copyTree(dir, path.join(app, 'node_modules', name), { filter: packageFilter(name) });

  // the check
  const check = path.join(app, 'check');
  copyTree(KIT, check, { filter: (rel) => rel !== 'run.sh' });
  const refs = await references(path.join(check, 'refs'));
  const syslib = systemLibraries(path.join(app, 'syslib'));

  const sizes = {
    dist: treeBytes(path.join(app, 'dist')),
    kernel: treeBytes(path.join(app, 'kernel')),
    addon: fs.statSync(path.join(app, 'build', 'Release', 'cubie.node')).size,
    node_modules: Object.fromEntries([...packages.keys()].map((n) => [n, treeBytes(path.join(app, 'node_modules', n))])),
    check: treeBytes(check) - treeBytes(path.join(check, 'refs')),
    refs: treeBytes(path.join(check, 'refs')),
    syslib: treeBytes(path.join(app, 'syslib')),
  };
  const git = gitDescribe();
  const bundleInfo = {
    createdAt: new Date().toISOString(),
    cubie: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    git,
    builtOn: { hostname: os.hostname(), node: process.version, platform: `${process.platform}-${process.arch}` },
    dependencies: Object.fromEntries([...packages].map(([n, p]) => [n, p.version])),
    leftOut: NOT_AT_RUN_TIME,
    references: { createdAt: refs.createdAt, cases: refs.cases.length, host: refs.host },
    syslib,
  };
  fs.writeFileSync(path.join(check, 'bundle.json'), JSON.stringify(bundleInfo, null, 2) + '\n');

  // pack
  const t = Date.now();
  const { tar, files } = tarTree(app, 'app');
  const payload = zlib.gzipSync(tar, { level: 9 });
  fs.rmSync(app, { recursive: true, force: true });
  fs.writeFileSync(path.join(staging, 'payload.tar.gz'), payload);
  const node = compressedNode();
  fs.copyFileSync(node.file, path.join(staging, 'node.gz'));
  fs.copyFileSync(path.join(KIT, 'run.sh'), path.join(staging, 'run.sh'));
  fs.chmodSync(path.join(staging, 'run.sh'), 0o755);
  const id = crypto.createHash('sha256').update(payload).update(fs.readFileSync(path.join(staging, 'node.gz'))).digest('hex').slice(0, 16);
  fs.writeFileSync(path.join(staging, 'BUNDLE_ID'), `${id}\n`);
  const nodeGz = fs.statSync(path.join(staging, 'node.gz')).size;
  const manifest = {
    ...bundleInfo,
    id,
    files: { 'run.sh': fs.statSync(path.join(staging, 'run.sh')).size, 'node.gz': nodeGz, 'payload.tar.gz': payload.length },
    payload: { files, unpackedBytes: tar.length, packSeconds: (Date.now() - t) / 1000 },
    unpacked: { node: node.size, ...sizes },
    limitBytes: LIMIT,
  };
  fs.writeFileSync(path.join(staging, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
  const total = treeBytes(staging);
  manifest.totalBytes = total;
  fs.writeFileSync(path.join(staging, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');

  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(staging, out);

  say(`${path.relative(process.cwd(), out) || out}: ${mib(total)} (limit ${mib(LIMIT)}), id ${id}, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(`  node.gz          ${mib(nodeGz).padStart(10)}   Node.js ${process.version} (${mib(node.size)} unpacked)`);
  say(`  payload.tar.gz   ${mib(payload.length).padStart(10)}   ${files} files, ${mib(tar.length)} unpacked:`);
  say(`      dist/ ${mib(sizes.dist)}, kernel/ ${mib(sizes.kernel)}, addon ${mib(sizes.addon)}, check/ ${mib(sizes.check)}, references ${mib(sizes.refs)}, syslib/ ${mib(sizes.syslib)}${syslib.skipped ? ` (${syslib.skipped})` : ''}`);
  say(`      node_modules: ${Object.entries(sizes.node_modules).map(([n, b]) => `${n} ${mib(b)}`).join(', ')}`);
  say(`      left out: ${Object.keys(NOT_AT_RUN_TIME).join(', ')} (not loaded at run time)`);
  if (total > LIMIT) throw new Error(`the bundle is ${mib(total)}, over the ${mib(LIMIT)} limit`);
  return { out, manifest };
}

module.exports = { build };

if (require.main === module) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  build(i >= 0 ? { out: path.resolve(args[i + 1]) } : {}).catch((e) => {
    process.stderr.write(`gpu:bundle: ${e.message}\n`);
    process.exit(1);
  });
}
