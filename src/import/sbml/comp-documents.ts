/**
 * The documents of a comp model: the one given to importSbml and those its
 * <comp:externalModelDefinition>s name (comp:source, a file, read through
 * the `files` option as CellML's imports are). Each document is the scope
 * of its own models' submodels: a submodel names a <model>,
 * <comp:modelDefinition> or <comp:externalModelDefinition> of the document
 * it is in, and an external definition's source is resolved against that
 * document's own source.
 */
import { createHash } from 'crypto';
import { CubieError, isCubieError } from '../../shared/errors';
import { joinHref, readImportFile, type ImportFiles } from '../files';
import { childNamed, parseXml, type XmlElement } from '../xml';
import { COMP_NAMESPACE, CompNames } from './comp-tree';

/** The model definitions a submodel may name, by id. */
export interface Definitions {
  readonly models: ReadonlyMap<string, XmlElement>;
  readonly external: ReadonlyMap<string, XmlElement>;
}

/** One document's definitions: the scope in which its models' submodels are resolved. */
export interface Scope {
  /** The document's source, resolved from the main document's references (undefined: the main document). */
  readonly source: string | undefined;
  /** The comp namespace as this document writes it (for a document without comp, a prefix no element has). */
  readonly cx: CompNames;
  readonly defs: Definitions;
  /** Prefixes renamed in copies of its models, so that they read as the main document's comp (undefined: none). */
  readonly prefixes?: ReadonlyMap<string, string>;
}

/** What an external model definition brings: the <model> or <comp:modelDefinition>, its document and a key naming both. */
export interface ExternalModel {
  readonly def: XmlElement;
  readonly scope: Scope;
  readonly key: string;
}

const MAX_DOCUMENTS = 100;
/** A prefix that no element or attribute of a parsed document can have. */
const NO_PREFIX = '#';

/** The prefix the root binds to the comp namespace, when it declares it. */
export function compPrefixOf(root: XmlElement): string | undefined {
  for (const [attr, value] of Object.entries(root.attrs)) {
    if (attr.startsWith('xmlns:') && value.trim() === COMP_NAMESPACE) return attr.slice('xmlns:'.length);
  }
  return undefined;
}

/** Packages a document requires: comp is flattened (when `comp` is its prefix), the others are refused. */
export function refuseRequiredPackages(root: XmlElement, comp: string | undefined, where: string): void {
  for (const [attr, value] of Object.entries(root.attrs)) {
    if (attr.endsWith(':required') && value === 'true') {
      const pkg = attr.slice(0, -':required'.length);
      if (pkg === comp) continue;
      throw new CubieError('UNSUPPORTED_SBML', `The SBML package '${pkg}' is required by ${where} and is not supported`, { where: '<sbml>', package: pkg });
    }
  }
}

/** The comp namespace under another prefix (or as the default namespace) deeper in the document is not read: refused. */
export function refuseOtherBindings(el: XmlElement, prefix: string, source?: string): void {
  for (const [attr, value] of Object.entries(el.attrs)) {
    if (value.trim() === COMP_NAMESPACE && attr !== `xmlns:${prefix}` && (attr === 'xmlns' || attr.startsWith('xmlns:'))) {
      const where = source === undefined ? `<${el.tag}>` : `<${el.tag}> in '${source}'`;
      throw new CubieError('UNSUPPORTED_SBML', `The comp namespace is bound to '${attr}' on ${where} as well as to the prefix '${prefix}' on <sbml>; cubie reads comp under the root's prefix only`, { where, element: el.tag });
    }
  }
  for (const c of el.children) if (c.local !== 'math') refuseOtherBindings(c, prefix, source);
}

/** The model definitions of a document: its <comp:modelDefinition>s, its <model> and its <comp:externalModelDefinition>s. */
export function definitionsOf(root: XmlElement, main: XmlElement | undefined, cx: CompNames, source?: string): Definitions {
  const models = new Map<string, XmlElement>();
  const external = new Map<string, XmlElement>();
  for (const d of cx.items(root, 'listOfModelDefinitions', 'modelDefinition')) {
    const id = d.attrs.id ?? cx.attr(d, 'id');
    if (id !== undefined) models.set(id, d);
  }
  if (main?.attrs.id !== undefined && !models.has(main.attrs.id)) models.set(main.attrs.id, main);
  for (const d of cx.items(root, 'listOfExternalModelDefinitions', 'externalModelDefinition')) {
    const id = cx.attr(d, 'id');
    if (id !== undefined) external.set(id, d);
  }
  // an id naming both an internal and an external definition is ambiguous
  for (const id of external.keys()) {
    if (models.has(id)) {
      const where = `<comp:externalModelDefinition>${source === undefined ? '' : ` in '${source}'`}`;
      throw new CubieError('INVALID_SBML', `The id '${id}' names both a model definition and an external model definition${source === undefined ? '' : ` in '${source}'`}`, { where, sbmlId: id });
    }
  }
  return { models, external };
}

/** comp's lists, which a document without the comp namespace cannot have. */
const COMP_ELEMENTS = new Set(['listOfSubmodels', 'listOfModelDefinitions', 'listOfExternalModelDefinitions', 'listOfPorts', 'listOfDeletions', 'listOfReplacedElements', 'replacedBy']);

