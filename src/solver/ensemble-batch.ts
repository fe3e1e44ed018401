/**
 * A batch's result with its ensemble statistics: the whole result with
 * `ensemble` added, or, when no per-run saves were asked for, the chunks'
 * per-run status, summaries and counters joined and no saved series at all.
 */
import type { EnsembleAccumulator } from './ensemble-result';
import type { RealArray } from './grid';
import { SolveResult } from './result';

export function withEnsemble(result: SolveResult, accumulator: EnsembleAccumulator): SolveResult {
  return new SolveResult({ ...initOf(result), ensemble: accumulator.result() });
}

function initOf(r: SolveResult): ConstructorParameters<typeof SolveResult>[0] {
  return {
    timeDomain: r.timeDomain,
    variables: r.variables,
    time: r.time,
    summaries: r.summaries,
    summaryLegend: r.summaryLegend,
    status: r.status,
    nRuns: r.nRuns,
    kernel: r.kernel,
    timings: r.timings,
    iterationCounters: r.iterationCounters,
    events: r.events,
    seed: r.seed,
  };
}

/**
 * A piece's result without its saved series, once the accumulator has taken
 * them: what ensembleOnlyResult joins, so the pieces held until the end cost
 * their statuses (and summaries, counters), not their saves.
 */
export function withoutSeries(piece: SolveResult): SolveResult {
  const empty = piece.timeDomain instanceof Float32Array ? new Float32Array(0) : new Float64Array(0);
  return new SolveResult({ ...initOf(piece), timeDomain: empty, variables: [] });
}

/** Per-run arrays laid out [rows][nRuns], joined along the runs. */
function joinRuns<T extends RealArray | Int32Array>(parts: T[], runs: number[]): T {
  const total = runs.reduce((a, b) => a + b, 0);
  const rows = runs[0] === 0 ? 0 : parts[0].length / runs[0];
  const out = new (parts[0].constructor as new (n: number) => T)(rows * total);
  let first = 0;
  parts.forEach((part, i) => {
    for (let row = 0; row < rows; row++) out.set(part.subarray(row * runs[i], (row + 1) * runs[i]) as never, row * total + first);
    first += runs[i];
  });
  return out;
}

export function ensembleOnlyResult(pieces: SolveResult[], accumulator: EnsembleAccumulator): SolveResult {
  const runs = pieces.map((p) => p.nRuns);
  const first = pieces[0];
  const counters = first.iterationCounters === undefined
    ? undefined
    : Object.fromEntries(Object.keys(first.iterationCounters).map((name) => [name, joinRuns(pieces.map((p) => p.iterationCounters![name]), runs)]));
  const sum = (key: 'totalMs' | 'compileMs' | 'runMs' | 'transferMs') => pieces.reduce((t, p) => t + p.timings[key], 0);
  return new SolveResult({
    timeDomain: first.timeDomain instanceof Float32Array ? new Float32Array(0) : new Float64Array(0),
    variables: [],
    time: first.time,
    summaries: joinRuns(pieces.map((p) => p.summaries), runs),
    summaryLegend: first.summaryLegend,
    status: joinRuns(pieces.map((p) => p.status), runs),
    nRuns: runs.reduce((a, b) => a + b, 0),
    kernel: first.kernel,
    timings: { totalMs: sum('totalMs'), compileMs: sum('compileMs'), runMs: sum('runMs'), transferMs: sum('transferMs') },
    iterationCounters: counters,
    seed: first.seed,
    ensemble: accumulator.result(),
  });
}
