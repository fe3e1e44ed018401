/**
 * The last step of the comp flattening: the main model's elements, then each
 * submodel instance's (depth first, as libSBML's Model::appendFrom), in one
 * list of each kind, without what was replaced or deleted and without the
 * comp package's elements and attributes.
 */
import type { XmlElement } from '../xml';
import type { Instance } from './comp-refs';
import { CompNames, compUnsupported, type Node } from './comp-tree';

/** SBML Level 3 core's lists in a model, in the order the schema gives them. */
const CORE_LISTS = [
  'listOfFunctionDefinitions', 'listOfUnitDefinitions', 'listOfCompartments', 'listOfSpecies', 'listOfParameters',
  'listOfInitialAssignments', 'listOfRules', 'listOfConstraints', 'listOfReactions', 'listOfEvents',
];

/** The flattened <sbml> root: the comp namespace's declaration and required flag are gone with its elements. */
export function mergeInstances(root: XmlElement, top: Instance, gone: ReadonlySet<Node>, cx: CompNames, warnings: string[]): XmlElement {
  const instances: Instance[] = [];
  const collect = (inst: Instance): void => {
    instances.push(inst);
    for (const [sm, sub] of inst.submodels) if (!gone.has(sm)) collect(sub);
  };
  collect(top);
  inheritConversionFactors(instances, gone);

  const strip = (n: Node | XmlElement): XmlElement => ({
    tag: n.tag, local: n.local, prefix: n.prefix, text: n.text, textParts: n.textParts,
    attrs: withoutComp(n.attrs, cx),
    children: n.children.filter((c) => !cx.isComp(c) && !gone.has(c as Node)).map(strip),
  });
  const items = new Map<string, XmlElement[]>(CORE_LISTS.map((l) => [l, []]));
  const listAttrs = new Map<string, Readonly<Record<string, string>>>();
  const others: XmlElement[] = [];
  for (const inst of instances) {
    for (const c of inst.model.children) {
      if (gone.has(c) || cx.isComp(c)) continue;
      const list = c.prefix === '' ? items.get(c.local) : undefined;
      if (list !== undefined) {
        if (inst === top && !listAttrs.has(c.local)) listAttrs.set(c.local, withoutComp(c.attrs, cx));
        list.push(...c.children.filter((x) => !gone.has(x) && !cx.isComp(x)).map(strip));
      } else if (inst === top) {
        others.push(strip(c));
      } else if (c.local !== 'notes' && c.local !== 'annotation') {
        warnings.push(`The element <${c.tag.slice(0, 60)}> of submodel '${inst.label}' is not part of SBML core and was left out of the flattened model`);
      }
    }
  }
  const lists: XmlElement[] = [];
  for (const [name, children] of items) {
    if (children.length === 0) continue;
    lists.push({ tag: name, local: name, prefix: '', attrs: listAttrs.get(name) ?? {}, children, text: '', textParts: [] });
  }
  const model: XmlElement = { ...strip(top.model), children: [...others, ...lists] };
  const rootAttrs = withoutComp(root.attrs, cx);
  delete rootAttrs[`xmlns:${cx.prefix}`];
  return {
    ...root, attrs: rootAttrs,
    children: root.children.filter((c) => !cx.isComp(c)).map((c) => (c.local === 'model' && c.prefix === '' ? model : c)),
  };
}

function withoutComp(attrs: Readonly<Record<string, string>>, cx: CompNames): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith(`${cx.prefix}:`)) out[k] = v;
  return out;
}

/**
 * A model's conversionFactor applies to its own species only: a submodel's is written on each of its
 * species that has none; the main model's cannot be kept from the submodels' species, which would take it.
 */
function inheritConversionFactors(instances: readonly Instance[], gone: ReadonlySet<Node>): void {
  const [top, ...subs] = instances;
  const speciesOf = (inst: Instance): Node[] => inst.model.children
    .filter((l) => l.local === 'listOfSpecies' && l.prefix === '' && !gone.has(l))
    .flatMap((l) => l.children.filter((s) => s.local === 'species' && s.prefix === '' && !gone.has(s)));
  for (const inst of subs) {
    const factor = inst.model.attrs.conversionFactor;
    if (factor === undefined) continue;
    for (const s of speciesOf(inst)) if (s.attrs.conversionFactor === undefined) s.attrs.conversionFactor = factor;
  }
  if (top.model.attrs.conversionFactor === undefined) return;
  for (const inst of subs) {
    const bare = speciesOf(inst).find((s) => s.attrs.conversionFactor === undefined);
    if (bare !== undefined) {
      compUnsupported(bare, inst.label, `The main model's conversionFactor '${top.model.attrs.conversionFactor}' with a species of a submodel that has no conversion factor of its own (flattened, it would take the main model's)`, bare.attrs.id);
    }
  }
}
