/**
 * A CellML document (1.0, 1.1 or 2.0) read into a flat model: components
 * with their variables, math and units scope, and the variable connections.
 * Imported components (1.1 and 2.0 <import>) are read from the files the
 * caller passes and brought in under the importing name, with the
 * components they encapsulate (keyed `name.child`, a key no CellML name can
 * take) and the connections among them. Nothing is interpreted here beyond
 * structure; equations are read in equations.ts.
 */
import { CubieError } from '../../shared/errors';
import { parseXml, type XmlElement } from '../xml';
import { joinHref, readImportFile, type ImportFiles } from '../files';
import { UnitsScope, type UnitValue } from './units';

export const CELLML_NAMESPACES: Readonly<Record<string, '1.0' | '1.1' | '2.0'>> = {
  'http://www.cellml.org/cellml/1.0#': '1.0',
  'http://www.cellml.org/cellml/1.1#': '1.1',
  'http://www.cellml.org/cellml/2.0#': '2.0',
};

export interface CellmlVariable {
  readonly component: string;
  readonly name: string;
  readonly units: string;
  /** 'in' when either interface (1.x public/private) says so: such a variable is never a source. */
  readonly incoming: boolean;
  /** The initial_value attribute as written: a number, or (2.0) a variable name. */
  readonly initial?: string;
  readonly cmetaId?: string;
}

export interface CellmlComponent {
  /** Unique in the flattened model: the name, or `import.child` for components an import brings along. */
  readonly key: string;
  readonly variables: ReadonlyMap<string, CellmlVariable>;
  readonly maths: readonly XmlElement[];
  readonly units: UnitsScope;
}

export interface CellmlModel {
  readonly name: string;
  readonly version: '1.0' | '1.1' | '2.0';
  readonly components: ReadonlyMap<string, CellmlComponent>;
  /** Pairs of [component key, variable name] declared equivalent. */
  readonly connections: readonly (readonly [readonly [string, string], readonly [string, string]])[];
  /** cmeta:id → RDF resources it `is` (bqbiol:is), from the model's annotations. */
  readonly annotations: ReadonlyMap<string, readonly string[]>;
}

/** The imported files: contents by href, or a function that returns a file's contents (undefined: not available). */
export type CellmlFiles = ImportFiles;

const MAX_IMPORT_DEPTH = 16;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(what: string, where?: string): never {
  throw new CubieError('INVALID_CELLML', what, where === undefined ? {} : { where });
}

function unsupported(what: string, where: string, extra: Record<string, unknown> = {}): never {
  throw new CubieError('UNSUPPORTED_CELLML', `${what} is not supported by cubie's CellML import`, { where, ...extra });
}

/** The CellML namespace of the root element (by its own prefix), and with it the version. */
function versionOf(root: XmlElement): '1.0' | '1.1' | '2.0' {
  const ns = root.attrs[root.prefix === '' ? 'xmlns' : `xmlns:${root.prefix}`];
  if (root.local !== 'model') invalid(`The root element is <${root.tag.slice(0, 40)}>, not a CellML <model>`);
  const version = ns === undefined ? undefined : CELLML_NAMESPACES[ns];
  if (version === undefined) {
    throw new CubieError('UNSUPPORTED_CELLML', `The namespace '${String(ns).slice(0, 80)}' of <model> is not CellML 1.0, 1.1 or 2.0`, { where: '<model>' });
  }
  return version;
}

interface Doc {
  readonly version: '1.0' | '1.1' | '2.0';
  readonly name: string;
  readonly components: Map<string, CellmlComponent>;
  readonly connections: [[string, string], [string, string]][];
  /** Parent component key → encapsulated children keys. */
  readonly children: Map<string, string[]>;
  readonly units: UnitsScope;
}

/** Children in the CellML namespace (the root's prefix). */
function cellmlChildren(el: XmlElement, prefix: string, local?: string): XmlElement[] {
  return el.children.filter((c) => c.prefix === prefix && (local === undefined || c.local === local));
}

function nameAttr(el: XmlElement, attr: string, where: string): string {
  const v = el.attrs[attr];
  if (v === undefined || !IDENT.test(v) || v.length > 256) invalid(`<${el.local}> in ${where} has ${v === undefined ? `no ${attr}` : `the invalid ${attr} '${v.slice(0, 40)}'`}`, where);
  return v;
}

class Reader {
  private readonly loading: string[] = [];
  private readonly docs = new Map<string, Doc>();
  readonly annotations = new Map<string, string[]>();

  constructor(private readonly files: CellmlFiles | undefined) {}

