// Why nested maps and not `${a}/${b}` keys: the observers look up a (sled, hash) or
// (target, hash) pair on nearly every event, and a freshly concatenated key must be
// flattened and hashed each time, while the strings they hold already carry their hash.

/** A map keyed by a pair of strings. */
export class PairMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }

  has(a: string, b: string): boolean {
    return this.outer.get(a)?.has(b) === true;
  }

  set(a: string, b: string, value: V): void {
    let inner = this.outer.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(a, inner);
    }
    inner.set(b, value);
  }

  /** Returns whether the pair was there. */
  delete(a: string, b: string): boolean {
    const inner = this.outer.get(a);
    if (inner === undefined || !inner.delete(b)) return false;
    if (inner.size === 0) this.outer.delete(a);
    return true;
  }

  /** Forgets every pair whose first key is `a`. */
  deleteAll(a: string): void {
    this.outer.delete(a);
  }
}

/** How many of each pair: counts up and down, forgetting pairs that reach zero. */
export class PairCounter {
  private readonly counts = new PairMap<number>();

  get(a: string, b: string): number {
    return this.counts.get(a, b) ?? 0;
  }

  /** Adds `delta`; returns the count before. */
  add(a: string, b: string, delta: number): number {
    const before = this.counts.get(a, b) ?? 0;
    const after = before + delta;
    if (after > 0) this.counts.set(a, b, after);
    else this.counts.delete(a, b);
    return before;
  }
}
