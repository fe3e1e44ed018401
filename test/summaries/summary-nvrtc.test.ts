/**
 * The generated summary code compiled by NVRTC inside kernels that call
 * every function, in both precisions, for all metrics together, a few
 * alone, and none. Skipped where NVRTC is missing (except under
 * CUBIE_REQUIRE_NVRTC=1).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateSummarySource } from '../../src/codegen/summary-source';
import { compileCuda } from '../../src/native/nvrtc';
import { parseSummaryMetrics } from '../../src/summaries/metrics';
import type { Precision } from '../../src/system/types';
import { findPtxas, itNvrtc } from '../support/nvrtc';
import { ALL_NAMES } from './signals';

const PLATFORM_HEADER = fs.readFileSync(path.join(__dirname, '..', '..', 'kernel', 'cubie', 'platform.h'), 'utf8');

const SETS: [string, string[]][] = [
  ['all_metrics', ALL_NAMES],
  ['only_peaks', ['peaks[64]']],
  ['only_max_magnitude', ['max_magnitude']],
  ['only_d2xdt2_min', ['d2xdt2_min']],
  ['none', []],
];

/** One thread per run: the engine's call sequence over one window, written with the runs' stride. */
function kernel(namespace: string): string {
  return `CUBIE_KERNEL void summarise_${namespace}(const ${namespace}::real* __restrict__ x, const double* __restrict__ t,
    ${namespace}::real* __restrict__ out, int n_samples, int per_window, long long n_runs) {
  const long long run = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (run >= n_runs) return;
  ${namespace}::State s;
  ${namespace}::init(s);
  ${namespace}::begin_window(s);
  for (int k = 0; k < n_samples; ++k) {
    if (k > 1 && (k - 1) % per_window == 0) {
      ${namespace}::write_window(s, out + run, n_runs);
      out += static_cast<long long>(${namespace}::n_columns) * n_runs;
      ${namespace}::begin_window(s);
    }
    ${namespace}::sample(s, x + (run * n_samples + k) * ${namespace}::n_summarised, t[k]);
  }
  ${namespace}::write_window(s, out + run, n_runs);
}`;
}

function program(precision: Precision): string {
  return [
    '#include "cubie/platform.h"',
    ...SETS.flatMap(([namespace, names]) => [
      generateSummarySource({ precision, metrics: parseSummaryMetrics(names, []), nSummarised: 3, namespace }),
      kernel(namespace),
    ]),
    '',
  ].join('\n');
}

/** The PTX of one kernel: from its .entry to the next one. */
function entryBody(ptx: string, name: string): string {
  const start = ptx.indexOf(`.entry ${name}(`);
  const next = ptx.indexOf('.entry ', start + 1);
  return ptx.slice(start, next === -1 ? undefined : next);
}

describe.each(['float32', 'float64'] as Precision[])('summaries compiled by NVRTC, %s', (precision) => {
  itNvrtc('compiles to PTX for compute_80 with every function called', async () => {
    const source = program(precision);
    const result = await compileCuda({
      source,
      name: 'summary.cu',
      headers: { 'cubie/platform.h': PLATFORM_HEADER },
      options: ['-arch=compute_80', '--std=c++17'],
      target: 'ptx',
    });
    const ptx = result.ptx!;
    for (const [namespace] of SETS) expect(ptx).toContain(`.entry summarise_${namespace}(`);
    // The State stays in registers: no run-time index into it (peak slots included) sends it to local memory.
    expect(entryBody(ptx, 'summarise_all_metrics')).not.toContain('.local');
    if (precision === 'float32') {
      // Only the sample times are double: no double multiply, divide or square root may slip into float32 arithmetic.
      expect(ptx).not.toMatch(/\b(mul|div|sqrt|fma)\.[a-z.]*f64/);
      expect(ptx).toMatch(/\bdiv\.[a-z.]*f32/);
    }
    const ptxas = findPtxas();
    if (ptxas === undefined) return; // NVRTC accepted the code; ptxas is an extra check where a toolkit exists
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-summary-ptx-'));
    try {
      fs.writeFileSync(path.join(dir, 'summary.ptx'), ptx);
      execFileSync(ptxas, ['-arch=sm_80', path.join(dir, 'summary.ptx'), '-o', path.join(dir, 'summary.cubin')], { stdio: 'pipe' });
      expect(fs.statSync(path.join(dir, 'summary.cubin')).size).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
