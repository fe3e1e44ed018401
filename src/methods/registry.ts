/**
 * The explicit Runge–Kutta methods cubie knows, looked up by name or alias,
 * ignoring case.
 */
import { CubieError } from '../errors';
import { nearestName } from '../system/suggest';
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
import type { ButcherTableau } from './tableau';

/** In order of increasing order, the order users see them listed in. */
const METHODS: readonly ButcherTableau[] = [
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

/** Every name and alias, lower-cased, to its method. */
const BY_NAME: ReadonlyMap<string, ButcherTableau> = (() => {
  const map = new Map<string, ButcherTableau>();
  for (const method of METHODS) {
    for (const name of [method.name, ...method.aliases]) {
      const key = name.toLowerCase();
      if (map.has(key)) throw new Error(`method name '${name}' is used twice`);
      map.set(key, method);
    }
  }
  return map;
})();

/** The canonical method names. */
export function methodNames(): string[] {
  return METHODS.map((method) => method.name);
}

/** Every method, canonical order. */
export function allMethods(): readonly ButcherTableau[] {
  return METHODS;
}

/** The method called `name` (a canonical name or an alias, any case). */
export function resolveMethod(name: string): ButcherTableau {
  const key = name.trim().toLowerCase();
  const method = BY_NAME.get(key);
  if (method !== undefined) return method;
  const suggestion = nearestName(key, BY_NAME.keys());
  const known = methodNames();
  const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
  throw new CubieError('INVALID_OPTION', `Unknown method '${name}'${hint}. Known methods: ${known.join(', ')}`, {
    where: 'method',
    method: name,
    suggestion,
    known,
    aliases: Object.fromEntries(METHODS.map((m) => [m.name, [...m.aliases]])),
  });
}
