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
  /** Events: zero crossings of an expression, or times, where states may jump or the run may end (see EventDefinition). */
  events?: EventDefinition[];
  /**
   * Stochastic terms (see noise.ts): diagonal `{ x: 'sigma*x' }` (one Wiener
   * process per listed state, named after it: `W.x`) or general
   * `{ x: { W1: 'a*x', W2: 'b' }, y: { W2: 'c' } }` (named processes shared
   * between states). dx = f dt + sum_j g_xj dW_j.
   */
  noise?: Record<string, string | Record<string, string>>;
  /** How the noise is read: 'ito' (default) or 'stratonovich'. Only with `noise`. */
  calculus?: Calculus;
}

export type Calculus = 'ito' | 'stratonovich';

/** One entry of the noise matrix as written: g[state][process] = text. */
export interface NoiseEntry {
  readonly state: string;
  readonly process: string;
  readonly text: string;
}

/** The `noise` field after its shape is checked (its text is checked by createSystem). */
export interface NormalizedNoise {
  /** 'diagonal': every entry a string (process named after its state); 'general': named processes. */
  readonly form: 'diagonal' | 'general';
  /** Process names in order of first appearance (diagonal: the listed states, in the order given). */
  readonly processes: readonly string[];
  /** In the order given. */
  readonly entries: readonly NoiseEntry[];
  readonly calculus: Calculus;
}

/**
 * An event: exactly one of `when` (continuous), `every` or `at` (discrete).
 * The rules are in events.ts; the README's "Events (definition)" says them for users.
 */
export interface EventDefinition {
  /** `[A-Za-z][A-Za-z0-9_]*`, unique among events and not the name of a state, parameter, constant, driver or auxiliary. Default `event<N>` (1-based position). */
  name?: string;
  /** Continuous: fires where this expression (of t, states, parameters, constants, drivers, auxiliaries) crosses zero. */
  when?: string;
  /** Which crossings of `when` count: rising (- to +), falling (+ to -) or both (default); scipy's 1, -1, 0 too. */
  direction?: 'rising' | 'falling' | 'both' | 1 | -1 | 0;
  /** `state = expression` assignments, one per line or separated by ';'; every right side is evaluated before any state is assigned. */
  then?: string | string[];
  /** true: the run ends at the first firing; N (a positive integer): at the Nth. Default false. */
  terminal?: boolean | number;
  /** Discrete: fires at start, start + every, start + 2*every, ... (every > 0). */
  every?: number;
  /** With `every`: the first firing time; default the run's t0. */
  start?: number;
  /** Discrete: fires at these times (finite, strictly ascending). */
  at?: number[];
}

export type EventDirection = 'rising' | 'falling' | 'both';

/** What makes an event fire; `W` is the form of the `when` expression (text, checked line, resolved expression). */
export type EventTrigger<W> =
  | { readonly kind: 'crossing'; readonly when: W; readonly direction: EventDirection }
  | { readonly kind: 'every'; readonly every: number; readonly start: number | undefined }
  | { readonly kind: 'at'; readonly at: readonly number[] };

/** An event after its fields are checked (its text is checked by createSystem). */
export interface NormalizedEvent {
  readonly name: string;
  readonly trigger: EventTrigger<string>;
  /** The `then` text split into lines, as given (comments included). */
  readonly then: readonly string[];
  /** 0: not terminal; N: the run ends at the Nth firing. */
  readonly terminal: number;
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
  /** In the order given; empty when there are none. */
  readonly events: readonly NormalizedEvent[];
  /** undefined for an ODE (no `noise`). */
  readonly noise: NormalizedNoise | undefined;
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
