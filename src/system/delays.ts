/**
 * delay(value, lag) in resolved form. The kernel keeps each run's recent
 * past of the states a delay reads (kernel/cubie/delays.h) and hands the
 * delayed values to the system as inputs after its drivers: input
 * n_drivers + s is slot s, one state at one lag. To the system's math a slot
 * is a driver: its Jacobian entries are 0 (the past does not move with the
 * present state while steps are no longer than the shortest lag, which the
 * engine ensures) and df/dt reads its rate, the state's derivative back
 * then. So `value` is rewritten over slots: each state it reads becomes the
 * slot of that state at this lag, and t becomes t - lag; a value without
 * states (a function of time and parameters) needs no history at all.
 */
import { CubieError } from '../shared/errors';
import type { Expr, ExprBuilder, VarExpr } from './expr';
import { childrenOf, postOrder } from './expr';

export interface ModelDelays {
  /** The distinct lags, in order of first use: expressions of parameters and numbers only. */
  readonly lags: readonly Expr[];
  /** The states whose past is kept, by state index: history column c holds state columns[c]. */
  readonly columns: readonly number[];
  /** Input n_drivers + s is column slots[s].column at lag slots[s].lag. */
  readonly slots: readonly DelaySlot[];
}

export interface DelaySlot {
  readonly lag: number;
  readonly column: number;
}

export class DelayCollector {
  private readonly lags: Expr[] = [];
  private readonly columns: number[] = [];
  private readonly slots: DelaySlot[] = [];

  constructor(private readonly b: ExprBuilder, private readonly nDrivers: number) {}

  /** delay(value, lag) as an expression over slots; `where` names the line for errors. */
  delayed(value: Expr, lag: Expr, where: string): Expr {
    checkLag(lag, where);
    if (lag.kind === 'num' && !(lag.value > 0)) {
      throw new CubieError('INVALID_SYSTEM', `The lag of delay() in ${where} is ${lag.value}; a delay must be positive`);
    }
    let lagIndex = this.lags.indexOf(lag);
    const time = (): Expr => this.b.sub(this.b.variable('time', 0), lag);
    return substitute(this.b, value, (v) => {
      switch (v.role) {
        case 'parameter':
          return v;
        case 'time':
          return time();
        case 'state': {
          if (lagIndex < 0) lagIndex = this.lags.push(lag) - 1;
          return this.b.variable('driver', this.nDrivers + this.slot(lagIndex, this.column(v.index)));
        }
        case 'driver':
          throw new CubieError('INVALID_SYSTEM', v.index >= this.nDrivers
            ? `delay() inside delay() in ${where} is not supported; write one delay with the sum of the lags`
            : `delay() in ${where} reads a driver; a driver's past is not kept (delay the states it feeds instead)`);
        default:
          throw new Error(`unexpected ${v.role} inside delay()`);
      }
    });
  }

  /** The delays the system reads, or undefined when it reads none (then nothing in the kernel changes). */
  result(): ModelDelays | undefined {
    if (this.slots.length === 0) return undefined;
    return Object.freeze({ lags: Object.freeze([...this.lags]), columns: Object.freeze([...this.columns]), slots: Object.freeze([...this.slots]) });
  }

  private column(state: number): number {
    const c = this.columns.indexOf(state);
    return c >= 0 ? c : this.columns.push(state) - 1;
  }

  private slot(lag: number, column: number): number {
    const s = this.slots.findIndex((x) => x.lag === lag && x.column === column);
    return s >= 0 ? s : this.slots.push(Object.freeze({ lag, column })) - 1;
  }
}

/** A lag is the same in every step of a run: numbers and parameters only. */
function checkLag(lag: Expr, where: string): void {
  const seen = new Set<number>();
  const visit = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    if (e.kind === 'var' && e.role !== 'parameter') {
      const what = e.role === 'state' ? 'a state' : e.role === 'time' ? 'the time t' : 'a driver or another delay';
      throw new CubieError('INVALID_SYSTEM', `The lag of delay() in ${where} reads ${what}; a lag must be a number or depend on parameters and constants only`);
    }
    childrenOf(e).forEach(visit);
  };
  visit(lag);
}

/** `e` with each variable replaced; shared nodes are rebuilt once. */
function substitute(b: ExprBuilder, e: Expr, replace: (v: VarExpr) => Expr): Expr {
  const done = new Map<number, Expr>();
  for (const node of postOrder([e])) {
    const out = node.kind === 'num' ? node : node.kind === 'var' ? replace(node) : b.rebuild(node, node.args.map((a) => done.get(a.id)!));
    done.set(node.id, out);
  }
  return done.get(e.id)!;
}
