/**
 * CellML 1.0, 1.1 and 2.0 to a cubie SystemDefinition.
 *
 * The mapping (what a user sees in the imported system):
 *   - each set of connected variables is one quantity, named after its
 *     source variable as `component_variable` (sanitised, made unique with
 *     `_2`, `_3`, ... in document order) and held in that variable's units;
 *     a variable read in other units (mV where the source is in V) is
 *     converted by the scale factor between them;
 *   - the free variable (the <bvar> of the derivatives) is cubie's `t`, in
 *     its source variable's units (`timeUnits`);
 *   - a variable with a derivative equation is a state (its initial_value
 *     the initial condition); one with `x = expr` an auxiliary (saved as an
 *     observable); one with only a numeric initial_value a parameter, so it
 *     can be swept; an initial_value naming a variable (2.0) is `x = that`.
 * Nothing from the file reaches the equations as text: the math is read
 * into mathml.ts's tree and written back with the names above and
 * formatted numbers only.
 */
import { CubieError } from '../../shared/errors';
import type { SystemDefinition } from '../../system';
import { emit, evaluate, formatNumber, ratesOf, symbolsOf, type MathContext, type MathNode } from '../mathml';
import { NameTable, sanitize } from '../sbml/names';
import { readCellml, type CellmlFiles, type CellmlModel, type CellmlVariable } from './document';
import { readEquations, type CellmlEquation } from './equations';
import { Equivalence, keyOf } from './equivalence';
import { stimulusDuration } from './stimulus';
import { metadataStimulus, type ProtocolQuantity } from './stimulus-protocol';
import { conversionFactor, type UnitValue } from './units';

export interface ImportCellmlOptions {
  /** The system's name; default the model's name (sanitised). */
  name?: string;
  /** Imported documents by href (as written, resolved against the importing file's href), or a function returning one. */
  files?: CellmlFiles;
}

/** What one CellML quantity (a set of connected variables) became. */
export interface CellmlSymbol {
  readonly name: string;
  readonly role: 'state' | 'parameter' | 'auxiliary' | 'time';
  readonly component: string;
  readonly variable: string;
  readonly units: string;
  /** The variable's cmeta:id, and the RDF resources it `is` (e.g. Oxford metadata `...#membrane_voltage`). */
  readonly cmetaId?: string;
  readonly terms?: readonly string[];
}

export interface ImportedCellmlModel {
  /** The system, ready for createSystem (states and parameters carry the values below). */
  readonly definition: SystemDefinition;
  /** The same object as `definition` (the contract name). */
  readonly system: SystemDefinition;
  readonly y0: Readonly<Record<string, number>>;
  readonly parameters: Readonly<Record<string, number>>;
  /** Cubie name → the CellML variable it is (its source variable). */
  readonly variables: Readonly<Record<string, CellmlSymbol>>;
  /** The free variable's units (`ms`, `second`), as named in the model. */
  readonly timeUnits?: string;
  /** Seconds in one time unit (1e-3 for ms), when the time units are a time. */
  readonly timeScale?: number;
  /** Solver hints: dtMax (in time units) half the stimulus pulse, for paced models (see stimulus.ts). */
  readonly options: { readonly dtMax?: number };
  readonly warnings: readonly string[];
}

type Role = CellmlSymbol['role'] | 'undefined';

