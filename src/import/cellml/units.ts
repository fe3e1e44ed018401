/**
 * CellML units as (factor, dimensions over the SI base units), enough to
 * convert a value between two compatible units (mV → V: × 1e-3). Only
 * scale conversions are made: a unit with a nonzero offset (celsius, or a
 * user unit with `offset`) is accepted as long as no conversion needs it.
 *
 * A unit definition is `multiplier × (10^prefix × u)^exponent` per <unit>
 * child, multiplied together (CellML 1.0 §5.2.2 and 2.0 §9 agree on this).
 */
import { CubieError } from '../../shared/errors';
import type { XmlElement } from '../xml';

export interface UnitValue {
  /** The SI value of one of these units. */
  readonly factor: number;
  /** Exponent per base unit (SI base units, or a model's own base units). */
  readonly dims: Readonly<Record<string, number>>;
  /** Whether an offset (celsius) is involved: scale conversion alone would be wrong. */
  readonly offset: boolean;
}

const SI = (factor: number, dims: Record<string, number>, offset = false): UnitValue => ({ factor, dims, offset });

const BUILTIN: Readonly<Record<string, UnitValue>> = {
  ampere: SI(1, { ampere: 1 }), candela: SI(1, { candela: 1 }), kelvin: SI(1, { kelvin: 1 }), kilogram: SI(1, { kilogram: 1 }),
  metre: SI(1, { metre: 1 }), meter: SI(1, { metre: 1 }), mole: SI(1, { mole: 1 }), second: SI(1, { second: 1 }),
  dimensionless: SI(1, {}), radian: SI(1, {}), steradian: SI(1, {}),
  becquerel: SI(1, { second: -1 }), hertz: SI(1, { second: -1 }),
  celsius: SI(1, { kelvin: 1 }, true),
  coulomb: SI(1, { ampere: 1, second: 1 }),
  farad: SI(1, { ampere: 2, second: 4, kilogram: -1, metre: -2 }),
  gram: SI(1e-3, { kilogram: 1 }),
  gray: SI(1, { metre: 2, second: -2 }), sievert: SI(1, { metre: 2, second: -2 }),
  henry: SI(1, { kilogram: 1, metre: 2, second: -2, ampere: -2 }),
  joule: SI(1, { kilogram: 1, metre: 2, second: -2 }),
  katal: SI(1, { mole: 1, second: -1 }),
  litre: SI(1e-3, { metre: 3 }), liter: SI(1e-3, { metre: 3 }),
  lumen: SI(1, { candela: 1 }), lux: SI(1, { candela: 1, metre: -2 }),
  newton: SI(1, { kilogram: 1, metre: 1, second: -2 }),
  ohm: SI(1, { kilogram: 1, metre: 2, second: -3, ampere: -2 }),
  pascal: SI(1, { kilogram: 1, metre: -1, second: -2 }),
  siemens: SI(1, { kilogram: -1, metre: -2, second: 3, ampere: 2 }),
  tesla: SI(1, { kilogram: 1, second: -2, ampere: -1 }),
  volt: SI(1, { kilogram: 1, metre: 2, second: -3, ampere: -1 }),
  watt: SI(1, { kilogram: 1, metre: 2, second: -3 }),
  weber: SI(1, { kilogram: 1, metre: 2, second: -2, ampere: -1 }),
};

const PREFIXES: Readonly<Record<string, number>> = {
  yotta: 24, zetta: 21, exa: 18, peta: 15, tera: 12, giga: 9, mega: 6, kilo: 3, hecto: 2, deka: 1, deca: 1,
  deci: -1, centi: -2, milli: -3, micro: -6, nano: -9, pico: -12, femto: -15, atto: -18, zepto: -21, yocto: -24,
};

/**
 * Where a component looks units up: its own <units>, then its document's
 * model-level <units> (and units imported into that document), then the
 * built-in ones.
 */
