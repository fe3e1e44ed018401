/**
 * The kernel reads its settings with hand-written `ld.param` instructions at
 * offsets computed from the slot numbers (scalar_arg/buffer_arg in
 * kernel/cubie/args.h), where the compiler would otherwise compute them from
 * the struct layout. No GPU runs these reads here (the driver test double
 * runs the host build), so the PTX is checked instead, against a build of
 * the same kernel with ordinary reads (CUBIE_PLAIN_ARG_READS):
 * - every offset the compiler's own build reads is read by cubie's build too,
 *   with the same width (a shifted slot would miss some);
 * - every read of cubie's build is inside the argument, doubles from the
 *   scalar slots and 64-bit values from the buffer slots.
 */
import { createSystem } from '../../src';
import { kernelHeaders } from '../../src/codegen/kernel-source';
import { compileCuda } from '../../src/native/nvrtc';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { Scalar } from '../../src/backends/kernel-abi';
import type { CubieSystem } from '../../src/system';
import { itNvrtc } from '../support/nvrtc';

const PARAM = 'cubie_integrate_param_0';
const S_COUNT = Object.keys(Scalar).length;

const forced = createSystem({
  name: 'forced_arg_reads',
  equations: ['dx = v', 'dv = -k*x - c*v + force', 'energy = x^2 + v^2'],
  states: { x: 1, v: 0 },
  parameters: { k: 2, c: 0.1 },
  drivers: ['force'],
  observables: ['energy'],
}) as CubieSystem;

/** "f64@72", "u64@264": each read of the kernel's parameter, by width and offset. */
function parameterReads(ptx: string): { reads: Set<string>; size: number } {
  const size = Number(new RegExp(`\\.param \\.align \\d+ \\.b8 ${PARAM}\\[(\\d+)\\]`).exec(ptx)?.[1]);
  const bases = new Set([PARAM]);
  for (const m of ptx.matchAll(new RegExp(`mov\\.(?:b64|u64)\\s+(%rd\\d+),\\s*${PARAM};`, 'g'))) bases.add(m[1]);
  const reads = new Set<string>();
  for (const m of ptx.matchAll(/ld\.param\.(v[24]\.)?([a-z]\d+)\s+(\{[^}]*\}|[^,]+),\s*\[([^\]+]+)(?:\+(\d+))?\]/g)) {
    const [, vector, type, , base, offset] = m;
    if (!bases.has(base)) continue;
    const lanes = vector ? Number(vector[1]) : 1;
    for (let lane = 0; lane < lanes; ++lane) reads.add(`${type.replace(/^[bsu]/, 'x')}@${Number(offset ?? 0) + lane * 8}`);
  }
  return { reads, size };
}

async function ptxOf(source: string, plain: boolean): Promise<string> {
  const options = ['--std=c++17', '-arch=compute_80', ...(plain ? ['-DCUBIE_PLAIN_ARG_READS'] : [])];
  const { ptx } = await compileCuda({ source, name: 'arg_reads.cu', headers: kernelHeaders(), options, target: 'ptx' });
  return ptx!;
}

describe('kernel argument reads', () => {
  const cases = [
    { method: 'tsit5', precision: 'float64' as const },
    { method: 'rodas4', precision: 'float32' as const },
    { method: 'kvaerno5', precision: 'float64' as const },
  ];
  for (const { method, precision } of cases) {
    itNvrtc(`${method} ${precision} with drivers, observables and summaries: the same slots as the compiler's own reads`, async () => {
      const plan = compilePlan(forced, { method, precision, outputTypes: ['state', 'observables', 'mean', 'max', 'iteration_counters'], saveEvery: 0.1, summariseEvery: 0.5, duration: 1 });
      const source = generateKernel(forced, plan).source;
      const cubie = parameterReads(await ptxOf(source, false));
      const compiler = parameterReads(await ptxOf(source, true));
      expect(cubie.size).toBe(compiler.size);
      expect(compiler.reads.size).toBeGreaterThan(10);
      expect([...compiler.reads].filter((r) => !cubie.reads.has(r))).toEqual([]);
      const outside = [...cubie.reads].filter((r) => {
        const [type, at] = r.split('@');
        const offset = Number(at);
        if (offset % 8 !== 0 || offset + 8 > cubie.size) return true;
        return type === 'f64' ? offset >= S_COUNT * 8 : offset < S_COUNT * 8;
      });
      expect(outside).toEqual([]);
    });
  }
});
