// Why not a Map: request ids are the world's running count, so the open requests are
// nearly a window of consecutive ids, and a set and a delete per request on a Map keyed
// by ever-new numbers cost more than anything else the observers do with a request.

/** What the observers keep about each open request, by request id (a positive integer). */
export class RequestTable<T> {
  /** Index = id; `undefined` once closed. Grows with the ids: 8 bytes per request sent. */
  private readonly items: (T | undefined)[] = [];
  private open = 0;

  get size(): number {
    return this.open;
  }

  // Reads past the end are kept out of the hot paths: V8 handles them on a slow path.
  get(id: number): T | undefined {
    return id < this.items.length ? this.items[id] : undefined;
  }

  set(id: number, value: T): void {
    const items = this.items;
    if (id < items.length) {
      if (items[id] === undefined) this.open++;
      items[id] = value;
      return;
    }
    while (items.length < id) items.push(undefined);
    items.push(value);
    this.open++;
  }

  /** Closes `id`; returns what was kept for it. */
  take(id: number): T | undefined {
    const value = this.get(id);
    if (value !== undefined) {
      this.items[id] = undefined;
      this.open--;
    }
    return value;
  }

  /** Closes every open request that `match` picks. */
  closeWhere(match: (value: T) => boolean): void {
    const items = this.items;
    for (let id = 0; id < items.length; id++) {
      const value = items[id];
      if (value !== undefined && match(value)) this.take(id);
    }
  }
}
