/**
 * Systems from plain objects (what JSON.parse or a YAML parser returns),
 * for the command line and model files. Keys may be snake_case; errors
 * name the file the object came from.
 */
import { CubieError, isCubieError } from '../shared/errors';
import { systemFromDefinition } from './create';
import { isPlainObject } from './definition';
import type { CubieSystem } from './types';

export interface LoadOptions {
  /** The file the object was read from, for error messages ("model.yaml: Unknown symbol ..."). */
  source?: string;
}

export function systemFromObject(object: unknown, options: LoadOptions = {}): CubieSystem {
  const { source } = options;
  try {
    if (!isPlainObject(object)) {
      throw new CubieError('INVALID_SYSTEM', 'A system file must hold an object (a mapping) with an \'equations\' key', { where: 'definition' });
    }
    // Key spelling (snake_case or camelCase) and value types are checked there.
    return systemFromDefinition(object);
  } catch (e) {
    if (source === undefined || !isCubieError(e)) throw e;
    throw new CubieError(e.code, `${source}: ${e.message}`, { ...e.details, source, where: e.details.where === undefined ? source : `${source}, ${e.details.where}` });
  }
}
