/**
 * The SBML Level 3 comp package (hierarchical model composition), carried by
 * flattening the document to one core model, in the steps of libSBML's
 * CompFlatteningConverter (CompModelPlugin::instantiateSubmodels):
 *   1. each submodel is instantiated: a copy of its model definition, its own
 *      submodels instantiated in turn;
 *   2. every deletion, replacement and port is resolved to the element it
 *      points to, before any id changes;
 *   3. deletions are collected (what a deleted element replaced goes too);
 *   4. every id of an instance gets its submodel path as a prefix
 *      (`A__x`, `A__B__x`; local parameters keep theirs) and the references
 *      in the instance follow;
 *   5. replacements are done from the main model down: a replaced element's
 *      references become the replacing element's id (over its conversion
 *      factor, and what set it times the factor); each submodel's time and
 *      extent conversion factors are applied to its instance; then a
 *      replacedBy gives the submodel element the replaced element's id;
 *   6. what was replaced or deleted is left out, and the instances' elements
 *      are appended to the main model's lists.
 * A submodel names a model of the document it is in: its <model>, a
 * <comp:modelDefinition> or a <comp:externalModelDefinition>, whose
 * comp:source is another SBML Level 3 document that the `files` option of
 * importSbml gives (src/files/ reads it from beside the model file), resolved
 * against the source of the document that names it; that document's own
 * definitions are the scope of its models' submodels (comp-documents.ts).
 * Copies of its models are renamed to the main document's comp prefix, so
 * the steps above treat every instance alike.
 */
import type { ImportFiles } from '../files';
import { childNamed, type XmlElement } from '../xml';
import { Documents, compPrefixOf, definitionsOf, refuseOtherBindings, type Scope } from './comp-documents';
import { Instantiation, resolveRef, submodelNamed, type Instance, type Target } from './comp-refs';
import { CompNames, applyNode, ciNode, compInvalid, compUnsupported, elementsBelow, nodesOf, type Node } from './comp-tree';
import { convertTimeAndExtent, multiplyAssignments, productOf, renameReferences, replaceIdWith, rewriteCis } from './comp-rewrite';
import { mergeInstances } from './comp-merge';

export { compPrefixOf, refuseRequiredPackages } from './comp-documents';

/** A new <sbml> root whose <model> is the comp document flattened to core SBML; `files` gives the documents of external model definitions. */
export function flattenComp(root: XmlElement, warnings: string[], files?: ImportFiles): XmlElement {
  const prefix = compPrefixOf(root);
  const main = childNamed(root, 'model');
  if (prefix === undefined || main === undefined) return root;
  const cx = new CompNames(prefix);
  refuseOtherBindings(root, prefix);
  const scope: Scope = { source: undefined, cx, defs: definitionsOf(root, main, cx) };
  const documents = new Documents(cx, files);
  const top = new Instantiation(cx, documents).instantiate(main, scope, '', main.attrs.id === undefined ? [] : [`#${main.attrs.id}`]);
  for (const [id, ext] of scope.defs.external) {
    if (!documents.used.has(ext)) warnings.push(`The external model definition '${id}' (${cx.attr(ext, 'source') ?? 'no source'}) is not read: no submodel instantiates it`);
  }
  return new Flattening(cx).run(top, root, warnings);
}

class Flattening {
  /** What each comp reference points to, resolved before any renaming. */
  private readonly targets = new Map<Node, Target>();
  /** Elements gone at once (deleted comp references and local parameters): replacing one is an error. */
  private readonly removedNow = new Set<Node>();
  /** Elements left out of the flattened model (replaced or deleted). */
  private readonly toRemove = new Set<Node>();

  constructor(private readonly cx: CompNames) {}

  run(top: Instance, root: XmlElement, warnings: string[]): XmlElement {
    this.resolveAll(top);
    this.collectDeletions(top);
    this.prefixIds(top, '');
    this.replaceAll(top);
    const gone = new Set<Node>();
    for (const n of [...this.removedNow, ...this.toRemove]) for (const d of nodesOf(n)) gone.add(d);
    return mergeInstances(root, top, gone, this.cx, warnings);
  }

