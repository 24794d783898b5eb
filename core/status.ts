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
 * lookup V8 does the slow way, and every activation adds its counters up.
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
