import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { KeyContext, sha256Hex } from '../../cache/key';
import { untrustedReason } from '../../cache/trust';
import { CubieError } from '../../shared/errors';
import type { CpuTarget } from '../../options/solve-options';
import { kernelHeaders, kernelIncludeDir } from '../../codegen/kernel-source';
import { hostCompilerStatus, resolveOnPath } from './host-compiler';

const execFileAsync = promisify(execFile);

/**
 * Flags every host build gets; they are part of the key. `-ffp-contract=off`
 * keeps the compiler from fusing a*b + c into one FMA instruction where the
 * target has one: with it, a 'native' build (which may have FMA) and a
 * 'portable' one (x86-64 has none) round every operation alike and give the
 * same numbers bit for bit, so `cpuTarget` only changes speed.
 */
export const HOST_FLAGS = ['-std=c++17', '-O3', '-fno-math-errno', '-ffp-contract=off', '-fno-tree-vectorize', '-fPIC', '-shared'];

export type { CpuTarget };

/** The flags a CPU target adds to HOST_FLAGS: 'portable' is the compiler's baseline ISA (x86-64: SSE2). */
export function cpuTargetFlags(cpuTarget: CpuTarget): string[] {
  return cpuTarget === 'native' ? ['-march=native'] : [];
}

/** Every flag of a host build for a target, in order, before the include folder and the files. */
export function hostFlags(cpuTarget: CpuTarget): string[] {
  return [...HOST_FLAGS, ...cpuTargetFlags(cpuTarget)];
}

export interface HostLibrary {
  /** The shared library's bytes: what the cache stores and CpuKernel.load maps. */
  image: Buffer;
  compileMs: number;
}

async function availableCompiler(): Promise<{ path: string; version: string }> {
  const compiler = await hostCompilerStatus();
  if (!compiler.available) {
    throw new CubieError('HOST_COMPILER_UNAVAILABLE', `The CPU backend needs a C++17 compiler: ${compiler.error}`, { where: 'CXX' });
  }
  return { path: compiler.path!, version: compiler.version ?? '' };
}

/**
 * `c++ --version` costs a process spawn (about 7 ms), a third of a disk hit
 * in a fresh process. Its answer only changes when the compiler binary does,
 * so it is memoized on disk, in the cache root, under a name derived from
 * the binary's identity (path, resolved path, size, mtime): an upgrade or a
 * switch of alternatives is a new name, hence a fresh probe.
 */
function compilerMemoFile(root: string): { file: string; resolved: string; identity: string } | undefined {
  const command = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
  const resolved = resolveOnPath(command);
  if (resolved === undefined) return undefined;
  try {
    const real = fs.realpathSync(resolved);
    const stat = fs.statSync(real);
    const identity = sha256Hex(`${resolved}\0${real}\0${stat.size}\0${stat.mtimeMs}`).slice(0, 32);
    return { file: path.join(root, `.compiler-${identity}`), resolved, identity };
  } catch {
    return undefined;
  }
}

