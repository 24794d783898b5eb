import { TaskPanic, zeroCounters, type Counters, type Operation, type RequestRecord } from './status.ts';
import type { Clock } from './ports.ts';
import { requestHash, type ArtifactHash, type Request, type SledId } from './types.ts';

// An operation's kind as a column value.
const LIST = 0;
const PUT = 1;
const COPY = 2;
const DELETE = 3;
const CONFIG = 4;

/**
 * The rank of each kind code in the variant order of omicron's `TufArtifactReplicationOperation`
 * (derived `Ord`): `List, Put, Copy, Delete` at 74a6c136 and `PutConfig, List, Put, Copy` from
 * c31dc2f3 on (nexus/types/src/internal_api/background.rs:345-350@74a6c136, :346-351@c31dc2f3).
 */
const VARIANT_RANK: readonly number[] = [1, 2, 3, 4, 0];

/** Every list record's operation: one object for all of them (a record is only read). */
const LIST_OPERATION: Operation = { kind: 'list' };

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Request records as columns, one entry per record. Why not an array of `RequestRecord`s:
 * the ring buffer keeps 4,096 records across thousands of requests, so each record object
 * (with the number box of its time and its operation: three objects) outlived the young
 * generation and was copied out of it: some 40% of what a rack-day seed's scavenges kept.
 * Columns keep the same fields in a few long arrays; a record is built only when it is read
 * (`pushRecords`), and nothing in a run reads them. Appending never writes below the length, so
 * what a snapshot covers stays as it was (`truncate` is for a batch being recorded only).
 */
export class RequestColumns {
  private times!: Float64Array;
  /** A `config` record's generation. */
  private generations!: Float64Array;
  private kinds!: Uint8Array;
  /** Each record's target, hash, source and error, four slots a record. */
  private readonly texts: (string | null)[];
  private size = 0;

  constructor(private room: number) {
    this.allocate(room);
    this.texts = new Array<string | null>(4 * room);
  }

  get length(): number {
    return this.size;
  }

  /** Forgets the records from `size` on. */
  truncate(size: number): void {
    this.size = size;
  }

  appendList(time: number, target: SledId, error: string | null): void {
    this.append(time, target, LIST, null, null, 0, error);
  }

  appendConfig(time: number, target: SledId, generation: number, error: string | null): void {
    this.append(time, target, CONFIG, null, null, generation, error);
  }

  appendRequest(time: number, request: Request, error: string | null): void {
    if (request.kind === 'copy') this.append(time, request.target, COPY, request.hash, request.source, 0, error);
    else this.append(time, request.target, request.kind === 'put' ? PUT : DELETE, requestHash(request), null, 0, error);
  }

  /** Appends `from`'s record `i`. */
  appendFrom(from: RequestColumns, i: number): void {
    const { texts } = from;
    this.append(
      from.times[i] as number,
      texts[4 * i] as SledId,
      from.kinds[i] as number,
      texts[4 * i + 1] as ArtifactHash | null,
      texts[4 * i + 2] as SledId | null,
      from.generations[i] as number,
      texts[4 * i + 3] as string | null,
    );
  }

  get full(): boolean {
    return this.size === this.room;
  }

  /**
   * omicron's order of record `i` of `a` and record `j` of `b`: the derived `Ord` of
   * `TufArtifactReplicationRequest`, fields (time, target_sled, operation, error), no error
   * before any error. Sled ids compare as text, as UUIDs compare byte-wise.
   */
  static compare(a: RequestColumns, i: number, b: RequestColumns, j: number): number {
    const ei = a.texts[4 * i + 3] as string | null;
    const ej = b.texts[4 * j + 3] as string | null;
    return (
      (a.times[i] as number) - (b.times[j] as number) ||
      compareText(a.texts[4 * i] as SledId, b.texts[4 * j] as SledId) ||
      RequestColumns.compareOperations(a, i, b, j) ||
      (ei === null ? (ej === null ? 0 : -1) : ej === null ? 1 : compareText(ei, ej))
    );
  }

  /** Builds records `from` to `to` (exclusive) and appends them to `into`. */
  pushRecords(into: RequestRecord[], from: number, to: number): void {
    const { texts } = this;
    for (let i = from; i < to; i++) {
      into.push({ time: this.times[i] as number, target: texts[4 * i] as SledId, operation: this.operationAt(i), error: texts[4 * i + 3] as string | null });
    }
  }

  private append(
    time: number,
    target: SledId,
    kind: number,
    hash: ArtifactHash | null,
    source: SledId | null,
    generation: number,
    error: string | null,
  ): void {
    const i = this.size++;
    if (i === this.room) this.grow();
    this.times[i] = time;
    this.kinds[i] = kind;
    this.generations[i] = generation;
    const { texts } = this;
    texts[4 * i] = target;
    texts[4 * i + 1] = hash;
    texts[4 * i + 2] = source;
    texts[4 * i + 3] = error;
  }