export class UnitsScope {
  private readonly cache = new Map<string, UnitValue>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly defs: ReadonlyMap<string, XmlElement>,
    private readonly parent: UnitsScope | undefined,
    /** "model 'x'" or "component 'c'": for messages. */
    private readonly where: string,
    /** Units imported from another document, read in that document's scope. */
    private readonly imported: ReadonlyMap<string, () => UnitValue> = new Map(),
  ) {}

  /** The value of units `name`; INVALID_CELLML when it is not defined anywhere in scope. */
  get(name: string): UnitValue {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    const def = this.defs.get(name);
    const imported = this.imported.get(name);
    if (def === undefined && imported !== undefined) return imported();
    if (def === undefined) {
      if (this.parent !== undefined) return this.parent.get(name);
      if (Object.hasOwn(BUILTIN, name)) return BUILTIN[name];
      throw new CubieError('INVALID_CELLML', `The units '${name.slice(0, 64)}' used in ${this.where} are not defined`, { where: this.where, units: name.slice(0, 64) });
    }
    if (this.resolving.has(name)) throw new CubieError('INVALID_CELLML', `The units '${name}' in ${this.where} are defined in terms of themselves`, { where: this.where, units: name });
    this.resolving.add(name);
    const value = this.define(name, def);
    this.resolving.delete(name);
    this.cache.set(name, value);
    return value;
  }

  private define(name: string, def: XmlElement): UnitValue {
    if (def.attrs.base_units === 'yes') return SI(1, { [`#${name}`]: 1 });
    let factor = 1;
    let offset = false;
    const dims: Record<string, number> = {};
    for (const u of def.children.filter((c) => c.local === 'unit')) {
      const ref = u.attrs.units;
      if (ref === undefined) throw new CubieError('INVALID_CELLML', `A <unit> of units '${name}' in ${this.where} has no units attribute`, { where: this.where });
      // a <unit> refers to units visible where the definition is; its own name is excluded by the cycle check
      const base = this.get(ref);
      const prefix = this.prefixOf(u.attrs.prefix, name);
      const exponent = this.numberOf(u.attrs.exponent, 1, name, 'exponent');
      const multiplier = this.numberOf(u.attrs.multiplier, 1, name, 'multiplier');
      if (this.numberOf(u.attrs.offset, 0, name, 'offset') !== 0 || base.offset) offset = true;
      factor *= multiplier * Math.pow(Math.pow(10, prefix) * base.factor, exponent);
      for (const [d, e] of Object.entries(base.dims)) dims[d] = (dims[d] ?? 0) + e * exponent;
    }
    for (const d of Object.keys(dims)) if (Math.abs(dims[d]) < 1e-12) delete dims[d];
    if (!Number.isFinite(factor) || factor === 0) throw new CubieError('INVALID_CELLML', `The units '${name}' in ${this.where} have the scale ${factor}`, { where: this.where, units: name });
    return { factor, dims, offset };
  }

  private prefixOf(p: string | undefined, name: string): number {
    if (p === undefined) return 0;
    if (Object.hasOwn(PREFIXES, p)) return PREFIXES[p];
    if (/^[+-]?\d{1,3}$/.test(p.trim())) return Number(p);
    throw new CubieError('INVALID_CELLML', `The prefix '${p.slice(0, 20)}' of units '${name}' in ${this.where} is not a prefix`, { where: this.where, units: name });
  }

  private numberOf(v: string | undefined, fallback: number, name: string, attr: string): number {
    if (v === undefined) return fallback;
    const s = v.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
      throw new CubieError('INVALID_CELLML', `The ${attr} '${s.slice(0, 20)}' of units '${name}' in ${this.where} is not a number`, { where: this.where, units: name });
    }
    return Number(s);
  }
}

export function sameDimensions(a: UnitValue, b: UnitValue): boolean {
  const keys = new Set([...Object.keys(a.dims), ...Object.keys(b.dims)]);
  for (const k of keys) if (Math.abs((a.dims[k] ?? 0) - (b.dims[k] ?? 0)) > 1e-12) return false;
  return true;
}

/**
 * The factor f with value_in_to = f × value_in_from; undefined when the
 * dimensions differ (the caller decides whether that is fatal).
 */
export function conversionFactor(from: UnitValue, to: UnitValue): number | undefined {
  if (!sameDimensions(from, to)) return undefined;
  const f = from.factor / to.factor;
  // unit definitions written differently but equal (ms vs millisecond) give 1 up to rounding
  return Math.abs(f - 1) < 1e-12 ? 1 : f;
}
