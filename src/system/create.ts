/**
 * createSystem: definition -> validated system, in the order a reader
 * would check it (fields, then each line top to bottom, then roles, then
 * symbols, then dependencies), so the first error reported is the first
 * problem in the text.
 */
import { symbolsOf } from './ast';
import { checkExpression } from './check';
import type { EquationLine } from './classify';
import { classify, declaredRoles } from './classify';
import { normalizeDefinition } from './definition';
import { checkEventRoles, checkEventTexts, eventLines, eventSymbols } from './events';
import { systemHash } from './hash';
import { checkNoiseRoles, checkNoiseTexts, noiseLines } from './noise';
import { lineDetails, where } from './messages';
import { buildModel } from './model';
import { checkDeclaredName } from './names';
import { orderAuxiliaries } from './order';
import { parseLines } from './parse';
import type { ParsedLine } from './parse';
import { resolveSymbols } from './resolve';
import { ROLE_WORDS } from './roles';
import type { CubieSystem, NormalizedDefinition, SystemDefinition } from './types';

/** Systems this process made: a look-alike object is not trusted to carry a checked model. */
const created = new WeakSet<object>();

export function isCubieSystem(value: unknown): value is CubieSystem {
  return typeof value === 'object' && value !== null && created.has(value);
}

export function createSystem(definition: SystemDefinition): CubieSystem {
  return systemFromDefinition(definition);
}

/**
 * createSystem for a value of any type (a parsed model file): every key
 * (snake_case or camelCase) and value is checked here, as for a definition
 * from JavaScript.
 */
export function systemFromDefinition(input: unknown): CubieSystem {
  const def = normalizeDefinition(input);
  const parsed = parseLines(def.equations);
  const describeSymbol = symbolDescriber(def, parsed);
  const lines = checkedLines(parsed, describeSymbol);
  const events = checkEventTexts(def, describeSymbol);
  const noise = checkNoiseTexts(def, describeSymbol);
  const noiseText = noiseLines(noise);
  const classification = classify(lines, def, [...eventSymbols(events), ...noiseText.flatMap((line) => line.symbols)]);
  const { parameters } = resolveSymbols([...lines, ...eventLines(events), ...noiseText], def, classification);
  checkEventRoles(events, def, classification, parameters);
  checkNoiseRoles(noise, def, classification, parameters, events);
  const auxiliaryOrder = orderAuxiliaries(classification.auxiliaries);
  const model = buildModel({ definition: def, classification, parameters, auxiliaryOrder, events, noise });
  const hash = systemHash(model);

  const stateDefaults: Record<string, number> = {};
  for (const s of classification.states) stateDefaults[s] = def.states?.[s] ?? 0;
  const parameterDefaults: Record<string, number | undefined> = {};
  for (const p of parameters) parameterDefaults[p] = Object.hasOwn(def.parameters, p) ? def.parameters[p] : undefined;

  const system: CubieSystem = {
    name: def.name ?? `system_${hash.slice(0, 8)}`,
    hash,
    states: model.stateNames,
    parameters: model.parameterNames,
    constants: def.constants,
    observables: model.observableNames,
    drivers: model.driverNames,
    stateDefaults: Object.freeze(stateDefaults),
    parameterDefaults: Object.freeze(parameterDefaults),
    auxiliaries: Object.freeze(auxiliaryOrder),
    definition: def,
    model,
  };
  created.add(system);
  return Object.freeze(system);
}

/** Every non-blank line parsed, its target name checked and its expression through the allow-list. */
function checkedLines(parsed: readonly ParsedLine[], describeSymbol: (name: string) => string | undefined): EquationLine[] {
  return parsed.map(({ location, target, value }) => {
    checkDeclaredName(target, where(location), lineDetails(location));
    const ast = checkExpression(value, { location, describeSymbol });
    return { location, target, ast, symbols: symbolsOf(ast) };
  });
}

/** How hints name a symbol's role ("a parameter", for "'k' is a parameter, not a function"). */
function symbolDescriber(def: NormalizedDefinition, parsed: readonly ParsedLine[]): (name: string) => string | undefined {
  const roles = declaredRoles(def);
  const states = new Set(Object.keys(def.states ?? {}));
  const assigned = new Set(parsed.map((p) => p.target));
  return (name) => {
    if (states.has(name)) return ROLE_WORDS.state;
    const role = roles.get(name);
    if (role !== undefined) return ROLE_WORDS[role];
    return assigned.has(name) ? ROLE_WORDS.auxiliary : undefined;
  };
}
