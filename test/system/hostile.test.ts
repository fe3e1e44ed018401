/**
 * User text is data. Every hostile input either fails with the expected
 * CubieError or yields a system whose generated C++ carries no user text
 * outside `//` comments (and only checked identifiers inside them).
 */
import { generateSystemSource } from '../../src/codegen/system-source';
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../../src/shared/errors';
import { createSystem } from '../../src/system';
import type { CubieSystem, SystemDefinition } from '../../src/system';
import { REPO_ROOT, checkSyntax, tempDir } from './support/gxx';
import { buildHarness } from './support/harness';
import { leaks } from './support/leaks';
import { oracle } from './support/oracle';
import { Random } from './support/random';

interface Entry {
  what: string;
  definition: SystemDefinition;
  expect: 'error' | 'system';
  code?: string;
  absent?: string[];
}

const corpus = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/system/hostile.json'), 'utf8')) as { corpus: Entry[] }).corpus;
const LONG = 'a'.repeat(10_000);
const generated: Entry[] = [
  { what: '10k-character state name', definition: { equations: 'dx = 1', states: [LONG] }, expect: 'error', code: 'INVALID_NAME' },
  { what: '10k-character symbol in an equation (over the line limit)', definition: { equations: `dx = ${LONG}` }, expect: 'error', code: 'PARSE_ERROR' },
  { what: '5k-character symbol in an equation', definition: { equations: `dx = ${LONG.slice(5000)}` }, expect: 'error', code: 'INVALID_NAME' },
  { what: '5k-character target', definition: { equations: `${LONG.slice(5000)} = 1\ndx = 1` }, expect: 'error', code: 'INVALID_NAME' },
  { what: '5k-character function name', definition: { equations: `dx = ${LONG.slice(5000)}(x)` }, expect: 'error', code: 'UNKNOWN_FUNCTION' },
  { what: '100k-character line', definition: { equations: `dx = ${'1+'.repeat(50_000)}1` }, expect: 'error', code: 'PARSE_ERROR' },
  { what: '10k-character system name', definition: { name: LONG, equations: 'dx = 1' }, expect: 'error', code: 'INVALID_NAME' },
];
const entries = [...corpus, ...generated];

function outcome(entry: Entry): CubieSystem | CubieError {
  try {
    return createSystem(entry.definition);
  } catch (e) {
    if (e instanceof CubieError) return e;
    throw e;
  }
}

describe('hostile inputs', () => {
  const harmless: { what: string; system: CubieSystem }[] = [];

  it.each(entries.map((e) => [e.what, e] as const))('%s', (_what, entry) => {
    const result = outcome(entry);
    if (entry.expect === 'error') {
      expect(result).toBeInstanceOf(CubieError);
      const error = result as CubieError;
      expect(error.code).toBe(entry.code);
      // Messages show user text escaped and shortened: no control or invisible characters, bounded length.
      expect(error.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      expect(error.message.length).toBeLessThan(700);
      return;
    }
    expect(result).not.toBeInstanceOf(CubieError);
    const system = result as CubieSystem;
    for (const precision of ['float32', 'float64'] as const) {
      const source = generateSystemSource(system, { precision });
      for (const fragment of entry.absent ?? []) expect(source).not.toContain(fragment);
      expect(leaks(source)).toEqual([]);
    }
    harmless.push({ what: entry.what, system });
  });

  it('the harmless ones compile with g++ under -Werror, both precisions', async () => {
    expect(harmless.length).toBe(entries.filter((e) => e.expect === 'system').length);
    const dir = tempDir('hostile');
    try {
      for (const precision of ['float32', 'float64'] as const) {
        const source = ['#include "cubie/platform.h"', ...harmless.map((h, i) => generateSystemSource(h.system, { precision, namespace: `h${i}` }))].join('\n');
        const result = await checkSyntax(dir, `hostile_${precision}.cpp`, source);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('user names equal to generated names', () => {
  // States and parameters named like the generated code's own identifiers must not collide with them.
  const system = createSystem({
    equations: [
      'c1 = y*p + a0',
      'dy = -p*y + J*c0',
      'dp = c1 - real',
      'dc0 = sin(a0) - Jv*ft',
      'da0 = n_states*c0 - dxdt',
      'dft = CUBIE_FN + ddot - obs*v',
    ],
    states: ['y', 'p', 'c0', 'a0', 'ft'],
    parameters: ['J', 'Jv', 'real', 'n_states', 'dxdt', 'CUBIE_FN', 'ddot', 'obs', 'v'],
    observables: ['c1'],
  });

  it('computes the same values as mathjs', async () => {
    const dir = tempDir('collide');
    try {
      const harness = await buildHarness(dir, [system], 'float64');
      const random = new Random(3);
      const points = Array.from({ length: 20 }, () => ({
        y: system.states.map(() => random.uniform(-2, 2)),
        p: system.parameters.map(() => random.uniform(-2, 2)),
        d: [], ddot: [], v: system.states.map(() => random.uniform(-1, 1)), t: random.uniform(0, 1),
      }));
      const outputs = await harness.evaluate(points.map((point) => ({ system: 0, point })));
      points.forEach((point, k) => {
        const expected = oracle(system, point);
        outputs[k].dy.forEach((v, i) => expect(v).toBeCloseTo(expected.f[i], 12));
        expect(outputs[k].obs[0]).toBeCloseTo(expected.observables[0], 12);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
