/**
 * A CellML or SBML file named where a model file is expected (`cubie run
 * model.cellml`, `cubie run model.xml`): read as the model file
 *
 *   system: { cellml: FILE }
 *   options: { method: radau, duration: 1 s in the model's time units,
 *              saveEvery: duration / 1000, rtol: 1e-6, atol: 1e-8,
 *              dtMax: the import's hint (half the stimulus pulse) }
 *
 * so that paced cardiac models fire as they do in Chaste (time units that
 * are not a time, a few models' own `time_units`, count as milliseconds,
 * the common case in cardiac models), or
 *
 *   system: { sbml: FILE }
 *   options: { method: rodas4, duration: 10, saveEvery: 0.01, rtol: 1e-8, atol: 1e-12 }
 *
 * (SBML says nothing about how long to simulate; 10 time units, as most
 * SBML Test Suite cases, and a model file sets its own).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { importCellml } from '../import/cellml';
import type { ModelDocument } from './model-document';

export const IMPORTED_FILE = /\.(cellml|xml|sbml)$/i;

/**
 * The documents a model file refers to (a CellML file's imports, an SBML
 * file's comp external model definitions), read from beside it: relative
 * references only (no URLs, no absolute paths), so a model never reads from
 * the network. The `files` option of importCellml and importSbml.
 */
export function filesBeside(file: string): (href: string) => string | undefined {
  return (href) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || path.isAbsolute(href)) return undefined;
    try {
      return fs.readFileSync(path.resolve(path.dirname(file), href), 'utf8');
    } catch {
      return undefined;
    }
  };
}

export function importedModelDocument(file: string): ModelDocument {
  const dir = path.dirname(path.resolve(file));
  if (!/\.cellml$/i.test(file)) {
    const options = { method: 'rodas4', duration: 10, saveEvery: 0.01, rtol: 1e-8, atol: 1e-12 };
    return { file, dir, value: { system: { sbml: path.basename(file) }, options }, locate: () => undefined };
  }
  let xml: string;
  try {
    xml = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CubieError(err.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT', `cannot read CellML file '${file}': ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { where: file });
  }
  // errors here are reported again, pointed at the file, when the model's system is loaded
  let imported: ReturnType<typeof importCellml> | undefined;
  try {
    imported = importCellml(xml, { files: filesBeside(file) });
  } catch {
    imported = undefined;
  }
  const hints = imported?.options ?? {};
  const duration = imported?.timeScale !== undefined ? 1 / imported.timeScale : 1000;
  const options: Record<string, unknown> = { method: 'radau', duration, saveEvery: duration / 1000, rtol: 1e-6, atol: 1e-8 };
  if (hints.dtMax !== undefined) options.dtMax = hints.dtMax;
  return { file, dir, value: { system: { cellml: path.basename(file) }, options }, locate: () => undefined };
}
