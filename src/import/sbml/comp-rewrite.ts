/**
 * Rewrites of one submodel instance's copy for the comp flattening: ids and
 * the references to them renamed, an id's uses in math replaced by an
 * expression, assignments to an id scaled, and math expressed in the
 * instance's own time converted to the main model's.
 *
 * An instance's math reads only its own ids, so each rewrite stays inside one
 * instance; what links instances (replacements) is done by comp.ts through
 * these rewrites.
 */
import { CompNames, applyNode, ciNode, compUnsupported, mathNode, nodesOf, type Node } from './comp-tree';

/** Core attributes that name an SId of the same model. */
const SID_REF_ATTRS = ['compartment', 'species', 'conversionFactor', 'variable', 'symbol'];
/** Core attributes that name a unit (a unit definition of the same model, or a base unit). */
const UNIT_REF_ATTRS = ['units', 'substanceUnits', 'timeUnits', 'volumeUnits', 'areaUnits', 'lengthUnits', 'extentUnits'];
/** comp attributes that name an SId of the model they are in. */
const COMP_SID_REF_ATTRS = ['timeConversionFactor', 'extentConversionFactor', 'conversionFactor'];

const CSYMBOL = 'http://www.sbml.org/sbml/symbols/';

/** What a rewrite of a <ci> gives: a new id, an expression in its place, or undefined to leave it. */
type CiRewrite = (id: string, ci: Node, underRateOf: boolean) => string | Node | undefined;

/** The ids a kinetic law's local parameters give; they hide model ids of the same name in its math. */
function localIds(kineticLaw: Node): Set<string> {
  const ids = new Set<string>();
  for (const list of kineticLaw.children) {
    if (list.prefix !== '' || (list.local !== 'listOfLocalParameters' && list.local !== 'listOfParameters')) continue;
    for (const p of list.children) if (p.prefix === '' && p.attrs.id !== undefined) ids.add(p.attrs.id);
  }
  return ids;
}

/** Each <math> below `root`, with the element that holds it and the ids its scope hides. */
export function* mathsOf(root: Node, hidden: ReadonlySet<string> = new Set(), holder: Node = root): Generator<{ math: Node; holder: Node; hidden: ReadonlySet<string> }> {
  for (const c of root.children) {
    if (c.local === 'math') {
      yield { math: c, holder, hidden };
      continue;
    }
    const inner = c.local === 'kineticLaw' && c.prefix === '' ? localIds(c) : hidden;
    yield* mathsOf(c, inner, c);
  }
}

function isCsymbol(n: Node, name: string): boolean {
  return n.local === 'csymbol' && (n.attrs.definitionURL ?? '').trim() === `${CSYMBOL}${name}`;
}

/** Applies `rewrite` to every <ci> of the math that names a model id (not a lambda's bound variable, not hidden). */
export function rewriteCis(math: Node, hidden: ReadonlySet<string>, rewrite: CiRewrite): void {
  const visit = (n: Node, bound: ReadonlySet<string>, underRateOf: boolean): void => {
    let inner = bound;
    if (n.local === 'lambda') {
      const names = n.children.filter((c) => c.local === 'bvar').flatMap((b) => b.children.filter((c) => c.local === 'ci').map((c) => c.text));
      inner = new Set([...bound, ...names]);
    }
    const rateOf = n.local === 'apply' && n.children[0] !== undefined && isCsymbol(n.children[0], 'rateOf');
    n.children.forEach((c, i) => {
      if (c.local !== 'ci' || c.children.length > 0) {
        visit(c, inner, false);
        return;
      }
      if (inner.has(c.text) || n.local === 'bvar') return;
      const out = rewrite(c.text, c, rateOf);
      if (typeof out === 'string') {
        c.text = out;
        c.textParts = [out];
      } else if (out !== undefined) {
        n.children[i] = out;
      }
    });
  };
  visit(math, hidden, false);
}

