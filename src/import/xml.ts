/**
 * XML text to a small element tree, through fast-xml-parser (a maintained
 * parser), shared by the SBML and CellML importers. The file is data: a
 * DOCTYPE (and with it every entity declaration) is refused, entity
 * references are limited to XML's five and numeric character references,
 * and sizes are bounded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CubieError, type CubieErrorCode } from '../shared/errors';

/** Which importer reads the document: its errors carry that format's code and name. */
export type XmlFormat = 'SBML' | 'CellML';

export function invalidCode(format: XmlFormat): CubieErrorCode {
  return format === 'SBML' ? 'INVALID_SBML' : 'INVALID_CELLML';
}

export interface XmlElement {
  /** The tag as written, prefix included ("math", "comp:listOfSubmodels"). */
  readonly tag: string;
  /** The tag without its namespace prefix. */
  readonly local: string;
  /** The namespace prefix, or '' when none. */
  readonly prefix: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, concatenated and trimmed. */
  readonly text: string;
  /** The element's text nodes, each trimmed, in order (e-notation reads `m<sep/>e`). */
  readonly textParts: readonly string[];
}

/** 64 MiB of XML is far beyond any SBML model in BioModels or CellML model in the Physiome repository. */
export const MAX_XML_CHARS = 64 * 1024 * 1024;
const MAX_DEPTH = 200;

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string, format: XmlFormat): string {
  return text.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Math.min(parseInt(ref.slice(2), 16), 0x10ffff));
    if (ref.startsWith('#')) return String.fromCodePoint(Math.min(parseInt(ref.slice(1), 10), 0x10ffff));
    const known = ENTITIES[ref];
    if (known === undefined) throw new CubieError(invalidCode(format), `Unknown XML entity '&${ref.slice(0, 20)};': only &lt; &gt; &amp; &quot; &apos; and numeric references are accepted`);
    return known;
  });
}

type RawNode = Record<string, unknown>;

function convert(node: RawNode, depth: number, format: XmlFormat): XmlElement | undefined {
  if (depth > MAX_DEPTH) throw new CubieError(invalidCode(format), `XML nested more than ${MAX_DEPTH} elements deep`);
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text' || tag.startsWith('?') || tag === '#comment') return undefined;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = decode(String(v), format);
  const children: XmlElement[] = [];
  let text = '';
  const textParts: string[] = [];
  for (const child of (node[tag] ?? []) as RawNode[]) {
    if (Object.hasOwn(child, '#text')) {
      const part = decode(String(child['#text']), format);
      text += part;
      textParts.push(part.trim());
      continue;
    }
    const c = convert(child, depth + 1, format);
    if (c !== undefined) children.push(c);
  }
  const colon = tag.indexOf(':');
  return { tag, local: colon < 0 ? tag : tag.slice(colon + 1), prefix: colon < 0 ? '' : tag.slice(0, colon), attrs, children, text: text.trim(), textParts };
}

/** The document's root element; INVALID_SBML (INVALID_CELLML) for text that is not well-formed XML. */
export function parseXml(text: string, format: XmlFormat = 'SBML'): XmlElement {
  const code = invalidCode(format);
  if (typeof text !== 'string') throw new CubieError(code, `The ${format} document must be given as a string of XML`);
  if (text.length > MAX_XML_CHARS) throw new CubieError(code, `The XML document has ${text.length} characters; at most ${MAX_XML_CHARS} are accepted`);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new CubieError(code, `The XML document has a DOCTYPE or entity declarations, which ${format} never needs; they are refused`);
  }
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(text);
  } catch (e) {
    throw new CubieError(code, `The XML document could not be read: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
  }
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new CubieError(code, `The document is not well-formed XML: ${msg} (line ${line}, column ${col})`, { line });
  }
  const parser = new XMLParser({
    preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false,
    trimValues: true, processEntities: false, ignoreDeclaration: true, ignorePiTags: true, commentPropName: '#comment',
  });
  let nodes: RawNode[];
  try {
    nodes = parser.parse(text) as RawNode[];
  } catch (e) {
    throw new CubieError(code, `The XML document could not be read: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
  }
  const roots = nodes.map((n) => convert(n, 0, format)).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new CubieError(code, `The XML document has ${roots.length} root elements; expected one <${format === 'SBML' ? 'sbml' : 'model'}>`);
  return roots[0];
}

export function childrenNamed(el: XmlElement | undefined, local: string): XmlElement[] {
  return el === undefined ? [] : el.children.filter((c) => c.local === local && c.prefix === '');
}

export function childNamed(el: XmlElement | undefined, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && c.prefix === '');
}