function readCompilerMemo(file: string, maxBytes = 4096): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const stat = fs.fstatSync(fd);
    // It feeds the key: only a memo this user wrote counts.
    if (!stat.isFile() || stat.size > maxBytes || untrustedReason(stat, false) !== undefined) return undefined;
    const version = fs.readFileSync(fd, 'utf8');
    return version.length > 0 && !version.includes('\n') ? version : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeCompilerMemo(file: string, version: string): void {
  if (!fs.existsSync(path.dirname(file)) || version.length === 0 || version.includes('\n')) return;
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, version, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

async function compilerIdentity(root: string | undefined): Promise<{ path: string; version: string }> {
  const memo = root === undefined ? undefined : compilerMemoFile(root);
  const remembered = memo === undefined ? undefined : readCompilerMemo(memo.file);
  if (memo !== undefined && remembered !== undefined) return { path: memo.resolved, version: remembered };
  const compiler = await availableCompiler();
  if (memo !== undefined && compiler.path === memo.resolved) writeCompilerMemo(memo.file, compiler.version);
  return compiler;
}

/**
 * What `-march=native` means to this compiler on this CPU: the CPU model it
 * picks, the tuning, and every instruction-set feature it enables, sorted.
 * The features, not the model name, are what a kernel may execute: two nodes
 * with one model name can differ (a VM that hides AVX-512, a BIOS that turns
 * something off), and then they differ here.
 */
export interface NativeIsa {
  cpu: string;
  tune: string;
  features: string[];
}

function unquote(token: string): string {
  return token.replace(/^"(.*)"$/, '$1');
}

/**
 * Reads the compiler driver's `-### -march=native` plan. GCC passes the
 * resolved target to cc1plus as `-march=<cpu> -m<feature> -mno-<feature>
 * ... -mtune=<cpu>`; clang passes `-target-cpu <cpu> -target-feature
 * +<feature> ... -tune-cpu <cpu>`. Anything else is not understood
 * (undefined): the build then stays portable.
 */
export function parseNativeIsa(driverOutput: string): NativeIsa | undefined {
  for (const line of driverOutput.split('\n')) {
    const tokens = (line.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map(unquote);
    const clangCpu = tokens.indexOf('-target-cpu');
    if (clangCpu >= 0 && tokens[clangCpu + 1]) {
      const features = new Set<string>();
      tokens.forEach((t, i) => {
        if (t === '-target-feature' && tokens[i + 1]?.startsWith('+')) features.add(tokens[i + 1].slice(1));
      });
      const tuneAt = tokens.indexOf('-tune-cpu');
      return { cpu: tokens[clangCpu + 1], tune: tuneAt >= 0 ? (tokens[tuneAt + 1] ?? '') : '', features: [...features].sort() };
    }
    const march = tokens.find((t) => t.startsWith('-march='));
    if (march !== undefined && march !== '-march=native' && tokens.some((t) => /cc1/.test(path.basename(t)))) {
      const features = new Set<string>();
      for (const t of tokens) {
        const m = /^-m(?!no-)(?!arch=|tune=)([a-z0-9][a-z0-9._-]*)$/.exec(t);
        if (m) features.add(m[1]);
      }
      const tune = tokens.find((t) => t.startsWith('-mtune='));
      return { cpu: march.slice('-march='.length), tune: tune ? tune.slice('-mtune='.length) : '', features: [...features].sort() };
    }
  }
  return undefined;
}

/**
 * The CPU as the kernel sees it, for the ISA memo's name: the vendor, model
 * and flag lines of /proc/cpuinfo (every distinct one, so a machine with
 * mixed cores counts all of them). Undefined where there is no such file:
 * the probe then runs in every process.
 */
function cpuFingerprint(): string | undefined {
  try {
    const wanted = /^(vendor_id|cpu family|model|model name|stepping|flags|Features|CPU implementer|CPU architecture|CPU variant|CPU part|isa)\s*:/;
    const lines = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => wanted.test(l));
    return lines.length === 0 ? undefined : sha256Hex([...new Set(lines)].sort().join('\n'));
  } catch {
    return undefined;
  }
}

async function probeNativeIsa(compilerPath: string): Promise<NativeIsa | undefined> {
  try {
    const { stdout, stderr } = await execFileAsync(compilerPath, ['-###', '-march=native', '-x', 'c++', '-c', os.devNull, '-o', os.devNull], {
      maxBuffer: 4 * 1024 * 1024,
    });
    return parseNativeIsa(`${stderr}\n${stdout}`);
  } catch {
    return undefined; // this compiler has no -march=native
  }
}

function isIsa(value: unknown): value is NativeIsa {
  const v = value as NativeIsa;
  return typeof v === 'object' && v !== null && typeof v.cpu === 'string' && v.cpu !== '' && typeof v.tune === 'string' && Array.isArray(v.features) && v.features.every((f) => typeof f === 'string');
}

/**
 * The resolved native ISA, memoized on disk like the compiler's version: the
 * memo's name joins the compiler binary's identity and the CPU's
 * fingerprint, so a shared cache folder holds one memo per (compiler, CPU)
 * and a node never reads another CPU's answer.
 */
async function nativeIsa(root: string | undefined, compilerPath: string): Promise<NativeIsa | undefined> {
  const compilerMemo = root === undefined ? undefined : compilerMemoFile(root);
  const cpu = cpuFingerprint();
  const file = compilerMemo !== undefined && cpu !== undefined && compilerMemo.resolved === compilerPath
    ? path.join(root!, `.cpu-isa-${sha256Hex(`${compilerMemo.identity}\0${cpu}`).slice(0, 32)}`)
    : undefined;
  if (file !== undefined) {
    const remembered = readCompilerMemo(file, 65536);
    if (remembered !== undefined) {
      try {
        const parsed: unknown = JSON.parse(remembered);
        if (isIsa(parsed)) return parsed;
      } catch {
        // a damaged memo: probe again
      }
    }
  }
  const probed = await probeNativeIsa(compilerPath);
  if (probed !== undefined && file !== undefined) writeCompilerMemo(file, JSON.stringify(probed));
  return probed;
}

/** What a host build is for, as the key names it. */
export interface HostBuild {
  context: KeyContext;
  /** The flags compileHostLibrary passes: HOST_FLAGS and the target's. */
  flags: string[];
  /** The target actually built: 'portable' where 'native' was asked but the compiler could not say what it means. */
  cpuTarget: CpuTarget;
  /** The resolved ISA of a native build. */
  isa?: NativeIsa;
  compiler: { path: string; version: string };
}

/**
 * The key context of a host build, from its parts: compiler identity and
 * version, flags, platform, every kernel header, and for a native build the
 * resolved CPU, tuning and sorted ISA features. Exported so tests can name a
 * build for a CPU this machine is not.
 */
export function hostKeyContextFor(compiler: { path: string; version: string }, cpuTarget: CpuTarget, isa?: NativeIsa, extraFlags: readonly string[] = []): KeyContext {
  const target: Record<string, string> = {
    compiler: compiler.path,
    compilerVersion: compiler.version,
    platform: process.platform,
    arch: process.arch,
    cpuTarget,
  };
  if (cpuTarget === 'native') {
    if (isa === undefined) throw new CubieError('INTERNAL', 'a native host build needs its resolved ISA');
    target.cpu = isa.cpu;
    target.tune = isa.tune;
    target.isa = isa.features.join(' ');
  }
  return new KeyContext({ kind: 'so', headers: kernelHeaders(), options: [...hostFlags(cpuTarget), ...extraFlags], target });
}

const builds = new Map<CpuTarget, Promise<HostBuild>>();

/**
 * The host build for a CPU target, built once per process and target.
 * `root` is a cache root where the compiler's version and the resolved
 * native ISA may be remembered.
 */
export function hostBuild(root: string | undefined, cpuTarget: CpuTarget = 'native'): Promise<HostBuild> {
  let build = builds.get(cpuTarget);
  if (build === undefined) {
    build = (async () => {
      const compiler = await compilerIdentity(root);
      const isa = cpuTarget === 'native' ? await nativeIsa(root, compiler.path) : undefined;
      const built: CpuTarget = cpuTarget === 'native' && isa === undefined ? 'portable' : cpuTarget;
      return { context: hostKeyContextFor(compiler, built, isa), flags: hostFlags(built), cpuTarget: built, isa, compiler };
    })();
    builds.set(cpuTarget, build);
    build.catch(() => {
      builds.delete(cpuTarget); // a compiler installed later is found by the next solve
    });
  }
  return build;
}

/** The key context of host-compiled kernels for a CPU target (see hostBuild). */
export async function hostKeyContext(root?: string, cpuTarget: CpuTarget = 'native'): Promise<KeyContext> {
  return (await hostBuild(root, cpuTarget)).context;
}

/**
 * Compiles a kernel source into a shared library with the host compiler, in
 * a private temporary folder, and returns the library's bytes. Nothing is
 * written anywhere else: the cache decides what to keep.
 */
export async function compileHostLibrary(
  source: string,
  systemName: string,
  flags: readonly string[] = hostFlags('portable'),
  libraries: readonly string[] = [],
): Promise<HostLibrary> {
  const compiler = await availableCompiler();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cubie-build-'));
  try {
    const sourcePath = path.join(dir, 'kernel.cpp');
    const libraryPath = path.join(dir, 'kernel.so');
    await fsp.writeFile(sourcePath, source);
    const started = process.hrtime.bigint();
    try {
      await execFileAsync(compiler.path, [...flags, '-I', kernelIncludeDir(), sourcePath, '-o', libraryPath, ...libraries], {
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const log = err.stderr ?? err.message;
      throw new CubieError('HOST_COMPILE_FAILED', `The host compiler (${compiler.version}) could not build the kernel for '${systemName}':\n${log}`, {
        log,
        where: compiler.path,
      });
    }
    const compileMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { image: await fsp.readFile(libraryPath), compileMs };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
