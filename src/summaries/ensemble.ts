/**
 * Ensemble statistics: mean, variance, standard deviation, minimum and
 * maximum over the replicates of each input combination, at every save
 * time and for every saved variable (`ensembleOutputs`).
 *
 * Replicates arrive chunk by chunk, so memory must not grow with the
 * number of runs: each chunk is reduced to per-slot moments (count, mean,
 * M2 = sum of squared deviations, min, max; Welford within a chunk), and
 * chunks are combined with Chan, Golub & LeVeque's pairwise update
 *   n = na + nb,  d = mean_b - mean_a,
 *   mean = mean_a + d nb / n,  M2 = M2a + M2b + d^2 na nb / n,
 * which is exact in real arithmetic for any chunking and, unlike summing
 * x and x^2, does not cancel catastrophically when the mean is large.
 * `var` is the unbiased sample variance M2 / (n - 1); with fewer than two
 * replicates it is NaN (undefined), as is every statistic of an empty slot.
 * NaN samples propagate (a failed run makes its slot NaN rather than
 * silently shrinking n).
 */
import { CubieError } from '../shared/errors';
import { didYouMean } from '../shared/suggest';

export const ENSEMBLE_OUTPUTS = ['mean', 'var', 'std', 'min', 'max'] as const;
export type EnsembleOutput = (typeof ENSEMBLE_OUTPUTS)[number];

/**
 * The `ensembleOutputs` option, checked: known names, each once, in the
 * order given (the legend's order).
 * @throws CubieError INVALID_OPTION
 */
export function parseEnsembleOutputs(value: unknown): EnsembleOutput[] {
  if (!Array.isArray(value)) {
    throw new CubieError('INVALID_OPTION', `ensembleOutputs must be a list such as ['mean', 'var'], got ${value === null ? 'null' : typeof value}`, { where: 'ensembleOutputs', option: 'ensembleOutputs' });
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, i) => {
    const found = ENSEMBLE_OUTPUTS.find((name) => name === entry);
    if (found === undefined) {
      const hint = typeof entry === 'string' ? didYouMean(entry, ENSEMBLE_OUTPUTS) : '';
      throw new CubieError('INVALID_OPTION', `ensembleOutputs[${i}] must be one of ${ENSEMBLE_OUTPUTS.join(', ')}, got ${JSON.stringify(entry) ?? String(entry)}${hint}`, { where: `ensembleOutputs[${i}]`, option: 'ensembleOutputs' });
    }
    if (seen.has(found)) {
      throw new CubieError('INVALID_OPTION', `ensembleOutputs lists '${found}' twice; request each statistic once`, { where: `ensembleOutputs[${i}]`, option: 'ensembleOutputs' });
    }
    seen.add(found);
    return found;
  });
}

/** `result.ensemble.legend`: 'x.mean', 'x.var', ... variable by variable, statistics in the order requested. */
export function ensembleLegend(variables: readonly string[], outputs: readonly EnsembleOutput[]): string[] {
  return variables.flatMap((variable) => outputs.map((output) => `${variable}.${output}`));
}

/** ensembleLegend's inverse: the variables, in order, and the statistics each has. */
export function ensembleLegendParts(legend: readonly string[]): { variables: string[]; outputs: EnsembleOutput[] } {
  const variables = [...new Set(legend.map((l) => l.slice(0, l.lastIndexOf('.'))))];
  const outputs = legend.slice(0, variables.length ? legend.length / variables.length : 0).map((l) => l.slice(l.lastIndexOf('.') + 1) as EnsembleOutput);
  return { variables, outputs };
}

/** Per-slot moments of the samples seen so far; a slot is one (time, variable, combination). */
export class EnsembleMoments {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 0) throw new RangeError(`slots must be a whole number >= 0, got ${slots}`);
    this.count = new Float64Array(slots);
    this.mean = new Float64Array(slots);
    this.m2 = new Float64Array(slots);
    this.min = new Float64Array(slots).fill(Infinity);
    this.max = new Float64Array(slots).fill(-Infinity);
  }

  /** One replicate's value for a slot (Welford's update). */
  add(slot: number, x: number): void {
    const n = this.count[slot] + 1;
    const delta = x - this.mean[slot];
    this.count[slot] = n;
    this.mean[slot] += delta / n;
    this.m2[slot] += delta * (x - this.mean[slot]);
    // Math.min/max propagate NaN, as the mean and variance do.
    this.min[slot] = Math.min(this.min[slot], x);
    this.max[slot] = Math.max(this.max[slot], x);
  }

  /** Folds another chunk's moments for the same slots into this one (Chan et al.). */
  merge(other: EnsembleMoments): void {
    if (other.slots !== this.slots) throw new RangeError(`cannot merge moments of ${other.slots} slots into ${this.slots}`);
    for (let s = 0; s < this.slots; s++) {
      const nb = other.count[s];
      if (nb === 0) continue;
      const na = this.count[s];
      if (na === 0) {
        this.count[s] = nb;
        this.mean[s] = other.mean[s];
        this.m2[s] = other.m2[s];
        this.min[s] = other.min[s];
        this.max[s] = other.max[s];
        continue;
      }
      const n = na + nb;
      const delta = other.mean[s] - this.mean[s];
      this.count[s] = n;
      this.mean[s] += delta * (nb / n);
      this.m2[s] += other.m2[s] + delta * delta * (na * nb / n);
      this.min[s] = Math.min(this.min[s], other.min[s]);
      this.max[s] = Math.max(this.max[s], other.max[s]);
    }
  }

  /** One statistic of one slot. */
  value(slot: number, output: EnsembleOutput): number {
    const n = this.count[slot];
    if (n === 0) return NaN;
    switch (output) {
      case 'mean':
        return this.mean[slot];
      case 'var':
        return n < 2 ? NaN : this.m2[slot] / (n - 1);
      case 'std':
        return n < 2 ? NaN : Math.sqrt(this.m2[slot] / (n - 1));
      case 'min':
        return this.min[slot];
      case 'max':
        return this.max[slot];
    }
  }
}
