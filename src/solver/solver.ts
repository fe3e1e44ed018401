import { defaultBackend, loadKernel } from '../backends/choose';
import { scalarReason } from './lanes';
import type { KernelInfo, LoadedKernel } from '../backends/kernel';
import { generateKernel } from '../codegen/generate';
import { CubieError } from '../shared/errors';
import { createSystem, isCubieSystem } from '../system';
import type { CubieSystem, OdeSystem, SystemDefinition } from '../system';
import { fitDrivers, FittedDrivers } from './drivers';
import { buildGrid, Inputs, replicateGrid } from './grid';
import { EnsembleAccumulator, type EnsembleResult } from './ensemble-result';
import { ensembleOnlyResult, withEnsemble, withoutSeries } from './ensemble-batch';
import { Buffer as Slot, COUNTER_NAMES, FIXED_BUFFER_SLOTS, KernelBuffer, Scalar, SCALAR_SLOTS } from '../backends/kernel-abi';
import { GridType, mergeOptions, normalizeOptions, readOption, SolveOptions } from '../options/solve-options';
import { compilePlan, CompilePlan } from '../codegen/compile-plan';
import { runPlan, RunPlan } from './run-plan';
import { SolveResult } from './result';
import { summaryLegend } from '../codegen/summary-outputs';
import { toleranceArray } from './tolerances';
import { describeOutput, OutputDescription } from './describe';
import { eventAtTimes } from '../codegen/event-source';
import { eventRecords } from './events';
import { batchSeed, seedHalves } from './seed';

interface PreparedBatch {
  nRuns: number;
  kernel: KernelInfo;
  run(first: number, end: number): Promise<SolveResult>;
  /** With ensembleOutputs: the statistics' accumulator, and whether per-run saves stay in the result. */
  ensemble?: { accumulator: EnsembleAccumulator; keepRuns: boolean; replicates: number };
}

/** Ensemble-only batches run this many runs (rounded to whole combinations) at a time, so memory does not grow with runs. */
const ENSEMBLE_CHUNK_RUNS = 65_536;

export function asSystem(system: OdeSystem | SystemDefinition): CubieSystem {
  if (isCubieSystem(system)) return system;
  if (typeof system === 'object' && system !== null && 'equations' in system) return createSystem(system as SystemDefinition);
  throw new CubieError('INVALID_SYSTEM', 'expected a system made by createSystem() or a system definition with equations');
}

