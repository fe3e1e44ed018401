/**
 * Thousands of random, mutated and extreme equation texts (seeded, so every
 * run sees the same ones). Each must end in a system or a CubieError,
 * quickly; every system's C++ must compile (g++ under -Werror, both
 * precisions, hundreds of systems per translation unit, and NVRTC when
 * present); and for grammar-generated systems the compiled dxdt must agree
 * with mathjs evaluating the same text.
 */
import { generateSystemSource } from '../../src/codegen/system-source';
import * as fs from 'fs';
import { CubieError } from '../../src/shared/errors';
import { createSystem } from '../../src/system';
import type { CubieSystem, Precision } from '../../src/system';
import { compileCuda } from '../../src/native/nvrtc';
import { itNvrtc } from '../support/nvrtc';
import type { FuzzCase, FuzzKind } from './support/fuzz-inputs';
import { fuzzCases } from './support/fuzz-inputs';
import { PLATFORM_HEADER, checkSyntax, tempDir } from './support/gxx';
import { buildHarness } from './support/harness';
import { leaks } from './support/leaks';
import { probeKernels } from './support/nvrtc-probe';
import { oracle } from './support/oracle';
import { Random } from './support/random';

const SEED = 20251123;
const COUNTS: Record<FuzzKind, number> = { grammar: 1500, mutated: 1500, noise: 500, extreme: 100 };
/** Systems per translation unit: large enough to amortize compiler start-up, small enough to parallelize. */
const BATCH = 400;

interface Outcome {
  case: FuzzCase;
  system?: CubieSystem;
  error?: CubieError;
  /** generateSystemSource per precision; undefined when it refused (a float32 literal out of range). */
  sources: Partial<Record<Precision, string>>;
}

// Run the whole corpus once; the tests below look at the outcomes.
const outcomes: Outcome[] = [];
const unexpected: string[] = [];

// No wall-clock limit: a hang is ruled out by the parser's input caps (line
// length, nesting depth), which the 'extreme' cases exercise, and would show
// as a suite that never finishes.
beforeAll(() => {
  const warning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    fuzzCases(SEED, COUNTS).forEach((c, index) => {
      const text = JSON.stringify(c.definition.equations);
      const outcome: Outcome = { case: c, sources: {} };
      try {
        outcome.system = createSystem(c.definition);
      } catch (e) {
        if (e instanceof CubieError) outcome.error = e;
        else unexpected.push(`case ${index} (${c.kind}) threw ${String(e)} for ${text.slice(0, 300)}`);
      }
      if (outcome.system !== undefined) {
        for (const precision of ['float64', 'float32'] as const) {
          try {
            outcome.sources[precision] = generateSystemSource(outcome.system, { precision, namespace: `f${index}` });
          } catch (e) {
            const allowed = e instanceof CubieError && e.code === 'INVALID_SYSTEM' && precision === 'float32';
            if (!allowed) unexpected.push(`case ${index}: generateSystemSource(${precision}) threw ${String(e)} for ${text.slice(0, 300)}`);
          }
        }
      }
      outcomes.push(outcome);
    });
  } finally {
    warning.mockRestore();
  }
});

