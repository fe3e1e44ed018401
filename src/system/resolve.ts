/**
 * Every symbol an equation reads must be known: a state, parameter,
 * constant, driver, auxiliary, t, pi or e. Unknown symbols are an error, or
 * with `strict: false` become parameters (appended in order of first use).
 * Observables must name auxiliaries or states.
 */
import { CubieError } from '../shared/errors';
import { warn } from '../shared/warnings';
import type { Classification, EquationLine } from './classify';
import { declaredRoles } from './classify';
import { lineDetails, showText, where } from './messages';
import { TIME, mathConstant } from './names';
import { ROLE_WORDS } from './roles';
import { didYouMean } from '../shared/suggest';
import type { NormalizedDefinition } from './types';

export interface Resolution {
  /** Declared parameters, then implicit ones (strict: false). */
  readonly parameters: readonly string[];
  readonly implicitParameters: readonly string[];
}

/** `lines`: the equations, then the events' texts (their symbols are resolved the same way). */
export function resolveSymbols(lines: readonly Pick<EquationLine, 'location' | 'symbols'>[], def: NormalizedDefinition, classes: Classification): Resolution {
  const known = new Set<string>([
    ...classes.states,
    ...Object.keys(def.parameters),
    ...Object.keys(def.constants),
    ...def.drivers,
    ...classes.auxiliaries.keys(),
    TIME,
  ]);
  const derivativeNames = new Map(classes.states.map((s) => [`d${s}`, s]));
  const implicit: string[] = [];

  for (const line of lines) {
    for (const symbol of line.symbols) {
      if (known.has(symbol) || mathConstant(symbol) !== undefined) continue;
      const state = derivativeNames.get(symbol);
      if (state !== undefined) {
        throw new CubieError(
          'UNKNOWN_SYMBOL',
          `'${symbol}' in ${where(line.location)} is the derivative of state '${state}' and cannot be read as a value; assign the expression to an auxiliary and use it in both places`,
          { ...lineDetails(line.location), symbol },
        );
      }
      if (def.strict) {
        throw new CubieError(
          'UNKNOWN_SYMBOL',
          `Unknown symbol '${symbol}' in ${where(line.location)}${didYouMean(symbol, known)}`,
          { ...lineDetails(line.location), symbol },
        );
      }
      implicit.push(symbol);
      known.add(symbol);
      warn(
        `Unknown symbol '${symbol}' in ${where(line.location)} is treated as a parameter (strict: false)`,
        'CUBIE_IMPLICIT_PARAMETER',
      );
    }
  }
  checkObservables(def, classes);
  return { parameters: [...Object.keys(def.parameters), ...implicit], implicitParameters: implicit };
}

function checkObservables(def: NormalizedDefinition, classes: Classification): void {
  const roles = declaredRoles(def);
  const states = new Set(classes.states);
  def.observables.forEach((name, i) => {
    if (classes.auxiliaries.has(name) || states.has(name)) return;
    const details = { where: `observables[${i}]`, symbol: name };
    const role = roles.get(name);
    if (role !== undefined) {
      throw new CubieError('INVALID_SYSTEM', `Observable '${name}' is ${ROLE_WORDS[role]}; observables must be auxiliaries (or states)`, details);
    }
    const candidates = [...classes.auxiliaries.keys(), ...classes.states];
    throw new CubieError(
      'UNKNOWN_SYMBOL',
      `Unknown observable '${showText(name, 40)}': observables must name an auxiliary assigned in the equations (or a state)${didYouMean(name, candidates)}`,
      details,
    );
  });
}
