/**
 * Runs generated summary code under g++: one program per precision holding
 * several metric sets (one namespace each), feeding every signal case
 * through init / begin_window / sample / write_window exactly as the engine
 * does, and printing every column with %.17g.
 *
 * The program writes into run 1 of a [window][column][2 runs] array (the
 * layout of SolveResult.summaries), so a wrong stride or offset shows up as
 * a clobbered run-0 slot or a clobbered guard window after the last one.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { generateSummarySource } from '../../src/codegen/summary-source';
import type { SummaryMetric } from '../../src/summaries/metrics';
import type { Precision } from '../../src/system/types';
import type { SignalCase } from './signals';

const execFileAsync = promisify(execFile);

export const KERNEL_INCLUDE = path.resolve(__dirname, '..', '..', 'kernel');
/** The warning set every generated source must pass; -Wdouble-promotion catches any double arithmetic in float32 code. */
export const STRICT_FLAGS = ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-Wdouble-promotion', '-Wconversion'];
const GXX = process.env.CXX ?? 'g++';

export interface MetricSet {
  /** C++ namespace, also the label of this set's output lines. */
  namespace: string;
  metrics: SummaryMetric[];
}

export interface HarnessOutput {
  /** `${namespace}/${caseIndex}` → summaries[window][column]. */
  summaries: Map<string, number[][]>;
  /** namespace → the columns written for a window that received no sample. */
  emptyWindow: Map<string, number[]>;
  /** Slots outside run 1's columns that were written: should be none. */
  clobbered: string[];
}

/** The feeding code for one namespace: the engine's call sequence, then the printout. */
function feedFunctions(namespace: string): string {
  return `namespace ${namespace} {
void feed(const char* label, const double* times, const double* values, int n_samples, int per_window) {
  const int n_runs = 2;
  const int last = n_samples - 1;
  const int n_windows = (last == 0 ? 0 : (last - 1) / per_window) + 1;
  const long long size = (n_windows + 1) * static_cast<long long>(n_columns) * n_runs;  // one guard window
  const real sentinel = static_cast<real>(-777.0);
  real* out = new real[size + 1];
  for (long long j = 0; j <= size; ++j) out[j] = sentinel;
  State s;
  init(s);
  int window = -1;
  for (int k = 0; k < n_samples; ++k) {
    const int w = k == 0 ? 0 : (k - 1) / per_window;
    if (w != window) {
      if (window >= 0) write_window(s, out + window * n_columns * n_runs + 1, n_runs);
      begin_window(s);
      window = w;
    }
    real x[n_summarised];
    for (int i = 0; i < n_summarised; ++i) x[i] = static_cast<real>(values[k * n_summarised + i]);
    sample(s, x, times[k]);
  }
  write_window(s, out + window * n_columns * n_runs + 1, n_runs);
  for (int w = 0; w <= n_windows; ++w) {
    for (int c = 0; c < n_columns; ++c) {
      for (int r = 0; r < n_runs; ++r) {
        const real v = out[(w * n_columns + c) * n_runs + r];
        if (w < n_windows && r == 1) std::printf("%s %d %d %.17g\\n", label, w, c, static_cast<double>(v));
        else if (!(v == sentinel)) std::printf("clobbered %s window %d column %d run %d\\n", label, w, c, r);
      }
    }
  }
  if (!(out[size] == sentinel)) std::printf("clobbered %s past the end\\n", label);
  delete[] out;
}
void empty_window(const char* label) {
  State s;
  init(s);
  begin_window(s);
  real out[n_columns + 1];
  write_window(s, out, 1);
  for (int j = 0; j < n_columns; ++j) std::printf("%s 0 %d %.17g\\n", label, j, static_cast<double>(out[j]));
}
} // namespace ${namespace}`;
}

function doubles(values: readonly number[]): string {
  return values.map((v) => String(v)).join(', ');
}

export function harnessSource(precision: Precision, sets: readonly MetricSet[], cases: readonly SignalCase[]): string {
  const nSummarised = cases[0].values.length;
  if (cases.some((c) => c.values.length !== nSummarised)) throw new Error('every case needs the same number of variables');
  const data = cases.flatMap((c, index) => [
    `static const double times_${index}[] = { ${doubles(c.times)} };`,
    // values[k * n_summarised + i]: sample by sample, as the kernel hands them over.
    `static const double values_${index}[] = { ${doubles(c.times.flatMap((_, k) => c.values.map((x) => x[k])))} };`,
  ]);
  const calls = sets.flatMap(({ namespace }) => [
    ...cases.map((c, index) => `  ${namespace}::feed("${namespace}/${index}", times_${index}, values_${index}, ${c.times.length}, ${c.perWindow});`),
    `  ${namespace}::empty_window("${namespace}/empty");`,
  ]);
  return [
    '#include "cubie/platform.h"',
    '#include <cstdio>',
    ...sets.flatMap(({ namespace, metrics }) => [generateSummarySource({ precision, metrics, nSummarised, namespace }), feedFunctions(namespace)]),
    ...data,
    'int main() {',
    ...calls,
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

function parseNumber(text: string): number {
  if (/nan/i.test(text)) return NaN;
  if (/inf/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

function parseOutput(stdout: string): HarnessOutput {
  const output: HarnessOutput = { summaries: new Map(), emptyWindow: new Map(), clobbered: [] };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('clobbered')) {
      output.clobbered.push(line);
      continue;
    }
    const [label, window, column, value] = line.split(' ');
    const [namespace, which] = label.split('/');
    if (which === 'empty') {
      const columns = output.emptyWindow.get(namespace) ?? [];
      columns[Number(column)] = parseNumber(value);
      output.emptyWindow.set(namespace, columns);
    } else {
      const rows = output.summaries.get(label) ?? [];
      (rows[Number(window)] ??= [])[Number(column)] = parseNumber(value);
      output.summaries.set(label, rows);
    }
  }
  return output;
}

/** Compiles the harness with the strict warning set and runs it; rejects with the compiler log on failure. */
export async function runHarness(dir: string, precision: Precision, sets: readonly MetricSet[], cases: readonly SignalCase[]): Promise<HarnessOutput> {
  const file = path.join(dir, `summaries_${precision}.cpp`);
  const exe = path.join(dir, `summaries_${precision}`);
  fs.writeFileSync(file, harnessSource(precision, sets, cases));
  try {
    await execFileAsync(GXX, [...STRICT_FLAGS, '-O2', `-I${KERNEL_INCLUDE}`, '-o', exe, file], { timeout: 120_000 });
  } catch (e) {
    throw new Error(`${GXX} failed on ${file}:\n${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
  const { stdout } = await execFileAsync(exe, [], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return parseOutput(stdout);
}