describe('fuzz', () => {
  it(`feeds ${Object.values(COUNTS).reduce((a, b) => a + b)} inputs: each ends in a system or a CubieError`, () => {
    expect(unexpected).toEqual([]);
    expect(outcomes).toHaveLength(Object.values(COUNTS).reduce((a, b) => a + b));
    const valid = (kind: FuzzKind): number => outcomes.filter((o) => o.case.kind === kind && o.system).length;
    // Grammar systems are valid by construction; the other kinds mostly are not, but some mutations are harmless.
    expect(valid('grammar')).toBe(COUNTS.grammar);
    expect(valid('mutated')).toBeGreaterThan(0.05 * COUNTS.mutated);
    expect(valid('mutated')).toBeLessThan(0.9 * COUNTS.mutated);
    for (const o of outcomes) {
      if (o.error === undefined) continue;
      expect(o.error.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    }
  });

  it('every error names where it is (an equation line or a field)', () => {
    for (const o of outcomes) {
      if (o.error === undefined) continue;
      const { line, where } = o.error.details;
      expect(typeof where === 'string' || typeof line === 'number').toBe(true);
      if (typeof line === 'number') expect(o.error.message).toMatch(/line \d+/);
    }
  });

  it('generated sources carry no user text', () => {
    for (const [index, o] of outcomes.entries()) {
      for (const source of Object.values(o.sources)) expect(leaks(source, `f${index}`)).toEqual([]);
    }
  });

  it.each(['float64', 'float32'] as const)('every valid system compiles with g++ -Werror (%s), in batches', async (precision) => {
    const sources = outcomes.flatMap((o) => (o.sources[precision] === undefined ? [] : [o.sources[precision] as string]));
    // float32 refuses systems with constants beyond float range (1e39, 1e300 in the grammar).
    expect(sources.length).toBeGreaterThan(precision === 'float64' ? 1600 : 1200);
    const dir = tempDir(`fuzz-${precision}`);
    try {
      const batches: string[][] = [];
      for (let i = 0; i < sources.length; i += BATCH) batches.push(sources.slice(i, i + BATCH));
      // Two compilers at a time (the suite runs on two cores).
      for (let i = 0; i < batches.length; i += 2) {
        const results = await Promise.all(batches.slice(i, i + 2).map((batch, j) =>
          checkSyntax(dir, `batch${i + j}.cpp`, ['#include "cubie/platform.h"', ...batch].join('\n'))));
        for (const result of results) {
          expect(result.stderr.slice(0, 4000)).toBe('');
          expect(result.code).toBe(0);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  itNvrtc('every valid system passes the NVRTC front end, and a sample compiles to PTX through probe kernels', async () => {
    // NVRTC type-checks every inline function it reads, called or not, so the whole
    // corpus goes through it cheaply. Generating device code for all of it would take
    // minutes (a chain of 64 nested sin() alone takes NVRTC ~2 s), so a sample of the
    // grammar and mutated systems (every 10th, ~130 per precision) is compiled through
    // kernels that call all five functions.
    const platform = fs.readFileSync(PLATFORM_HEADER, 'utf8');
    const compile = (source: string, name: string) =>
      compileCuda({ source, name, headers: { 'cubie/platform.h': platform }, options: ['--std=c++17', '-arch=compute_80'], target: 'ptx' });
    for (const precision of ['float32', 'float64'] as const) {
      const entries = outcomes.flatMap((o, index) => (o.sources[precision] === undefined ? [] : [{ index, kind: o.case.kind, source: o.sources[precision] as string }]));
      for (let i = 0; i < entries.length; i += BATCH) {
        const batch = entries.slice(i, i + BATCH);
        const result = await compile(['#include "cubie/platform.h"', ...batch.map((e) => e.source)].join('\n'), `fuzz_${precision}_${i}.cu`);
        expect(typeof result.ptx).toBe('string');
      }
      const sample = entries.filter((e) => e.kind === 'grammar' || e.kind === 'mutated').filter((_, k) => k % 10 === 0);
      const namespaces = sample.map((e) => `f${e.index}`);
      const result = await compile(['#include "cubie/platform.h"', ...sample.map((e) => e.source), probeKernels(namespaces, precision)].join('\n'), `fuzz_probe_${precision}.cu`);
      for (const ns of namespaces) expect(result.ptx).toContain(`.entry probe_${ns}(`);
    }
  });

  it('for grammar systems, compiled dxdt agrees with mathjs evaluating the text', async () => {
    const r = new Random(SEED + 1);
    const chosen = outcomes.filter((o) => o.case.kind === 'grammar' && o.system && o.sources.float64).slice(0, 300);
    const systems = chosen.map((o) => o.system as CubieSystem);
    const dir = tempDir('fuzz-eval');
    try {
      const harness = await buildHarness(dir, systems, 'float64');
      const points = systems.map((s, system) => ({
        system,
        point: {
          y: s.states.map(() => r.uniform(-2, 2)), p: s.parameters.map(() => r.uniform(-2, 2)),
          d: s.drivers.map(() => r.uniform(-2, 2)), ddot: s.drivers.map(() => r.uniform(-1, 1)),
          v: s.states.map(() => r.uniform(-1, 1)), t: r.uniform(0, 3),
        },
      }));
      const outputs = await harness.evaluate(points);
      let compared = 0;
      const mismatches: string[] = [];
      points.forEach(({ system, point }, k) => {
        const expected = oracle(systems[system], point).f;
        outputs[k].dy.forEach((value, i) => {
          if (!Number.isFinite(value) || !Number.isFinite(expected[i])) return;
          compared++;
          // A wrong parenthesization or operator is an O(1) difference; rounding (x*x vs pow, libm) is far below 1e-6.
          if (Math.abs(value - expected[i]) > 1e-6 * (1 + Math.abs(expected[i]))) {
            mismatches.push(`${JSON.stringify(systems[system].definition.equations)} at ${JSON.stringify(point)}: ${value} vs ${expected[i]}`);
          }
        });
      });
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(300);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
