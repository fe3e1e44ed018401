/**
 * NVRTC builds of a kernel source for one target (a CUBIN for sm_XY or PTX
 * for compute_XY), through the cache: the key names the target architecture,
 * the image kind and the NVRTC version besides the source and headers, so a
 * machine with no GPU can fill a cache that GPU nodes then load
 * (`cubie precompile`).
 */
import { MemoryLayer } from '../../cache/memory';
import { KernelOrigin, obtain } from '../../cache/kernel-cache';
import { KeyContext } from '../../cache/key';
import { CacheOptions, resolveCacheSettings } from '../../cache/settings';
import { CubieError } from '../../shared/errors';
import { kernelHeaders } from '../../codegen/kernel-source';
import { compileCuda, nvrtcStatus } from '../../native/nvrtc';
import type { NativeModuleInfo } from '../../native/surface';
import { CudaTarget, targetName, unsupportedArchMessage } from './targets';

/** NVRTC options besides the architecture; part of the key. */
export const NVRTC_FLAGS = ['--std=c++17'];

/** A compiled image and the modules loaded from it, one per device. */
export class CudaImage {
  /** Loaded (or loading) modules by device index. */
  readonly modules = new Map<number, Promise<NativeModuleInfo>>();

  constructor(
    readonly target: CudaTarget,
    readonly bytes: Buffer,
    readonly key: string,
  ) {}
}

/** Every image in this process's memory, for unloading modules when a device's context is lost. */
export const images = new MemoryLayer<CudaImage>();
export const liveImages = new Set<CudaImage>();

const contexts = new Map<string, KeyContext>();

export function nvrtcVersionOrThrow(): { version: string; archs: number[] } {
  const nvrtc = nvrtcStatus();
  if (!nvrtc.available || nvrtc.version === undefined) {
    throw new CubieError('NVRTC_UNAVAILABLE', nvrtc.error ?? 'NVRTC is unavailable', { where: 'NVRTC', searched: nvrtc.searched });
  }
  return { version: nvrtc.version, archs: nvrtc.archs ?? [] };
}

/** The key context of one target: kind, flags, architecture, NVRTC version, headers. */
export function cudaKeyContext(target: CudaTarget): KeyContext {
  const { version } = nvrtcVersionOrThrow();
  const id = `${targetName(target)}\0${version}`;
  let context = contexts.get(id);
  if (context === undefined) {
    context = new KeyContext({
      kind: target.kind,
      headers: kernelHeaders(),
      options: [...NVRTC_FLAGS, `-arch=${targetName(target)}`],
      target: { arch: targetName(target) },
      nvrtcVersion: version,
    });
    contexts.set(id, context);
  }
  return context;
}

/** Compiles a source for a target with NVRTC; the image's bytes (PTX as text). */
export async function compileImage(source: string, systemName: string, target: CudaTarget): Promise<{ bytes: Buffer; compileMs: number; log: string }> {
  const { version, archs } = nvrtcVersionOrThrow();
  const problem = unsupportedArchMessage(target.arch, version, archs);
  if (problem !== undefined || !archs.includes(target.arch)) {
    throw new CubieError('NVRTC_UNAVAILABLE', problem ?? `NVRTC ${version} cannot compile for ${targetName(target)} (it knows sm_${archs.join(', sm_')})`, {
      where: targetName(target),
      nvrtcVersion: version,
    });
  }
  const started = process.hrtime.bigint();
  const result = await compileCuda({
    source,
    name: `${systemName}.cu`,
    headers: kernelHeaders(),
    options: [...NVRTC_FLAGS, `-arch=${targetName(target)}`],
    target: target.kind,
  });
  const compileMs = Number(process.hrtime.bigint() - started) / 1e6;
  const bytes = target.kind === 'cubin' ? result.cubin! : Buffer.from(result.ptx!, 'utf8');
  return { bytes, compileMs, log: result.log };
}

function checkImage(target: CudaTarget, bytes: Buffer): void {
  const ok =
    target.kind === 'cubin'
      ? bytes.length > 64 && bytes.readUInt32BE(0) === 0x7f454c46
      : bytes.includes('.entry cubie_integrate') && !bytes.includes(0);
  if (!ok) throw new CubieError('CACHE_ERROR', `not a ${target.kind === 'cubin' ? 'CUBIN' : 'PTX'} image of a cubie kernel`);
}

export interface ObtainedImage {
  image: CudaImage;
  key: string;
  cache: KernelOrigin;
  compileMs: number;
}

/** The image of a source for a target: from memory, the disk cache, or NVRTC (then stored). */
export async function cudaImageFor(
  source: string,
  sourceDigest: string,
  systemName: string,
  target: CudaTarget,
  options: CacheOptions,
): Promise<ObtainedImage> {
  const settings = resolveCacheSettings(options);
  const key = cudaKeyContext(target).keyFor(source, sourceDigest);
  const got = await obtain({
    settings,
    system: systemName,
    key,
    kind: target.kind,
    memory: images,
    build: async () => {
      const built = await compileImage(source, systemName, target);
      return { payload: built.bytes, compileMs: built.compileMs };
    },
    load: async (payload) => {
      checkImage(target, payload);
      const image = new CudaImage(target, payload, key);
      liveImages.add(image);
      return image;
    },
  });
  return { image: got.value, key, cache: got.cache, compileMs: got.compileMs };
}