  fetch(href: string, from: string): string {
    const text = readImportFile(this.files, href);
    if (text === undefined) {
      throw new CubieError('INVALID_CELLML', `${from} imports '${href.slice(0, 200)}', which was not given: pass its contents in options.files`, { where: from, href: href.slice(0, 200) });
    }
    return text;
  }

  read(text: string, href: string | undefined): Doc {
    if (href !== undefined) {
      const known = this.docs.get(href);
      if (known !== undefined) return known;
      if (this.loading.includes(href)) invalid(`The imports form a cycle: ${[...this.loading, href].join(' → ')}`);
      if (this.loading.length >= MAX_IMPORT_DEPTH) invalid(`Imports nested more than ${MAX_IMPORT_DEPTH} deep (at '${href.slice(0, 200)}')`);
      this.loading.push(href);
    }
    const doc = this.readDoc(parseXml(text, 'CellML'), href);
    if (href !== undefined) {
      this.loading.pop();
      this.docs.set(href, doc);
    }
    return doc;
  }

  private readDoc(root: XmlElement, href: string | undefined): Doc {
    const version = versionOf(root);
    const p = root.prefix;
    const docWhere = href === undefined ? 'the model' : `'${href}'`;
    const name = root.attrs.name ?? 'cellml_model';
    const unitDefs = new Map<string, XmlElement>();
    for (const u of cellmlChildren(root, p, 'units')) {
      const n = nameAttr(u, 'name', docWhere);
      if (unitDefs.has(n)) invalid(`The units '${n}' are defined twice in ${docWhere}`, docWhere);
      unitDefs.set(n, u);
    }
    const importedUnits = new Map<string, () => UnitValue>();
    const components = new Map<string, CellmlComponent>();
    const connections: [[string, string], [string, string]][] = [];
    const children = new Map<string, string[]>();
    const units = new UnitsScope(unitDefs, undefined, docWhere, importedUnits);

    for (const imp of cellmlChildren(root, p, 'import')) {
      const rel = imp.attrs['xlink:href'] ?? Object.entries(imp.attrs).find(([k]) => k.endsWith(':href'))?.[1];
      if (rel === undefined) invalid(`An <import> in ${docWhere} has no xlink:href`, docWhere);
      const target = joinHref(href, rel);
      const from = `The <import> of ${docWhere}`;
      const other = this.read(this.fetch(target, from), target);
      for (const ic of cellmlChildren(imp, p, 'component')) {
        const local = nameAttr(ic, 'name', docWhere);
        const ref = nameAttr(ic, 'component_ref', docWhere);
        if (!other.components.has(ref)) invalid(`${from} names the component '${ref}', which '${target}' does not have`, docWhere);
        this.bringIn(other, ref, local, components, connections, children);
      }
      for (const iu of cellmlChildren(imp, p, 'units')) {
        const local = nameAttr(iu, 'name', docWhere);
        const ref = nameAttr(iu, 'units_ref', docWhere);
        importedUnits.set(local, () => other.units.get(ref));
      }
    }

    for (const c of cellmlChildren(root, p, 'component')) {
      const key = nameAttr(c, 'name', docWhere);
      if (components.has(key)) invalid(`The component '${key}' is defined twice in ${docWhere}`, docWhere);
      components.set(key, this.readComponent(c, key, p, version, units));
    }

    for (const conn of cellmlChildren(root, p, 'connection')) {
      const mc = cellmlChildren(conn, p, 'map_components')[0];
      const c1 = (mc ?? conn).attrs.component_1;
      const c2 = (mc ?? conn).attrs.component_2;
      if (c1 === undefined || c2 === undefined) invalid(`A <connection> in ${docWhere} does not name two components`, docWhere);
      for (const c of [c1, c2]) if (!components.has(c)) invalid(`A <connection> in ${docWhere} names the component '${c.slice(0, 64)}', which does not exist`, docWhere);
      for (const mv of cellmlChildren(conn, p, 'map_variables')) {
        const v1 = mv.attrs.variable_1;
        const v2 = mv.attrs.variable_2;
        for (const [c, v] of [[c1, v1], [c2, v2]] as const) {
          if (v === undefined || !components.get(c)!.variables.has(v)) {
            invalid(`A <map_variables> between '${c1}' and '${c2}' names the variable '${String(v).slice(0, 64)}', which component '${c}' does not have`, `component '${c}'`);
          }
        }
        connections.push([[c1, v1!], [c2, v2!]]);
      }
    }

    // encapsulation: 1.x <group> with an encapsulation relationship, 2.0 <encapsulation>
    const hierarchies = [
      ...cellmlChildren(root, p, 'group').filter((g) => cellmlChildren(g, p, 'relationship_ref').some((r) => r.attrs.relationship === 'encapsulation')),
      ...cellmlChildren(root, p, 'encapsulation'),
    ];
    const walk = (ref: XmlElement): void => {
      const parent = ref.attrs.component;
      for (const child of cellmlChildren(ref, p, 'component_ref')) {
        if (parent !== undefined && child.attrs.component !== undefined) {
          const list = children.get(parent) ?? [];
          list.push(child.attrs.component);
          children.set(parent, list);
        }
        walk(child);
      }
    };
    for (const h of hierarchies) for (const top of cellmlChildren(h, p, 'component_ref')) walk(top);

    this.collectAnnotations(root);
    return { version, name, components, connections, children, units };
  }

