/**
 * The CUDA driver test double (test/support/fake-cuda/fake_cuda.cc) from a
 * test: builds it if needed, points CUBIE_LIBCUDA_PATH at it, and opens its
 * control surface (the same library, hence the same state, as the driver
 * cubie loads). Kernels it runs are host builds of the same source, made here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileHostLibrary } from '../../src/backends/cpu/build';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildFakeCuda } = require('./fake-cuda/build.js') as { buildFakeCuda(): { library: string; hostKernels: string } };

export interface FakeSettings {
  devices?: number;
  /** Compute capability per device, e.g. '8.0' or '8.0,9.0' (the last repeats). */
  cc?: string;
  totalBytes?: number;
  /** What cuMemGetInfo reports before cubie allocates. */
  freeBytes?: number;
  /** What can really be allocated (defaults to freeBytes). */
  capacityBytes?: number;
  driverVersion?: number;
  multiprocessors?: number;
  localBytes?: number;
  /** The kernel's own block size limit (cuFuncGetAttribute MAX_THREADS_PER_BLOCK). */
  functionMaxThreads?: number;
  launchDelayUs?: number;
  jitterUs?: number;
  /** e.g. 'oom-at:3,launch-fail-at:2,refuse-ptx,device-lost-at:1,host-oom-at:1,launch-oom-at:1,oom-after:4' */
  faults?: string;
}

export interface FakeStats {
  allocations: number;
  allocationFailures: number;
  hostAllocations: number;
  hostAllocationFailures: number;
  launches: number;
  copiesToDevice: number;
  copiesToHost: number;
  pageableAsyncCopies: number;
  moduleLoads: number;
  ptxLoads: number;
  cubinLoads: number;
  refusedImages: number;
  contextResets: number;
  reclaimedAllocations: number;
  reclaimedHostAllocations: number;
  reclaimedObjects: number;
  liveAllocations: number;
  liveHostAllocations: number;
  liveModules: number;
  liveStreams: number;
  liveEvents: number;
  devices: Array<{ retains: number; lost: boolean; usedBytes: number; peakBytes: number; maxBusyStreams: number; modules: number }>;
  /** "device grid block runs" per launch. */
  launchLog: string[];
  violations: string[];
}

export interface FakeCuda {
  readonly library: string;
  readonly hostKernels: string;
  /** The environment's defaults overlaid with these; counters restart, lost devices come back. */
  configure(settings?: FakeSettings): void;
  stats(): FakeStats;
  clearViolations(): void;
}

let fake: FakeCuda | undefined;

export function useFakeCuda(): FakeCuda {
  if (fake !== undefined) return fake;
  const { library, hostKernels } = buildFakeCuda();
  process.env.CUBIE_LIBCUDA_PATH = library;
  process.env.CUBIE_FAKE_CUDA_HOST_KERNELS = hostKernels;
  const module = { exports: {} as { configure(s: object): void; stats(): string; clearViolations(): void } };
  process.dlopen(module, library);
  const raw = module.exports;
  fake = {
    library,
    hostKernels,
    configure: (settings = {}) => raw.configure({ hostKernels, ...settings }),
    stats: () => JSON.parse(raw.stats()) as FakeStats,
    clearViolations: () => raw.clearViolations(),
  };
  return fake;
}

/** The digest the kernel source carries in its image (see assembleKernelSource). */
export function sourceDigestOf(source: string): string {
  const match = /cubie-source:([0-9a-f]{64})/.exec(source);
  if (!match) throw new Error('the kernel source carries no cubie_source_digest');
  return match[1];
}

/** Builds the host library the fake runs for a kernel source (the CPU backend's compile), once. */
export async function hostKernelFor(source: string): Promise<string> {
  const { hostKernels } = useFakeCuda();
  const file = path.join(hostKernels, `${sourceDigestOf(source)}.so`);
  if (!fs.existsSync(file)) {
    const { image } = await compileHostLibrary(source, 'fake-cuda');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, image);
    fs.renameSync(tmp, file);
  }
  return file;
}
