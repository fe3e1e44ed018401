/**
 * The methods cubie knows, explicit and implicit, looked up by name or
 * alias, ignoring case.
 */
import { CubieError } from '../shared/errors';
import { nearestName } from '../shared/suggest';
import { bogackiShampine32 } from './explicit/bogacki-shampine-32';
import { cashKarp54 } from './explicit/cash-karp-54';
import { dop853 } from './explicit/dop853';
import { dormandPrince54 } from './explicit/dormand-prince-54';
import { euler } from './explicit/euler';
import { fehlberg45 } from './explicit/fehlberg-45';
import { heun } from './explicit/heun';
import { ralston } from './explicit/ralston';
import { rk4 } from './explicit/rk4';
import { tsit5 } from './explicit/tsit5';
import { vern7 } from './explicit/vern7';
import { backwardsEuler } from './implicit/backwards-euler';
import { crankNicolson } from './implicit/crank-nicolson';
import { implicitMidpoint } from './implicit/implicit-midpoint';
import { kvaerno3 } from './implicit/kvaerno3';
import { kvaerno5 } from './implicit/kvaerno5';
import { radau } from './implicit/radau';
import { rodas4 } from './implicit/rodas4';
import { rodas5p } from './implicit/rodas5p';
import { ros3p } from './implicit/ros3p';
import { rosenbrock23 } from './implicit/rosenbrock23';
import { sdirk22 } from './implicit/sdirk-2-2';
import { trapezoidalDirk } from './implicit/trapezoidal-dirk';
import type { ButcherTableau, ExplicitTableau } from './tableau';

/** The explicit methods in order of increasing order, the order users see them listed in. */
const METHODS: readonly ExplicitTableau[] = [
  euler,
  heun,
  ralston,
  bogackiShampine32,
  rk4,
  fehlberg45,
  dormandPrince54,
  tsit5,
  cashKarp54,
  vern7,
  dop853,
];

/** The implicit (stiff) methods: DIRK and ESDIRK, Rosenbrock, then Radau IIA. */
const IMPLICIT_METHODS: readonly ButcherTableau[] = [
  backwardsEuler,
  crankNicolson,
  implicitMidpoint,
  trapezoidalDirk,
  sdirk22,
  kvaerno3,
  kvaerno5,
  rosenbrock23,
  ros3p,
  rodas4,
  rodas5p,
  radau,
];

const EVERY_METHOD: readonly ButcherTableau[] = [...METHODS, ...IMPLICIT_METHODS];

/** Every name and alias, lower-cased, to its method. */
const BY_NAME: ReadonlyMap<string, ButcherTableau> = (() => {
  const map = new Map<string, ButcherTableau>();
  for (const method of EVERY_METHOD) {
    for (const name of [method.name, ...method.aliases]) {
      const key = name.toLowerCase();
      if (map.has(key)) throw new Error(`method name '${name}' is used twice`);
      map.set(key, method);
    }
  }
  return map;
})();

/** The canonical names of the explicit methods (the implicit ones: implicitMethodNames()). */
export function methodNames(): string[] {
  return METHODS.map((method) => method.name);
}

/** The explicit methods, canonical order (the implicit ones: implicitMethods()). */
export function allMethods(): readonly ExplicitTableau[] {
  return METHODS;
}

/** The implicit methods, canonical order. */
export function implicitMethods(): readonly ButcherTableau[] {
  return IMPLICIT_METHODS;
}

export function implicitMethodNames(): string[] {
  return IMPLICIT_METHODS.map((method) => method.name);
}

/**
 * The step controller a method gets unless one is asked for, as CuBIE picks
 * them: none (fixed steps) without an error estimate, PI for explicit and
 * DIRK methods, and Hairer's predictive Gustafsson controller for Rosenbrock
 * and Radau methods, whose codes it was designed with.
 */
export function defaultStepController(method: ButcherTableau): 'fixed' | 'pi' | 'gustafsson' {
  if (method.errorOrder === 0) return 'fixed';
  return method.family === 'rosenbrock' || method.family === 'firk' ? 'gustafsson' : 'pi';
}

/** The method called `name` (a canonical name or an alias, any case). */
export function resolveMethod(name: string): ButcherTableau {
  const key = name.trim().toLowerCase();
  const method = BY_NAME.get(key);
  if (method !== undefined) return method;
  const suggestion = nearestName(key, BY_NAME.keys());
  const known = EVERY_METHOD.map((m) => m.name);
  const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
  throw new CubieError('INVALID_OPTION', `Unknown method '${name}'${hint}. Known methods: ${known.join(', ')}`, {
    where: 'method',
    method: name,
    suggestion,
    known,
    aliases: Object.fromEntries(EVERY_METHOD.map((m) => [m.name, [...m.aliases]])),
  });
}