  private target(ref: Node, label: string): Target {
    const t = this.targets.get(ref);
    if (t === undefined) compInvalid(ref, label, 'A comp reference that points to nothing');
    return t;
  }

  /** Step 2: deletions, replacedElements and replacedBys, in every instance. */
  private resolveAll(inst: Instance): void {
    const cx = this.cx;
    for (const n of nodesOf(inst.model)) {
      if (!cx.isComp(n)) continue;
      if (n.local === 'replacedElement' || n.local === 'replacedBy') {
        const sub = submodelNamed(n, inst, cx);
        const deletion = n.local === 'replacedElement' ? cx.attr(n, 'deletion') : undefined;
        if (deletion !== undefined) {
          // a deletion "replaced": nothing to do but check that it exists
          const sm = [...inst.submodels].find(([, i]) => i === sub)![0];
          if (!cx.items(sm, 'listOfDeletions', 'deletion').some((d) => cx.attr(d, 'id') === deletion)) compInvalid(n, inst.label, `The replacedElement names the deletion '${deletion.slice(0, 64)}', which its submodel does not have`, deletion);
          continue;
        }
        this.targets.set(n, resolveRef(n, sub, cx));
      }
    }
    for (const [sm, sub] of inst.submodels) {
      for (const d of cx.items(sm, 'listOfDeletions', 'deletion')) this.targets.set(d, resolveRef(d, sub, cx));
      this.resolveAll(sub);
    }
  }

  /** Step 3 (CompModelPlugin::collectDeletionsAndDeleteSome). */
  private collectDeletions(inst: Instance): void {
    const cx = this.cx;
    for (const [sm, sub] of inst.submodels) {
      for (const d of cx.items(sm, 'listOfDeletions', 'deletion')) {
        const { node } = this.target(d, inst.label);
        const isLocal = isLocalParameter(sub.model, node);
        if ((cx.isComp(node) && ['deletion', 'replacedBy', 'replacedElement'].includes(node.local)) || isLocal) {
          // gone before the renaming: a deleted local parameter no longer hides the global one (Test Suite 01159)
          for (const x of nodesOf(node)) this.removedNow.add(x);
          for (const p of nodesOf(sub.model)) p.children = p.children.filter((c) => c !== node);
        } else {
          this.deleteWithReplaced(node, inst.label);
        }
      }
      this.collectDeletions(sub);
    }
  }

  /** A deleted element, and what it replaced, go (SBaseRef::collectDeletions). */
  private deleteWithReplaced(node: Node, label: string): void {
    if (this.removedNow.has(node) || this.toRemove.has(node)) return;
    this.toRemove.add(node);
    for (const ref of this.replacingRefs(node)) {
      const t = this.targets.get(ref);
      if (t !== undefined) this.deleteWithReplaced(t.node, label);
    }
  }

  /** An element's own <comp:replacedElement>s and <comp:replacedBy>. */
  private replacingRefs(node: Node): Node[] {
    const cx = this.cx;
    return [...cx.items(node, 'listOfReplacedElements', 'replacedElement'), ...node.children.filter((c) => cx.isComp(c) && c.local === 'replacedBy')];
  }

