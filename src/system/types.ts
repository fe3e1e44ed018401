/**
 * The public shape of an ODE system (what users write and what they get
 * back) and the internal object the rest of cubie works with.
 */
import type { SystemModel } from './model';

/** What a user writes to define a system. Option keys are camelCase. */
export interface SystemDefinition {
  /** A label (cache folder, logs): `[A-Za-z][A-Za-z0-9_]*`. Defaults to `system_<first 8 hex digits of the hash>`. */
  name?: string;
  /**
   * One assignment per line; `#` starts a comment. `dX = ...` is the
   * derivative of state X, any other `name = ...` an auxiliary.
   * An array gives one line per entry (an entry containing line breaks
   * counts as several lines).
   */
  equations: string | string[];
  /** State names in memory order, or names with initial values (0 when only named). Inferred from `dX =` lines when omitted. */
  states?: string[] | Record<string, number>;
  /** Run-time values that may differ per run; a record gives defaults. */
  parameters?: string[] | Record<string, number>;
  /** Values compiled into the kernel. */
  constants?: Record<string, number>;
  /** Auxiliaries (or states) whose values are saved alongside the states. */
  observables?: string[];
  /** Time-dependent inputs supplied at solve time. */
  drivers?: string[];
  /** Default true: an unknown symbol is an error. When false it becomes a parameter (with a warning). */
  strict?: boolean;
}

/** The system as users see it. */
export interface OdeSystem {
  readonly name: string;
  /** Hex SHA-256 over the system's canonical form (see hash.ts). */
  readonly hash: string;
  readonly states: readonly string[];
  readonly parameters: readonly string[];
  readonly constants: Readonly<Record<string, number>>;
  readonly observables: readonly string[];
  readonly drivers: readonly string[];
}

export type Precision = 'float32' | 'float64';

export interface SourceOptions {
  precision: Precision;
  /** C++ namespace of the generated code; default `cubie_sys`. */
  namespace?: string;
}

/** A definition after validation of its fields: every optional part filled in. */
export interface NormalizedDefinition {
  readonly name: string | undefined;
  /** The equation text split into lines, as given (comments included). */
  readonly equations: readonly string[];
  /**
   * Declared states with initial values, in declared order (names start with a
   * letter, so key order is insertion order); undefined when states are inferred.
   */
  readonly states: Readonly<Record<string, number>> | undefined;
  /** Parameters in declared order; undefined values have no default. */
  readonly parameters: Readonly<Record<string, number | undefined>>;
  readonly constants: Readonly<Record<string, number>>;
  readonly observables: readonly string[];
  readonly drivers: readonly string[];
  readonly strict: boolean;
}

/** The object createSystem returns: the public fields plus what the solvers and code generator need. */
export interface CubieSystem extends OdeSystem {
  /** Initial values by state name (0 when not given). */
  readonly stateDefaults: Readonly<Record<string, number>>;
  /** Parameter defaults; undefined means the value must be supplied at solve time. */
  readonly parameterDefaults: Readonly<Record<string, number | undefined>>;
  /** Auxiliary names in evaluation (topological) order. */
  readonly auxiliaries: readonly string[];
  readonly definition: NormalizedDefinition;
  /** The math in resolved form (expression DAG); used by the code generator. */
  readonly model: SystemModel;
}
