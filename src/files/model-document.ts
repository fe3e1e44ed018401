/**
 * A model file read into plain values, remembering where each value sits in
 * the text so that errors can say `model.yaml:12:5: options.saveEvery: ...`.
 * `.json` files are parsed as strict JSON; anything else as YAML 1.2 (of
 * which JSON is a subset).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, LineCounter, parseDocument } from 'yaml';
import { CubieError, CubieErrorCode } from '../shared/errors';

export type KeyPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

export interface ModelDocument {
  /** The file as the user named it (messages). */
  file: string;
  /** Its folder: relative paths inside the model (input files, cacheDir) are resolved from here. */
  dir: string;
  value: unknown;
  /**
   * Where the value at `keyPath` (or its nearest enclosing value) starts,
   * 1-based; with `atKey`, where its key is written (for unknown keys).
   */
  locate(keyPath: KeyPath, atKey?: boolean): Position | undefined;
}

/** `options.drivers.I[3]` */
export function formatKeyPath(keyPath: KeyPath): string {
  return keyPath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** Fails with a message naming the file, the line and the key path: `file:line:col: path: message`. */
export function modelError(
  doc: Pick<ModelDocument, 'file' | 'locate'>,
  code: CubieErrorCode,
  keyPath: KeyPath,
  message: string,
  extra: Record<string, unknown> = {},
  atKey = false,
): CubieError {
  const at = doc.locate(keyPath, atKey);
  const where = formatKeyPath(keyPath);
  const place = at ? `${doc.file}:${at.line}:${at.column}` : doc.file;
  return new CubieError(code, `${place}: ${where ? `${where}: ` : ''}${message}`, {
    ...extra,
    where: where || doc.file,
    file: doc.file,
    ...(at ? { line: at.line, column: at.column } : {}),
  });
}

/** What a value is, for "expected X, got Y" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${String(value)}`;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CubieError(err.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT', `cannot read model file '${file}': ${why}`, { where: file, file });
  }
}

type Ranged = { range?: [number, number, number] | null } | null | undefined;

function yamlLocator(text: string): (keyPath: KeyPath, atKey?: boolean) => Position | undefined {
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  return (keyPath, atKey = false) => {
    if (parsed === undefined) {
      const lines = new LineCounter();
      parsed = { doc: parseDocument(text, { lineCounter: lines }), lines };
    }
    const { doc, lines } = parsed;
    if (atKey && keyPath.length > 0) {
      const parent = keyPath.length === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
      const items = (parent as { items?: Array<{ key?: Ranged & { value?: unknown } }> } | null)?.items ?? [];
      const pair = items.find((item) => item.key?.value === keyPath[keyPath.length - 1]);
      const range = pair?.key?.range;
      if (range) {
        const { line, col } = lines.linePos(range[0]);
        return { line, column: col };
      }
    }
    // The nearest enclosing node that exists: an unknown key's value, or a missing key's parent.
    for (let n = keyPath.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true);
      const range = (node as Ranged)?.range;
      if (range) {
        const { line, col } = lines.linePos(range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
}

function lineAndColumn(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = /position (\d+)/.exec(message);
    const at = offset ? lineAndColumn(text, Number(offset[1])) : undefined;
    throw new CubieError('PARSE_ERROR', `${file}${at ? `:${at.line}:${at.column}` : ''}: not valid JSON: ${message}`, {
      where: file,
      file,
      ...(at ? { line: at.line, column: at.column } : {}),
    });
  }
}

function parseYaml(file: string, text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const pos = error.linePos?.[0];
    const [headline, ...context] = error.message.split('\n');
    const reason = headline.replace(/ at line \d+, column \d+:?$/, '');
    const snippet = context.filter((l) => l.trim().length > 0).join('\n');
    throw new CubieError('PARSE_ERROR', `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${reason}${snippet ? `\n${snippet}` : ''}`, {
      where: file,
      file,
      yamlCode: error.code,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  }
  try {
    // Aliases are capped: a few lines of YAML must not expand into gigabytes.
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new CubieError('PARSE_ERROR', `${file}: not valid YAML: ${(e as Error).message}`, { where: file, file });
  }
}

export function readModelDocument(file: string): ModelDocument {
  const text = readText(file);
  const isJson = path.extname(file).toLowerCase() === '.json';
  const value = isJson ? parseJson(file, text) : parseYaml(file, text);
  return { file, dir: path.dirname(path.resolve(file)), value, locate: yamlLocator(text) };
}
