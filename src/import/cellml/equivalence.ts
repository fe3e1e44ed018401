/**
 * Connected variables form equivalence sets (union-find over
 * `component/variable` keys); each set is one quantity of the model, held
 * in the units of its source variable (the one its equation or initial
 * value belongs to).
 */
import type { CellmlModel, CellmlVariable } from './document';

export const keyOf = (component: string, variable: string): string => `${component}/${variable}`;

export class Equivalence {
  private readonly parent = new Map<string, string>();
  /** Set root → members, in document order. */
  readonly sets = new Map<string, CellmlVariable[]>();

  constructor(model: CellmlModel) {
    for (const c of model.components.values()) for (const v of c.variables.values()) this.parent.set(keyOf(c.key, v.name), keyOf(c.key, v.name));
    for (const [[c1, v1], [c2, v2]] of model.connections) this.union(keyOf(c1, v1), keyOf(c2, v2));
    for (const c of model.components.values()) {
      for (const v of c.variables.values()) {
        const root = this.find(keyOf(c.key, v.name));
        const list = this.sets.get(root) ?? [];
        list.push(v);
        this.sets.set(root, list);
      }
    }
  }

  /** The set (its root key) a component's variable belongs to. */
  find(key: string): string {
    let k = key;
    while (this.parent.get(k) !== k) {
      const up = this.parent.get(k);
      if (up === undefined) return key;
      const grand = this.parent.get(up)!;
      this.parent.set(k, grand);
      k = grand;
    }
    return k;
  }

  private union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}
