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

  /**
   * `numbers`: how many catalog numbers to make room for now (the world's catalog as it
   * is built). Grown as releases land, each table's elements were copied into a larger
   * array every few hours of a seed, each copy long-lived enough to be promoted out of the
   * young generation before it died: some 3 MB of the 40 MB that five rack-day seeds
   * promoted (under `--predictable-gc-schedule`), and one mark-compact of five.
   */
  constructor(
    private readonly datasets: number,
    numbers = 0,
  ) {
    // Filled by index, not `new Array(n)`: that is holey, and the readers, fed packed
    // tables in stores made without room, would see both kinds.
    const slots = this.slots;
    for (let i = 0; i < numbers * datasets; i++) slots[i] = undefined;
  }

  get(n: number, dataset: number): F | undefined {
    const i = n * this.datasets + dataset;
    return i < this.slots.length ? this.slots[i] : undefined;
  }

  has(n: number, dataset: number): boolean {
    return this.get(n, dataset) !== undefined;
  }

  set(n: number, dataset: number, file: F): void {
    const i = n * this.datasets + dataset;
    const slots = this.slots;
    // Grown by stores at the length, not `push`: the tables of every store of every seed
    // are grown slot by slot as numbers first appear (some 60k slots a merged rack-day
    // seed), and each `push` here was a call into the builtin.
    for (let j = slots.length; j < i; j++) slots[j] = undefined;
    slots[i] = file;
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
