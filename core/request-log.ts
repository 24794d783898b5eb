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
 * (`records`), and nothing in a run reads them. Appending never writes below the length, so
 * what a snapshot covers stays as it was (`clear` is for a batch being recorded only).
 */
export class RequestColumns {
  private times: Float64Array;
  private kinds: Uint8Array;
  /** A `config` record's generation. */
  private generations: Float64Array;
  /**
   * Each record's target, hash, source and error, four slots a record, in one array: the
   * ring buffer's (32,768 slots) is then big enough for V8 to allocate it outside the
   * young generation's pages and keep it without copying it, where four arrays of a
   * quarter of that size were each copied twice (8 rack-day seeds: 64 MB copied within
   * the young generation, not 92 MB; 77 MB with record objects).
   */
  private readonly texts: (string | null)[];
  private size = 0;

  constructor(private room: number) {
    this.times = new Float64Array(room);
    this.kinds = new Uint8Array(room);
    this.generations = new Float64Array(room);
    this.texts = new Array<string | null>(4 * room);
  }

  get length(): number {
    return this.size;
  }

  /** How many records fit before the typed columns must grow. */
  get capacity(): number {
    return this.room;
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

  /** Records `from` to `to` (exclusive), built now. */
  records(from: number, to: number): RequestRecord[] {
    const records: RequestRecord[] = [];
    const { texts } = this;
    for (let i = from; i < to; i++) {
      records.push({ time: this.times[i] as number, target: texts[4 * i] as SledId, operation: this.operationAt(i), error: texts[4 * i + 3] as string | null });
    }
    return records;
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

  /** Doubles the typed columns; the plain ones grow as they are written past their end. */
  private grow(): void {
    this.room = Math.max(1, 2 * this.room);
    const times = new Float64Array(this.room);
    times.set(this.times);
    this.times = times;
    const kinds = new Uint8Array(this.room);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const generations = new Float64Array(this.room);
    generations.set(this.generations);
    this.generations = generations;
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
   * The records from `start` on, oldest first, in columns with room for twice the
   * capacity. Only ever appended to; when a batch does not fit, the kept part moves to new
   * columns. Columns are never written below their length, so a snapshot (columns and a
   * range) stays what it was, and an activation's status need not copy up to 4,096 records
   * that nobody may read.
   */
  private columns: RequestColumns;
  private start = 0;

  constructor(
    readonly capacity: number,
    private readonly panicsOnOversizedBatch = false,
  ) {
    this.columns = new RequestColumns(2 * capacity);
  }

  get length(): number {
    return this.columns.length - this.start;
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
    const skipped = Math.max(0, n - capacity);
    let into = this.columns;
    if (into.length + n - skipped > into.capacity) {
      const kept = Math.min(this.length, capacity - (n - skipped));
      const moved = new RequestColumns(2 * capacity);
      for (let i = into.length - kept; i < into.length; i++) moved.appendFrom(into, i);
      this.columns = into = moved;
      this.start = 0;
    }
    for (let k = skipped; k < n; k++) into.appendFrom(batch, order === undefined ? k : (order[k] as number));
    this.start = Math.max(this.start, into.length - capacity);
  }

  toArray(): readonly RequestRecord[] {
    return this.columns.records(this.start, this.columns.length);
  }

  /** The contents as they are now, built on the first call only. */
  snapshot(): () => readonly RequestRecord[] {
    const { columns, start } = this;
    const end = columns.length;
    let copy: readonly RequestRecord[] | undefined;
    return () => (copy ??= columns.records(start, end));
  }
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
      ring.pushAll(pending, sorted ? sortedOrder(pending) : undefined);
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
