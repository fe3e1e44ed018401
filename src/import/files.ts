/**
 * The other documents an imported model reads: CellML's <import>s and SBML
 * comp's externalModelDefinitions. The import never opens files itself; the
 * caller gives the documents (src/files/ reads them from beside the model
 * file).
 */

/**
 * The documents a model refers to: contents by reference, written as the
 * referring document writes it and resolved against that document's own
 * reference (a file in `lib/` referring to `other.xml` is asked for as
 * `lib/other.xml`), or a function that returns a document's contents
 * (undefined: not available).
 */
export type ImportFiles = Readonly<Record<string, string>> | ((href: string) => string | undefined);

/** The contents `files` gives for `href`, or undefined. */
export function readImportFile(files: ImportFiles | undefined, href: string): string | undefined {
  const text = typeof files === 'function' ? files(href) : files !== undefined && Object.hasOwn(files, href) ? files[href] : undefined;
  return typeof text === 'string' ? text : undefined;
}

/** `href` resolved against `base`, the reference of the document it is written in (undefined: the model itself); URLs and absolute paths stay. */
export function joinHref(base: string | undefined, href: string): string {
  if (base === undefined || /^[a-z]+:/i.test(href) || href.startsWith('/')) return href;
  const parts = base.split('/').slice(0, -1).concat(href.split('/'));
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}
