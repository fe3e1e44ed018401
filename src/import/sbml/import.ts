/**
 * SBML Level 2 and 3 core to a cubie SystemDefinition.
 *
 * The mapping (what a user sees in the imported system):
 *   - a species' symbol is its concentration, or its amount when
 *     hasOnlySubstanceUnits is true (as in SBML math); a species changed by
 *     reactions or a rate rule is a state in those units, and reactions
 *     change it by sum(stoichiometry * rate) * conversionFactor
 *     (/ compartment size for concentrations); in a compartment whose size
 *     is set by a rule, such a species' amount is the state (`<id>_amount`)
 *     and its concentration an auxiliary;
 *   - compartments, constant species, boundary species without rules, global
 *     and local parameters (local ones named `<reaction>_<parameter>`) and
 *     species references with ids are parameters, with their values at t0
 *     (initial assignments evaluated there); a stoichiometry set by a rule or
 *     by stoichiometryMath (Level 2) is an auxiliary or a state like any
 *     other rule target;
 *   - an algebraic rule affine in a variable nothing else determines is that
 *     variable's assignment rule (algebraic.ts);
 *   - each reaction's rate is an auxiliary named after the reaction, saved as
 *     an observable; assignment rules are auxiliaries (observables too);
 *     rate rules are derivative lines; function definitions are inlined;
 *   - events become cubie events (events.ts, event-parts.ts; delays
 *     through states the import adds); a quantity an event assigns is a
 *     state (with derivative 0 when nothing else changes it), and a
 *     compartment an event resizes keeps its concentration species' amounts
 *     as states, as a compartment sized by a rule does.
 * A comp document (hierarchical model) is first flattened to one core model (comp.ts).
 * Anything else (algebraic rules that need a DAE solver, the delay csymbol, fast reactions, required
 * packages other than comp) is refused with
 * UNSUPPORTED_SBML naming the element and its id.
 */
import { CubieError } from '../../shared/errors';
import type { SystemDefinition } from '../../system';
import { assignAlgebraicRules } from './algebraic';
import { compPrefixOf, flattenComp, refuseRequiredPackages } from './comp';
import { buildEvents, readEvents, type SbmlEvent } from './events';
import {
  emit, evaluate, inlineCalls, ratesOf, readMath, symbolsOf, usesTime, type MathContext, type MathNode, type NameOf,
} from '../mathml';
import { NameTable } from './names';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../xml';
import type { ImportFiles } from '../files';

export interface ImportSbmlOptions {
  /** The system's name; default the model's id (sanitised), else `sbml_model`. */
  name?: string;
  /** The time at which initial assignments and rules give initial values; default 0. */
  t0?: number;
  /**
   * The SBML documents that comp:externalModelDefinitions name: contents by comp:source as written,
   * resolved against the source of the document that names it (`lib/b.xml` naming `c.xml` is asked
   * for as `lib/c.xml`), or a function that returns a document's contents (undefined: not available).
   */
  files?: ImportFiles;
}

export type SbmlElementType = 'compartment' | 'species' | 'parameter' | 'localParameter' | 'reaction' | 'speciesReference';

/** What one SBML id became. */
export interface SbmlSymbol {
  readonly sbmlId: string;
  readonly type: SbmlElementType;
  /** Its cubie name. */
  readonly name: string;
  readonly role: 'state' | 'parameter' | 'auxiliary';
  /** Species: the compartment's SBML id. */
  readonly compartment?: string;
  /** Species: true when the symbol is an amount, false when it is a concentration. */
  readonly hasOnlySubstanceUnits?: boolean;
  /** Species in a compartment whose size changes: the cubie name of its amount (the state), `name` being its concentration. */
  readonly amountName?: string;
}

export interface ImportedModel {
  /** The system, ready for createSystem (states and parameters carry the values below). */
  readonly definition: SystemDefinition;
  /** The same object as `definition` (the issue's contract name). */
  readonly system: SystemDefinition;
  /** Initial values by cubie state name. */
  readonly y0: Readonly<Record<string, number>>;
  /** Parameter values by cubie name. */
  readonly parameters: Readonly<Record<string, number>>;
  /** SBML id (local parameters: `reaction/parameter`) → what it became. */
  readonly symbols: ReadonlyMap<string, SbmlSymbol>;
  /** Cubie name → SBML id, for legends (a local parameter: `reaction/parameter`; a species' amount state: `species#amount`). */
  readonly sbmlIds: Readonly<Record<string, string>>;
  readonly timeUnits?: string;
  /** What was read but ignored (units, constraints, annotations of packages). */
  readonly warnings: readonly string[];
}

interface Rule { readonly kind: 'assignment' | 'rate'; readonly math: MathNode; readonly ctx: MathContext }

interface Entity {
  readonly type: SbmlElementType;
  readonly id: string;
  readonly el: XmlElement;
  /** Species: compartment; speciesReference: its reaction. */
  readonly parent?: string;
}

function unsupported(el: XmlElement, what: string, id?: string): never {
  const elementId = id ?? el.attrs.id ?? el.attrs.metaid;
  const named = elementId === undefined ? `<${el.tag}>` : `<${el.tag}> '${elementId}'`;
  throw new CubieError('UNSUPPORTED_SBML', `${what} (${named}) is not supported by cubie's SBML import`, { where: named, sbmlId: elementId, element: el.tag });
}