  /** Doubles the number columns; the plain one grows as it is written past its end. */
  private grow(): void {
    const { times, generations, kinds } = this;
    this.room = Math.max(1, 2 * this.room);
    this.allocate(this.room);
    this.times.set(times);
    this.generations.set(generations);
    this.kinds.set(kinds);
  }

  /** The number columns, for `room` records, in one buffer. */
  private allocate(room: number): void {
    const buffer = new ArrayBuffer(17 * room);
    this.times = new Float64Array(buffer, 0, room);
    this.generations = new Float64Array(buffer, 8 * room, room);
    this.kinds = new Uint8Array(buffer, 16 * room, room);
  }

  private static compareOperations(a: RequestColumns, i: number, b: RequestColumns, j: number): number {
    const kind = a.kinds[i] as number;
    const variant = (VARIANT_RANK[kind] as number) - (VARIANT_RANK[b.kinds[j] as number] as number);
    if (variant !== 0 || kind === LIST) return variant;
    if (kind === CONFIG) return (a.generations[i] as number) - (b.generations[j] as number);
    const byHash = compareText(a.texts[4 * i + 1] as ArtifactHash, b.texts[4 * j + 1] as ArtifactHash);
    if (byHash !== 0 || kind !== COPY) return byHash;
    return compareText(a.texts[4 * i + 2] as SledId, b.texts[4 * j + 2] as SledId);
  }

  private operationAt(i: number): Operation {
    const hash = this.texts[4 * i + 1] as ArtifactHash;
    switch (this.kinds[i]) {
      case LIST:
        return LIST_OPERATION;
      case PUT:
        return { kind: 'put', hash };
      case COPY:
        return { kind: 'copy', hash, source: this.texts[4 * i + 2] as SledId };
      case DELETE:
        return { kind: 'delete', hash };
      default:
        return { kind: 'config', generation: this.generations[i] as number };
    }
  }
}

/**
 * Keeps the most recent `capacity` records, oldest first. Each activation appends whole
 * batches. omicron trims with `drain(0..(len + batch).saturating_sub(capacity))`, which
 * panics when the range end passes `len`, that is iff one batch holds more than
 * `capacity` records (tuf_artifact_replication.rs:545-547@74a6c136, :533-535@c31dc2f3,
 * :541-543@b848b6df). `panicsOnOversizedBatch: false` (review, whose code had no ring
 * buffer, only a reviewer's wish for one) trims silently instead.
 *
 * The batch being recorded is written where it will be kept, after the kept records, and
 * counts once it ends (`endBatch`): written to a batch of its own first, every record was
 * copied into the ring once more, four texts and three numbers a record.
 */
export class RequestRing {
  /**
   * The records from `start` (in the first chunk) on, oldest first, in chunks of
   * `chunkSize` records: each chunk full but the last, and a chunk is dropped once the
   * window has passed it. A chunk is never written below its length, so a snapshot (the
   * chunks and a range) stays what it was, and an activation's status need not copy up to
   * 4,096 records that nobody may read. Chunks, not one array with room for twice the
   * capacity whose kept part moves when full: each record's slots are allocated once and
   * the ring never moves them, in arrays small enough for V8's young generation (one of
   * 32,768 slots went to its large-object space, whose allocation cost more than the
   * scavenger's copies of a young array).
   */
  private chunks: RequestColumns[];
  private start = 0;
  /** The records of the batch being recorded: the last ones in the chunks, not kept yet and in no snapshot. */
  private batch = 0;
  /** Where a batch to be sorted is copied to (rarely: answers mostly come in omicron's order). */
  private readonly unsorted = new RequestColumns(64);

  constructor(
    readonly capacity: number,
    private readonly panicsOnOversizedBatch = false,
    private readonly chunkSize = 1024,
  ) {
    this.chunks = [new RequestColumns(chunkSize)];
  }

  /** How many records are kept. */
  get length(): number {
    return this.written - this.start - this.batch;
  }

  appendList(time: number, target: SledId, error: string | null): void {
    this.tail().appendList(time, target, error);
    this.batch++;
  }

  appendConfig(time: number, target: SledId, generation: number, error: string | null): void {
    this.tail().appendConfig(time, target, generation, error);
    this.batch++;
  }

  appendRequest(time: number, request: Request, error: string | null): void {
    this.tail().appendRequest(time, request, error);
    this.batch++;
  }

  /**
   * Keeps the batch being recorded, in omicron's order of a batch (`requests.sort()`,
   * tuf_artifact_replication.rs:549@74a6c136; a `BTreeSet` from c31dc2f3 on,
   * :466@c31dc2f3, :474@b848b6df) when `sorted`, else in answer order. Throws `TaskPanic`
   * (keeping nothing of it) on a batch over the capacity, if the ring panics on those.
   */
  endBatch(sorted: boolean): void {
    const { capacity } = this;
    const n = this.batch;
    if (this.panicsOnOversizedBatch && n > capacity) {
      const { length } = this;
      this.dropBatch();
      throw new TaskPanic(
        `range end index ${length + n - capacity} out of range for slice of length ${length}` +
          ` (request ring buffer: a batch of ${n} entries, capacity ${capacity})`,
      );
    }
    if (sorted && !this.batchInOrder()) this.sortBatch();
    this.batch = 0;
    // Of a batch longer than the capacity only its last `capacity` records stay.
    this.dropOldest(this.length - capacity);
  }

