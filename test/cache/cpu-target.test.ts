/**
 * cpuTarget: 'native' builds for this machine's instruction set, and the
 * resolved ISA (CPU, tuning, every enabled feature) is in the cache key, so
 * a cache folder shared by nodes with different CPUs never hands a node a
 * kernel it cannot execute.
 *
 * How the mismatch is forced: `hostKeyContextFor` builds the key context of
 * a native build from its parts, so the test names a CPU this machine is not
 * (this machine's features plus one it lacks) and stores, under that CPU's
 * key, a library whose load executes `ud2` (an illegal instruction: what a
 * kernel built for a foreign ISA does at its first foreign instruction). A
 * solve here must miss, compile its own kernel and run; a child process
 * shows the planted library really does die of SIGILL when loaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { solveIvp } from '../../src';
import { compileHostLibrary, hostBuild, hostKeyContextFor, NativeIsa, parseNativeIsa } from '../../src/backends/cpu/build';
import { FileCacheStore } from '../../src/cache/file-store';
import { obtain } from '../../src/cache/kernel-cache';
import { MemoryLayer } from '../../src/cache/memory';
import { resolveCacheSettings } from '../../src/cache/settings';
import { generateKernel } from '../../src/codegen/generate';
import { createSystem } from '../../src/system/create';
import { REPO, requireDist, tmpRoot } from './support';

const lorenz = (name: string) => ({
  name,
  equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
  states: { x: 1, y: 1, z: 1 },
  parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
});
const settings = { method: 'tsit5', atol: 1e-8, rtol: 1e-8, duration: 5, saveEvery: 0.25, backend: 'cpu' as const };
const rho = Float64Array.from({ length: 512 }, (_, i) => (40 * i) / 511);

describe('the native ISA as the compiler resolves it', () => {
  it("reads GCC's and clang's -### plans; anything else is not understood", () => {
    const gcc = ' /usr/lib/gcc/x86_64-linux-gnu/12/cc1plus -quiet -D_GNU_SOURCE /dev/null "-march=cooperlake" -mmmx -mavx2 -mno-sse4a -mfma -mavx512f -mno-avx512er --param "l1-cache-size=48" "-mtune=generic" -quiet -o /dev/null';
    expect(parseNativeIsa(`Using built-in specs.\n${gcc}\n`)).toEqual({ cpu: 'cooperlake', tune: 'generic', features: ['avx2', 'avx512f', 'fma', 'mmx'] });
    const clang = ' "/usr/bin/clang-16" "-cc1" "-triple" "x86_64-pc-linux-gnu" "-target-cpu" "znver3" "-target-feature" "+avx2" "-target-feature" "-avx512f" "-target-feature" "+fma" "-tune-cpu" "generic"';
    expect(parseNativeIsa(clang)).toEqual({ cpu: 'znver3', tune: 'generic', features: ['avx2', 'fma'] });
    expect(parseNativeIsa('some other compiler\n')).toBeUndefined();
  });

  it('names this machine: a CPU and a non-empty feature list, remembered in the cache root', async () => {
    const root = tmpRoot();
    const build = await hostBuild(root, 'native');
    if (build.cpuTarget === 'portable') return; // a compiler without -march=native: native falls back to portable
    expect(build.flags).toContain('-march=native');
    expect(build.flags).toContain('-ffp-contract=off');
    expect(build.isa!.cpu).not.toBe('');
    expect(build.isa!.features.length).toBeGreaterThan(0);
    expect(build.isa!.features).toEqual([...build.isa!.features].sort());
    if (fs.existsSync('/proc/cpuinfo')) expect(fs.readdirSync(root).filter((f) => f.startsWith('.cpu-isa-'))).toHaveLength(1);
  });
});

describe('the cache key names the CPU target', () => {
  it('differs between native and portable, and between two ISAs of the same CPU name', async () => {
    const root = tmpRoot();
    const native = await hostBuild(root, 'native');
    const portable = await hostBuild(root, 'portable');
    expect(portable.flags).not.toContain('-march=native');
    const source = '// any source';
    if (native.cpuTarget === 'native') expect(native.context.keyFor(source)).not.toBe(portable.context.keyFor(source));

    const a: NativeIsa = { cpu: 'skylake-avx512', tune: 'generic', features: ['avx2', 'avx512f', 'fma'] };
    const b: NativeIsa = { ...a, features: ['avx2', 'fma'] }; // the same model with AVX-512 hidden (a VM, a BIOS setting)
    const keyA = hostKeyContextFor(portable.compiler, 'native', a).keyFor(source);
    expect(hostKeyContextFor(portable.compiler, 'native', b).keyFor(source)).not.toBe(keyA);
    expect(hostKeyContextFor(portable.compiler, 'native', { ...a, cpu: 'icelake-server' }).keyFor(source)).not.toBe(keyA);
    expect(hostKeyContextFor(portable.compiler, 'native', { ...a }).keyFor(source)).toBe(keyA);
    expect(hostKeyContextFor(portable.compiler, 'portable').keyFor(source)).toBe(portable.context.keyFor(source));
  });
});

describe('a cache shared with a node of another CPU', () => {
  it("never loads that node's kernel here: a miss, a compile, a clean run (no SIGILL)", async () => {
    const cacheDir = tmpRoot();
    const build = await hostBuild(cacheDir, 'native');
    if (build.cpuTarget === 'portable') return;
    const system = createSystem(lorenz('isa_mismatch'));
    const { source, digest } = generateKernel(system, settings);

    // The other node: this machine's CPU plus a feature it lacks.
    const foreign: NativeIsa = { ...build.isa!, features: [...build.isa!.features, 'zz-feature-this-cpu-lacks'].sort() };
    const foreignKey = hostKeyContextFor(build.compiler, 'native', foreign).keyFor(source, digest);
    const poisoned = source + '\nextern "C" __attribute__((constructor)) void cubie_test_foreign_isa() { __builtin_trap(); }\n';
    const { image } = await compileHostLibrary(poisoned, system.name, build.flags);
    const planted = await obtain({
      settings: resolveCacheSettings({ cacheDir }),
      system: system.name,
      key: foreignKey,
      kind: 'so',
      memory: new MemoryLayer<Buffer>(),
      build: async () => ({ payload: image, compileMs: 1 }),
      load: async (payload) => payload,
    });
    expect(planted.cache).toBe('compiled');

    // That library is what running a foreign ISA's kernel does here: it dies of SIGILL (in a child, not in jest).
    requireDist();
    const file = path.join(cacheDir, 'foreign.so');
    fs.writeFileSync(file, image);
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(REPO, 'dist', 'backends', 'cpu', 'runner.js'))}).CpuKernel.load(${JSON.stringify(file)})`], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGILL');
    fs.rmSync(file);

    // This node: its own key, a miss, a compile, a run.
    const result = await solveIvp(system, { x: 1, y: 1, z: 1 }, { rho }, { ...settings, cacheDir, cpuLanes: 1 });
    expect(result.kernel).toMatchObject({ backend: 'cpu', cache: 'compiled', key: build.context.keyFor(source, digest) });
    expect(result.kernel.key).not.toBe(foreignKey);
    expect(result.status.every((s) => s === 0)).toBe(true);
    const keys = (await new FileCacheStore(cacheDir).entries()).map((e) => e.key).sort();
    expect(keys).toEqual([foreignKey, result.kernel.key].sort());
  });

  it('keys a lane build by the same ISA, and apart from the scalar build', async () => {
    const build = await hostBuild(tmpRoot(), 'native');
    if (build.cpuTarget === 'portable') return;
    const { source, digest } = generateKernel(createSystem(lorenz('isa_lanes')), settings);
    const lanes = ['-DCUBIE_LANES', '-fopenmp-simd'];
    const foreign: NativeIsa = { ...build.isa!, features: [...build.isa!.features, 'zz-feature-this-cpu-lacks'].sort() };
    const here = hostKeyContextFor(build.compiler, 'native', build.isa, lanes).keyFor(source, digest);
    expect(hostKeyContextFor(build.compiler, 'native', foreign, lanes).keyFor(source, digest)).not.toBe(here);
    expect(build.context.keyFor(source, digest)).not.toBe(here);
  });
});

describe('native and portable builds', () => {
  it('give the same numbers bit for bit on a Lorenz batch with the scalar engine (-ffp-contract=off: no FMA contraction)', async () => {
    const cacheDir = tmpRoot();
    const native = await solveIvp(lorenz('isa_bits'), { x: 1, y: 1, z: 1 }, { rho }, { ...settings, cacheDir, cpuTarget: 'native', cpuLanes: 1, outputTypes: ['state', 'iteration_counters'] });
    const portable = await solveIvp(lorenz('isa_bits'), { x: 1, y: 1, z: 1 }, { rho }, { ...settings, cacheDir, cpuTarget: 'portable', cpuLanes: 1, outputTypes: ['state', 'iteration_counters'] });
    expect(native.kernel.cache).toBe('compiled');
    expect(portable.kernel.cache).toBe('compiled');
    if ((await hostBuild(cacheDir, 'native')).cpuTarget === 'native') expect(native.kernel.key).not.toBe(portable.kernel.key);
    expect(Buffer.from(native.timeDomain.buffer, native.timeDomain.byteOffset, native.timeDomain.byteLength).equals(
      Buffer.from(portable.timeDomain.buffer, portable.timeDomain.byteOffset, portable.timeDomain.byteLength),
    )).toBe(true);
    expect(native.iterationCounters).toEqual(portable.iterationCounters);
  });

  // rho runs to 40, past the chaotic threshold (24.74), where a last-bit difference grows about 10^5-fold by t = 5.
  it('in lanes (8 against 2 with SSE2), agree to the last bits of libmvec: the same steps, states within 1e-8', async () => {
    const cacheDir = tmpRoot();
    const solve = (cpuTarget: 'native' | 'portable') =>
      solveIvp(lorenz('isa_lanes_bits'), { x: 1, y: 1, z: 1 }, { rho }, { ...settings, cacheDir, cpuTarget, outputTypes: ['state', 'iteration_counters'] });
    const native = await solve('native');
    const portable = await solve('portable');
    expect(portable.kernel.lanes).toBe(2);
    expect(native.iterationCounters).toEqual(portable.iterationCounters);
    let worst = 0;
    native.timeDomain.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - portable.timeDomain[i]) / Math.max(1, Math.abs(x)))));
    expect(worst).toBeLessThanOrEqual(1e-8);
  });
});