function invalid(what: string, el?: XmlElement): never {
  const elementId = el?.attrs.id;
  throw new CubieError('INVALID_SBML', what, { ...(el ? { where: `<${el.tag}>${elementId ? ` '${elementId}'` : ''}`, element: el.tag } : {}), ...(elementId ? { sbmlId: elementId } : {}) });
}

function bool(el: XmlElement, attr: string, fallback: boolean): boolean {
  const v = el.attrs[attr];
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return invalid(`Attribute ${attr}="${v.slice(0, 20)}" of <${el.tag}> is not a boolean`, el);
}

function num(el: XmlElement, attr: string): number | undefined {
  const v = el.attrs[attr];
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^[+-]?(INF|Infinity)$/i.test(s) || /^NaN$/i.test(s)) unsupported(el, `The value ${attr}="${s}"`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) invalid(`Attribute ${attr}="${s.slice(0, 40)}" of <${el.tag}> is not a number`, el);
  return Number(s);
}

function list(model: XmlElement, listName: string, item: string): XmlElement[] {
  return childrenNamed(model, listName).flatMap((l) => childrenNamed(l, item));
}

const SBML_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

function idOf(el: XmlElement, attr = 'id'): string {
  const id = el.attrs[attr];
  if (id === undefined) invalid(`<${el.tag}> has no ${attr}`, el);
  if (!SBML_ID.test(id) || id.length > 256) invalid(`<${el.tag}> has the invalid SBML id '${id.slice(0, 40)}'`, el);
  return id;
}

function mathOf(el: XmlElement, ctx: MathContext): MathNode | undefined {
  const m = childNamed(el, 'math') ?? el.children.find((c) => c.local === 'math');
  return m === undefined ? undefined : readMath(m, ctx);
}

