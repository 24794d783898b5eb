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

export function countRecord(counters: Counters, record: RequestRecord): void {
  counters[record.operation.kind][record.error === null ? 'ok' : 'error'] += 1;
}

export function addCounters(into: Counters, from: Counters): void {
  for (const op of OPERATIONS) {
    into[op].ok += from[op].ok;
    into[op].error += from[op].error;
  }
}

export function cloneCounters(counters: Counters): Counters {
  const copy = zeroCounters();
  addCounters(copy, counters);
  return copy;
}

/** 32 sleds × 64 artifacts × 2 repos: enough to hold the history of the latest two repos. */
export const REQUEST_RING_BUFFER_LEN = 32 * 64 * 2;

/** Keeps the most recent `capacity` records, oldest first. */
export class RingBuffer<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {}

  pushAll(records: readonly T[]): void {
    this.items.push(...records);
    const excess = this.items.length - this.capacity;
    if (excess > 0) this.items.splice(0, excess);
  }

  toArray(): readonly T[] {
    return [...this.items];
  }

  get length(): number {
    return this.items.length;
  }
}

/** What one activation reports (omicron's `TufArtifactReplicationStatus`, plus `review`'s). */
export interface ActivationStatus {
  /** 1 for the task's first activation. */
  readonly activation: number;
  /** Why the activation stopped early, or `null` when it ran to the end. */
  readonly error: string | null;
  /** The configuration generation read from the datastore, when it was read. */
  readonly generation: number | null;
  readonly lastRun: Counters;
  readonly lifetime: Counters;
  /** Requests held back by the per-activation caps (`requests_outstanding` in the PR). */
  readonly requestsDeferred: number;
  readonly localRepos: number;
  readonly requestLog: readonly RequestRecord[];
}
