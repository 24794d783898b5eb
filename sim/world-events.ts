import type { ArtifactHash, SledId } from '../core/index.ts';
import type { Micros } from './kernel/event-queue.ts';

export type NexusId = string;
export type RepoName = string;
export type RequestKind = 'list' | 'put' | 'copy' | 'delete' | 'config';
export type RequestOutcome = 'ok' | 'error' | 'timeout';
export type FaultKind = 'sled_crash' | 'nexus_crash' | 'partition' | 'slow' | 'datastore_outage' | 'm2_failure';
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

/** 53-bit string hash (two 32-bit multiply–xorshift lanes), fed one event line at a time. */
class HistoryHash {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  update(line: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.h1 = h1;
    this.h2 = h2;
  }

  digest(): string {
    return (this.h2 >>> 0).toString(16).padStart(8, '0') + (this.h1 >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * The world's event stream. Each event is serialised once, as a JSON line: the line feeds
 * the history hash and, when recording, the stored history.
 */
export class WorldEventLog {
  private readonly listeners: WorldEventListener[] = [];
  private readonly hash = new HistoryHash();
  private readonly lines: string[] | undefined;
  private count = 0;

  constructor(
    private readonly clock: { readonly now: Micros },
    options: { record?: boolean } = {},
  ) {
    this.lines = options.record === true ? [] : undefined;
  }

  subscribe(listener: WorldEventListener): void {
    this.listeners.push(listener);
  }

  emit(body: WorldEventBody): void {
    const t = this.clock.now;
    // The line puts `t` first; the event object gets it last, which saves a copy per event.
    const line = `{"t":${t},${JSON.stringify(body).slice(1)}`;
    const event = Object.assign(body, { t }) as WorldEvent;
    this.hash.update(line);
    this.count++;
    this.lines?.push(line);
    for (const listener of this.listeners) listener(event);
  }

  get size(): number {
    return this.count;
  }

  /** Hash of every event so far: equal hashes mean, in practice, equal histories. */
  digest(): string {
    return this.hash.digest();
  }

  /** The recorded history as JSON lines (empty unless recording). */
  history(): readonly string[] {
    return this.lines ?? [];
  }
}