export function importSbml(xml: string, options: ImportSbmlOptions = {}): ImportedModel {
  let root = parseXml(xml);
  if (root.local !== 'sbml') invalid(`The root element is <${root.tag.slice(0, 40)}>, not <sbml>`);
  const level = Number(root.attrs.level);
  if (level !== 2 && level !== 3) {
    throw new CubieError('UNSUPPORTED_SBML', `SBML level ${String(root.attrs.level).slice(0, 10)} is not supported (levels 2 and 3 are)`, { where: '<sbml>' });
  }
  const warnings: string[] = [];
  // comp (hierarchical models) is flattened to core SBML (comp.ts); other required packages are refused
  const comp = compPrefixOf(root);
  refuseRequiredPackages(root, comp, 'this model');
  if (comp !== undefined) root = flattenComp(root, warnings, options.files);
  const model = childNamed(root, 'model');
  if (model === undefined) invalid('The document has no <model>');
  const t0 = options.t0 ?? 0;

  // ---- refusals that do not depend on details
  if (list(model, 'listOfConstraints', 'constraint').length > 0) warnings.push('Constraints are not checked during the solve');
  if (list(model, 'listOfUnitDefinitions', 'unitDefinition').length > 0) warnings.push('Units are not checked or converted');

  // ---- function definitions
  const functions = new Map<string, { params: string[]; body: MathNode }>();
  // Ids of function definitions without math (SBML Level 3 Version 2 allows them): ignored, and a call to one is an error.
  const mathless = new Set<string>();
  for (const f of list(model, 'listOfFunctionDefinitions', 'functionDefinition')) {
    const id = idOf(f);
    const ctx = { where: `function definition '${id}'`, elementId: id };
    const m = childNamed(f, 'math') ?? f.children.find((c) => c.local === 'math');
    if (m === undefined) {
      if (functions.has(id) || mathless.has(id)) invalid(`The id '${id}' is used twice`, f);
      mathless.add(id);
      warnings.push(`The function definition '${id}' has no math and is ignored`);
      continue;
    }
    const lambda = m?.children.find((c) => c.local === 'lambda') ?? m?.children.find((c) => c.local === 'semantics')?.children.find((c) => c.local === 'lambda');
    if (lambda === undefined) invalid(`Function definition '${id}' has no <lambda>`, f);
    const params: string[] = [];
    const bodies: XmlElement[] = [];
    for (const c of lambda.children) {
      if (c.local === 'bvar') {
        const ci = c.children.find((x) => x.local === 'ci');
        if (ci === undefined || !SBML_ID.test(ci.text)) invalid(`Function definition '${id}' has a malformed <bvar>`, f);
        params.push(ci.text);
      } else {
        bodies.push(c);
      }
    }
    if (bodies.length !== 1) invalid(`Function definition '${id}' has ${bodies.length} bodies`, f);
    functions.set(id, { params, body: readMath(bodies[0], ctx) });
  }
  const sbmlEvents = readEvents(model, functions, warnings);

  // ---- entities
  const entities = new Map<string, Entity>();
  const add = (e: Entity): void => {
    if (entities.has(e.id) || functions.has(e.id) || mathless.has(e.id)) invalid(`The id '${e.id}' is used twice`, e.el);
    entities.set(e.id, e);
  };
  for (const c of list(model, 'listOfCompartments', 'compartment')) add({ type: 'compartment', id: idOf(c), el: c });
  for (const s of list(model, 'listOfSpecies', 'species')) add({ type: 'species', id: idOf(s), el: s, parent: s.attrs.compartment });
  for (const p of list(model, 'listOfParameters', 'parameter')) add({ type: 'parameter', id: idOf(p), el: p });
  const reactions = list(model, 'listOfReactions', 'reaction');
  for (const r of reactions) {
    const id = idOf(r);
    add({ type: 'reaction', id, el: r });
    if (bool(r, 'fast', false)) unsupported(r, 'A fast reaction');
    for (const listName of ['listOfReactants', 'listOfProducts']) {
      for (const sr of list(r, listName, 'speciesReference')) {
        if (sr.attrs.id !== undefined) add({ type: 'speciesReference', id: idOf(sr), el: sr, parent: id });
      }
    }
    for (const sr of list(r, 'listOfModifiers', 'modifierSpeciesReference')) if (sr.attrs.id !== undefined) idOf(sr);
  }
  for (const [, e] of entities) {
    if (e.type === 'species') {
      const c = e.parent === undefined ? undefined : entities.get(e.parent);
      if (c === undefined || c.type !== 'compartment') invalid(`Species '${e.id}' names the compartment '${String(e.parent).slice(0, 40)}', which does not exist`, e.el);
    }
  }

  /** A 0-dimensional compartment (a point): its species are amounts whatever hasOnlySubstanceUnits says. */
  const pointCompartment = (c: Entity): boolean => c.type === 'compartment' && num(c.el, 'spatialDimensions') === 0;
  const amountsOnly = (species: Entity): boolean => {
    const c = entities.get(species.parent!);
    return bool(species.el, 'hasOnlySubstanceUnits', false) || (c !== undefined && pointCompartment(c));
  };

  // ---- rules and initial assignments
  const rules = new Map<string, Rule>();
  for (const r of childNamed(model, 'listOfRules')?.children ?? []) {
    if (r.prefix !== '') continue;
    if (r.local !== 'assignmentRule' && r.local !== 'rateRule') {
      if (r.local === 'algebraicRule') continue;
      unsupported(r, `The rule <${r.tag.slice(0, 40)}>`);
    }
    const variable = idOf(r, 'variable');
    const target = entities.get(variable);
    if (target === undefined) invalid(`A ${r.local} targets '${variable}', which is not a compartment, species or parameter`, r);
    if (rules.has(variable)) invalid(`'${variable}' is the target of two rules`, r);
    if (target.type === 'reaction') invalid(`A rule targets the reaction '${variable}'`, r);
    if (bool(target.el, 'constant', target.type === 'parameter')) invalid(`A ${r.local} targets '${variable}', which is constant`, r);
    const ctx = { where: `the ${r.local} for '${variable}'`, elementId: variable };
    const math = mathOf(r, ctx);
    if (math === undefined) {
      // SBML L3v2: a rule without math is ignored (Test Suite case 01235).
      warnings.push(`The ${r.local} for '${variable}' has no math and is ignored`);
      continue;
    }
    rules.set(variable, { kind: r.local === 'rateRule' ? 'rate' : 'assignment', math: inlineCalls(math, functions, ctx), ctx });
  }
  /** What events assign: each is a state, so that it can jump. */
  const eventTargets = new Set(sbmlEvents.flatMap((ev) => ev.assignments.map((a) => a.variable)));
  for (const ev of sbmlEvents) {
    for (const { variable } of ev.assignments) {
      const target = entities.get(variable);
      if (target === undefined || target.type === 'reaction') invalid(`${ev.label} assigns '${variable.slice(0, 64)}', which is not a compartment, species, parameter or species reference`);
      if (bool(target.el, 'constant', target.type === 'parameter')) invalid(`${ev.label} assigns '${variable}', which is constant`, target.el);
      if (rules.get(variable)?.kind === 'assignment') invalid(`${ev.label} assigns '${variable}', which an assignment rule sets`, target.el);
    }
  }
  const initial = new Map<string, { math: MathNode; ctx: MathContext }>();
  for (const ia of list(model, 'listOfInitialAssignments', 'initialAssignment')) {
    const symbol = idOf(ia, 'symbol');
    if (!entities.has(symbol)) invalid(`An initial assignment targets '${symbol}', which does not exist`, ia);
    if (initial.has(symbol)) invalid(`'${symbol}' has two initial assignments`, ia);
    if (rules.get(symbol)?.kind === 'assignment') invalid(`'${symbol}' has both an assignment rule and an initial assignment`, ia);
    const ctx = { where: `the initial assignment for '${symbol}'`, elementId: symbol };
    const math = mathOf(ia, ctx);
    if (math === undefined) {
      warnings.push(`The initial assignment for '${symbol}' has no math and is ignored`);
      continue;
    }
    initial.set(symbol, { math: inlineCalls(math, functions, ctx), ctx });
  }

  // ---- algebraic rules that are assignments in disguise (algebraic.ts)
  const speciesChangedByReactions = new Set<string>();
  for (const r of reactions) {
    for (const listName of ['listOfReactants', 'listOfProducts']) for (const sr of list(r, listName, 'speciesReference')) speciesChangedByReactions.add(sr.attrs.species ?? '');
  }
  const algebraicVariables = new Map<string, { el: XmlElement; label: string }>();
  const algebraic = childrenNamed(childNamed(model, 'listOfRules'), 'algebraicRule').flatMap((r, i) => {
    const label = r.attrs.metaid ?? r.attrs.id ?? `(algebraic rule ${i + 1})`;
    const ctx = { where: `the algebraic rule ${label}`, elementId: label };
    const math = mathOf(r, ctx);
    if (math === undefined) {
      warnings.push(`The algebraic rule ${label} has no math and is ignored`);
      return [];
    }
    return [{ el: r, label, ctx, math: inlineCalls(math, functions, ctx) }];
  });
  if (algebraic.length > 0) {
    const free = new Set<string>();
    for (const [id, e] of entities) {
      if (e.type === 'reaction' || (e.type === 'speciesReference' && level === 2)) continue;
      if (bool(e.el, 'constant', level === 2 && e.type !== 'species') || rules.has(id) || eventTargets.has(id)) continue;
      if (e.type === 'species' && speciesChangedByReactions.has(id) && !bool(e.el, 'boundaryCondition', false)) continue;
      free.add(id);
    }
    const solved = assignAlgebraicRules(algebraic, free);
    algebraic.forEach((r, i) => {
      const s = solved[i];
      if (s === undefined) unsupported(r.el, 'An algebraic rule that is not affine in a variable nothing else determines (it needs a DAE solver)', r.label);
      rules.set(s.variable, { kind: 'assignment', math: s.math, ctx: { where: `the algebraic rule ${r.label} (solved for '${s.variable}')`, elementId: s.variable } });
      algebraicVariables.set(s.variable, r);
    });
  }

  // ---- kinetic laws
  const laws = new Map<string, { math: MathNode; ctx: MathContext; locals: Map<string, number> }>();
  const stoichiometryMath = new Map<XmlElement, { math: MathNode; ctx: MathContext }>();
  for (const r of reactions) {
    const id = r.attrs.id;
    const law = childNamed(r, 'kineticLaw');
    if (law === undefined) unsupported(r, 'A reaction without a kinetic law', id);
    const ctx = { where: `the kinetic law of reaction '${id}'`, elementId: id };
    const locals = new Map<string, number>();
    for (const p of [...list(law, 'listOfParameters', 'parameter'), ...list(law, 'listOfLocalParameters', 'localParameter')]) {
      const pid = idOf(p);
      const v = num(p, 'value');
      if (v === undefined) unsupported(p, `Local parameter '${pid}' of reaction '${id}' without a value`, pid);
      if (locals.has(pid)) invalid(`Reaction '${id}' declares the local parameter '${pid}' twice`, p);
      locals.set(pid, v);
    }
    const math = mathOf(law, ctx);
    if (math === undefined) unsupported(law, 'A kinetic law without math', id);
    laws.set(id, { math: inlineCalls(math, functions, ctx), ctx, locals });
    // SBML Level 2's stoichiometryMath: the stoichiometry is the value of its math, at every instant.
    for (const listName of ['listOfReactants', 'listOfProducts']) {
      for (const sr of list(r, listName, 'speciesReference')) {
        const sm = childNamed(sr, 'stoichiometryMath');
        if (sm === undefined) continue;
        const smCtx = { where: `the stoichiometryMath of species '${String(sr.attrs.species).slice(0, 64)}' in reaction '${id}'`, elementId: sr.attrs.id ?? id };
        const smMath = mathOf(sm, smCtx);
        if (smMath === undefined) invalid(`The stoichiometryMath of species '${String(sr.attrs.species).slice(0, 64)}' in reaction '${id}' has no math`, sm);
        const smRule = { kind: 'assignment' as const, math: inlineCalls(smMath, functions, smCtx), ctx: smCtx };
        stoichiometryMath.set(sr, smRule);
        // With an id, the species reference is an auxiliary set by it, as by an assignment rule.
        if (sr.attrs.id !== undefined) {
          if (rules.has(sr.attrs.id)) invalid(`'${sr.attrs.id}' has both a rule and stoichiometryMath`, sr);
          rules.set(sr.attrs.id, smRule);
        }
      }
    }
  }

  // An algebraic variable whose solution reads itself (through other rules or rates) is determined together with
  // others, by a system of equations, not by one assignment: refused, as a DAE.
  for (const [variable, r] of algebraicVariables) {
    const seen = new Set<string>();
    const stack = [...symbolsOf(rules.get(variable)!.math)];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === variable) unsupported(r.el, `An algebraic rule whose solution for '${variable}' depends on '${variable}' through other rules or rates (a system of equations, which needs a DAE solver)`, r.label);
      if (seen.has(id)) continue;
      seen.add(id);
      const rule = rules.get(id);
      if (rule?.kind === 'assignment') stack.push(...symbolsOf(rule.math));
      const law = laws.get(id);
      if (law !== undefined) for (const x of symbolsOf(law.math)) if (!law.locals.has(x)) stack.push(x);
    }
  }

  // ---- roles and names
  const names = new NameTable();
  const symbols = new Map<string, SbmlSymbol>();
  for (const [id, e] of entities) {
    let role: SbmlSymbol['role'];
    const rule = rules.get(id);
    if (e.type === 'reaction') role = 'auxiliary';
    else if (rule !== undefined) role = rule.kind === 'rate' ? 'state' : 'auxiliary';
    else if (e.type === 'species') role = bool(e.el, 'constant', false) || bool(e.el, 'boundaryCondition', false) ? 'parameter' : 'state';
    else role = 'parameter';
    if (role === 'parameter' && eventTargets.has(id)) role = 'state';
    const name = names.name(id);
    let extra = {};
    if (e.type === 'species') {
      const hosu = amountsOnly(e);
      extra = { compartment: e.parent, hasOnlySubstanceUnits: hosu };
      // In a compartment whose size changes, a species without rules keeps its amount (changed only by
      // reactions): the amount is the state (or parameter) and the concentration an auxiliary.
      // A constant species keeps its amount too (SBML Test Suite case 01117).
      const resized = rules.has(e.parent!) || eventTargets.has(e.parent!);
      if (!hosu && rule?.kind === 'rate' && eventTargets.has(e.parent!)) {
        unsupported(e.el, `A concentration species with a rate rule in a compartment an event resizes`);
      }
      if (!hosu && rule === undefined && resized) {
        extra = { ...extra, amountName: names.name(`${id}#amount`, `${id}_amount`) };
        role = 'auxiliary';
      }
    }
    symbols.set(id, { sbmlId: id, type: e.type, name, role, ...extra });
  }
  for (const r of reactions) {
    for (const [pid] of laws.get(r.attrs.id)?.locals ?? []) {
      const key = `${r.attrs.id}/${pid}`;
      symbols.set(key, { sbmlId: key, type: 'localParameter', name: names.name(key, `${r.attrs.id}_${pid}`), role: 'parameter' });
    }
  }

  const addedStates = new Set<string>();
  /**
   * What cubie's delay() cannot carry, refused: a lag that changes along the solution (cubie's lags
   * are numbers and parameters); and a past before t0 other than the start's constant value, which
   * cubie's is: rateOf inside a delay (the constant past's rate is 0, cubie's would read the rate of
   * the delayed states), and a quantity whose initial assignment reads the time (SBML takes that
   * formula as its past, Test Suite 00941).
   */
  const checkDelay = (locals: ReadonlyMap<string, number> | undefined) => (value: MathNode, lag: MathNode, ctx: MathContext): void => {
    const refuse = (what: string): never => {
      throw new CubieError('UNSUPPORTED_SBML', `${what} in ${ctx.where} is not supported`, { where: ctx.where, sbmlId: ctx.elementId });
    };
    // what the math reads, through assignment rules, kinetic laws and species' compartments (a kinetic law's locals never change)
    const reads = (math: MathNode): string[] => [...symbolsOf(math)].filter((id) => !locals?.has(id)).flatMap((id) => [...readsThrough({ k: 'sym', id })]);
    if (ratesOf(value).length > 0) refuse('rateOf inside a delay');
    const formula = reads(value).find((id) => { const ia = initial.get(id); return ia !== undefined && usesTime(ia.math); });
    if (formula !== undefined) refuse(`A delay of '${formula.slice(0, 64)}', whose initial assignment reads the time (a past before the start given by a formula)`);
    const changing = (math: MathNode): string | undefined => (usesTime(math) ? 'the time' : ratesOf(math).length > 0 ? 'a rate (rateOf)' : undefined);
    const varying = (id: string): string | undefined => {
      const s = symbols.get(id);
      if (s === undefined || s.role === 'parameter') return undefined; // an undefined id is reported where it is named
      const rule = rules.get(id);
      return s.role === 'auxiliary' && rule?.kind === 'assignment' ? changing(rule.math) : `'${id.slice(0, 64)}'`;
    };
    const why = changing(lag) ?? reads(lag).map(varying).find((w) => w !== undefined);
    if (why !== undefined) refuse(`A delay whose length changes along the solution (it reads ${why}; cubie's delays are numbers and parameters)`);
  };
  const nameIn = (locals: ReadonlyMap<string, number> | undefined, reaction: string | undefined, ctx: MathContext): NameOf => Object.assign((id: string, rate?: boolean): string => {
    // A local parameter shadows a global one and never changes: its rate is 0 (Test Suite 01459).
    if (rate === true) return reaction !== undefined && locals?.has(id) ? '0' : rateText(id, ctx);
    if (reaction !== undefined && locals?.has(id)) return symbols.get(`${reaction}/${id}`)!.name;
    // `#name`: a state the event import added (a value kept from a trigger time); '#' is in no SBML id
    if (id.startsWith('#') && addedStates.has(id.slice(1))) return id.slice(1);
    const s = symbols.get(id);
    if (s === undefined) {
      throw new CubieError('INVALID_SBML', `The math of ${ctx.where} uses '${id.slice(0, 64)}', which is not defined in the model`, { where: ctx.where, sbmlId: ctx.elementId, symbol: id.slice(0, 64) });
    }
    return s.name;
  }, { checkDelay: checkDelay(reaction !== undefined ? locals : undefined) });

  // ---- values at t0
  const values = new Map<string, number>();
  const visiting = new Set<string>();
  const valueOf = (id: string, ctx: MathContext): number => {
    const known = values.get(id);
    if (known !== undefined) return known;
    const e = entities.get(id);
    if (e === undefined) throw new CubieError('INVALID_SBML', `The math of ${ctx.where} uses '${id.slice(0, 64)}', which is not defined in the model`, { where: ctx.where, sbmlId: ctx.elementId, symbol: id.slice(0, 64) });
    if (visiting.has(id)) throw new CubieError('CYCLIC_DEPENDENCY', `The initial value of '${id}' depends on itself (through rules or initial assignments)`, { sbmlId: id });
    visiting.add(id);
    const v = computeValue(e);
    visiting.delete(id);
    if (!Number.isFinite(v)) {
      throw new CubieError('UNSUPPORTED_SBML', `The initial value of '${id}' is ${v}; cubie needs finite initial values`, { sbmlId: id, where: `<${e.el.tag}> '${id}'` });
    }
    values.set(id, v);
    return v;
  };
  const evalIn = (math: MathNode, ctx: MathContext, locals?: ReadonlyMap<string, number>): number =>
    evaluate(math, (sym) => (locals?.has(sym) ? locals.get(sym)! : valueOf(sym, ctx)), t0, ctx, (sym) => (locals?.has(sym) ? 0 : rateAtT0(sym, ctx)));
  const computeValue = (e: Entity): number => {
    const rule = rules.get(e.id);
    if (rule?.kind === 'assignment') return evalIn(rule.math, rule.ctx);
    const ia = initial.get(e.id);
    if (ia !== undefined) return evalIn(ia.math, ia.ctx);
    const ctx = { where: `<${e.el.tag}> '${e.id}'`, elementId: e.id };
    switch (e.type) {
      case 'compartment': {
        const size = num(e.el, 'size') ?? num(e.el, 'volume');
        if (size !== undefined) return size;
        if (level === 2) return 1;
        return unsupported(e.el, 'A compartment without a size');
      }
      case 'parameter': {
        const v = num(e.el, 'value');
        if (v === undefined) unsupported(e.el, 'A parameter without a value');
        return v;
      }
      case 'species': {
        const amount = num(e.el, 'initialAmount');
        const conc = num(e.el, 'initialConcentration');
        const hosu = amountsOnly(e);
        if (amount === undefined && conc === undefined) unsupported(e.el, 'A species without an initial amount or concentration');
        const size = (): number => valueOf(e.parent!, ctx);
        if (hosu) return amount ?? conc! * size();
        return conc ?? amount! / size();
      }
      case 'speciesReference': {
        const s = num(e.el, 'stoichiometry');
        if (s === undefined) unsupported(e.el, 'A species reference without a stoichiometry');
        return s;
      }
      case 'reaction': {
        const law = laws.get(e.id)!;
        return evalIn(law.math, law.ctx, law.locals);
      }
      default:
        return unsupported(e.el, 'This element');
    }
  };

  // ---- equations
  const equations: string[] = [];
  const states: Record<string, number> = {};
  const parameters: Record<string, number> = {};
  const observables: string[] = [];
  const auxLines: string[] = [];
  const derivatives = new Map<string, string>();
  const derivativeVisiting = new Set<string>();
  const modelConversion = model.attrs.conversionFactor;
  for (const [id, s] of symbols) {
    if (s.type === 'localParameter') continue;
    const e = entities.get(id)!;
    if (s.role === 'state' && s.amountName === undefined) states[s.name] = valueOf(id, { where: `<${e.el.tag}> '${id}'`, elementId: id });
  }
  for (const [id, s] of symbols) {
    if (s.type === 'localParameter') {
      const [reaction, pid] = id.split('/');
      parameters[s.name] = laws.get(reaction)!.locals.get(pid)!;
      continue;
    }
    const e = entities.get(id)!;
    const ctxOf = (what: string): MathContext => ({ where: what, elementId: id });
    if (s.role === 'parameter') {
      // A 0-D compartment has no size: it is left out (math that reads it then fails in createSystem).
      if (e.type === 'compartment' && pointCompartment(e) && num(e.el, 'size') === undefined && !initial.has(id)) continue;
      parameters[s.name] = valueOf(id, ctxOf(`<${e.el.tag}> '${id}'`));
      continue;
    }
    const compartmentName = s.compartment === undefined ? undefined : symbols.get(s.compartment)!.name;
    if (s.amountName !== undefined) {
      const amount = valueOf(id, ctxOf(`<${e.el.tag}> '${id}'`)) * valueOf(s.compartment!, ctxOf(`<${e.el.tag}> '${id}'`));
      auxLines.push(`${s.name} = ${s.amountName} / ${compartmentName}`);
      if ((bool(e.el, 'boundaryCondition', false) || bool(e.el, 'constant', false)) && !eventTargets.has(id)) {
        parameters[s.amountName] = amount;
        continue;
      }
      states[s.amountName] = amount;
    }
    if (e.type === 'reaction') {
      const law = laws.get(id)!;
      auxLines.push(`${s.name} = ${emit(law.math, nameIn(law.locals, id, law.ctx), law.ctx)}`);
      observables.push(s.name);
      continue;
    }
    const rule = rules.get(id);
    if (rule?.kind === 'assignment') {
      auxLines.push(`${s.name} = ${emit(rule.math, nameIn(undefined, undefined, rule.ctx), rule.ctx)}`);
      observables.push(s.name);
      continue;
    }
    // a state
    equations.push(`d${s.amountName ?? s.name} = ${derivativeText(id)}`);
  }
  if (derivativeVisiting.size > 0) throw new CubieError('INTERNAL', 'rateOf bookkeeping left open');

  function derivativeText(id: string): string {
    const known = derivatives.get(id);
    if (known !== undefined) return known;
    if (derivativeVisiting.has(id)) throw new CubieError('CYCLIC_DEPENDENCY', `The rate of '${id}' depends on itself through rateOf`, { sbmlId: id });
    derivativeVisiting.add(id);
    const text = computeDerivative(id);
    derivativeVisiting.delete(id);
    derivatives.set(id, text);
    return text;
  }

  /** rateOf(id): 0 for a constant, the derivative for a state; refused for quantities set by assignment rules. */
  function rateText(id: string, ctx: MathContext): string {
    return changes(id, ctx) ? `(${derivativeText(id)})` : '0';
  }

  /** Whether rateOf(id) is a state's derivative (true) or 0 (false); refused for quantities set by assignment rules. */
  function changes(id: string, ctx: MathContext): boolean {
    const s = symbols.get(id);
    if (s === undefined || s.type === 'localParameter') {
      throw new CubieError('INVALID_SBML', `rateOf in ${ctx.where} names '${id.slice(0, 64)}', which is not defined in the model`, { where: ctx.where, sbmlId: ctx.elementId });
    }
    if (s.role === 'parameter') return false;
    if (s.role === 'state') return true;
    throw new CubieError('UNSUPPORTED_SBML', `rateOf('${id}') in ${ctx.where}: '${id}' is set by an assignment rule or is a reaction rate (or a concentration in a compartment that changes), which is not supported`, { where: ctx.where, sbmlId: ctx.elementId });
  }

  function computeDerivative(id: string): string {
    const ctx = { where: `the rate of change of '${id}'`, elementId: id };
    return emit(derivativeMath(id), nameIn(undefined, undefined, ctx), ctx);
  }

  /** d(id)/dt as math over SBML ids: its rate rule, or sum(stoichiometry * rate) * conversion factor (/ compartment for a concentration). */
  function derivativeMath(id: string): MathNode {
    const s = symbols.get(id)!;
    const e = entities.get(id)!;
    const rule = rules.get(id);
    if (rule?.kind === 'rate') return rule.math;
    const zero: MathNode = { k: 'num', v: 0 };
    // a boundary species (a state only when an event sets it) is not changed by reactions
    if (e.type !== 'species' || bool(e.el, 'boundaryCondition', false)) return zero;
    const terms: MathNode[] = [];
    for (const r of reactions) {
      for (const [listName, reactant] of [['listOfReactants', true], ['listOfProducts', false]] as const) {
        for (const sr of list(r, listName, 'speciesReference')) {
          if (sr.attrs.species !== id) continue;
          const term: MathNode = { k: 'op', op: 'times', args: [stoichiometryOf(sr, r), { k: 'sym', id: r.attrs.id }] };
          terms.push(reactant ? { k: 'op', op: 'minus', args: [term] } : term);
        }
      }
    }
    if (terms.length === 0) return zero;
    let rhs: MathNode = terms.length === 1 ? terms[0] : { k: 'op', op: 'plus', args: terms };
    const cf = e.el.attrs.conversionFactor ?? modelConversion;
    if (cf !== undefined) {
      const c = symbols.get(cf);
      if (c === undefined || c.type !== 'parameter') invalid(`The conversion factor '${cf.slice(0, 40)}' of species '${id}' is not a parameter`, e.el);
      rhs = { k: 'op', op: 'times', args: [rhs, { k: 'sym', id: cf }] };
    }
    if (!s.hasOnlySubstanceUnits && s.amountName === undefined) rhs = { k: 'op', op: 'divide', args: [rhs, { k: 'sym', id: s.compartment! }] };
    return rhs;
  }

  /** A species reference's stoichiometry: its stoichiometryMath, its id's value, or its number (Level 2's default 1). */
  function stoichiometryOf(sr: XmlElement, r: XmlElement): MathNode {
    const sm = stoichiometryMath.get(sr);
    if (sm !== undefined && sr.attrs.id === undefined) return sm.math;
    if (sr.attrs.id !== undefined) return { k: 'sym', id: sr.attrs.id };
    const v = num(sr, 'stoichiometry');
    if (v !== undefined) return { k: 'num', v };
    if (level === 2) return { k: 'num', v: 1 };
    return unsupported(sr, 'A species reference without a stoichiometry', r.attrs.id);
  }

  /** rateOf(id) at t0, for initial assignments: 0 for a constant, the derivative's value for a state. */
  function rateAtT0(id: string, ctx: MathContext): number {
    if (!changes(id, ctx)) return 0;
    const key = `rateOf ${id}`;
    if (visiting.has(key)) throw new CubieError('CYCLIC_DEPENDENCY', `The rate of '${id}' at t0 depends on itself`, { sbmlId: id });
    visiting.add(key);
    const v = evalIn(derivativeMath(id), { where: `the rate of change of '${id}'`, elementId: id });
    visiting.delete(key);
    return v;
  }
  // a species changed by reactions must be a state (not constant, not boundary, no rule)
  for (const id of speciesChangedByReactions) {
    const s = symbols.get(id);
    if (s === undefined || s.type !== 'species') invalid(`A reaction names the species '${id.slice(0, 40)}', which does not exist`);
    if (s.role === 'state' && rules.get(id)?.kind === 'rate' && !bool(entities.get(id)!.el, 'boundaryCondition', false)) {
      invalid(`Species '${id}' has a rate rule and is changed by reactions`, entities.get(id)!.el);
    }
  }

  if (Object.keys(states).length === 0) {
    // cubie solves systems with at least one state; a model of rules alone gets one that stays 0.
    const placeholder = names.fresh('no_state');
    states[placeholder] = 0;
    equations.push(`d${placeholder} = 0`);
    warnings.push(`The model has no quantity changed by reactions or rate rules; the state '${placeholder}' (always 0) was added so that it can be solved`);
  }
  const built = buildEvents(sbmlEvents, {
    t0,
    names,
    text: (math, ctx) => emit(math, nameIn(undefined, undefined, ctx), ctx),
    assign: (ev, variable, value) => eventAssignment(ev, variable, value),
    reads: (math) => readsThrough(math),
    after: (math, assigned) => writtenOut(math, assigned),
    added: addedStates,
  }, warnings);
  const events = built.events;
  // what delayed events remember (a pending time, values from the trigger time) changes only at events
  for (const [name, value] of Object.entries(built.states)) {
    states[name] = value;
    equations.push(`d${name} = 0`);
  }

  /**
   * The math's value just after assignments: `assigned` ids replaced by their values' math, and the assignment
   * rules and rates that depend on them written out; undefined where that is not exact (a rate with local
   * parameters, a concentration whose compartment is assigned, rateOf).
   */
  function writtenOut(math: MathNode, assigned: ReadonlyMap<string, MathNode>, depth = 0): MathNode | undefined {
    if (depth > 64) return undefined;
    const touched = (id: string): boolean => [...readsThrough({ k: 'sym', id })].some((x) => assigned.has(x));
    const rec = (m: MathNode): MathNode | undefined => writtenOut(m, assigned, depth + 1);
    switch (math.k) {
      case 'sym': {
        const given = assigned.get(math.id);
        if (given !== undefined) return given;
        if (!touched(math.id)) return math;
        const rule = rules.get(math.id);
        if (rule?.kind === 'assignment') return rec(rule.math);
        const law = laws.get(math.id);
        if (law !== undefined && law.locals.size === 0) return rec(law.math);
        return undefined;
      }
      case 'rateOf': return assigned.size === 0 ? math : undefined;
      case 'op': {
        // a delayed value is the past's (its lag is positive): the instant's assignments do not reach it
        if (math.op === 'delay') return math;
        const args = math.args.map(rec);
        return args.every((a): a is MathNode => a !== undefined) ? { k: 'op', op: math.op, args } : undefined;
      }
      case 'piecewise': {
        const pieces = math.pieces.map(([v, c]) => [rec(v), rec(c)] as const);
        const otherwise = math.otherwise && rec(math.otherwise);
        if (pieces.some(([v, c]) => v === undefined || c === undefined) || (math.otherwise !== undefined && otherwise === undefined)) return undefined;
        return { k: 'piecewise', pieces: pieces as [MathNode, MathNode][], otherwise };
      }
      default: return math;
    }
  }

  /** The state an event sets and the value it gets: a species whose amount is the state gets value * compartment size. */
  function eventAssignment(ev: SbmlEvent, variable: string, value: string): { target: string; value: string } {
    const s = symbols.get(variable)!;
    if (s.amountName !== undefined) {
      if (ev.assignments.some((a) => a.variable === s.compartment)) {
        unsupported(entities.get(variable)!.el, `An event that sets both the concentration of '${variable}' and the size of its compartment`, ev.id);
      }
      return { target: s.amountName, value: `(${value}) * ${symbols.get(s.compartment!)!.name}` };
    }
    if (s.role !== 'state') throw new CubieError('INTERNAL', `Event target '${variable}' did not become a state`);
    return { target: s.name, value };
  }

  /** SBML ids the math depends on: what it names, and what assignment rules, rates and concentrations it reads depend on. */
  function readsThrough(math: MathNode): Set<string> {
    const out = new Set<string>();
    const visit = (id: string): void => {
      if (out.has(id)) return;
      out.add(id);
      const rule = rules.get(id);
      if (rule?.kind === 'assignment') symbolsOf(rule.math).forEach(visit);
      const law = laws.get(id);
      if (law !== undefined) for (const x of symbolsOf(law.math)) if (!law.locals.has(x)) visit(x);
      const e = entities.get(id);
      if (e?.type === 'species') visit(e.parent!);
    };
    symbolsOf(math).forEach(visit);
    return out;
  }

  const modelId = model.attrs.id;
  const systemName = options.name ?? (modelId !== undefined && SBML_ID.test(modelId) ? sanitizeSystemName(modelId) : 'sbml_model');
  const definition: SystemDefinition = {
    name: systemName,
    equations: [...equations, ...auxLines],
    states,
    parameters,
    observables,
    ...(events.length > 0 ? { events } : {}),
  };
  const sbmlIds: Record<string, string> = {};
  for (const [name, id] of names.sbmlIdOf) sbmlIds[name] = id;
  return {
    definition, system: definition, y0: states, parameters, symbols, sbmlIds,
    ...(model.attrs.timeUnits !== undefined ? { timeUnits: model.attrs.timeUnits } : {}),
    warnings,
  };
}

function sanitizeSystemName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_]/g, '_');
  return (/^[A-Za-z]/.test(s) ? s : `m${s}`).slice(0, 64);
}

/**
 * Cubie text for an SBML id's value as the SBML Test Suite reports it:
 * a species as an amount or a concentration (converted through its
 * compartment), anything else as itself.
 */
export function outputExpression(model: ImportedModel, sbmlId: string, as?: 'amount' | 'concentration'): string | undefined {
  const s = model.symbols.get(sbmlId);
  if (s === undefined) return undefined;
  if (s.type !== 'species' || as === undefined) return s.name;
  const compartment = model.symbols.get(s.compartment!)!.name;
  if (as === 'amount' && s.amountName !== undefined) return s.amountName;
  if (as === 'amount' && !s.hasOnlySubstanceUnits) return `(${s.name} * ${compartment})`;
  if (as === 'concentration' && s.hasOnlySubstanceUnits) return `(${s.name} / ${compartment})`;
  return s.name;
}
