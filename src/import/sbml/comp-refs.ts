/**
 * comp submodel instances and what comp's references point to.
 *
 * Each <comp:submodel> becomes an Instance: a copy of the model definition it
 * names, with its own submodels instantiated in turn. References (<comp:port>,
 * <comp:deletion>, <comp:replacedElement>, <comp:replacedBy> and the
 * <comp:sBaseRef> chains under them) are resolved to elements of those copies
 * before anything is renamed, as libSBML does, since renaming changes the ids
 * they are written with.
 */
import type { XmlElement } from '../xml';
import type { Documents, Scope } from './comp-documents';
import { CompNames, CopyBudget, compInvalid, compUnsupported, elementsBelow, type Node } from './comp-tree';

export interface Instance {
  /** The copy of the <model> or <comp:modelDefinition>; the flattening rewrites it. */
  readonly model: Node;
  /** The path of submodel ids from the main model ('' for it, 'A/B' for B inside A), for messages. */
  readonly label: string;
  /** Each <comp:submodel> element of `model` and its instance. */
  readonly submodels: Map<Node, Instance>;
}

/** An element a reference points to, and the instance whose copy holds it. */
export interface Target {
  readonly node: Node;
  readonly owner: Instance;
}

const MAX_INSTANCES = 10_000;

export class Instantiation {
  private count = 0;
  private readonly budget = new CopyBudget();

  constructor(private readonly cx: CompNames, private readonly documents: Documents) {}

  /**
   * The instance of `def`, a model of the document `scope` (and, recursively, of its submodels, which name
   * definitions of that document); `ancestors` are the keys (`source#id`) of the definitions above it.
   */
  instantiate(def: XmlElement, scope: Scope, label: string, ancestors: readonly string[]): Instance {
    const cx = this.cx;
    const model = this.budget.copy(def, scope.prefixes);
    const submodels = new Map<Node, Instance>();
    const seen = new Set<string>();
    for (const sm of cx.items(model, 'listOfSubmodels', 'submodel')) {
      const id = cx.attr(sm, 'id');
      if (id === undefined) compInvalid(sm, label, 'A submodel without an id');
      if (seen.has(id)) compInvalid(sm, label, `Two submodels have the id '${id}'`, id);
      seen.add(id);
      const ref = cx.attr(sm, 'modelRef');
      if (ref === undefined) compInvalid(sm, label, `Submodel '${id}' has no modelRef`, id);
      const inDocument = scope.source === undefined ? 'the document' : `'${scope.source.slice(0, 200)}'`;
      const external = scope.defs.external.get(ref);
      const local = scope.defs.models.get(ref);
      const found = local !== undefined ? { def: local, scope, key: `${scope.source ?? ''}#${ref}` } : external !== undefined ? this.documents.resolve(external, scope) : undefined;
      if (found === undefined) compInvalid(sm, label, `Submodel '${id}' names the model '${ref.slice(0, 64)}', which is not defined in ${inDocument}`, id);
      if (ancestors.includes(found.key)) {
        const cycle = [...ancestors.slice(ancestors.indexOf(found.key)), found.key];
        const across = cycle.some((k) => !k.startsWith('#')) ? `: the models of these files form a cycle: ${cycle.join(' → ')}` : '';
        compInvalid(sm, label, `Submodel '${id}' instantiates the model '${ref}', which contains it${across}`, id);
      }
      this.count += 1;
      if (this.count > MAX_INSTANCES) compUnsupported(sm, label, `More than ${MAX_INSTANCES} submodel instances`, id);
      submodels.set(sm, this.instantiate(found.def, found.scope, label === '' ? id : `${label}/${id}`, [...ancestors, found.key]));
    }
    return { model, label, submodels };
  }
}

/** The submodel instance a <comp:replacedElement> or <comp:replacedBy> in `owner` names through submodelRef. */
export function submodelNamed(ref: Node, owner: Instance, cx: CompNames): Instance {
  const name = cx.attr(ref, 'submodelRef');
  if (name === undefined) compInvalid(ref, owner.label, 'A reference without a submodelRef');
  for (const [sm, inst] of owner.submodels) if (cx.attr(sm, 'id') === name) return inst;
  return compInvalid(ref, owner.label, `The submodelRef '${name.slice(0, 64)}' names no submodel`, name);
}

/** The first element (document order, math, notes and annotations left out) that `match` accepts, below the model. */
function findBelow(model: Node, match: (n: Node) => boolean): Node | undefined {
  for (const n of elementsBelow(model)) if (match(n)) return n;
  return undefined;
}

/**
 * What an SBaseRef (a port, deletion, replacedElement, replacedBy or sBaseRef) points to, looked up in
 * `start`: through a port (portRef), an SId (idRef; ports have ids of their own kind and are not found),
 * a unit definition (unitRef) or a metaid (metaIdRef); a child <sBaseRef> continues inside the submodel found.
 */
export function resolveRef(ref: Node, start: Instance, cx: CompNames, depth = 0): Target {
  const label = start.label;
  if (depth > 200) compInvalid(ref, label, 'A chain of comp references more than 200 long');
  let found: Target | undefined;
  const portRef = cx.attr(ref, 'portRef');
  const idRef = cx.attr(ref, 'idRef');
  const unitRef = cx.attr(ref, 'unitRef');
  const metaIdRef = cx.attr(ref, 'metaIdRef');
  const what = portRef !== undefined ? `port '${portRef}'` : idRef !== undefined ? `id '${idRef}'` : unitRef !== undefined ? `unit definition '${unitRef}'` : `metaid '${String(metaIdRef)}'`;
  if (portRef !== undefined) {
    if (ref.local === 'port') compInvalid(ref, label, 'A port with a portRef');
    const port = cx.items(start.model, 'listOfPorts', 'port').find((p) => cx.attr(p, 'id') === portRef);
    if (port !== undefined) found = resolveRef(port, start, cx, depth + 1);
  } else if (idRef !== undefined) {
    const node = findBelow(start.model, (n) => !(cx.isComp(n) && n.local === 'port') && cx.idOf(n) === idRef);
    if (node !== undefined) found = { node, owner: start };
  } else if (unitRef !== undefined) {
    const node = findBelow(start.model, (n) => n.local === 'unitDefinition' && !cx.isComp(n) && n.attrs.id === unitRef);
    if (node !== undefined) found = { node, owner: start };
  } else if (metaIdRef !== undefined) {
    const node = findBelow(start.model, (n) => n.attrs.metaid === metaIdRef);
    if (node !== undefined) found = { node, owner: start };
  } else {
    compInvalid(ref, label, 'A comp reference with none of portRef, idRef, unitRef and metaIdRef');
  }
  const where = label === '' ? 'the main model' : `submodel '${label}'`;
  if (found === undefined) compInvalid(ref, label, `The comp reference to the ${what.slice(0, 80)} finds nothing in ${where}`, idRef ?? portRef ?? unitRef ?? metaIdRef);
  const child = cx.childRef(ref);
  if (child === undefined) return found;
  const inner = found.owner.submodels.get(found.node);
  if (inner === undefined) compInvalid(ref, label, `The comp reference to the ${what.slice(0, 80)} has an <sBaseRef> child, but what it names is not a submodel`, idRef ?? portRef);
  return resolveRef(child, inner, cx, depth + 1);
}