  /** Step 4 (CompModelPlugin::renameAllIDsAndPrepend): `prefix` is the instance's, '' for the main model. */
  private prefixIds(inst: Instance, prefix: string): void {
    const cx = this.cx;
    const own = [...elementsBelow(inst.model)];
    for (const [sm, sub] of inst.submodels) {
      const id = cx.attr(sm, 'id')!;
      // libSBML adds a number when an element of this model already starts with the prefix
      const clashes = (p: string): boolean => own.some((n) => cx.idOf(n)?.startsWith(p) === true || n.attrs.metaid?.startsWith(p) === true);
      let candidate = `${id}__`;
      for (let k = 1; clashes(candidate); k++) candidate = `${id}${k}__`;
      this.prefixIds(sub, `${prefix}${candidate}`);
    }
    if (prefix === '') return;
    const sids = new Map<string, string>();
    const units = new Map<string, string>();
    const locals = localParametersOf(inst.model);
    for (const n of own) {
      if (n.attrs.metaid !== undefined) n.attrs.metaid = `${prefix}${n.attrs.metaid}`;
      const id = cx.idOf(n);
      if (id === undefined || locals.has(n)) continue;
      cx.setId(n, `${prefix}${id}`);
      if (cx.isComp(n) && n.local === 'port') continue;
      if (n.local === 'unitDefinition' && n.prefix === '') units.set(id, `${prefix}${id}`);
      else sids.set(id, `${prefix}${id}`);
    }
    renameReferences(inst.model, sids, units, cx);
  }

  /** Step 5 (CompModelPlugin::collectRenameAndConvertReplacements). */
  private replaceAll(inst: Instance): void {
    const cx = this.cx;
    const own = [...nodesOf(inst.model)];
    const parentOf = new Map<Node, Node>();
    for (const p of own) for (const c of p.children) parentOf.set(c, p);
    const live = (n: Node): boolean => !this.removedNow.has(n);
    for (const re of own.filter((n) => cx.isComp(n) && n.local === 'replacedElement' && live(n))) {
      if (cx.attr(re, 'deletion') !== undefined) continue;
      const parent = parentOf.get(parentOf.get(re)!)!;
      const t = this.target(re, inst.label);
      if (this.removedNow.has(t.node)) compInvalid(re, inst.label, 'A replacedElement points to an element that was deleted');
      const factor = cx.attr(re, 'conversionFactor');
      this.replace(t, parent, factor === undefined ? [] : [factor], re, inst.label);
      this.toRemove.add(t.node);
      this.replaceWhatItReplaced(t.node, parent, factor === undefined ? [] : [factor], inst.label);
    }
    for (const [sm, sub] of inst.submodels) {
      convertTimeAndExtent(sub.model, cx.attr(sm, 'timeConversionFactor'), cx.attr(sm, 'extentConversionFactor'), sub.label, cx);
      this.replaceAll(sub);
    }
    for (const rb of own.filter((n) => cx.isComp(n) && n.local === 'replacedBy' && live(n))) {
      const parent = parentOf.get(rb)!;
      const t = this.target(rb, inst.label);
      this.checkReplaceable(t.node, parent, rb, inst.label);
      const oldId = cx.idOf(t.node);
      const newId = cx.idOf(parent);
      if (newId !== undefined && oldId === undefined) compInvalid(rb, inst.label, `The element that replaces '${newId}' (replacedBy) has no id`, newId);
      if (oldId !== undefined && newId !== undefined) this.renameUses(t, newId);
      if (newId !== undefined) cx.setId(t.node, newId);
      if (parent.attrs.metaid !== undefined) t.node.attrs.metaid = parent.attrs.metaid;
      this.toRemove.add(parent);
    }
  }

  /**
   * What the replaced element itself replaced (or was replaced by) is now replaced by the new element,
   * through the chain's conversion factors (Replacing::replaceWithAndMaybeDelete).
   */
  private replaceWhatItReplaced(replaced: Node, by: Node, factors: readonly string[], label: string): void {
    for (const ref of this.replacingRefs(replaced)) {
      const t = this.targets.get(ref);
      if (t === undefined || this.removedNow.has(ref)) continue;
      const own = ref.local === 'replacedElement' ? this.cx.attr(ref, 'conversionFactor') : undefined;
      const chain = own === undefined ? factors : [...factors, own];
      this.replace(t, by, chain, ref, label);
      this.toRemove.add(t.node);
      this.replaceWhatItReplaced(t.node, by, chain, label);
    }
  }

