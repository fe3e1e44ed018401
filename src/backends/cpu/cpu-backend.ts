import { MemoryLayer } from '../../cache/memory';
import { obtain } from '../../cache/kernel-cache';
import { CacheOptions, resolveCacheSettings } from '../../cache/settings';
import type { KernelInfo } from '../kernel';
import { compileHostLibrary, CpuTarget, hostBuild } from './build';
import { CpuKernel } from './runner';

/** Kernels loaded in this process, by cache key: a repeat solve touches no disk. */
const loaded = new MemoryLayer<CpuKernel>();

/**
 * The CPU kernel for a generated source: from this process's memory, else
 * the disk cache, else a fresh host compile (stored for the next process).
 */
export async function cpuKernelFor(
  source: string,
  sourceDigest: string,
  systemName: string,
  options: CacheOptions & { cpuTarget?: CpuTarget },
): Promise<{ kernel: CpuKernel; info: KernelInfo }> {
  const settings = resolveCacheSettings(options);
  const build = await hostBuild(settings.enabled ? settings.root : undefined, options.cpuTarget ?? 'native');
  const key = build.context.keyFor(source, sourceDigest);
  const got = await obtain({
    settings,
    system: systemName,
    key,
    kind: 'so',
    memory: loaded,
    build: async () => {
      const library = await compileHostLibrary(source, systemName, build.flags);
      return { payload: library.image, compileMs: library.compileMs };
    },
    load: (image) => CpuKernel.load(image),
  });
  return { kernel: got.value, info: { key, backend: 'cpu', cache: got.cache, compileMs: got.compileMs } };
}
