import type { ArtifactHash, SledId } from './types.ts';

export const OPERATIONS = ['list', 'put', 'copy', 'delete', 'config'] as const;
export type OperationKind = (typeof OPERATIONS)[number];

export type Operation =
  | { readonly kind: 'list' }
  | { readonly kind: 'put'; readonly hash: ArtifactHash }
  | { readonly kind: 'copy'; readonly hash: ArtifactHash; readonly source: SledId }
  | { readonly kind: 'delete'; readonly hash: ArtifactHash }
  | { readonly kind: 'config'; readonly generation: number };

/** One entry of the request ring buffer (omicron's `TufArtifactReplicationRequest`). */
export interface RequestRecord {
  /** When the answer (or the failure) arrived, in virtual microseconds. */
  readonly time: number;
  readonly target: SledId;
  readonly operation: Operation;
  readonly error: string | null;
}

export type Counters = Record<OperationKind, { ok: number; error: number }>;

export function zeroCounters(): Counters {
  return {
    list: { ok: 0, error: 0 },
    put: { ok: 0, error: 0 },
    copy: { ok: 0, error: 0 },
    delete: { ok: 0, error: 0 },
    config: { ok: 0, error: 0 },
  };
}

type Counter = Counters[OperationKind];

/**
 * The counter of `kind`, by name: `counters[kind]` with a string that varies is a keyed
 * lookup V8 does the slow way, and the engine counts every request.
 */
function counterOf(counters: Counters, kind: OperationKind): Counter {
  switch (kind) {
    case 'list':
      return counters.list;
    case 'put':
      return counters.put;
    case 'copy':
      return counters.copy;
    case 'delete':
      return counters.delete;
    case 'config':
      return counters.config;
  }
}

export function countRecord(counters: Counters, record: RequestRecord): void {
  const counter = counterOf(counters, record.operation.kind);
  if (record.error === null) counter.ok++;
  else counter.error++;
}

export function addCounters(into: Counters, from: Counters): void {
  for (const op of OPERATIONS) {
    const counter = counterOf(into, op);
    const added = counterOf(from, op);
    counter.ok += added.ok;
    counter.error += added.error;
  }
}

export function cloneCounters(counters: Counters): Counters {
  const copy = zeroCounters();
  addCounters(copy, counters);
  return copy;
}

/**
 * `MAX_REQUEST_DEBUG_BUFFER_LEN`: 32 sleds × 64 artifacts × 2 repos, enough for the
 * history of the latest two repos (tuf_artifact_replication.rs:99@74a6c136, :104@b848b6df).
 */
export const REQUEST_RING_BUFFER_LEN = 32 * 64 * 2;

/**
 * The task's own code panicked. omicron builds Nexus with `panic = "abort"` in the release
 * profile (Cargo.toml:743-744@74a6c136, :974-975@b848b6df), so the whole Nexus process
 * dies: whoever runs the engine must treat this as a crash of its Nexus.
 */
export class TaskPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskPanic';
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
export class RingBuffer<T> {
  /**
   * The records from `start` on, oldest first. Only ever appended to; once the dropped
   * head is as long as the capacity the kept part moves to a new array. An array is never
   * written below its end, so a snapshot (an array and a range) stays what it was, and an
   * activation's status need not copy up to 4,096 records that nobody may read.
   */
  private items: T[] = [];
  private start = 0;

  constructor(
    readonly capacity: number,
    private readonly panicsOnOversizedBatch = false,
  ) {}

