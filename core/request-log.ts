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
 * what a snapshot covers stays as it was (`clear` is for a batch being recorded only).
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

  clear(): void {
    this.size = 0;
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

  /** Appends `from`'s records from `start` on, in order, as many as fit before `end`: returns how many. */
  appendRange(from: RequestColumns, start: number, end: number): number {
    const at = this.size;
    const n = Math.min(end - start, this.room - at);
    this.size += n;
    this.times.set(from.times.subarray(start, start + n), at);
    this.generations.set(from.generations.subarray(start, start + n), at);
    this.kinds.set(from.kinds.subarray(start, start + n), at);
    const { texts } = this;
    const source = from.texts;
    for (let i = 4 * start, j = 4 * at; j < 4 * (at + n); i++, j++) texts[j] = source[i] as string | null;
    return n;
  }

  get full(): boolean {
    return this.size === this.room;
  }

  /** Whether records `0..length` are in omicron's order already (as a batch mostly is: answers come in time order). */
  inOrder(): boolean {
    for (let i = 1; i < this.size; i++) if (this.compare(i - 1, i) > 0) return false;
    return true;
  }

  /**
   * omicron's order of records `i` and `j`: the derived `Ord` of
   * `TufArtifactReplicationRequest`, fields (time, target_sled, operation, error), no error
   * before any error. Sled ids compare as text, as UUIDs compare byte-wise.
   */
  compare(i: number, j: number): number {
    const { texts } = this;
    const ei = texts[4 * i + 3] as string | null;
    const ej = texts[4 * j + 3] as string | null;
    return (
      (this.times[i] as number) - (this.times[j] as number) ||
      compareText(texts[4 * i] as SledId, texts[4 * j] as SledId) ||
      this.compareOperations(i, j) ||
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

  private compareOperations(i: number, j: number): number {
    const kind = this.kinds[i] as number;
    const variant = (VARIANT_RANK[kind] as number) - (VARIANT_RANK[this.kinds[j] as number] as number);
    if (variant !== 0 || kind === LIST) return variant;
    if (kind === CONFIG) return (this.generations[i] as number) - (this.generations[j] as number);
    const { texts } = this;
    const byHash = compareText(texts[4 * i + 1] as ArtifactHash, texts[4 * j + 1] as ArtifactHash);
    if (byHash !== 0 || kind !== COPY) return byHash;
    return compareText(texts[4 * i + 2] as SledId, texts[4 * j + 2] as SledId);
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

  constructor(
    readonly capacity: number,
    private readonly panicsOnOversizedBatch = false,
    private readonly chunkSize = 1024,
  ) {
    this.chunks = [new RequestColumns(chunkSize)];
  }

  get length(): number {
    const { chunks } = this;
    return (chunks.length - 1) * this.chunkSize + (chunks[chunks.length - 1] as RequestColumns).length - this.start;
  }

  /** Appends `batch`'s records, in the order of `order` (indices into `batch`) when given. May throw `TaskPanic`. */
  pushAll(batch: RequestColumns, order?: readonly number[]): void {
    const { capacity } = this;
    const n = batch.length;
    if (this.panicsOnOversizedBatch && n > capacity) {
      throw new TaskPanic(
        `range end index ${this.length + n - capacity} out of range for slice of length ${this.length}` +
          ` (request ring buffer: a batch of ${n} entries, capacity ${capacity})`,
      );
    }
    // Of a batch longer than the capacity only its last `capacity` records stay.
    const kept = Math.min(n, capacity);
    this.dropOldest(this.length + kept - capacity);
    for (let k = n - kept; k < n; ) {
      let last = this.chunks[this.chunks.length - 1] as RequestColumns;
      if (last.full) this.chunks.push((last = new RequestColumns(this.chunkSize)));
      if (order !== undefined) {
        last.appendFrom(batch, order[k] as number);
        k++;
      } else {
        k += last.appendRange(batch, k, n);
      }
    }
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
 * The request records and counters of one activation. The records go to `pending` (the
 * engine's, cleared here: activations do not overlap) until a batch of them is appended to
 * the ring buffer.
 */
export class ActivationLedger {
  readonly counters: Counters = zeroCounters();

  constructor(
    private readonly clock: Clock,
    private readonly pending: RequestColumns,
  ) {
    pending.clear();
  }

  recordList(target: SledId, error: string | null): void {
    this.pending.appendList(this.clock.now(), target, error);
    count(this.counters.list, error);
  }

  recordConfig(target: SledId, generation: number, error: string | null): void {
    this.pending.appendConfig(this.clock.now(), target, generation, error);
    count(this.counters.config, error);
  }

  recordRequest(request: Request, error: string | null): void {
    this.pending.appendRequest(this.clock.now(), request, error);
    const { counters } = this;
    count(request.kind === 'put' ? counters.put : request.kind === 'copy' ? counters.copy : counters.delete, error);
  }

  /**
   * Appends the records since the last batch to `ring`, in omicron's order of a batch
   * (`requests.sort()`, tuf_artifact_replication.rs:549@74a6c136; a `BTreeSet` from
   * c31dc2f3 on, :466@c31dc2f3, :474@b848b6df) when `sorted`, else in answer order. May
   * throw `TaskPanic`.
   */
  appendBatchTo(ring: RequestRing, sorted: boolean): void {
    const { pending } = this;
    try {
      ring.pushAll(pending, sorted && !pending.inOrder() ? sortedOrder(pending) : undefined);
    } finally {
      pending.clear();
    }
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
  return order.sort((i, j) => records.compare(i, j));
}
