/**
 * The C++ for a system's events: the `when` functions of crossing events,
 * each event's assignments, and the schedule of discrete ones, in a
 * namespace the engine's event loop (kernel/cubie/events.h) reads.
 *
 * A system without events gets no text at all, so its kernel is what it was
 * before events existed: events.h then supplies an empty namespace.
 *
 * As in system-source.ts, user text never reaches the output as code: the
 * expressions come from the validated graph, and names appear only in
 * comments after the identifier check.
 */
import type { SystemModel } from '../system/model';
import { IDENTIFIER } from '../system/names';
import type { Precision } from '../system/types';
import { emitBody } from './cpp-function';
import { cppLiteral } from './cpp-literal';
import { Lowering } from './lower';

const PARAMS = 'const real* __restrict__ y, const real* __restrict__ p, const real* __restrict__ d, real t';
const DIRECTION = { rising: 1, falling: -1, both: 0 } as const;

/** The times of every `at` event, concatenated in event order: the kernel reads them from a buffer. */
export function eventAtTimes(model: SystemModel): Float64Array {
  return Float64Array.from(model.events.flatMap((e) => (e.trigger.kind === 'at' ? [...e.trigger.at] : [])));
}

/** `switch (i) { case 0: return a; ... } return fallback;` over one value per index. */
function table(name: string, type: string, values: readonly string[], fallback: string): string[] {
  return [
    `CUBIE_FN ${type} ${name}(int i) {`,
    ...(values.length ? ['  switch (i) {', ...values.map((v, i) => `    case ${i}: return ${v};`), '  }'] : ['  (void)i;']),
    `  return ${fallback};`,
    '}',
  ];
}

function double(value: number): string {
  const text = cppLiteral(Math.abs(value), 'float64');
  return value < 0 || Object.is(value, -0) ? `-${text}` : text;
}

/**
 * `recordEvents`: 'events' is among the output types, so the kernel writes
 * each run's event records. Returns '' for a system without events.
 */
export function generateEventSource(model: SystemModel, precision: Precision, recordEvents: boolean): string {
  const events = model.events;
  if (events.length === 0) return '';
  for (const e of events) if (!IDENTIFIER.test(e.name)) throw new Error('an unchecked name reached code generation');
  const lowering = new Lowering(model.builder);
  const labels = new Map<number, string>();

  const crossing = events.flatMap((e, index) => (e.trigger.kind === 'crossing' ? [{ index, when: e.trigger.when, direction: e.trigger.direction }] : []));
  const discrete = events.flatMap((e, index) => (e.trigger.kind === 'crossing' ? [] : [{ index, trigger: e.trigger }]));
  let atOffset = 0;
  const schedule = discrete.map(({ index, trigger }) => {
    if (trigger.kind === 'every') return { index, period: trigger.every, start: trigger.start, offset: 0, count: 0 };
    if (trigger.kind !== 'at') throw new Error('unreachable');
    const entry = { index, period: 0, start: undefined, offset: atOffset, count: trigger.at.length };
    atOffset += trigger.at.length;
    return entry;
  });

  const when = lowering.lower(crossing.map((c) => c.when));
  const apply = events.map((event, e) => {
    if (event.assignments.length === 0) return [`    case ${e}: break;  // ${event.name}: no assignments`];
    const values = lowering.lower(event.assignments.map((a) => a.value));
    return [
      `    case ${e}: {  // ${event.name}`,
      `      real v[${values.length}];`,
      ...emitBody({ outputs: values.map((value, j) => ({ target: `v[${j}]`, value })), labels, precision, indent: '      ' }),
      ...event.assignments.map((a, j) => `      y[${a.state}] = v[${j}];`),
      '      break;',
      '    }',
    ];
  });

  return [
    `// Events: ${events.map((e, i) => `[${i}] ${e.name}`).join(', ')}`,
    '#define CUBIE_HAS_EVENTS 1',
    'namespace cubie_events {',
    'typedef cubie_sys::real real;',
    `constexpr int n_events = ${events.length};`,
    `constexpr int n_crossing = ${crossing.length};`,
    `constexpr int n_discrete = ${discrete.length};`,
    `constexpr bool records = ${recordEvents};`,
    '',
    '// g[c] = the `when` expression of crossing event c; it fires where g[c] crosses zero.',
    `CUBIE_FN void when(${PARAMS}, real* __restrict__ g) {`,
    '  (void)y; (void)p; (void)d; (void)t; (void)g;',
    ...emitBody({ outputs: when.map((value, c) => ({ target: `g[${c}]`, value })), labels, precision }),
    '}',
    '// Crossing c: the event it belongs to, and its direction (1 rising, -1 falling, 0 both).',
    ...table('crossing_event', 'int', crossing.map((c) => String(c.index)), '-1'),
    ...table('crossing_direction', 'int', crossing.map((c) => String(DIRECTION[c.direction])), '0'),
    '// Discrete event k: the event it belongs to; `every` events have a period and a start',
    "// (the run's t0 where none was given); `at` events read count times from the at-times buffer at offset.",
    ...table('discrete_event', 'int', schedule.map((s) => String(s.index)), '-1'),
    ...table('discrete_period', 'double', schedule.map((s) => double(s.period)), '0.0'),
    ...table('discrete_has_start', 'bool', schedule.map((s) => String(s.start !== undefined)), 'false'),
    ...table('discrete_start', 'double', schedule.map((s) => double(s.start ?? 0)), '0.0'),
    ...table('at_offset', 'int', schedule.map((s) => String(s.offset)), '0'),
    ...table('at_count', 'int', schedule.map((s) => String(s.count)), '0'),
    '// 0: never ends the run; N: its Nth firing ends the run.',
    ...table('terminal', 'int', events.map((e) => String(e.terminal)), '0'),
    '// Event e\'s assignments: every right side is computed before any state is set.',
    `CUBIE_FN void apply(int e, real* __restrict__ y, const real* __restrict__ p, const real* __restrict__ d, real t) {`,
    '  (void)y; (void)p; (void)d; (void)t;',
    '  switch (e) {',
    ...apply.flat(),
    '    default: break;',
    '  }',
    '}',
    '}  // namespace cubie_events',
    '',
  ].join('\n');
}
