/**
 * Ensemble statistics of a batch, chunk by chunk: each chunk's saved values
 * become per-slot moments (Welford), merged into the batch's (Chan et al.,
 * summaries/ensemble.ts), so memory holds one set of moments per
 * (save time, variable, input combination), not the runs. Run r is replicate
 * r mod R of combination floor(r / R) (replicates fastest, solver/grid.ts).
 */
import { EnsembleMoments, ensembleLegend, type EnsembleOutput } from '../summaries/ensemble';
import type { RealArray } from './grid';

/** `result.ensemble`: values[(k * legend.length + j) * nCombinations + c], legend 'x.mean', 'x.var', ... */
export interface EnsembleResult {
  readonly legend: string[];
  readonly values: Float64Array;
  /** [nTimes, legend.length, nCombinations] */
  readonly shape: [number, number, number];
  readonly replicates: number;
}

export class EnsembleAccumulator {
  private readonly total: EnsembleMoments;

  constructor(
    private readonly nTimes: number,
    private readonly variables: readonly string[],
    private readonly outputs: readonly EnsembleOutput[],
    private readonly nCombinations: number,
    private readonly replicates: number,
  ) {
    this.total = new EnsembleMoments(nTimes * variables.length * nCombinations);
  }

  /** A chunk's saves, laid out [nTimes][nVariables][nRuns], for runs firstRun .. firstRun + nRuns - 1 of the batch. */
  add(timeDomain: RealArray, nRuns: number, firstRun: number): void {
    const nVars = this.variables.length;
    const chunk = new EnsembleMoments(this.total.slots);
    for (let k = 0; k < this.nTimes; k++) {
      for (let v = 0; v < nVars; v++) {
        const row = (k * nVars + v) * nRuns;
        const slotBase = (k * nVars + v) * this.nCombinations;
        for (let r = 0; r < nRuns; r++) chunk.add(slotBase + Math.floor((firstRun + r) / this.replicates), timeDomain[row + r]);
      }
    }
    this.total.merge(chunk);
  }

  /** The moments so far, slot (k * nVariables + v) * nCombinations + c. */
  moments(): EnsembleMoments {
    return this.total;
  }

  /** Combination `from` of another accumulator over the same times and variables, folded into this one's combination `to`. */
  mergeCombination(other: EnsembleAccumulator, from: number, to: number): void {
    const nVars = this.variables.length;
    const part = new EnsembleMoments(this.total.slots);
    for (let k = 0; k < this.nTimes; k++) {
      for (let v = 0; v < nVars; v++) {
        const a = (k * nVars + v) * other.nCombinations + from;
        const b = (k * nVars + v) * this.nCombinations + to;
        part.count[b] = other.total.count[a];
        part.mean[b] = other.total.mean[a];
        part.m2[b] = other.total.m2[a];
        part.min[b] = other.total.min[a];
        part.max[b] = other.total.max[a];
      }
    }
    this.total.merge(part);
  }

  /** Moments gathered elsewhere (shards' moment files), for the same slots: (k * nVariables + v) * nCombinations + c. */
  addMoments(moments: EnsembleMoments): void {
    this.total.merge(moments);
  }

  result(): EnsembleResult {
    const legend = ensembleLegend(this.variables, this.outputs);
    const nVars = this.variables.length;
    const nOut = this.outputs.length;
    const values = new Float64Array(this.nTimes * legend.length * this.nCombinations);
    for (let k = 0; k < this.nTimes; k++) {
      for (let v = 0; v < nVars; v++) {
        for (let o = 0; o < nOut; o++) {
          const to = (k * legend.length + v * nOut + o) * this.nCombinations;
          const from = (k * nVars + v) * this.nCombinations;
          for (let c = 0; c < this.nCombinations; c++) values[to + c] = this.total.value(from + c, this.outputs[o]);
        }
      }
    }
    return { legend, values, shape: [this.nTimes, legend.length, this.nCombinations], replicates: this.replicates };
  }
}
