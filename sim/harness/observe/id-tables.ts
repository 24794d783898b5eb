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

  private grow(id: number): void {
    const values = new Int32Array(Math.max(id + 1, this.values.length * 2, this.ids?.size ?? 0));
    values.set(this.values);
    this.values = values;
  }
}

/**
 * Pair tables whose cells sit side by side: each pair's value in every table of the
 * records is one run of `fields` cells. The observers read several (sled, artifact)
 * tables at one pair on each copy event and each request (copies, requests in flight,
 * writers, deletes): one cache line, where separate tables cost one each.
 */
export class PairRecords {
  /** Cell of `(a, b)` in table `field`: `(a * cols + b) * fields + field`. */
  cells = new Int32Array(0);
  rows = 0;
  cols = 0;
  fields = 0;

  /** `rowIds`, `colIds`: the interners of the pair's first and second ids. */
  constructor(
    private readonly rowIds?: IdCount,
    private readonly colIds?: IdCount,
  ) {}

  /** A new table among these records, every pair 0. */
  table(): PairTable {
    const field = this.fields;
    this.relayout(this.rows, this.cols, field + 1);
    return new PairTable(this, field);
  }

  /** Room for pair `(a, b)`. */
  grow(a: number, b: number): void {
    const rows = a < this.rows ? this.rows : Math.max(a + 1, this.rows * 2, 4, this.rowIds?.size ?? 0);
    const cols = b < this.cols ? this.cols : Math.max(b + 1, this.cols * 2, 16, this.colIds?.size ?? 0);
    this.relayout(rows, cols, this.fields);
  }

  private relayout(rows: number, cols: number, fields: number): void {
    const cells = new Int32Array(rows * cols * fields);
    if (cols === this.cols && fields === this.fields) cells.set(this.cells);
    else {
      const old = this.cells;
      for (let r = 0; r < this.rows; r++) {
        for (let c = 0; c < this.cols; c++) {
          const from = (r * this.cols + c) * this.fields;
          const to = (r * cols + c) * fields;
          for (let f = 0; f < this.fields; f++) cells[to + f] = old[from + f] as number;
        }
      }
    }
    this.cells = cells;
    this.rows = rows;
    this.cols = cols;
    this.fields = fields;
  }
}

/**
 * An integer per pair of ids (a sled and an artifact, say), 0 until set: a table of its
 * own, or one of several `PairRecords`.
 */
export class PairTable {
  private readonly records: PairRecords;
  private readonly field: number;

  /** `rowIds`, `colIds`: the interners of the pair's first and second ids (a table of its own). */
  constructor(rowIds?: IdCount, colIds?: IdCount);
  /** @internal A table of `records` (`PairRecords.table`). */
  constructor(records: PairRecords, field: number);
  constructor(rowIdsOrRecords?: IdCount | PairRecords, colIdsOrField?: IdCount | number) {
    if (rowIdsOrRecords instanceof PairRecords) {
      this.records = rowIdsOrRecords;
      this.field = colIdsOrField as number;
    } else {
      this.records = new PairRecords(rowIdsOrRecords, colIdsOrField as IdCount | undefined);
      this.records.fields = 1;
      this.field = 0;
    }
  }

  get(a: number, b: number): number {
    const r = this.records;
    return a < r.rows && b < r.cols ? (r.cells[(a * r.cols + b) * r.fields + this.field] as number) : 0;
  }

  set(a: number, b: number, value: number): void {
    const r = this.records;
    if (a >= r.rows || b >= r.cols) r.grow(a, b);
    r.cells[(a * r.cols + b) * r.fields + this.field] = value;
  }

  /** Adds `delta`; returns the value before. */
  add(a: number, b: number, delta: number): number {
    const r = this.records;
    if (a >= r.rows || b >= r.cols) r.grow(a, b);
    const i = (a * r.cols + b) * r.fields + this.field;
    const before = r.cells[i] as number;
    r.cells[i] = before + delta;
    return before;
  }

  /** Calls `each` with every `b` whose value for `a` is not 0, in increasing order. */
  forEachIn(a: number, each: (b: number, value: number) => void): void {
    const r = this.records;
    if (a >= r.rows) return;
    for (let b = 0; b < r.cols; b++) {
      const value = r.cells[(a * r.cols + b) * r.fields + this.field] as number;
      if (value !== 0) each(b, value);
    }
  }

  clear(): void {
    const r = this.records;
    for (let i = this.field; i < r.cells.length; i += r.fields) r.cells[i] = 0;
  }
}
