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
import { kernelHeaders, kernelIncludeDir } from '../../codegen/kernel-source';
import { hostCompilerStatus, resolveOnPath } from './host-compiler';

const execFileAsync = promisify(execFile);

/** Flags are part of the key; -O3 without -march=native keeps a shared cache safe across CPU models. */
export const HOST_FLAGS = ['-std=c++17', '-O3', '-fno-math-errno', '-fPIC', '-shared'];

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
function compilerMemoFile(root: string): { file: string; resolved: string } | undefined {
  const command = process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'c++';
  const resolved = resolveOnPath(command);
  if (resolved === undefined) return undefined;
  try {
    const real = fs.realpathSync(resolved);
    const stat = fs.statSync(real);
    const identity = sha256Hex(`${resolved}\0${real}\0${stat.size}\0${stat.mtimeMs}`).slice(0, 32);
    return { file: path.join(root, `.compiler-${identity}`), resolved };
  } catch {
    return undefined;
  }
}

function readCompilerMemo(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const stat = fs.fstatSync(fd);
    // It feeds the key: only a memo this user wrote counts.
    if (!stat.isFile() || stat.size > 4096 || untrustedReason(stat, false) !== undefined) return undefined;
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

let context: Promise<KeyContext> | undefined;

/**
 * The key context of host-compiled kernels: compiler identity and version,
 * flags, platform, every kernel header; built once per process. `root` is a
 * cache root where the compiler's version may be remembered.
 */
export function hostKeyContext(root?: string): Promise<KeyContext> {
  if (context === undefined) {
    context = compilerIdentity(root).then(
      (compiler) =>
        new KeyContext({
          kind: 'so',
          headers: kernelHeaders(),
          options: HOST_FLAGS,
          target: { compiler: compiler.path, compilerVersion: compiler.version, platform: process.platform, arch: process.arch },
        }),
    );
    context.catch(() => {
      context = undefined; // a compiler installed later is found by the next solve
    });
  }
  return context;
}

/**
 * Compiles a kernel source into a shared library with the host compiler, in
 * a private temporary folder, and returns the library's bytes. Nothing is
 * written anywhere else: the cache decides what to keep.
 */
export async function compileHostLibrary(source: string, systemName: string): Promise<HostLibrary> {
  const compiler = await availableCompiler();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cubie-build-'));
  try {
    const sourcePath = path.join(dir, 'kernel.cpp');
    const libraryPath = path.join(dir, 'kernel.so');
    await fsp.writeFile(sourcePath, source);
    const started = process.hrtime.bigint();
    try {
      await execFileAsync(compiler.path, [...HOST_FLAGS, '-I', kernelIncludeDir(), sourcePath, '-o', libraryPath], {
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
