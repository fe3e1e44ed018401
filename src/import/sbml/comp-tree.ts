/**
 * The SBML comp package's flattening (comp.ts) works on copies of the parsed
 * document: each submodel instance is a copy of its model definition that is
 * renamed and rewritten in place, as libSBML's CompFlatteningConverter does
 * with its Model clones. This file holds that mutable copy, the comp
 * namespace's names, MathML builders and the errors the flattening raises.
 */
import { CubieError } from '../../shared/errors';
import type { XmlElement } from '../xml';

/** An XmlElement that the flattening may change; it is one, so the result is read as such. */
export interface Node {
  tag: string;
  local: string;
  prefix: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
  textParts: string[];
}

export const COMP_NAMESPACE = 'http://www.sbml.org/sbml/level3/version1/comp/version1';

/** Flattening copies every model definition once per instance: bounded, as the XML is. */
const MAX_COPIED_NODES = 2_000_000;

function attrRecord(attrs: Readonly<Record<string, string>>): Record<string, string> {
  // no prototype: attribute names from the file never reach Object's own properties
  return Object.assign(Object.create(null) as Record<string, string>, attrs);
}

function renamedAttrs(attrs: Readonly<Record<string, string>>, prefixes: ReadonlyMap<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(attrs)) {
    const colon = k.indexOf(':');
    const renamed = colon > 0 ? prefixes.get(k.slice(0, colon)) : undefined;
    out[renamed === undefined ? k : `${renamed}${k.slice(colon)}`] = v;
  }
  return out;
}

/** Counts what one flattening copies, so that deep nesting cannot blow up memory. */
export class CopyBudget {
  private copied = 0;

  /** A copy of `el`; `prefixes` renames namespace prefixes of elements and attributes (another document's comp prefix to the main one's). */
  copy(el: XmlElement, prefixes?: ReadonlyMap<string, string>): Node {
    this.copied += 1;
    if (this.copied > MAX_COPIED_NODES) {
      throw new CubieError('UNSUPPORTED_SBML', `The comp model, flattened, has more than ${MAX_COPIED_NODES} XML elements; it is not supported`, { where: '<comp:submodel>' });
    }
    const prefix = prefixes?.get(el.prefix) ?? el.prefix;
    return {
      tag: prefix === el.prefix ? el.tag : `${prefix}:${el.local}`, local: el.local, prefix,
      attrs: prefixes === undefined ? attrRecord(el.attrs) : renamedAttrs(el.attrs, prefixes),
      children: el.children.map((c) => this.copy(c, prefixes)), text: el.text, textParts: [...el.textParts],
    };
  }
}

export function mathNode(local: string, children: Node[] = [], text = ''): Node {
  return { tag: local, local, prefix: '', attrs: Object.create(null) as Record<string, string>, children, text, textParts: text === '' ? [] : [text] };
}

export const ciNode = (id: string): Node => mathNode('ci', [], id);
export const applyNode = (op: string, ...args: Node[]): Node => mathNode('apply', [mathNode(op), ...args]);

/** What CompNames reads of an element: an XmlElement or a Node. */
interface Element<T> {
  readonly prefix: string;
  readonly local: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly T[];
}

/** The comp namespace as this document writes it: its prefix on elements and attributes. */
export class CompNames {
  constructor(readonly prefix: string) {}

  isComp(n: { readonly prefix: string }): boolean {
    return n.prefix === this.prefix;
  }

  /** A comp attribute (comp:id, comp:idRef...); unprefixed spellings are read too. */
  attr(n: Element<unknown>, name: string): string | undefined {
    return n.attrs[`${this.prefix}:${name}`] ?? (this.isComp(n) ? n.attrs[name] : undefined);
  }

  setAttr(n: Node, name: string, value: string): void {
    const key = n.attrs[`${this.prefix}:${name}`] === undefined && n.attrs[name] !== undefined && this.isComp(n) ? name : `${this.prefix}:${name}`;
    n.attrs[key] = value;
  }

  /** The items of a comp list child (`<comp:listOfSubmodels><comp:submodel>`...). */
  items<T extends Element<T>>(parent: T, list: string, item: string): T[] {
    return parent.children.filter((c) => this.isComp(c) && c.local === list).flatMap((l) => l.children.filter((c) => this.isComp(c) && c.local === item));
  }

  /** An SBaseRef's child <sBaseRef> (also the deprecated spelling <sbaseRef>). */
  childRef(n: Node): Node | undefined {
    return n.children.find((c) => this.isComp(c) && (c.local === 'sBaseRef' || c.local === 'sbaseRef'));
  }

  /** The id an element is known by: core `id`, or comp:id on comp elements (submodels, ports, deletions). */
  idOf(n: Element<unknown>): string | undefined {
    return this.isComp(n) ? this.attr(n, 'id') : n.attrs.id;
  }

  setId(n: Node, id: string): void {
    if (this.isComp(n)) this.setAttr(n, 'id', id);
    else n.attrs.id = id;
  }
}

/** "<comp:replacedElement> in submodel 'A'": where an element is, for messages. */
export function describe(n: Node, label: string, id?: string): string {
  const named = id === undefined ? `<${n.tag}>` : `<${n.tag}> '${id}'`;
  return label === '' ? named : `${named} in submodel '${label}'`;
}

export function compUnsupported(n: Node, label: string, what: string, id?: string): never {
  const where = describe(n, label, id);
  throw new CubieError('UNSUPPORTED_SBML', `${what} (${where}) is not supported by cubie's SBML import`, { where, ...(id !== undefined ? { sbmlId: id } : {}), element: n.tag });
}

export function compInvalid(n: Node, label: string, what: string, id?: string): never {
  const where = describe(n, label, id);
  throw new CubieError('INVALID_SBML', `${what} (${where})`, { where, ...(id !== undefined ? { sbmlId: id } : {}), element: n.tag });
}

/** Every node of the tree, depth first, the root included. */
export function* nodesOf(root: Node): Generator<Node> {
  yield root;
  for (const c of root.children) yield* nodesOf(c);
}

/** The SBML elements below a model (math, notes and annotations are not entered): what has ids and metaids. */
export function* elementsBelow(model: Node): Generator<Node> {
  for (const c of model.children) {
    if (c.local === 'math' || c.local === 'notes' || c.local === 'annotation') continue;
    yield c;
    yield* elementsBelow(c);
  }
}