function realArray(plan: CompilePlan, length: number): Float32Array | Float64Array {
  return plan.precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

function scalarsFor(nRuns: number, run: RunPlan, drivers: FittedDrivers | undefined, seed: number | undefined): Float64Array {
  const s = new Float64Array(SCALAR_SLOTS);
  s[Scalar.N_RUNS] = nRuns;
  s[Scalar.T0] = run.t0;
  s[Scalar.DURATION] = run.duration;
  s[Scalar.SETTLING_TIME] = run.settlingTime;
  s[Scalar.SAVE_EVERY] = run.saveEvery;
  s[Scalar.N_SAVES] = run.nSaves;
  s[Scalar.SAMPLES_PER_WINDOW] = run.samplesPerWindow;
  s[Scalar.N_WINDOWS] = run.nWindows;
  s[Scalar.DT] = run.dt;
  s[Scalar.DT_MIN] = run.dtMin;
  s[Scalar.DT_MAX] = run.dtMax;
  s[Scalar.SAFETY] = run.safety;
  s[Scalar.MIN_GAIN] = run.minGain;
  s[Scalar.MAX_GAIN] = run.maxGain;
  s[Scalar.KP] = run.kp;
  s[Scalar.KI] = run.ki;
  s[Scalar.KD] = run.kd;
  s[Scalar.MAX_STEPS] = run.maxSteps;
  s[Scalar.NEWTON_TOL] = run.newtonTol;
  s[Scalar.NEWTON_MAX_ITERS] = run.newtonMaxIters;
  s[Scalar.LINEAR_TOL] = run.linearTol;
  s[Scalar.LINEAR_MAX_ITERS] = run.linearMaxIters;
  s[Scalar.DRIVER_KNOTS] = drivers ? drivers.knots.length : 0;
  s[Scalar.DRIVER_UNIFORM_DT] = drivers ? drivers.uniformDt : 0;
  s[Scalar.DRIVER_PERIODIC] = drivers?.periodic ? 1 : 0;
  s[Scalar.MAX_EVENTS] = run.maxEvents;
  s[Scalar.MAX_EVENT_RECORDS] = run.maxEventRecords;
  s[Scalar.EVENT_TOLERANCE] = run.eventTolerance;
  if (seed !== undefined) {
    const { high, low } = seedHalves(seed);
    s[Scalar.SEED_HIGH] = high;
    s[Scalar.SEED_LOW] = low;
    s[Scalar.BROWNIAN_TOLERANCE] = run.brownianTolerance;
  }
  return s;
}

/** Plans whose sources a Solver keeps (the oldest goes first). */
const MAX_REMEMBERED_SOURCES = 16;

/**
 * A system with settings, compiled once and solved many times. A change to a
 * compile-time setting (method, precision, outputs...) selects another kernel;
 * run-time settings are kernel arguments and never recompile.
 */
export class Solver {
  readonly system: CubieSystem;
  private settings: SolveOptions;
  private closed = false;
  /**
   * Generated sources by compile plan: codegen takes most of a solve's fixed
   * cost once the kernel is loaded (about 0.8 ms against microseconds for the
   * rest), and a loop of small solves repeats the same plan.
   */
  private readonly sources = new Map<string, { source: string; digest: string }>();

  constructor(system: OdeSystem | SystemDefinition, settings?: SolveOptions) {
    this.system = asSystem(system);
    this.settings = normalizeOptions(settings as Record<string, unknown>, 'Solver settings');
    compilePlan(this.system, this.settings); // fail fast on bad compile-time settings
  }

  update(settings: SolveOptions): void {
    const next = mergeOptions(this.settings, normalizeOptions(settings as Record<string, unknown>, 'Solver.update'));
    compilePlan(this.system, next);
    this.settings = next;
  }

  /** The outputs a solve with these options (over the Solver's settings) produces, without solving. */
  describe(options?: SolveOptions): OutputDescription {
    return describeOutput(this.system, mergeOptions(this.settings, normalizeOptions(options as Record<string, unknown>, 'describe options')));
  }

  async compile(): Promise<KernelInfo> {
    return (await this.kernel(this.settings)).info;
  }

  async solve(y0: Inputs, parameters?: Inputs, options?: SolveOptions): Promise<SolveResult> {
    return this.solveWith(y0, parameters, options, 'verbatim');
  }

  /** Shared by solve (verbatim grid by default) and solveIvp (combinatorial by default). */
  async solveWith(y0: Inputs, parameters: Inputs | undefined, options: SolveOptions | undefined, defaultGrid: GridType): Promise<SolveResult> {
    const batch = await this.prepare(y0, parameters, options, defaultGrid);
    if (batch.ensemble === undefined) return batch.run(0, batch.nRuns);
    const { accumulator, keepRuns, replicates } = batch.ensemble;
    if (keepRuns) {
      const whole = await batch.run(0, batch.nRuns);
      accumulator.add(whole.timeDomain, whole.nRuns, 0);
      return withEnsemble(whole, accumulator);
    }
    // Whole combinations when they fit, else cuts inside one: the accumulator maps each run to its
    // combination, so any cut gives the same statistics, and memory stays bounded by the piece.
    const step = replicates <= ENSEMBLE_CHUNK_RUNS ? replicates * Math.floor(ENSEMBLE_CHUNK_RUNS / replicates) : ENSEMBLE_CHUNK_RUNS;
    const pieces: SolveResult[] = [];
    for (let first = 0; first < batch.nRuns; first += step) {
      const piece = await batch.run(first, Math.min(batch.nRuns, first + step));
      accumulator.add(piece.timeDomain, piece.nRuns, first);
      pieces.push(withoutSeries(piece));
    }
    return ensembleOnlyResult(pieces, accumulator);
  }

  /**
   * Solves the batch a chunk of runs at a time, handing each chunk's result to
   * `onChunk` (awaited before the next chunk starts), so that memory stays
   * bounded by the chunk whatever the batch size. A chunk's runs are
   * `firstRun .. firstRun + chunk.nRuns - 1` of the whole grid. With
   * `ensembleOutputs` the statistics of the whole batch come back at the end
   * (chunks may cut inside a combination); each chunk then holds its per-run
   * saves only if per-run outputs were asked for besides the statistics.
   */
  async solveChunks(
    y0: Inputs,
    parameters: Inputs | undefined,
    options: SolveOptions | undefined,
    chunk: { runsPerChunk: number; gridType?: GridType; onChunk: (result: SolveResult, firstRun: number, totalRuns: number) => void | Promise<void> },
  ): Promise<{ nRuns: number; kernel: KernelInfo; ensemble?: EnsembleResult }> {
    if (!Number.isInteger(chunk.runsPerChunk) || chunk.runsPerChunk < 1) {
      throw new CubieError('INVALID_OPTION', `runsPerChunk must be a positive integer (got ${chunk.runsPerChunk})`, { where: 'runsPerChunk' });
    }
    const batch = await this.prepare(y0, parameters, options, chunk.gridType ?? 'verbatim');
    for (let first = 0; first < batch.nRuns; first += chunk.runsPerChunk) {
      const result = await batch.run(first, Math.min(batch.nRuns, first + chunk.runsPerChunk));
      if (batch.ensemble === undefined) {
        await chunk.onChunk(result, first, batch.nRuns);
        continue;
      }
      batch.ensemble.accumulator.add(result.timeDomain, result.nRuns, first);
      await chunk.onChunk(batch.ensemble.keepRuns ? result : withoutSeries(result), first, batch.nRuns);
    }
    const ensemble = batch.ensemble?.accumulator.result();
    return { nRuns: batch.nRuns, kernel: batch.kernel, ...(ensemble ? { ensemble } : {}) };
  }

  /** Everything about a batch but the runs themselves: plan, grid, drivers and kernel. */
  private async prepare(y0: Inputs, parameters: Inputs | undefined, options: SolveOptions | undefined, defaultGrid: GridType): Promise<PreparedBatch> {
    if (this.closed) throw new CubieError('INVALID_OPTION', 'this Solver was closed');
    const started = process.hrtime.bigint();
    const merged = mergeOptions(this.settings, normalizeOptions(options as Record<string, unknown>, 'solve options'));
    const plan = compilePlan(this.system, merged);
    const run = runPlan(plan, merged);
    const gridType = readOption(merged, 'gridType', defaultGrid);
    const replicates = readOption(merged, 'replicates', 1);
    const grid = replicateGrid(buildGrid(this.system, y0, parameters, gridType, plan.precision), replicates);
    const drivers = fitDrivers(this.system, merged.drivers, plan.precision);
    const atol = toleranceArray(this.system, merged, 'atol', plan.precision);
    const rtol = toleranceArray(this.system, merged, 'rtol', plan.precision);
    const atTimes = eventAtTimes(this.system.model);
    const { kernel, info } = await this.kernel(merged, plan);
    const legend = summaryLegend(plan);
    const onProgress = merged.onProgress;
    // One seed for the whole batch, so its chunks draw from one set of paths.
    const seed = plan.stochastic === undefined ? undefined : batchSeed(readOption(merged, 'seed'));
    const runIndexOffset = readOption(merged, 'runIndexOffset', 0);
    if (seed !== undefined && runIndexOffset + grid.nRuns > 2 ** 32) {
      throw new CubieError('INVALID_OPTION', `runs ${runIndexOffset}..${runIndexOffset + grid.nRuns - 1} go past run index 2^32 - 1, the last Brownian stream of a seed`, { where: 'runIndexOffset' });
    }

    const runRange = async (first: number, end: number): Promise<SolveResult> => {
      const runStarted = process.hrtime.bigint();
      const nRuns = end - first;
      const timeDomain = realArray(plan, run.nSaves * plan.savedVariables.length * nRuns);
      const summaries = realArray(plan, run.nWindows * legend.length * nRuns);
      const status = new Int32Array(nRuns);
      const counters = plan.iterationCounters ? new Int32Array(COUNTER_NAMES.length * nRuns) : null;
      const events = plan.recordEvents ? eventRecords(this.system, plan, run.maxEventRecords, nRuns) : undefined;
      const buffers: KernelBuffer[] = new Array(FIXED_BUFFER_SLOTS + grid.nColumns).fill(null);
      buffers[Slot.STATE_OUT] = timeDomain;
      buffers[Slot.SUMMARY_OUT] = summaries;
      buffers[Slot.STATUS] = status;
      buffers[Slot.COUNTERS] = counters;
      buffers[Slot.ATOL] = atol;
      buffers[Slot.RTOL] = rtol;
      buffers[Slot.DRIVER_KNOTS] = drivers?.knots ?? null;
      buffers[Slot.DRIVER_COEFFS] = drivers?.coeffs ?? null;
      buffers[Slot.SAVE_TIMES] = run.times;
      buffers[Slot.EVENT_AT_TIMES] = atTimes.length ? atTimes : null;
      // Run r of the batch draws stream (seed, r), whichever chunk it is solved in.
      if (seed !== undefined) buffers[Slot.RUN_INDEX] = Float64Array.from({ length: nRuns }, (_, i) => runIndexOffset + first + i);
      if (events) {
        buffers[Slot.EVENT_COUNT] = events.count;
        buffers[Slot.EVENT_TIME] = events.time;
        buffers[Slot.EVENT_WHICH] = events.which;
        buffers[Slot.EVENT_STATE] = events.state;
      }
      // Without replicates the columns are views (a whole-batch run passes the caller's arrays as
      // they are); with them, this range's runs only.
      grid.columns(first, end).forEach((column, i) => {
        buffers[FIXED_BUFFER_SLOTS + i] = column;
      });
      const stats = await kernel.run(scalarsFor(nRuns, run, drivers, seed), buffers, {
        threads: merged.threads,
        chunkRuns: merged.chunkRuns,
        signal: merged.signal,
        blockSize: merged.blockSize,
        maxDeviceBytes: merged.maxDeviceBytes,
        devices: Array.isArray(merged.devices) ? merged.devices : undefined,
        onProgress: onProgress ? (done: number) => onProgress({ done: first + done, total: grid.nRuns }) : undefined,
      });
      const finished = process.hrtime.bigint();
      const iterationCounters = counters
        ? Object.fromEntries(COUNTER_NAMES.map((name, c) => [name, counters.subarray(c * nRuns, (c + 1) * nRuns)]))
        : undefined;
      return new SolveResult({
        timeDomain,
        variables: plan.savedVariables,
        time: run.times,
        summaries,
        summaryLegend: legend,
        status,
        nRuns,
        kernel: info,
        timings: {
          totalMs: Number(finished - (first === 0 ? started : runStarted)) / 1e6,
          compileMs: first === 0 ? info.compileMs : 0,
          runMs: Number(finished - runStarted) / 1e6,
          transferMs: stats.transferMs,
        },
        iterationCounters,
        events,
        seed,
      });
    };
    const ensemble = plan.ensemble === undefined
      ? undefined
      : { accumulator: new EnsembleAccumulator(run.nSaves, plan.savedVariables, plan.ensemble.outputs, grid.nRuns / replicates, replicates), keepRuns: plan.ensemble.keepRuns, replicates };
    return { nRuns: grid.nRuns, kernel: info, run: runRange, ensemble };
  }

  close(): void {
    this.closed = true;
  }

  private async kernel(options: SolveOptions, plan = compilePlan(this.system, options)): Promise<LoadedKernel> {
    const backend = readOption(options, 'backend', defaultBackend());
    const lanes = scalarReason(plan, readOption(options, 'cpuLanes', 'auto')) === undefined ? plan.precision : undefined;
    const loaded = await loadKernel(this.sourceFor(plan), this.system.name, backend, { ...options, lanes });
    return { ...loaded, info: { ...loaded.info, linearSolver: plan.linearSolver } };
  }

  /** The kernel source of a plan and its digest; the cache key covers the whole source (and the compiler, flags, headers, target). */
  private sourceFor(plan: CompilePlan): { source: string; digest: string } {
    const key = JSON.stringify(plan);
    let generated = this.sources.get(key);
    if (generated === undefined) {
      const { source, digest } = generateKernel(this.system, plan);
      generated = { source, digest };
      if (this.sources.size >= MAX_REMEMBERED_SOURCES) this.sources.delete(this.sources.keys().next().value as string);
      this.sources.set(key, generated);
    }
    return generated;
  }
}