  private readComponent(c: XmlElement, key: string, p: string, version: string, modelUnits: UnitsScope): CellmlComponent {
    const where = `component '${key}'`;
    const localUnits = new Map<string, XmlElement>();
    for (const u of cellmlChildren(c, p, 'units')) localUnits.set(nameAttr(u, 'name', where), u);
    const variables = new Map<string, CellmlVariable>();
    for (const v of cellmlChildren(c, p, 'variable')) {
      const name = nameAttr(v, 'name', where);
      if (variables.has(name)) invalid(`The variable '${name}' is declared twice in ${where}`, where);
      const units = v.attrs.units;
      if (units === undefined) invalid(`The variable '${name}' in ${where} has no units`, where);
      const incoming = v.attrs.public_interface === 'in' || v.attrs.private_interface === 'in';
      const cmetaId = Object.entries(v.attrs).find(([k]) => k.endsWith(':id'))?.[1];
      variables.set(name, { component: key, name, units, incoming, ...(v.attrs.initial_value !== undefined ? { initial: v.attrs.initial_value.trim() } : {}), ...(cmetaId ? { cmetaId } : {}) });
    }
    const reaction = cellmlChildren(c, p, 'reaction')[0];
    if (reaction !== undefined) {
      const refs = cellmlChildren(reaction, p, 'variable_ref').map((r) => r.attrs.variable).filter(Boolean);
      unsupported(`A <reaction> (CellML ${version}; variables ${refs.slice(0, 5).join(', ')}) in ${where}`, where, { component: key });
    }
    const maths = c.children.filter((x) => x.local === 'math');
    return { key, variables, maths, units: new UnitsScope(localUnits, modelUnits, where) };
  }

  /** Component `ref` of `other` as `local` here, with the components it encapsulates and their connections. */
  private bringIn(other: Doc, ref: string, local: string, components: Map<string, CellmlComponent>, connections: [[string, string], [string, string]][], children: Map<string, string[]>): void {
    const rename = new Map<string, string>([[ref, local]]);
    const queue = [ref];
    while (queue.length > 0) {
      const k = queue.shift()!;
      for (const child of other.children.get(k) ?? []) {
        if (rename.has(child)) continue;
        rename.set(child, `${local}.${child}`);
        queue.push(child);
      }
    }
    for (const [from, to] of rename) {
      if (components.has(to)) invalid(`The component '${to}' is defined twice (once by an import)`);
      const c = other.components.get(from)!;
      const variables = new Map([...c.variables].map(([n, v]) => [n, { ...v, component: to }]));
      components.set(to, { ...c, key: to, variables });
      const kids = (other.children.get(from) ?? []).map((x) => rename.get(x)!);
      if (kids.length > 0) children.set(to, kids);
    }
    for (const [[c1, v1], [c2, v2]] of other.connections) {
      const a = rename.get(c1);
      const b = rename.get(c2);
      if (a !== undefined && b !== undefined) connections.push([[a, v1], [b, v2]]);
    }
  }

  /** RDF `rdf:about="#id"` descriptions anywhere in the document: which resources each id `is`. */
  private collectAnnotations(el: XmlElement): void {
    if (el.local === 'Description') {
      const about = el.attrs['rdf:about'];
      if (about !== undefined && about.startsWith('#')) {
        const list = this.annotations.get(about.slice(1)) ?? [];
        for (const c of el.children) if (c.attrs['rdf:resource'] !== undefined) list.push(c.attrs['rdf:resource']);
        this.annotations.set(about.slice(1), list);
      }
    }
    for (const c of el.children) this.collectAnnotations(c);
  }
}

/** Reads the document and every import it needs into one flat model. */
export function readCellml(xml: string, files?: CellmlFiles): CellmlModel {
  const reader = new Reader(files);
  const doc = reader.read(xml, undefined);
  return { name: doc.name, version: doc.version, components: doc.components, connections: doc.connections, annotations: reader.annotations };
}