/** Renames, in the whole instance copy, the references to the SIds and unit ids in the maps. */
export function renameReferences(model: Node, sids: ReadonlyMap<string, string>, units: ReadonlyMap<string, string>, cx: CompNames): void {
  for (const n of nodesOf(model)) {
    if (cx.isComp(n)) {
      for (const a of COMP_SID_REF_ATTRS) {
        const v = cx.attr(n, a);
        const to = v === undefined ? undefined : sids.get(v);
        if (to !== undefined) cx.setAttr(n, a, to);
      }
      continue;
    }
    for (const a of SID_REF_ATTRS) {
      const to = n.attrs[a] === undefined ? undefined : sids.get(n.attrs[a]);
      if (to !== undefined) n.attrs[a] = to;
    }
    for (const key of Object.keys(n.attrs)) {
      const unitAttr = UNIT_REF_ATTRS.includes(key) || (n.local === 'cn' && key.endsWith(':units'));
      const to = unitAttr ? units.get(n.attrs[key]) : undefined;
      if (to !== undefined) n.attrs[key] = to;
    }
  }
  if (sids.size === 0) return;
  for (const { math, hidden } of mathsOf(model)) rewriteCis(math, hidden, (id) => sids.get(id));
}

/** The expression of a <math> (inside <semantics> when there is one), and a way to replace it. */
function body(math: Node): { get: Node; set: (n: Node) => void } | undefined {
  const i = math.children.findIndex((c) => c.local !== 'annotation' && c.local !== 'annotation-xml');
  if (i < 0) return undefined;
  const e = math.children[i];
  if (e.local === 'semantics') return body(e);
  return { get: e, set: (n) => { math.children[i] = n; } };
}

export function wrapMath(math: Node, wrap: (e: Node) => Node): void {
  const b = body(math);
  if (b !== undefined) b.set(wrap(b.get));
}

/** A product of ids (one id: the <ci> alone), as comp's chained conversion factors are. */
export function productOf(ids: readonly string[]): Node {
  return ids.length === 1 ? ciNode(ids[0]) : applyNode('times', ...ids.map(ciNode));
}

/** Every use of `id` in the instance's math becomes `replacement()`; rateOf(id) cannot be rewritten so and is refused. */
export function replaceIdWith(model: Node, id: string, replacement: () => Node, label: string, why: string): void {
  for (const { math, hidden, holder } of mathsOf(model)) {
    rewriteCis(math, hidden, (name, _ci, underRateOf) => {
      if (name !== id) return undefined;
      if (underRateOf) compUnsupported(holder, label, `rateOf('${id}') where ${why}`, holder.attrs.id ?? holder.attrs.variable);
      return replacement();
    });
  }
}

/** The math that sets `id` (rules, initial and event assignments, its kinetic law when it is a reaction) times `factor`. */
export function multiplyAssignments(model: Node, id: string, factor: () => Node): void {
  for (const n of nodesOf(model)) {
    if (n.prefix !== '') continue;
    const sets = ((n.local === 'assignmentRule' || n.local === 'rateRule' || n.local === 'eventAssignment') && n.attrs.variable === id)
      || (n.local === 'initialAssignment' && n.attrs.symbol === id);
    const mathHolder = sets ? n : n.local === 'reaction' && n.attrs.id === id ? n.children.find((c) => c.local === 'kineticLaw' && c.prefix === '') : undefined;
    const math = mathHolder?.children.find((c) => c.local === 'math');
    if (math !== undefined) wrapMath(math, (e) => applyNode('times', e, factor()));
  }
}

/** `time` → time / tcf, and delay(x, d) → delay(x, tcf * d), in an expression of the instance's own time. */
function convertTimeSymbols(n: Node, tcf: () => Node): Node {
  if (isCsymbol(n, 'time')) return applyNode('divide', n, tcf());
  n.children = n.children.map((c) => convertTimeSymbols(c, tcf));
  if (n.local === 'apply' && n.children.length === 3 && isCsymbol(n.children[0], 'delay')) {
    n.children[2] = applyNode('times', tcf(), n.children[2]);
  }
  return n;
}

/** Math holders whose math only has its time symbols converted (rate rules and kinetic laws are also scaled). */
const TIME_MATH = new Set(['assignmentRule', 'algebraicRule', 'eventAssignment', 'initialAssignment', 'constraint', 'priority', 'trigger']);

