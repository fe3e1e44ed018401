/**
 * The compile-time choices for a system with noise, or for a stochastic
 * method: which method, which Milstein terms, whether the drift is corrected
 * from Stratonovich, and which Wiener processes are saved. Every mismatch
 * between the method and the system is refused here, at Solver construction,
 * with what to do instead.
 */
import { findSdeMethod, SDE_METHODS, type SdeMethod, type SdeScheme } from '../methods/stochastic/methods';
import { CubieError } from '../shared/errors';
import { nearestName } from '../shared/suggest';
import { resolveMethod } from '../methods/registry';
import type { CubieSystem } from '../system';
import type { ValueSource } from './kernel-source';
import { usesMilsteinTerms } from './sde-stepper';

export interface StochasticPlan {
  scheme: SdeScheme;
  nProcesses: number;
  /** The system is Stratonovich: solved as its Itô equivalent (drift f + 1/2 sum_j L^j g^j). */
  stratonovich: boolean;
  milstein: boolean;
}

/** The method a system with noise gets when none is named. */
export const DEFAULT_SDE_METHOD = 'euler-maruyama';

const SDE_LIST = SDE_METHODS.map((m) => `'${m.name}'${m.aliases.length ? ` ['${m.aliases.join("', '")}']` : ''}`).join(', ');

function isOdeMethod(name: string): boolean {
  try {
    resolveMethod(name);
    return true;
  } catch {
    return false;
  }
}

/** Undefined for an ODE method on a system without noise (the plan is then as it was before noise). */
export function stochasticPlan(system: CubieSystem, methodName: string | undefined): { method: SdeMethod; plan: StochasticPlan } | undefined {
  const noise = system.model.noise;
  const method = methodName === undefined ? undefined : findSdeMethod(methodName);
  if (noise === undefined) {
    if (method === undefined) return undefined;
    throw new CubieError('INVALID_OPTION', `Option 'method' is '${method.name}', a method for stochastic equations, but system '${system.name}' has no noise; add 'noise' to its definition, or use an ODE method such as 'tsit5'`, { where: 'method', method: method.name });
  }
  if (method === undefined && methodName !== undefined) {
    if (!isOdeMethod(methodName)) {
      const names = SDE_METHODS.flatMap((m) => [m.name, ...m.aliases]);
      const hint = nearestName(methodName.trim().toLowerCase(), names);
      throw new CubieError('INVALID_OPTION', `Unknown method '${methodName}'${hint ? ` (did you mean '${hint}'?)` : ''}; system '${system.name}' has noise, and its methods are ${SDE_LIST}`, { where: 'method', method: methodName, suggestion: hint, known: SDE_METHODS.map((m) => m.name) });
    }
    throw new CubieError('INVALID_OPTION', `Option 'method' is '${methodName}', which integrates ODEs only, but system '${system.name}' has noise; use a method for stochastic equations: ${SDE_LIST}, or remove 'noise' to solve the drift alone`, { where: 'method', method: methodName, known: SDE_METHODS.map((m) => m.name) });
  }
  const chosen = method ?? findSdeMethod(DEFAULT_SDE_METHOD)!;
  if (chosen.needsCommutativeNoise && !noise.commutative) {
    throw new CubieError('INVALID_OPTION', `Option 'method' is '${chosen.name}', which needs commutative noise (L^a g^b = L^b g^a for every pair of processes), but the noise of system '${system.name}' is ${noise.structure} and could not be shown commutative; its Milstein step would need Lévy areas, which cubie does not draw. Use 'euler-maruyama' (strong order 1/2)`, { where: 'method', method: chosen.name, structure: noise.structure });
  }
  if (chosen.needsSeparableNoise && noise.processNames.length > 1 && !(noise.structure === 'diagonal' && noise.commutative)) {
    throw new CubieError('INVALID_OPTION', `Option 'method' is '${chosen.name}', which needs one Wiener process or diagonal commutative noise (each g_ii reading no other noisy state), but the noise of system '${system.name}' is ${noise.structure}${noise.commutative ? '' : ' and not shown commutative'}; its general form needs extra random variables cubie does not draw. Use 'euler-maruyama' or, for commutative noise, 'milstein'`, { where: 'method', method: chosen.name, structure: noise.structure });
  }
  return {
    method: chosen,
    plan: { scheme: chosen.name, nProcesses: noise.processNames.length, stratonovich: noise.calculus === 'stratonovich', milstein: usesMilsteinTerms(chosen) },
  };
}

/** 'wiener' in outputTypes: each process as a saved variable W.<name> (diagonal noise: W.<state>). */
export function wienerOutputs(system: CubieSystem, wanted: boolean): { names: string[]; sources: ValueSource[] } {
  const noise = system.model.noise;
  if (!wanted) return { names: [], sources: [] };
  if (noise === undefined) {
    throw new CubieError('INVALID_OPTION', `Option 'outputTypes' asks for 'wiener', but system '${system.name}' has no noise; add 'noise' to its definition or leave 'wiener' out`, { where: 'outputTypes' });
  }
  return {
    names: noise.processNames.map((name) => `W.${name}`),
    sources: noise.processNames.map((_, index) => ({ kind: 'wiener', index })),
  };
}

/** Options that need a continuous extension of the step, which a stochastic step does not have. */
export function refuseDenseStochastic(system: CubieSystem, interpolateSaves: boolean): void {
  if (interpolateSaves) {
    throw new CubieError('INVALID_OPTION', `Option 'saveMode' is 'interpolate', but system '${system.name}' has noise, whose path between steps has no continuous extension; use saveMode 'step' (steps land on every save time)`, { where: 'saveMode' });
  }
  if (system.model.events.some((e) => e.trigger.kind === 'crossing')) {
    throw new CubieError('UNSUPPORTED', `System '${system.name}' has noise and a crossing event ('when'); crossings are located on a step's continuous extension, which a stochastic step does not have. Discrete events ('every', 'at') work with noise`, { where: 'events' });
  }
}
