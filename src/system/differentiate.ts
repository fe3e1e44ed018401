/**
 * Symbolic partial derivatives over the expression graph.
 *
 * Derivatives are computed bottom-up over the graph (children first, each
 * node once per variable), so shared subexpressions are differentiated
 * once and the result shares structure too. A node that does not depend on
 * the variable has derivative exactly zero without looking inside it:
 * that is where the Jacobian's structural zeros come from.
 */
import type { Expr, ExprBuilder, VarExpr } from './expr';
import { childrenOf, postOrder } from './expr';
import { functionSpec } from './functions';
import type { SystemModel } from './model';

const NO_VARIABLES: ReadonlySet<number> = new Set();

export class Differentiator {
  private readonly dependencies = new Map<number, ReadonlySet<number>>();

  constructor(private readonly b: ExprBuilder) {}

  /** partials[i][j] = d roots[i] / d variables[j]. */
  partials(roots: readonly Expr[], variables: readonly VarExpr[]): Expr[][] {
    const order = postOrder(roots);
    this.computeDependencies(order);
    const byVariable = variables.map((v) => this.differentiate(order, v));
    return roots.map((root) => byVariable.map((d) => d.get(root.id) ?? this.b.zero));
  }

  /** Whether `e` reads variable `v` anywhere below it. */
  dependsOn(e: Expr, v: VarExpr): boolean {
    this.computeDependencies(postOrder([e]));
    return this.dependenciesOf(e).has(v.id);
  }

  private differentiate(order: readonly Expr[], v: VarExpr): Map<number, Expr> {
    const b = this.b;
    const d = new Map<number, Expr>();
    const dOf = (e: Expr): Expr => d.get(e.id) ?? b.zero;
    const depends = (e: Expr): boolean => this.dependenciesOf(e).has(v.id);
    for (const node of order) {
      if (node.type !== 'real' || !depends(node)) continue;
      d.set(node.id, this.rule(node, v, dOf, depends));
    }
    return d;
  }

  private rule(node: Expr, v: VarExpr, dOf: (e: Expr) => Expr, depends: (e: Expr) => boolean): Expr {
    const b = this.b;
    switch (node.kind) {
      case 'num':
        return b.zero;
      case 'var':
        return node === v ? b.one : b.zero;
      case 'call': {
        const spec = functionSpec(node.fn);
        if (spec === undefined) throw new Error(`no derivative rule for ${node.fn}`);
        return spec.derivative(b, node.args, node.args.map(dOf), node);
      }
      case 'op': {
        const [x, y, z] = node.args;
        switch (node.op) {
          case 'neg':
            return b.neg(dOf(x));
          case 'add':
            return b.add(dOf(x), dOf(y));
          case 'sub':
            return b.sub(dOf(x), dOf(y));
          case 'mul':
            return b.add(b.mul(dOf(x), y), b.mul(x, dOf(y)));
          case 'div':
            if (!depends(y)) return b.div(dOf(x), y);
            // (x/y)' = (x' y - x y') / y^2
            return b.div(b.sub(b.mul(dOf(x), y), b.mul(x, dOf(y))), b.mul(y, y));
          case 'pow':
            return this.powRule(node, x, y, dOf, depends);
          case 'cond':
            // Piecewise: the derivative of the branch taken (the condition is locally constant).
            return b.cond(x, dOf(y), dOf(z));
          default:
            throw new Error(`${node.op} is not a real-valued operation`);
        }
      }
    }
  }

  private powRule(self: Expr, base: Expr, exponent: Expr, dOf: (e: Expr) => Expr, depends: (e: Expr) => boolean): Expr {
    const b = this.b;
    if (!depends(exponent)) {
      // (u^c)' = c u^(c-1) u'
      return b.mul(b.mul(exponent, b.pow(base, b.sub(exponent, b.one))), dOf(base));
    }
    if (!depends(base)) {
      // (a^w)' = a^w log(a) w'
      return b.mul(b.mul(self, b.call('log', [base])), dOf(exponent));
    }
    // (u^w)' = u^w (w' log(u) + w u'/u)
    return b.mul(self, b.add(b.mul(dOf(exponent), b.call('log', [base])), b.div(b.mul(exponent, dOf(base)), base)));
  }

  private dependenciesOf(e: Expr): ReadonlySet<number> {
    return this.dependencies.get(e.id) ?? NO_VARIABLES;
  }

  private computeDependencies(order: readonly Expr[]): void {
    for (const node of order) {
      if (this.dependencies.has(node.id)) continue;
      if (node.kind === 'var') {
        this.dependencies.set(node.id, new Set([node.id]));
        continue;
      }
      const childSets = childrenOf(node).map((c) => this.dependenciesOf(c)).filter((s) => s.size > 0);
      // Share a child's set when only one child contributes: most nodes, and no copying.
      if (childSets.length <= 1) {
        this.dependencies.set(node.id, childSets[0] ?? NO_VARIABLES);
        continue;
      }
      const union = new Set<number>();
      for (const s of childSets) for (const id of s) union.add(id);
      this.dependencies.set(node.id, union);
    }
  }
}

/** Derivatives the generated code needs, computed once per system. */
export interface SystemDerivatives {
  /** jacobian[i][j] = d f_i / d y_j. */
  readonly jacobian: readonly (readonly Expr[])[];
  /** d f_i / d t (explicit time dependence only). */
  readonly time: readonly Expr[];
  /** drivers[i][k] = d f_i / d d_k, over the drivers and then the delay() slots. */
  readonly drivers: readonly (readonly Expr[])[];
}

const cache = new WeakMap<SystemModel, SystemDerivatives>();

export function systemDerivatives(model: SystemModel): SystemDerivatives {
  const cached = cache.get(model);
  if (cached !== undefined) return cached;
  const b = model.builder;
  const differentiator = new Differentiator(b);
  const states = model.stateNames.map((_, j) => b.variable('state', j));
  // delay() slots are inputs after the drivers (delays.ts): df/dt reads their rates too.
  const inputs = model.driverNames.length + (model.delays?.slots.length ?? 0);
  const drivers = Array.from({ length: inputs }, (_, k) => b.variable('driver', k));
  const time = b.variable('time', 0);
  const all = differentiator.partials(model.derivatives, [...states, time, ...drivers]);
  const n = states.length;
  const result: SystemDerivatives = {
    jacobian: all.map((row) => row.slice(0, n)),
    time: all.map((row) => row[n]),
    drivers: all.map((row) => row.slice(n + 1)),
  };
  cache.set(model, result);
  return result;
}
