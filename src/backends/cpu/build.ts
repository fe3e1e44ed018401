import { execFile } from 'child_process';
import * as fs from 'fs';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { KeyContext } from '../../cache/key';
import { CubieError } from '../../errors';
import { kernelIncludeDir } from '../../codegen/kernel-source';
import { hostCompilerStatus } from './host-compiler';

const execFileAsync = promisify(execFile);

/** Flags are part of the key; -O3 without -march=native keeps a shared cache safe across CPU models. */
export const HOST_FLAGS = ['-std=c++17', '-O3', '-fno-math-errno', '-fPIC', '-shared'];

export interface HostLibrary {
  /** The shared library's bytes: what the cache stores and CpuKernel.load maps. */
  image: Buffer;
  compileMs: number;
}

/** Every file under the kernel include folder, by include name: whatever the source can include is in the key. */
function includeTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${item.name}` : item.name;
    if (item.isDirectory()) Object.assign(out, includeTree(path.join(dir, item.name), name));
    else if (item.isFile()) out[name] = fs.readFileSync(path.join(dir, item.name), 'utf8');
  }
  return out;
}

async function availableCompiler(): Promise<{ path: string; version: string }> {
  const compiler = await hostCompilerStatus();
  if (!compiler.available) {
    throw new CubieError('HOST_COMPILER_UNAVAILABLE', `The CPU backend needs a C++17 compiler: ${compiler.error}`, { where: 'CXX' });
  }
  return { path: compiler.path!, version: compiler.version ?? '' };
}

let context: Promise<KeyContext> | undefined;

/** The key context of host-compiled kernels: compiler identity and version, flags, headers; built once per process. */
export function hostKeyContext(): Promise<KeyContext> {
  if (context === undefined) {
    context = availableCompiler().then(
      (compiler) =>
        new KeyContext({
          kind: 'so',
          headers: includeTree(kernelIncludeDir()),
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
