import { MemoryLayer } from '../../cache/memory';
import { obtain } from '../../cache/kernel-cache';
import { CacheOptions, resolveCacheSettings } from '../../cache/settings';
import type { KernelInfo } from '../kernel';
import type { Precision } from '../../options/solve-options';
import { compileHostLibrary, CpuTarget, hostBuild, hostKeyContextFor } from './build';
import { LANE_FLAGS, laneLibraries, laneWidth } from './lanes';
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
  options: CacheOptions & { cpuTarget?: CpuTarget; lanes?: Precision },
): Promise<{ kernel: CpuKernel; info: KernelInfo }> {
  const settings = resolveCacheSettings(options);
  const build = await hostBuild(settings.enabled ? settings.root : undefined, options.cpuTarget ?? 'native');
  // A lane build (options.lanes: the kernel's precision) is another binary of the same text: its flags are in the key.
  const libraries = options.lanes === undefined ? [] : laneLibraries();
  const flags = options.lanes === undefined ? build.flags : [...build.flags, ...LANE_FLAGS];
  const context = options.lanes === undefined ? build.context : hostKeyContextFor(build.compiler, build.cpuTarget, build.isa, [...LANE_FLAGS, ...libraries]);
  const key = context.keyFor(source, sourceDigest);
  const got = await obtain({
    settings,
    system: systemName,
    key,
    kind: 'so',
    memory: loaded,
    build: async () => {
      const library = await compileHostLibrary(source, systemName, flags, libraries);
      return { payload: library.image, compileMs: library.compileMs };
    },
    load: (image) => CpuKernel.load(image),
  });
  const lanes = options.lanes === undefined ? 1 : laneWidth(build.isa, options.lanes);
  return { kernel: got.value, info: { key, backend: 'cpu', cache: got.cache, compileMs: got.compileMs, lanes } };
}