  /** The uses of the replaced element in its instance now name `by` (Replacing::updateIDs, performConversions); `at` and `label` place messages. */
  private replace(t: Target, by: Node, factors: readonly string[], at: Node, label: string): void {
    const cx = this.cx;
    this.checkReplaceable(t.node, by, at, label);
    const oldId = cx.idOf(t.node);
    const newId = cx.idOf(by);
    if (oldId !== undefined && newId === undefined) compInvalid(by, label, `The element that replaces '${oldId}' has no id`, oldId);
    if (oldId !== undefined) this.renameUses(t, newId!);
    if (factors.length === 0 || newId === undefined) return;
    this.refuseUnscalable(t, newId);
    replaceIdWith(t.owner.model, newId, () => applyNode('divide', ciNode(newId), productOf(factors)), t.owner.label, `'${newId}' replaces an element with a conversion factor`);
    multiplyAssignments(t.owner.model, newId, () => productOf(factors));
  }

  private renameUses(t: Target, newId: string): void {
    const cx = this.cx;
    const oldId = cx.idOf(t.node)!;
    if (cx.isComp(t.node) && t.node.local === 'port') return;
    if (t.node.local === 'unitDefinition') {
      renameReferences(t.owner.model, new Map(), new Map([[oldId, newId]]), cx);
    } else if (isLocalParameter(t.owner.model, t.node)) {
      const law = [...nodesOf(t.owner.model)].find((n) => n.local === 'kineticLaw' && [...nodesOf(n)].includes(t.node));
      for (const m of law?.children.filter((c) => c.local === 'math') ?? []) rewriteCis(m, new Set(), (id) => (id === oldId ? newId : undefined));
    } else {
      renameReferences(t.owner.model, new Map([[oldId, newId]]), new Map(), cx);
    }
  }

  /** Replacements the flattening cannot carry faithfully. */
  private checkReplaceable(replaced: Node, by: Node, at: Node, label: string): void {
    const cx = this.cx;
    const id = cx.idOf(replaced) ?? replaced.attrs.metaid;
    for (const n of [replaced, by]) {
      if (cx.isComp(n) && n.local === 'submodel') compUnsupported(at, label, 'Replacing a submodel (or replacing with one)', id);
    }
    // a global parameter may take a local parameter's place (libSBML renames the kinetic law's uses)
    const sameKind = replaced.local === by.local || (replaced.local === 'localParameter' && by.local === 'parameter');
    if (!sameKind || cx.isComp(replaced) !== cx.isComp(by)) {
      compUnsupported(at, label, `A <${by.tag}> replacing a <${replaced.tag}> (elements of different kinds)`, id);
    }
  }

  /**
   * libSBML scales only math and assignments by a replacement's conversion factor: the species a
   * submodel's reactions change, and the compartments its species are in, would change meaning.
   */
  private refuseUnscalable(t: Target, newId: string): void {
    for (const n of nodesOf(t.owner.model)) {
      if (n.prefix !== '') continue;
      if ((n.local === 'speciesReference' || n.local === 'modifierSpeciesReference') && n.attrs.species === newId) {
        compUnsupported(t.node, t.owner.label, 'A conversion factor on the replacement of a species that reactions of the submodel change', newId);
      }
      if (n.local === 'species' && n.attrs.compartment === newId) {
        compUnsupported(t.node, t.owner.label, 'A conversion factor on the replacement of a compartment that holds species of the submodel', newId);
      }
    }
  }
}

/** The <localParameter>s of the instance, and the SBML Level 2 style <parameter>s inside its kinetic laws. */
function localParametersOf(model: Node): Set<Node> {
  const out = new Set<Node>();
  for (const law of nodesOf(model)) {
    if (law.local !== 'kineticLaw' || law.prefix !== '') continue;
    for (const l of law.children) {
      if (l.prefix === '' && (l.local === 'listOfParameters' || l.local === 'listOfLocalParameters')) for (const p of l.children) if (p.prefix === '') out.add(p);
    }
  }
  return out;
}

function isLocalParameter(model: Node, n: Node): boolean {
  return n.prefix === '' && (n.local === 'localParameter' || n.local === 'parameter') && localParametersOf(model).has(n);
}
