import type { OdeSystem, SystemDefinition } from '../system';
import type { Inputs } from './grid';
import type { SolveOptions } from '../options/solve-options';
import type { SolveResult } from './result';
import { Solver } from './solver';

/**
 * Solves a batch in one call. Arrays in y0 and parameters are swept
 * combinatorially by default (every combination); gridType 'verbatim' pairs
 * them element by element instead.
 */
export async function solveIvp(
  system: OdeSystem | SystemDefinition,
  y0: Inputs,
  parameters?: Inputs,
  options?: SolveOptions,
): Promise<SolveResult> {
  const solver = new Solver(system, options);
  try {
    return await solver.solveWith(y0, parameters, undefined, 'combinatorial');
  } finally {
    solver.close();
  }
}
