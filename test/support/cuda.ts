/**
 * A Solver whose kernels come from the CUDA backend (through the driver test
 * double) instead of the CPU backend: the solver builds its buffers exactly
 * as in production, and only the kernel differs. Until Solver.kernel() picks
 * the CUDA backend itself, this private test path overrides it per instance.
 */
import { cudaKernelFor, releaseCudaKernels } from '../../src/backends/cuda/cuda-backend';
import type { CudaKernel, CudaRunOptions, CudaRunStats } from '../../src/backends/cuda/runner';
import { sha256Hex } from '../../src/cache/key';
import { Solver } from '../../src';
import type { KernelBuffer } from '../../src/backends/kernel-abi';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import type { SolveOptions } from '../../src/options/solve-options';
import { FakeCuda, hostKernelFor, useFakeCuda } from './fake-cuda';

export interface CudaSolver {
  solver: Solver;
  /** The native runner's report of each kernel run, in order. */
  runs: CudaRunStats[];
  kernels: CudaKernel[];
  /** The arguments of each kernel run, as the solver built them. */
  calls: Array<{ scalars: Float64Array; buffers: KernelBuffer[] }>;
}

/** Routes `solver`'s kernels through the CUDA backend; `run` options reach CudaKernel.run. */
export function onCuda(solver: Solver, run: CudaRunOptions = {}): CudaSolver {
  const out: CudaSolver = { solver, runs: [], kernels: [], calls: [] };
  const patched = solver as unknown as { kernel(options: SolveOptions, plan?: ReturnType<typeof compilePlan>): Promise<unknown> };
  patched.kernel = async (options, plan = compilePlan(solver.system, options)) => {
    const source = generateKernel(solver.system, plan).source;
    // On the driver test double, the kernel runs as a host build of the same source.
    if (process.env.CUBIE_FAKE_CUDA_HOST_KERNELS) await hostKernelFor(source);
    const { kernel, info } = await cudaKernelFor(source, sha256Hex(source), solver.system.name, { ...options, devices: run.devices });
    out.kernels.push(kernel);
    const wrapped = {
      run: async (scalars: Float64Array, buffers: KernelBuffer[], opts: CudaRunOptions) => {
        out.calls.push({ scalars, buffers });
        const stats = await kernel.run(scalars, buffers, { ...opts, ...run });
        out.runs.push(stats);
        return stats;
      },
    };
    return { kernel: wrapped, info };
  };
  return out;
}

/** Equal arrays, element for element, NaN equal to NaN and +0 distinct from -0: the last bit. */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}[${i}]: ${actual[i]}, expected ${expected[i]}`);
  }
}

/**
 * Hooks for a test file on the driver double: each test starts with no
 * module loaded and from the settings it gives (the defaults otherwise), and
 * must leave no device or
 * page-locked memory, stream or event behind and no misuse of the driver
 * recorded; the file ends with every module unloaded and every context
 * released, and the double reporting no device (so later files in this
 * process see no GPU).
 */
export function fakeCudaSuite(): FakeCuda {
  const fake = useFakeCuda();
  beforeEach(async () => {
    await releaseCudaKernels(); // nothing loaded: each test's images and modules are its own
    fake.clearViolations();
    fake.configure({});
  });
  afterEach(() => {
    const s = fake.stats();
    expect(s.violations).toEqual([]);
    expect({ allocations: s.liveAllocations, host: s.liveHostAllocations, streams: s.liveStreams, events: s.liveEvents }).toEqual({
      allocations: 0,
      host: 0,
      streams: 0,
      events: 0,
    });
  });
  afterAll(async () => {
    await releaseCudaKernels();
    const s = fake.stats();
    expect(s.violations).toEqual([]);
    expect(s.liveModules).toBe(0);
    expect(s.devices.every((d) => d.retains === 0)).toBe(true);
    fake.configure({ devices: 0 });
  });
  return fake;
}