/**
 * A submodel's timeConversionFactor and extentConversionFactor applied to its instance, as libSBML's
 * Submodel::convertTimeAndExtent: kinetic laws times extent / time factor (and the reactions' ids read back
 * divided by it), rate rules divided by the time factor, delays times it, `time` divided by it; submodels
 * inside get the product of the factors (a new constant parameter, `<inner>_times_<outer>`).
 */
export function convertTimeAndExtent(model: Node, tcf: string | undefined, xcf: string | undefined, label: string, cx: CompNames): void {
  if (tcf === undefined && xcf === undefined) return;
  const tcfNode = (): Node => ciNode(tcf!);
  const klmod = (): Node => {
    if (tcf === undefined) return ciNode(xcf!);
    return applyNode('divide', xcf === undefined ? mathNode('cn', [], '1') : ciNode(xcf), tcfNode());
  };
  if (tcf !== undefined) refuseUnconvertible(model, label);
  for (const r of model.children.filter((c) => c.local === 'listOfReactions' && c.prefix === '').flatMap((l) => l.children)) {
    const rid = r.local === 'reaction' ? r.attrs.id : undefined;
    if (rid !== undefined) replaceIdWith(model, rid, () => applyNode('divide', ciNode(rid), klmod()), label, `'${rid}' is a reaction of a submodel with a time or extent conversion factor`);
  }
  for (const sm of cx.items(model, 'listOfSubmodels', 'submodel')) {
    for (const [attr, factor] of [['timeConversionFactor', tcf], ['extentConversionFactor', xcf]] as const) {
      if (factor === undefined) continue;
      const inner = cx.attr(sm, attr);
      cx.setAttr(sm, attr, inner === undefined ? factor : productParameter(model, inner, factor));
    }
  }
  for (const { math, holder } of mathsOf(model)) {
    if (holder.prefix !== '') continue;
    if (holder.local === 'kineticLaw') {
      wrapMath(math, (e) => applyNode('times', klmod(), tcf === undefined ? e : convertTimeSymbols(e, tcfNode)));
    } else if (tcf === undefined) {
      continue;
    } else if (holder.local === 'delay') {
      wrapMath(math, (e) => applyNode('times', tcfNode(), convertTimeSymbols(e, tcfNode)));
    } else if (holder.local === 'rateRule') {
      wrapMath(math, (e) => applyNode('divide', convertTimeSymbols(e, tcfNode), tcfNode()));
    } else if (TIME_MATH.has(holder.local)) {
      wrapMath(math, (e) => convertTimeSymbols(e, tcfNode));
    }
  }
}

/** What a time conversion cannot carry as libSBML writes it: rateOf (a rate in the submodel's time) and `time` inside function definitions. */
function refuseUnconvertible(model: Node, label: string): void {
  for (const { math, holder } of mathsOf(model)) {
    for (const n of nodesOf(math)) {
      if (isCsymbol(n, 'rateOf')) compUnsupported(holder, label, 'rateOf in a submodel with a timeConversionFactor', holder.attrs.id ?? holder.attrs.variable);
      if (isCsymbol(n, 'time') && holder.local === 'functionDefinition') compUnsupported(holder, label, 'The time csymbol in a function definition of a submodel with a timeConversionFactor', holder.attrs.id);
    }
  }
}

/** A new constant parameter of the instance, `inner * outer`, with a name no element of the instance has. */
function productParameter(model: Node, inner: string, outer: string): string {
  const taken = new Set<string>();
  for (const n of nodesOf(model)) if (n.attrs.id !== undefined) taken.add(n.attrs.id);
  let id = `${inner}_times_${outer}`;
  for (let i = 1; taken.has(id); i++) id = `${inner}_times_${outer}_${i}`;
  const core = (local: string, attrs: Record<string, string>, children: Node[] = []): Node => ({ ...mathNode(local, children), attrs: Object.assign(Object.create(null) as Record<string, string>, attrs) });
  const list = (name: string): Node => {
    let l = model.children.find((c) => c.local === name && c.prefix === '');
    if (l === undefined) {
      l = core(name, {});
      model.children.push(l);
    }
    return l;
  };
  list('listOfParameters').children.push(core('parameter', { id, constant: 'true' }));
  list('listOfInitialAssignments').children.push(core('initialAssignment', { symbol: id }, [mathNode('math', [applyNode('times', ciNode(inner), ciNode(outer))])]));
  return id;
}
