// Why typed arrays keyed by interned ids: the observers look up a (sled, artifact) pair, or
// an artifact, on nearly every event. Nested maps keyed by strings cost a hash lookup per
// level and an object per entry; a typed array costs an index. Every table reads 0 where
// nothing was written and grows as new ids come (ids are dense, from `Interner`). A table
// told the interner of its ids grows at once to every id given so far: the artifacts of
// the catalog and the sleds come before the first copy, so a run's tables are allocated
// once at their size, not doubled (and copied) again and again from a few cells.

/** What a table reads of its ids' interner: how many ids it has given. */
export interface IdCount {
  readonly size: number;
}

/** An integer per id, 0 until set. */
export class IdColumn {
  private values = new Int32Array(16);

  constructor(private readonly ids?: IdCount) {}

  get(id: number): number {
    return id < this.values.length ? (this.values[id] as number) : 0;
  }

  set(id: number, value: number): void {
    if (id >= this.values.length) this.grow(id);
    this.values[id] = value;
  }

  /** Adds `delta`; returns the value after. */
  add(id: number, delta: number): number {
    if (id >= this.values.length) this.grow(id);
    const after = (this.values[id] as number) + delta;
    this.values[id] = after;
    return after;
  }

  clear(): void {
    this.values.fill(0);
  }

  private grow(id: number): void {
    const values = new Int32Array(Math.max(id + 1, this.values.length * 2, this.ids?.size ?? 0));
    values.set(this.values);
    this.values = values;
  }
}

/** An integer per pair of ids (a sled and an artifact, say), 0 until set. */
export class PairTable {
  private cells = new Int32Array(0);
  private rows = 0;
  private cols = 0;

  /** `rowIds`, `colIds`: the interners of the pair's first and second ids. */
  constructor(
    private readonly rowIds?: IdCount,
    private readonly colIds?: IdCount,
  ) {}

  get(a: number, b: number): number {
    return a < this.rows && b < this.cols ? (this.cells[a * this.cols + b] as number) : 0;
  }

  set(a: number, b: number, value: number): void {
    if (a >= this.rows || b >= this.cols) this.grow(a, b);
    this.cells[a * this.cols + b] = value;
  }

  /** Adds `delta`; returns the value before. */
  add(a: number, b: number, delta: number): number {
    if (a >= this.rows || b >= this.cols) this.grow(a, b);
    const i = a * this.cols + b;
    const before = this.cells[i] as number;
    this.cells[i] = before + delta;
    return before;
  }

  /** Calls `each` with every `b` whose value for `a` is not 0, in increasing order. */
  forEachIn(a: number, each: (b: number, value: number) => void): void {
    if (a >= this.rows) return;
    const start = a * this.cols;
    for (let b = 0; b < this.cols; b++) {
      const value = this.cells[start + b] as number;
      if (value !== 0) each(b, value);
    }
  }

  clear(): void {
    this.cells.fill(0);
  }

  private grow(a: number, b: number): void {
    const rows = a < this.rows ? this.rows : Math.max(a + 1, this.rows * 2, 4, this.rowIds?.size ?? 0);
    const cols = b < this.cols ? this.cols : Math.max(b + 1, this.cols * 2, 16, this.colIds?.size ?? 0);
    const cells = new Int32Array(rows * cols);
    if (cols === this.cols) cells.set(this.cells);
    else for (let r = 0; r < this.rows; r++) cells.set(this.cells.subarray(r * this.cols, (r + 1) * this.cols), r * cols);
    this.cells = cells;
    this.rows = rows;
    this.cols = cols;
  }
}
