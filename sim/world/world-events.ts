import type { ArtifactHash, SledId } from '../../core/index.ts';
import type { Micros } from './kernel/event-queue.ts';

export type NexusId = string;
export type RepoName = string;
export type RequestKind = 'list' | 'put' | 'copy' | 'delete' | 'config';
export type RequestOutcome = 'ok' | 'error' | 'timeout';
export type FaultKind = 'sled_crash' | 'nexus_crash' | 'nexus_panic' | 'partition' | 'slow' | 'datastore_outage' | 'm2_failure';
/** Why copies left a dataset. */
export type RemovalCause = 'delete' | 'reconciler' | 'm2_failure';

/**
 * Ground truth: every change of state in the world, in the order it happened. Checkers
 * and reports read these; nothing reads them back into the world. Fields are listed in a
 * fixed order per type, so one event always serialises to the same bytes.
 */
export type WorldEventBody =
  | { type: 'repo_upload_started'; repo: RepoName; nexus: NexusId; bytes: number }
  | { type: 'repo_upload_failed'; repo: RepoName; nexus: NexusId; reason: string }
  | { type: 'repo_inserted'; repo: RepoName; nexus: NexusId | null; artifacts: readonly ArtifactHash[]; generation: number }
  | { type: 'repo_insert_skipped'; repo: RepoName; nexus: NexusId }
  | { type: 'repo_deleted'; repo: RepoName; generation: number }
  | { type: 'local_repo_added'; nexus: NexusId; repo: RepoName; bytes: number }
  /** `by`: the task (replicated, or a planted bug) or the upload handler (a duplicate upload). */
  | { type: 'local_repo_released'; nexus: NexusId; repo: RepoName; bytes: number; by: 'task' | 'upload' }
  | { type: 'local_repos_lost'; nexus: NexusId; repos: readonly RepoName[]; bytes: number }
  | { type: 'artifact_stored'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; via: 'put' | 'copy' | 'initial' }
  | { type: 'artifact_removed'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; cause: RemovalCause }
  /** A final file no writer fills any more holds `bytes` of the artifact's `size` (omicron#7796). */
  | { type: 'artifact_truncated'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; size: number }
  | { type: 'write_failed'; sled: SledId; hash: ArtifactHash; reason: string }
  | { type: 'config_stored'; sled: SledId; generation: number; artifacts: number }
  | {
      type: 'request_sent';
      id: number;
      nexus: NexusId;
      activation: number;
      kind: RequestKind;
      target: SledId;
      source: SledId | null;
      hash: ArtifactHash | null;
      bytes: number;
    }
  | { type: 'request_done'; id: number; outcome: RequestOutcome; error: string | null }
  | { type: 'activation_started'; nexus: NexusId; activation: number }
  | {
      type: 'activation_finished';
      nexus: NexusId;
      activation: number;
      error: string | null;
      deferred: number;
      localRepos: number;
    }
  | { type: 'fault_started'; fault: number; kind: FaultKind; target: string }
  | { type: 'fault_ended'; fault: number; kind: FaultKind; target: string }
  | { type: 'sled_added'; sled: SledId }
  | { type: 'sled_expunged'; sled: SledId }
  | { type: 'nexus_started'; nexus: NexusId; incarnation: number };

export type WorldEvent = { readonly t: Micros } & WorldEventBody;
export type WorldEventType = WorldEvent['type'];

export type WorldEventListener = (event: WorldEvent) => void;

/**
 * A 53-bit hash of the event sequence (two 32-bit multiply–xorshift lanes). Strings are
 * fed as their first-seen index, not character by character: the index sequence encodes
 * the history as well as the text does, and costs one map lookup per field.
 */
class HistoryHash {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;
  private readonly strings = new Map<string, number>();

  private mix(word: number): void {
    this.h1 = Math.imul(this.h1 ^ word, 2654435761);
    this.h2 = Math.imul(this.h2 ^ word, 1597334677);
  }

  private string(text: string): void {
    let index = this.strings.get(text);
    if (index === undefined) {
      index = this.strings.size;
      this.strings.set(text, index);
    }
    this.mix(index);
  }

  private value(value: unknown): void {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) {
        this.mix(1);
        this.mix(value | 0);
        this.mix(Math.floor(value / 0x100000000) | 0);
      } else {
        this.mix(2);
        this.string(String(value));
      }
    } else if (typeof value === 'string') {
      this.mix(3);
      this.string(value);
    } else if (value === null || value === undefined || typeof value === 'boolean') {
      this.mix(value === true ? 4 : value === false ? 5 : 6);
    } else {
      this.mix(7);
      this.string(JSON.stringify(value));
    }
  }

  update(t: Micros, body: WorldEventBody): void {
    this.value(t);
    // Values only: each type has its fixed fields in a fixed order, so the type (the first
    // value) already tells which field each later value is.
    for (const key in body) this.value((body as Record<string, unknown>)[key]);
    const h1 = this.h1;
    const h2 = this.h2;
    this.h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    this.h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(this.h1 ^ (this.h1 >>> 13), 3266489909);
  }

  digest(): string {
    return (this.h2 >>> 0).toString(16).padStart(8, '0') + (this.h1 >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * The world's event stream: feeds the history hash, the listeners and, when recording,
 * the stored history (one JSON line per event, `t` first).
 */
export class WorldEventLog {
  private readonly listeners: WorldEventListener[] = [];
  private readonly hash: HistoryHash | undefined;
  private readonly lines: string[] | undefined;
  private count = 0;

  /** `hash: false` leaves the history unhashed (`digest()` is then empty). */
  constructor(
    private readonly clock: { readonly now: Micros },
    options: { record?: boolean; hash?: boolean } = {},
  ) {
    this.hash = options.hash === false ? undefined : new HistoryHash();
    this.lines = options.record === true ? [] : undefined;
  }

  subscribe(listener: WorldEventListener): void {
    this.listeners.push(listener);
  }

  emit(body: WorldEventBody): void {
    const t = this.clock.now;
    this.hash?.update(t, body);
    this.lines?.push(`{"t":${t},${JSON.stringify(body).slice(1)}`);
    // `t` goes on the body itself: the event object is the body, so no copy per event.
    const event = body as WorldEvent & { t: Micros };
    event.t = t;
    this.count++;
    for (const listener of this.listeners) listener(event);
  }

  get size(): number {
    return this.count;
  }

  /** Hash of every event so far: equal hashes mean, in practice, equal histories. */
  digest(): string {
    return this.hash?.digest() ?? '';
  }

  /** The recorded history as JSON lines (empty unless recording). */
  history(): readonly string[] {
    return this.lines ?? [];
  }
}
