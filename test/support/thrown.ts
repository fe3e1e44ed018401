import { isCubieError } from '../../src';
import type { CubieError } from '../../src/shared/errors';

/** The CubieError `f` throws; any other outcome fails the test. */
export function thrown(f: () => unknown): CubieError {
  try {
    f();
  } catch (e) {
    if (isCubieError(e)) return e;
    throw e;
  }
  throw new Error('expected a CubieError');
}
