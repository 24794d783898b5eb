/**
 * A dataset's names, by the hash's number in the world's artifact catalog: a slot per
 * number, so a lookup is an index instead of a hash-table probe (the store's place,
 * delete and rename touch these once or twice per dataset per operation). Catalog
 * numbers are small and dense, so the slots stay few. Iteration is in number order;
 * every reader that shows names sorts them by hash.
 */
export class FilesByNumber<F> {
  private readonly slots: (F | undefined)[] = [];

  get(n: number): F | undefined {
    return n < this.slots.length ? this.slots[n] : undefined;
  }

  has(n: number): boolean {
    return this.get(n) !== undefined;
  }

  set(n: number, file: F): void {
    while (this.slots.length < n) this.slots.push(undefined);
    this.slots[n] = file;
  }

  delete(n: number): void {
    if (n < this.slots.length) this.slots[n] = undefined;
  }

  /** The numbers with a file, ascending. */
  numbers(): number[] {
    const numbers: number[] = [];
    for (let n = 0; n < this.slots.length; n++) if (this.slots[n] !== undefined) numbers.push(n);
    return numbers;
  }
}