function findUndeclaredComp(el: XmlElement): XmlElement | undefined {
  for (const c of el.children) {
    if (c.local === 'math' || c.local === 'notes' || c.local === 'annotation') continue;
    if (c.prefix !== '' && COMP_ELEMENTS.has(c.local)) return c;
    const inner = findUndeclaredComp(c);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** The documents external model definitions name, each read once, by resolved source. */
export class Documents {
  private readonly loaded = new Map<string, Scope>();
  private readonly digests = new Map<string, string>();
  /** The external model definitions some submodel instantiated (directly or through another). */
  readonly used = new Set<XmlElement>();

  constructor(private readonly main: CompNames, private readonly files: ImportFiles | undefined) {}

  /**
   * The model that the external model definition `ext` of the document `scope` names, and that model's
   * document: through further external model definitions when its modelRef names one of those.
   */
  resolve(ext: XmlElement, scope: Scope, chain: readonly string[] = []): ExternalModel {
    this.used.add(ext);
    const cx = scope.cx;
    const id = cx.attr(ext, 'id') ?? '';
    const inDocument = scope.source === undefined ? '' : ` in '${scope.source.slice(0, 200)}'`;
    const named = `The external model definition '${id.slice(0, 64)}'${inDocument}`;
    const details = { where: `<${ext.tag}> '${id.slice(0, 64)}'${inDocument}`, sbmlId: id, element: ext.tag };
    const invalid = (what: string, extra: Record<string, unknown> = {}): never => {
      throw new CubieError('INVALID_SBML', what, { ...details, ...extra });
    };
    const written = cx.attr(ext, 'source');
    const modelRef = cx.attr(ext, 'modelRef');
    if (written === undefined || written.trim() === '') invalid(`${named} has no comp:source`);
    if (modelRef === undefined) invalid(`${named} has no comp:modelRef`);
    const source = joinHref(scope.source, written!.trim());
    const key = `${source}#${modelRef!}`;
    if (chain.includes(key)) invalid(`The external model definitions form a cycle: ${[...chain, key].join(' → ')} (at the external model definition '${id.slice(0, 64)}'${inDocument})`, { source });
    const text = readImportFile(this.files, source);
    if (text === undefined) {
      throw new CubieError('UNSUPPORTED_SBML', `${named} is read from the file '${source.slice(0, 200)}', which was not given: put it beside the SBML file (the cubie CLI and model files read it from there), or pass its contents in importSbml's option files, keyed by that source`, { ...details, source: source.slice(0, 200) });
    }
    const md5 = cx.attr(ext, 'md5');
    if (md5 !== undefined) {
      let digest = this.digests.get(source);
      if (digest === undefined) {
        digest = createHash('md5').update(text, 'utf8').digest('hex');
        this.digests.set(source, digest);
      }
      if (digest !== md5.trim().toLowerCase()) invalid(`${named} gives the MD5 checksum ${md5.trim().slice(0, 40)} for '${source.slice(0, 200)}', whose text has the checksum ${digest}`, { source });
    }
    const doc = this.load(source, text, details);
    const def = doc.defs.models.get(modelRef!);
    if (def !== undefined) return { def, scope: doc, key };
    const next = doc.defs.external.get(modelRef!);
    if (next !== undefined) return this.resolve(next, doc, [...chain, key]);
    return invalid(`${named} names the model '${modelRef!.slice(0, 64)}', which '${source.slice(0, 200)}' does not define (neither its <model> nor one of its model definitions)`, { source });
  }

  /** The parsed document `source`, checked as the main document is: SBML Level 3, no required package but comp. */
  private load(source: string, text: string, details: Record<string, unknown>): Scope {
    const known = this.loaded.get(source);
    if (known !== undefined) return known;
    const refuse = (code: 'INVALID_SBML' | 'UNSUPPORTED_SBML', what: string, extra: Record<string, unknown> = {}): never => {
      throw new CubieError(code, `'${source.slice(0, 200)}', the file of an external model definition: ${what}`, { ...details, source: source.slice(0, 200), ...extra });
    };
    if (this.loaded.size >= MAX_DOCUMENTS) refuse('UNSUPPORTED_SBML', `more than ${MAX_DOCUMENTS} files of external model definitions are not supported`);
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (e) {
      if (!isCubieError(e)) throw e;
      return refuse(e.code === 'UNSUPPORTED_SBML' ? 'UNSUPPORTED_SBML' : 'INVALID_SBML', e.message);
    }
    if (root.local !== 'sbml') refuse('INVALID_SBML', `the root element is <${root.tag.slice(0, 40)}>, not <sbml>`);
    if (root.attrs.level !== '3') refuse('INVALID_SBML', `it is SBML level ${String(root.attrs.level).slice(0, 10)}; the comp package's external model definitions are SBML Level 3`);
    const prefix = compPrefixOf(root);
    try {
      refuseRequiredPackages(root, prefix, `'${source.slice(0, 200)}' (the file of an external model definition)`);
    } catch (e) {
      if (isCubieError(e)) throw new CubieError(e.code, e.message, { ...e.details, source: source.slice(0, 200) });
      throw e;
    }
    let cx: CompNames;
    if (prefix === undefined) {
      const undeclared = findUndeclaredComp(root);
      if (undeclared !== undefined) refuse('INVALID_SBML', `it has <${undeclared.tag.slice(0, 60)}> but does not declare the comp namespace`);
      cx = new CompNames(NO_PREFIX);
    } else {
      refuseOtherBindings(root, prefix, source);
      cx = new CompNames(prefix);
    }
    // copies read as the main document's comp: this document's comp prefix becomes the main one's, and the main one's, if it is another namespace here, becomes one no element has
    const prefixes = new Map<string, string>();
    if (prefix !== this.main.prefix) {
      prefixes.set(this.main.prefix, `${NO_PREFIX}${this.main.prefix}`);
      if (prefix !== undefined) prefixes.set(prefix, this.main.prefix);
    }
    const scope: Scope = { source, cx, defs: definitionsOf(root, childNamed(root, 'model'), cx, source), ...(prefixes.size > 0 ? { prefixes } : {}) };
    this.loaded.set(source, scope);
    return scope;
  }
}
