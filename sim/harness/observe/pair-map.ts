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
    this.inner(a).set(b, value);
  }

  /** The map of every pair whose first key is `a`. */
  inner(a: string): Map<string, V> {
    let inner = this.outer.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(a, inner);
    }
    return inner;
  }

  /** Returns whether the pair was there. An emptied inner map stays, for the next pair. */
  delete(a: string, b: string): boolean {
    return this.outer.get(a)?.delete(b) === true;
  }
}

/**
 * How many of each pair: counts up and down, never below zero. A pair back at zero keeps
 * its entry: counts that go 0, 1, 0 on every request would otherwise make the inner map
 * shrink and grow its table each time.
 */
export class PairCounter {
  private readonly counts = new PairMap<number>();

  get(a: string, b: string): number {
    return this.counts.get(a, b) ?? 0;
  }

  /** Adds `delta`; returns the count before. */
  add(a: string, b: string, delta: number): number {
    const inner = this.counts.inner(a);
    const before = inner.get(b) ?? 0;
    inner.set(b, Math.max(0, before + delta));
    return before;
  }
}
