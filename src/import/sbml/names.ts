/**
 * SBML ids to cubie names. SBML ids are `[A-Za-z_][A-Za-z0-9_]*` of any
 * length and may be words cubie reserves (`t`, `e`, `pi`, function names,
 * C++ keywords); cubie names start with a letter, are at most 64
 * characters and avoid those words. Each id gets a name unique in the
 * model, kept as close to the id as possible, and the mapping is kept both
 * ways so output legends can name the SBML ids.
 */
import { invalidNameReason, MAX_NAME_LENGTH, reservedReason } from '../../system/names';

export class NameTable {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();
  readonly sbmlIdOf = new Map<string, string>();

  /** The cubie name for `key` (an SBML id, or `reaction/localParameter`), allocated on first use from `wanted`. */
  name(key: string, wanted: string = key): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const name = this.fresh(sanitize(wanted));
    this.byKey.set(key, name);
    this.sbmlIdOf.set(name, key);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  /** A name not yet used (for names the importer adds). */
  fresh(base: string): string {
    let candidate = base;
    for (let i = 2; !this.acceptable(candidate); i++) candidate = `${base.slice(0, MAX_NAME_LENGTH - 1 - String(i).length)}_${i}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Unused, and no derivative-line clash: `dX` beside a state `X` would read as X's derivative. */
  private acceptable(name: string): boolean {
    if (this.used.has(name) || this.used.has(`d${name}`)) return false;
    if (name.length > 1 && name[0] === 'd' && this.used.has(name.slice(1))) return false;
    return invalidNameReason(name) === undefined && reservedReason(name) === undefined;
  }
}

/** A valid, unreserved cubie identifier close to `id`. */
export function sanitize(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(s)) s = `x${s}`;
  if (s.length > MAX_NAME_LENGTH - 4) s = s.slice(0, MAX_NAME_LENGTH - 4);
  if (reservedReason(s) !== undefined) s = `${s}_`;
  return s;
}
