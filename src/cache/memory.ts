/**
 * The in-process layer: kernels already loaded, by key, so a repeated solve
 * touches no disk at all. A key being obtained is held as its promise, so
 * concurrent solves of one key in one process compile or load it once.
 */
export class MemoryLayer<T> {
  private readonly byKey = new Map<string, Promise<T>>();
  private readonly keysBySystem = new Map<string, Set<string>>();

  get(key: string): Promise<T> | undefined {
    return this.byKey.get(key);
  }

  set(system: string, key: string, value: Promise<T>): void {
    this.byKey.set(key, value);
    let keys = this.keysBySystem.get(system);
    if (keys === undefined) this.keysBySystem.set(system, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): void {
    this.byKey.delete(key);
    for (const keys of this.keysBySystem.values()) keys.delete(key);
  }

  /**
   * flush mode keeps one configuration per system in memory too. Dropped
   * kernels are not closed: a solve that already holds one finishes with it.
   */
  keepOnly(system: string, key: string): void {
    const keys = this.keysBySystem.get(system);
    if (keys === undefined) return;
    for (const other of [...keys]) {
      if (other !== key) {
        keys.delete(other);
        this.byKey.delete(other);
      }
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.byKey.clear();
    this.keysBySystem.clear();
  }
}