  pushAll(batch: readonly T[]): void {
    if (this.panicsOnOversizedBatch && batch.length > this.capacity) {
      throw new TaskPanic(
        `range end index ${this.length + batch.length - this.capacity} out of range for slice of length ${this.length}` +
          ` (request ring buffer: a batch of ${batch.length} entries, capacity ${this.capacity})`,
      );
    }
    // A loop, not push(...batch): a spread of a 1,024-sled activation's batch overflows the stack.
    for (const item of batch) this.items.push(item);
    this.start = Math.max(this.start, this.items.length - this.capacity);
    if (this.start >= this.capacity) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  toArray(): readonly T[] {
    return this.items.slice(this.start);
  }

  /** The contents as they are now, copied out on the first call only. */
  snapshot(): () => readonly T[] {
    const { items, start } = this;
    const end = items.length;
    let copy: readonly T[] | undefined;
    return () => (copy ??= items.slice(start, end));
  }

  get length(): number {
    return this.items.length - this.start;
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The variant order of omicron's `TufArtifactReplicationOperation` (derived `Ord`):
 * `List, Put, Copy, Delete` at 74a6c136 and `PutConfig, List, Put, Copy` from c31dc2f3 on
 * (nexus/types/src/internal_api/background.rs:345-350@74a6c136, :346-351@c31dc2f3).
 */
const VARIANT_ORDER: Record<OperationKind, number> = { config: 0, list: 1, put: 2, copy: 3, delete: 4 };

function compareOperations(a: Operation, b: Operation): number {
  const variant = VARIANT_ORDER[a.kind] - VARIANT_ORDER[b.kind];
  if (variant !== 0) return variant;
  if (a.kind === 'config' && b.kind === 'config') return a.generation - b.generation;
  if ('hash' in a && 'hash' in b) {
    const byHash = compareText(a.hash, b.hash);
    if (byHash !== 0) return byHash;
    if (a.kind === 'copy' && b.kind === 'copy') return compareText(a.source, b.source);
  }
  return 0;
}

/**
 * omicron's order of one batch before it enters the ring buffer: the derived `Ord` of
 * `TufArtifactReplicationRequest`, fields (time, target_sled, operation, error), no error
 * before any error (`requests.sort()`, tuf_artifact_replication.rs:549@74a6c136; a
 * `BTreeSet` from c31dc2f3 on, :466@c31dc2f3, :474@b848b6df). Sled ids compare as text, as
 * UUIDs compare byte-wise.
 */
export function compareRecords(a: RequestRecord, b: RequestRecord): number {
  return (
    a.time - b.time ||
    compareText(a.target, b.target) ||
    compareOperations(a.operation, b.operation) ||
    (a.error === null ? (b.error === null ? 0 : -1) : b.error === null ? 1 : compareText(a.error, b.error))
  );
}

/** What one activation reports (omicron's `TufArtifactReplicationStatus`, plus `review`'s). */
export interface ActivationStatus {
  /** 1 for the task's first activation. */
  readonly activation: number;
  /** Why the activation failed (omicron's `{"error": …}` status), or `null`. */
  readonly error: string | null;
  /**
   * generation, current: why the activation stopped before planning (a sled holds a newer
   * configuration), or `null`. Not an error: omicron reports the usual status.
   */
  readonly stopped: string | null;
  /** The configuration generation read from the datastore, when it was read. */
  readonly generation: number | null;
  readonly lastRun: Counters;
  readonly lifetime: Counters;
  /** Requests held back by the per-activation caps (`requests_outstanding` in the PR). */
  readonly requestsDeferred: number;
  readonly localRepos: number;
  readonly requestLog: readonly RequestRecord[];
}

/**
 * An activation's status whose request log is copied out of the ring buffer only if read:
 * the world reads the counters, not the log. A class, where an object literal with a
 * getter cost a runtime call to define it, every activation.
 */
export class StatusWithLazyLog implements ActivationStatus {
  readonly activation: number;
  readonly error: string | null;
  readonly stopped: string | null;
  readonly generation: number | null;
  readonly lastRun: Counters;
  readonly lifetime: Counters;
  readonly requestsDeferred: number;
  readonly localRepos: number;
  readonly #requestLog: () => readonly RequestRecord[];

  constructor(status: Omit<ActivationStatus, 'requestLog'>, requestLog: () => readonly RequestRecord[]) {
    this.activation = status.activation;
    this.error = status.error;
    this.stopped = status.stopped;
    this.generation = status.generation;
    this.lastRun = status.lastRun;
    this.lifetime = status.lifetime;
    this.requestsDeferred = status.requestsDeferred;
    this.localRepos = status.localRepos;
    this.#requestLog = requestLog;
  }

  get requestLog(): readonly RequestRecord[] {
    return this.#requestLog();
  }
}
