/**
 * A store's names of one kind (final files, or shared temporary names), by the hash's
 * number in the world's artifact catalog and the dataset: a slot per (number, dataset),
 * so a lookup is an index instead of a hash-table probe. The datasets of one number sit
 * side by side: an operation on every dataset of one hash (delete, serve, copies,
 * finalize) reads neighbouring slots of one table, not one table per dataset. Catalog
 * numbers are small and dense, so the slots stay few. Iteration is in number order;
 * every reader that shows names sorts them by hash.
 */
export class FilesByNumber<F> {
  private readonly slots: (F | undefined)[] = [];

  constructor(private readonly datasets: number) {}

  get(n: number, dataset: number): F | undefined {
    const i = n * this.datasets + dataset;
    return i < this.slots.length ? this.slots[i] : undefined;
  }

  has(n: number, dataset: number): boolean {
    return this.get(n, dataset) !== undefined;
  }

  set(n: number, dataset: number, file: F): void {
    const i = n * this.datasets + dataset;
    while (this.slots.length < i) this.slots.push(undefined);
    this.slots[i] = file;
  }

  delete(n: number, dataset: number): void {
    const i = n * this.datasets + dataset;
    if (i < this.slots.length) this.slots[i] = undefined;
  }

  /** The numbers with a file on `dataset`, ascending. */
  numbersOn(dataset: number): number[] {
    const numbers: number[] = [];
    for (let i = dataset, n = 0; i < this.slots.length; i += this.datasets, n++) if (this.slots[i] !== undefined) numbers.push(n);
    return numbers;
  }
}

/**
 * A byte count per (catalog number, dataset), laid out as `FilesByNumber`'s slots; -1
 * where there is none. A store keeps its final files' landed bytes here beside the
 * files themselves, so that a depot GET reads one number, not a file object long out of
 * the cache.
 */
export class BytesByNumber {
  private bytes: Float64Array;

  /** `numbers`: how many numbers to make room for at once (the catalog's, when known). */
  constructor(
    private readonly datasets: number,
    numbers = 0,
  ) {
    this.bytes = new Float64Array(numbers * datasets).fill(-1);
  }

  get(n: number, dataset: number): number {
    const i = n * this.datasets + dataset;
    return i < this.bytes.length ? (this.bytes[i] as number) : -1;
  }

  set(n: number, dataset: number, bytes: number): void {
    const i = n * this.datasets + dataset;
    if (i >= this.bytes.length) this.grow(i);
    this.bytes[i] = bytes;
  }

  private grow(i: number): void {
    const bytes = new Float64Array(Math.max(i + 1, this.bytes.length * 2, 16 * this.datasets)).fill(-1);
    bytes.set(this.bytes);
    this.bytes = bytes;
  }
}
