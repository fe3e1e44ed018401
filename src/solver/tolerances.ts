import { CubieError } from '../shared/errors';
import type { CubieSystem } from '../system';
import type { Precision, SolveOptions } from '../options/solve-options';

/** atol/rtol as one value per state: a number, an array in state order, or a map by state name. */
export function toleranceArray(system: CubieSystem, options: SolveOptions, key: 'atol' | 'rtol', precision: Precision): Float32Array | Float64Array {
  const n = system.states.length;
  const out = precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const value = options[key];
  const bad = (why: string): never => {
    throw new CubieError('INVALID_OPTION', `Option '${key}' ${why}`, { where: key });
  };
  if (value === undefined) out.fill(1e-6);
  else if (typeof value === 'number') out.fill(value);
  else if (typeof (value as ArrayLike<number>).length === 'number') {
    const array = value as ArrayLike<number>;
    if (array.length !== n) bad(`has ${array.length} values but the system has ${n} states`);
    for (let i = 0; i < n; i++) out[i] = array[i];
  } else if (typeof value === 'object' && value !== null) {
    out.fill(1e-6);
    for (const [name, v] of Object.entries(value as Record<string, number>)) {
      const i = system.states.indexOf(name);
      if (i < 0) bad(`names '${name}', which is not a state`);
      out[i] = v;
    }
  } else {
    bad('must be a number, an array with one value per state, or an object by state name');
  }
  for (let i = 0; i < n; i++) if (!(out[i] > 0) || !Number.isFinite(out[i])) bad(`must be positive and finite (state '${system.states[i]}': ${out[i]})`);
  return out;
}