interface Quantity {
  readonly root: string;
  readonly role: Role;
  readonly source: CellmlVariable;
  readonly equation?: CellmlEquation;
  /** States and parameters: the variable whose initial_value gives the value. */
  readonly initialFrom?: CellmlVariable;
  name?: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function invalid(what: string, component: string, variable: string): never {
  throw new CubieError('INVALID_CELLML', what, { where: `component '${component}'`, component, variable });
}

export function importCellml(xml: string, options: ImportCellmlOptions = {}): ImportedCellmlModel {
  const model = readCellml(xml, options.files);
  const warnings: string[] = [];
  const eq = new Equivalence(model);
  const equations = [...model.components.values()].flatMap(readEquations);

  // ---- the free variable: every derivative's bound variable, one quantity
  const timeRoots = new Set(equations.filter((e) => e.kind === 'ode').map((e) => eq.find(keyOf(e.component, e.time!))));
  for (const e of equations) for (const r of ratesOf(e.rhs)) timeRoots.add(eq.find(keyOf(e.component, r.wrt ?? r.id)));
  if (timeRoots.size > 1) {
    const names = [...timeRoots].map((r) => r.replace('/', '.'));
    throw new CubieError('UNSUPPORTED_CELLML', `Derivatives are taken with respect to ${timeRoots.size} different variables (${names.slice(0, 4).join(', ')}); cubie solves ODEs in one free variable`, { where: 'the model' });
  }
  const timeRoot = [...timeRoots][0];

  // ---- what defines each quantity
  const defining = new Map<string, CellmlEquation[]>();
  for (const e of equations) {
    const root = eq.find(keyOf(e.component, e.target));
    defining.set(root, [...(defining.get(root) ?? []), e]);
  }
  const quantities = new Map<string, Quantity>();
  for (const [root, members] of eq.sets) {
    const defs = defining.get(root) ?? [];
    const initials = members.filter((m) => m.initial !== undefined);
    const first = members.find((m) => !m.incoming) ?? members[0];
    if (root === timeRoot) {
      if (defs.length > 0 || initials.length > 0) {
        const m = defs.length > 0 ? { component: defs[0].component, name: defs[0].target } : initials[0];
        invalid(`The free variable '${m.name}' in component '${m.component}' has ${defs.length > 0 ? 'an equation' : 'an initial value'}; it must be free`, m.component, m.name);
      }
      quantities.set(root, { root, role: 'time', source: first });
      continue;
    }
    if (defs.length > 1) {
      const d = defs[1];
      invalid(`The variable '${d.target}' in component '${d.component}' is defined by ${defs.length} equations (with those of the variables connected to it)`, d.component, d.target);
    }
    const def = defs[0];
    if (initials.length > 1 && new Set(initials.map((m) => m.initial)).size > 1) {
      invalid(`Connected variables '${initials[0].component}.${initials[0].name}' and '${initials[1].component}.${initials[1].name}' have different initial values`, initials[1].component, initials[1].name);
    }
    const initialFrom = initials.find((m) => !m.incoming) ?? initials[0];
    if (def !== undefined) {
      const source = members.find((m) => m.component === def.component && m.name === def.target)!;
      if (def.kind === 'ode') {
        if (initialFrom === undefined) invalid(`The state '${def.target}' in component '${def.component}' has no initial_value`, def.component, def.target);
        quantities.set(root, { root, role: 'state', source, equation: def, initialFrom });
      } else {
        if (initialFrom !== undefined) warnings.push(`The initial_value of '${initialFrom.component}.${initialFrom.name}' is ignored: '${def.component}.${def.target}' is given by an equation`);
        quantities.set(root, { root, role: 'auxiliary', source, equation: def });
      }
    } else if (initialFrom !== undefined) {
      quantities.set(root, { root, role: NUMBER.test(initialFrom.initial!) ? 'parameter' : 'auxiliary', source: initialFrom, initialFrom });
    } else {
      quantities.set(root, { root, role: 'undefined', source: first });
    }
  }

  // ---- names, in document order of the source variables
  const names = new NameTable();
  const variables: Record<string, CellmlSymbol> = {};
  for (const c of model.components.values()) {
    for (const v of c.variables.values()) {
      const q = quantities.get(eq.find(keyOf(c.key, v.name)))!;
      if (q.source !== v || q.role === 'time' || q.role === 'undefined') continue;
      q.name = names.name(q.root, `${c.key}_${v.name}`);
      const terms = v.cmetaId === undefined ? undefined : [...(model.annotations.get(v.cmetaId) ?? [])];
      variables[q.name] = { name: q.name, role: q.role, component: c.key, variable: v.name, units: v.units, ...(v.cmetaId ? { cmetaId: v.cmetaId, terms: terms ?? [] } : {}) };
    }
  }

  // ---- states whose derivative is read on a right-hand side get it as an auxiliary `<state>_rate` (cubie reads no dX as a value)
  const rateNames = new Map<string, string>();
  for (const e of equations) {
    for (const r of ratesOf(e.rhs)) {
      const q = quantities.get(eq.find(keyOf(e.component, r.id)))!;
      if (q.role !== 'state') {
        throw new CubieError('UNSUPPORTED_CELLML', `${e.ctx.where} reads the derivative of '${r.id}', which is not a state (only derivatives of states can be read)`, { where: `component '${e.component}'`, component: e.component, variable: r.id });
      }
      if (!rateNames.has(q.root)) rateNames.set(q.root, names.fresh(`${q.name}_rate`));
    }
  }

  // ---- units and references
  const unitsOf = (v: CellmlVariable): UnitValue => model.components.get(v.component)!.units.get(v.units);
  const warnedPairs = new Set<string>();
  /** Factor taking a value in `from`'s units to `to`'s units (1 when incompatible, with a warning). */
  const convert = (from: CellmlVariable, to: CellmlVariable): number => {
    if (from.units === to.units && from.component === to.component) return 1;
    const a = unitsOf(from);
    const b = unitsOf(to);
    const f = conversionFactor(a, b);
    if (f === undefined) {
      const pair = `${from.component}.${from.name}→${to.component}.${to.name}`;
      if (!warnedPairs.has(pair)) warnings.push(`'${to.component}.${to.name}' (${to.units}) is connected to '${from.component}.${from.name}' (${from.units}), whose dimensions differ; the value is used unconverted`);
      warnedPairs.add(pair);
      return 1;
    }
    if (f !== 1 && (a.offset || b.offset)) {
      throw new CubieError('UNSUPPORTED_CELLML', `Converting '${from.component}.${from.name}' (${from.units}) to '${to.component}.${to.name}' (${to.units}) needs an offset, which is not supported`, { where: `component '${to.component}'`, component: to.component, variable: to.name });
    }
    return f;
  };
  const memberOf = (component: string, variable: string): CellmlVariable => model.components.get(component)!.variables.get(variable)!;
  const quantityOf = (component: string, variable: string): Quantity => quantities.get(eq.find(keyOf(component, variable)))!;
  const scaled = (text: string, f: number): string => (f === 1 ? text : `(${text} * ${formatNumber(f)})`);
  const timeSource = (): CellmlVariable => quantities.get(timeRoot!)!.source;
  const refText = (component: string, wrtOf?: ReadonlyMap<string, string>) => (variable: string, rate?: boolean): string => {
    const q = quantityOf(component, variable);
    const member = memberOf(component, variable);
    if (rate === true) {
      // d(local x)/d(local t) = d(x)/d(t) × (x's conversion) / (t's conversion)
      const k = convert(timeSource(), memberOf(component, wrtOf!.get(variable)!));
      return scaled(rateNames.get(q.root)!, convert(q.source, member) / k);
    }
    if (q.role === 'time') return scaled('t', convert(q.source, member));
    if (q.role === 'undefined') {
      invalid(`The variable '${variable}' in component '${component}' is used but has no equation or initial value (nor has any variable connected to it)`, component, variable);
    }
    return scaled(q.name!, convert(q.source, member));
  };

  // ---- values at t0 (initial conditions given by name; the stimulus hint)
  const values = new Map<string, number>();
  const visiting = new Set<string>();
  const localValue = (component: string, variable: string): number => {
    const q = quantityOf(component, variable);
    return valueOf(q) * convert(q.source, memberOf(component, variable));
  };
  const initialOf = (m: CellmlVariable): number => {
    const text = m.initial!;
    if (NUMBER.test(text)) return Number(text);
    if (!model.components.get(m.component)!.variables.has(text)) invalid(`The initial_value '${text.slice(0, 64)}' of '${m.name}' in component '${m.component}' is neither a number nor a variable of the component`, m.component, m.name);
    return localValue(m.component, text);
  };
  function valueOf(q: Quantity): number {
    const known = values.get(q.root);
    if (known !== undefined) return known;
    if (visiting.has(q.root)) invalid(`The value of '${q.source.name}' in component '${q.source.component}' depends on itself`, q.source.component, q.source.name);
    visiting.add(q.root);
    let v: number;
    if (q.role === 'time') v = 0;
    else if (q.role === 'undefined') invalid(`The variable '${q.source.name}' in component '${q.source.component}' has no equation or initial value`, q.source.component, q.source.name);
    else if (q.equation?.kind === 'algebraic') {
      const e = q.equation;
      v = evaluate(e.rhs, (id) => localValue(e.component, id), 0, e.ctx);
    } else if (q.initialFrom !== undefined && NUMBER.test(q.initialFrom.initial!)) {
      v = Number(q.initialFrom.initial) * convert(q.initialFrom, q.source);
    } else {
      const from = q.initialFrom!;
      v = initialOf(from) * convert(from, q.source);
    }
    visiting.delete(q.root);
    values.set(q.root, v);
    return v;
  }

  // ---- a stimulus current that cannot be the pulse its metadata describe becomes that pulse (stimulus-protocol.ts)
  const named = [...quantities.values()].filter((q) => q.name !== undefined);
  const byRoot = new Map<string, Quantity>(named.map((q) => [q.root, q]));
  const factorTo = (from: CellmlVariable, to: CellmlVariable): number | undefined => conversionFactor(unitsOf(from), unitsOf(to));
  const stimulus = timeRoot === undefined ? undefined : metadataStimulus({
    quantities: named.map((q): ProtocolQuantity => ({
      root: q.root, role: q.role, component: q.source.component, variable: q.source.name, cmetaId: q.source.cmetaId,
      ...(q.equation?.kind === 'algebraic' ? { equation: { component: q.equation.component, rhs: q.equation.rhs } } : {}),
    })),
    annotations: model.annotations,
    unitsIn: (component, variable) => unitsOf(memberOf(component, variable)),
    timeUnits: unitsOf(timeSource()),
    valueOf: (p) => valueOf(byRoot.get(p.root)!),
    textOf: (p, to) => {
      const q = byRoot.get(p.root)!;
      const f = factorTo(q.source, to === 'time' ? timeSource() : byRoot.get(to.root)!.source);
      return f === undefined ? undefined : scaled(q.name!, f);
    },
  });
  if (stimulus !== undefined) warnings.push(stimulus.reason);

  // ---- equations
  const states: Record<string, number> = {};
  const parameters: Record<string, number> = {};
  const odeLines: string[] = [];
  const auxText = new Map<string, Aux>();
  /** The auxiliaries a tree reads: algebraic quantities, and the rates of states it differentiates. */
  const depsOf = (tree: MathNode, component: string): string[] => [
    ...[...symbolsOf(tree)].map((id) => quantityOf(component, id)).filter((d) => d.role === 'auxiliary').map((d) => d.root),
    ...ratesOf(tree).map((r) => `${quantityOf(component, r.id).root}#rate`),
  ];
  const wrtIn = (e: CellmlEquation): Map<string, string> => new Map(ratesOf(e.rhs).map((r) => [r.id, r.wrt ?? r.id]));
  for (const q of quantities.values()) {
    if (q.name === undefined) continue;
    if (q.root === stimulus?.current.root) {
      const deps = stimulus.reads.filter((r) => r.role === 'auxiliary').map((r) => r.root);
      auxText.set(q.root, { text: `${q.name} = ${stimulus.text}`, deps, q, name: q.name });
      variables[q.name] = { ...variables[q.name], role: 'auxiliary' };
    } else if (q.role === 'parameter') {
      parameters[q.name] = valueOf(q);
    } else if (q.role === 'state') {
      const e = q.equation!;
      const y0 = valueOf(q);
      if (!Number.isFinite(y0)) invalid(`The initial value of the state '${e.target}' in component '${e.component}' is ${y0}`, e.component, e.target);
      states[q.name] = y0;
      // d(x)/d(t_local) in the component's time units; cubie's t is the time source's units
      const k = convert(timeSource(), memberOf(e.component, e.time!));
      const rhs = emit(e.rhs, refText(e.component, wrtIn(e)), e.ctx);
      const text = k === 1 ? rhs : `${rhs} * ${formatNumber(k)}`;
      const rateName = rateNames.get(q.root);
      if (rateName === undefined) {
        odeLines.push(`d${q.name} = ${text}`);
      } else {
        odeLines.push(`d${q.name} = ${rateName}`);
        auxText.set(`${q.root}#rate`, { text: `${rateName} = ${text}`, deps: depsOf(e.rhs, e.component), q, name: rateName });
      }
    } else if (q.role === 'auxiliary') {
      const e = q.equation;
      const component = e?.component ?? q.source.component;
      const ctx: MathContext = e?.ctx ?? { where: `the initial_value of '${q.source.name}' in component '${component}'`, elementId: `${component}.${q.source.name}`, format: 'CellML' };
      const tree = e?.rhs ?? { k: 'sym' as const, id: q.initialFrom!.initial! };
      // an initial_value that is neither a number nor a variable of the component: initialOf refuses it by name
      if (e === undefined && !model.components.get(component)!.variables.has(q.initialFrom!.initial!)) initialOf(q.initialFrom!);
      auxText.set(q.root, { text: `${q.name} = ${emit(tree, refText(component, e && wrtIn(e)), ctx)}`, deps: depsOf(tree, component), q, name: q.name });
    }
  }
  const auxLines = orderAuxiliaries(auxText);

  if (Object.keys(states).length === 0) {
    const placeholder = names.fresh('no_state');
    states[placeholder] = 0;
    odeLines.push(`d${placeholder} = 0`);
    warnings.push(`The model has no derivatives; the state '${placeholder}' (always 0) was added so that it can be solved`);
  }
  const definition: SystemDefinition = {
    name: options.name ?? systemName(model),
    equations: [...odeLines, ...auxLines],
    states,
    parameters,
    observables: [...auxText.values()].map((a) => a.name),
  };
  const time = timeRoot === undefined ? undefined : quantities.get(timeRoot)!.source;
  return {
    definition, system: definition, y0: states, parameters, variables,
    ...(time !== undefined ? { timeUnits: time.units, ...timeScaleOf(unitsOf(time)) } : {}),
    options: dtMaxHint(model, quantities, time, (v) => conversionFactor(unitsOf(v), unitsOf(time!)), valueOf, warnings),
    warnings,
  };
}

/** Auxiliaries in an order where each comes after those it reads; a cycle is refused naming its variables. */
interface Aux { readonly text: string; readonly deps: readonly string[]; readonly q: Quantity; readonly name: string }

function orderAuxiliaries(aux: ReadonlyMap<string, Aux>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (root: string, path: string[]): void => {
    const s = state.get(root);
    if (s === 'done') return;
    const a = aux.get(root)!;
    if (s === 'open') {
      const cycle = [...path.slice(path.indexOf(root)), root].map((r) => {
        const q = aux.get(r)!.q;
        return `${q.source.component}.${q.source.name}`;
      });
      throw new CubieError('CYCLIC_DEPENDENCY', `The algebraic equations form a cycle (an algebraic loop, not supported): ${cycle.join(' → ')}`, {
        where: `component '${a.q.source.component}'`, component: a.q.source.component, variable: a.q.source.name,
      });
    }
    state.set(root, 'open');
    for (const d of a.deps) visit(d, [...path, root]);
    state.set(root, 'done');
    out.push(a.text);
  };
  for (const root of aux.keys()) visit(root, []);
  return out;
}

function dtMaxHint(
  model: CellmlModel, quantities: ReadonlyMap<string, Quantity>, time: CellmlVariable | undefined,
  toTime: (v: CellmlVariable) => number | undefined, valueOf: (q: Quantity) => number, warnings: string[],
): { dtMax?: number } {
  if (time === undefined) return {};
  const candidates = [...quantities.values()].filter((q) => q.role === 'parameter').map((q) => {
    let valueInTimeUnits: number | undefined;
    try {
      const f = toTime(q.source);
      valueInTimeUnits = f === undefined ? undefined : valueOf(q) * f;
    } catch {
      // a candidate whose units cannot be read gives no hint; the import itself reports such units where they matter
      valueInTimeUnits = undefined;
    }
    return { variable: q.source.name, cmetaId: q.source.cmetaId, valueInTimeUnits };
  });
  const found = stimulusDuration(candidates, model.annotations);
  if (found === undefined) return {};
  warnings.push(`dtMax ${found.duration / 2} ${time.units} suggested (options.dtMax): half the stimulus duration '${found.from}'`);
  return { dtMax: found.duration / 2 };
}

function timeScaleOf(u: UnitValue): { timeScale?: number } {
  return Object.keys(u.dims).length === 1 && u.dims.second === 1 ? { timeScale: u.factor } : {};
}

function systemName(model: CellmlModel): string {
  const s = sanitize(model.name);
  return s.slice(0, 64);
}
