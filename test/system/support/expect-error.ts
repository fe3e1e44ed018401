import { CubieError } from '../../../src/shared/errors';
import type { CubieErrorCode } from '../../../src/shared/errors';

/** Runs `fn`, expects a CubieError with `code` whose message contains every fragment; returns it. */
export function expectCubieError(fn: () => unknown, code: CubieErrorCode, ...fragments: string[]): CubieError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof CubieError)) {
    throw new Error(`expected CubieError ${code}, got ${thrown === undefined ? 'no error' : String(thrown)}`);
  }
  if (thrown.code !== code) throw new Error(`expected code ${code}, got ${thrown.code}: ${thrown.message}`);
  for (const fragment of fragments) {
    if (!thrown.message.includes(fragment)) throw new Error(`message lacks ${JSON.stringify(fragment)}: ${thrown.message}`);
  }
  return thrown;
}