  /** Forgets the batch being recorded. */
  dropBatch(): void {
    for (let n = this.batch; n > 0; ) {
      const last = this.chunks[this.chunks.length - 1] as RequestColumns;
      const dropped = Math.min(n, last.length);
      last.truncate(last.length - dropped);
      n -= dropped;
      if (n > 0) this.chunks.pop();
    }
    this.batch = 0;
  }

  toArray(): readonly RequestRecord[] {
    return recordsOf(this.chunks, this.start, this.length);
  }

  /** The contents as they are now, built on the first call only. */
  snapshot(): () => readonly RequestRecord[] {
    const chunks = [...this.chunks];
    const { start, length } = this;
    let copy: readonly RequestRecord[] | undefined;
    return () => (copy ??= recordsOf(chunks, start, length));
  }

  /** Records in the chunks, kept or not. */
  private get written(): number {
    const { chunks } = this;
    return (chunks.length - 1) * this.chunkSize + (chunks[chunks.length - 1] as RequestColumns).length;
  }

  /** Where the next record goes: the last chunk, or a new one once that is full. */
  private tail(): RequestColumns {
    const last = this.chunks[this.chunks.length - 1] as RequestColumns;
    if (!last.full) return last;
    const next = new RequestColumns(this.chunkSize);
    this.chunks.push(next);
    return next;
  }

  /** Whether the batch being recorded is in omicron's order already (as a batch mostly is: answers come in time order). */
  private batchInOrder(): boolean {
    const { chunks, chunkSize } = this;
    const end = this.written;
    for (let p = end - this.batch + 1; p < end; p++) {
      const q = p - 1;
      const order = RequestColumns.compare(
        chunks[Math.floor(q / chunkSize)] as RequestColumns,
        q % chunkSize,
        chunks[Math.floor(p / chunkSize)] as RequestColumns,
        p % chunkSize,
      );
      if (order > 0) return false;
    }
    return true;
  }

  /** Writes the batch being recorded again, in omicron's order. */
  private sortBatch(): void {
    const { chunks, chunkSize, unsorted } = this;
    unsorted.truncate(0);
    const end = this.written;
    for (let p = end - this.batch; p < end; p++) unsorted.appendFrom(chunks[Math.floor(p / chunkSize)] as RequestColumns, p % chunkSize);
    const n = this.batch;
    this.dropBatch();
    for (const i of sortedOrder(unsorted)) this.tail().appendFrom(unsorted, i);
    this.batch = n;
  }

  /**
   * Drops the `count` oldest records (none when `count` is not positive), and the chunks
   * they leave empty but the last, which the next record goes to (or after).
   */
  private dropOldest(count: number): void {
    if (count <= 0) return;
    this.start += count;
    const passed = Math.min(Math.floor(this.start / this.chunkSize), this.chunks.length - 1);
    if (passed > 0) {
      this.chunks = this.chunks.slice(passed);
      this.start -= passed * this.chunkSize;
    }
  }
}

/** `length` records of `chunks` (all full but the last) from `start` in the first. */
function recordsOf(chunks: readonly RequestColumns[], start: number, length: number): RequestRecord[] {
  const records: RequestRecord[] = [];
  for (const chunk of chunks) {
    const end = Math.min(chunk.length, start + length - records.length);
    chunk.pushRecords(records, start, end);
    start = 0;
  }
  return records;
}

/**
 * The request records and counters of one activation. The records go to the ring buffer
 * as the batch being recorded (activations do not overlap: what one left unended is
 * dropped here) until the engine ends a batch.
 */
export class ActivationLedger {
  readonly counters: Counters = zeroCounters();

  constructor(
    private readonly clock: Clock,
    private readonly ring: RequestRing,
  ) {
    ring.dropBatch();
  }

  recordList(target: SledId, error: string | null): void {
    this.ring.appendList(this.clock.now(), target, error);
    count(this.counters.list, error);
  }

  recordConfig(target: SledId, generation: number, error: string | null): void {
    this.ring.appendConfig(this.clock.now(), target, generation, error);
    count(this.counters.config, error);
  }

  recordRequest(request: Request, error: string | null): void {
    this.ring.appendRequest(this.clock.now(), request, error);
    const { counters } = this;
    count(request.kind === 'put' ? counters.put : request.kind === 'copy' ? counters.copy : counters.delete, error);
  }

  /** Keeps the records since the last batch (`RequestRing.endBatch`). May throw `TaskPanic`. */
  endBatch(sorted: boolean): void {
    this.ring.endBatch(sorted);
  }
}

function count(counter: Counters['list'], error: string | null): void {
  if (error === null) counter.ok++;
  else counter.error++;
}

/** The indices of `records` in omicron's order. */
function sortedOrder(records: RequestColumns): number[] {
  const order = new Array<number>(records.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((i, j) => RequestColumns.compare(records, i, records, j));
}
