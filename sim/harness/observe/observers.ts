import type { ArtifactHash, EngineParams, SledId } from '../../../core/index.ts';
import {
  UNNUMBERED,
  type EventClock,
  type NexusId,
  type RemovalCause,
  type RepoName,
  type RequestKind,
  type RequestOutcome,
  type StoredVia,
  type WorldEvent,
  type WorldEventBody,
  type WorldEventObserver,
} from '../../world/world-events.ts';
import { EventTime } from './event-time.ts';
import { GroundTruth } from './ground-truth.ts';
import { ObservedIds } from './interner.ts';
import { kindCode, OpenRequests } from './open-requests.ts';
import { RunMetrics } from './run-metrics.ts';
import { SafetyCheckers } from './safety-checkers.ts';
import { SituationCounter } from './situations.ts';

export interface ObserversOptions {
  readonly m2PerSled: number;
  readonly minSledReplication: number;
  /** The scenario's repos. An array, not any iterable: it is read twice (the ids' room, then the metrics). */
  readonly catalog: readonly { readonly name: RepoName; readonly artifacts: readonly { readonly hash: ArtifactHash; readonly size: number }[] }[];
  readonly engine: EngineParams;
  readonly artifactQuota: number;
  /** Keep a row per request (requests.csv). */
  readonly requestRows: boolean;
  /** Run the safety checkers. */
  readonly checkers: boolean;
  /** Count the situations. */
  readonly situations: boolean;
}

/**
 * Everything that watches a run, fed in one pass per event: the event's sled, artifact
 * and Nexus are interned once, then the ground truth, the metrics, the safety checkers
 * and the situation counter see it, in that order (each later one reads what the earlier
 * ones made of it). They share one table of open requests, and read the time of the
 * event from one `EventTime`. Observes only.
 */
export class Observers implements WorldEventObserver {
  readonly ids: ObservedIds;
  /** The time of the event being observed. */
  readonly time = new EventTime();
  readonly truth: GroundTruth;
  readonly metrics: RunMetrics;
  readonly checkers: SafetyCheckers;
  readonly situations: SituationCounter;
  private readonly requests = new OpenRequests();
  private readonly checking: boolean;
  private readonly counting: boolean;
  /** How many lost artifacts the metrics had found after the last event. */
  private lostSeen = 0;

  constructor(options: ObserversOptions) {
    // Room for every artifact the catalog numbers, counted as the world numbers them (once each).
    const artifacts = new Set<string>();
    for (const repo of options.catalog) for (const a of repo.artifacts) artifacts.add(a.hash);
    this.ids = new ObservedIds(artifacts.size);
    const { ids, requests, time } = this;
    this.truth = new GroundTruth(options.m2PerSled, ids);
    this.metrics = new RunMetrics(this.truth, ids, requests, time, options.minSledReplication, options.catalog, options.requestRows);
    this.checkers = new SafetyCheckers(this.truth, this.metrics, ids, requests, time, options.engine, options.artifactQuota);
    this.situations = new SituationCounter(this.truth, this.metrics, ids, requests, options.minSledReplication);
    this.checking = options.checkers;
    this.counting = options.situations;
  }

  /** Watching an event log: each event's time is `clock`'s. */
  follow(clock: EventClock): void {
    this.time.follow(clock);
  }

  /**
   * Any event, from its type, at its own `t`: what `recheck` and tests call. `sled` and
   * `artifact`: the world's numbers of the sled (a request's target) and the artifact `e`
   * names, as `WorldEventLog.emit` passes them; a history read back from JSON has none,
   * and the names are looked up.
   */
  readonly observe = (e: WorldEvent, sled = UNNUMBERED, artifact = UNNUMBERED): void => {
    this.time.set(e.t);
    switch (e.type) {
      case 'request_sent':
        this.requestSent(e.id, e.nexus, e.activation, e.kind, e.target, e.source, e.hash, e.bytes, sled, artifact);
        break;
      case 'request_done':
        this.requestDone(e.id, e.outcome, e.error);
        break;
      case 'artifact_stored':
        this.artifactStored(e.sled, e.m2, e.hash, e.bytes, e.via, sled, artifact);
        break;
      case 'artifact_removed':
        this.artifactRemoved(e.sled, e.m2, e.hash, e.bytes, e.cause, sled, artifact);
        break;
      default:
        this.other(e, sled, artifact);
        break;
    }
  };

  /** A request_sent, from its fields (see `SendRequest`). */
  requestSent(
    id: number,
    nexus: NexusId,
    activation: number,
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    hash: ArtifactHash | null,
    bytes: number,
    targetNumber: number,
    artifactNumber: number,
  ): void {
    const { ids, metrics, checkers, situations } = this;
    const code = kindCode(kind);
    const sender = ids.nexus.id(nexus);
    const on = ids.sleds.numbered(target, targetNumber);
    const artifact = hash === null ? -1 : ids.hashes.numbered(hash, artifactNumber);
    this.requests.open(id, code, sender, on, artifact, bytes);
    if (metrics.keepsRows) metrics.keepRow(id, nexus, activation, kind, target, source, hash, bytes);
    metrics.requestSent(code, on, artifact);
    if (this.checking) checkers.requestSent(id, code, sender, activation, nexus);
    if (this.counting) situations.requestSent(code, sender, on, artifact, activation, source);
    this.noteLosses();
  }

  /** A request_done, from its fields. */
  requestDone(id: number, outcome: RequestOutcome, error: string | null): void {
    const requests = this.requests;
    if (requests.isOpen(id)) {
      if (requests.isOpenForMetrics(id)) this.metrics.requestDone(id, outcome, error);
      if (this.checking) this.checkers.requestDone(id);
      if (this.counting) this.situations.requestDone(id, error);
      requests.close(id);
    }
    this.noteLosses();
  }

  /** An artifact_stored, from its fields (see `StoreCopy`). */
  artifactStored(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, via: StoredVia, sledNumber: number, artifactNumber: number): void {
    const { ids, checkers, situations } = this;
    const on = ids.sleds.numbered(sled, sledNumber);
    const artifact = ids.hashes.numbered(hash, artifactNumber);
    this.truth.stored(on, artifact, m2, bytes);
    this.metrics.stored(artifact);
    if (this.checking) checkers.stored(on, artifact, m2, via);
    if (this.counting) situations.stored(on, artifact, m2);
    this.noteLosses();
  }

  /** An artifact_removed, from its fields (see `RemoveCopy`). */
  artifactRemoved(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, cause: RemovalCause, sledNumber: number, artifactNumber: number): void {
    const { ids, checkers, situations } = this;
    const on = ids.sleds.numbered(sled, sledNumber);
    const artifact = ids.hashes.numbered(hash, artifactNumber);
    this.truth.removed(on, artifact, m2, bytes, cause);
    this.metrics.removed(artifact);
    if (this.checking) checkers.removed(on, artifact, cause);
    if (this.counting) situations.removed(on, artifact, cause);
    this.noteLosses();
  }

  /** Every type but the four above. */
  other(e: WorldEventBody, sled: number, artifact: number): void {
    const { ids, truth, metrics, checkers, situations, checking, counting } = this;
    switch (e.type) {
      case 'artifact_truncated': {
        const on = ids.sleds.numbered(e.sled, sled);
        truth.truncated(on, ids.hashes.numbered(e.hash, artifact), e.m2, e.bytes, e.size);
        if (checking) checkers.truncated(e, on);
        if (counting) situations.truncated();
        break;
      }
      case 'activation_started':
        metrics.activationStarted();
        break;
      case 'activation_finished':
        metrics.activationFinished(e);
        if (checking) checkers.activationFinished(ids.nexus.id(e.nexus), e.activation);
        break;
      case 'config_stored':
        if (checking) checkers.configStored(e, ids.sleds.numbered(e.sled, sled));
        break;
      case 'write_failed':
        if (counting) situations.writeFailed(e);
        break;
      case 'sled_added':
        truth.sledAdded(ids.sleds.numbered(e.sled, sled));
        metrics.sledsChanged(false);
        break;
      case 'sled_expunged':
        truth.sledExpunged(ids.sleds.numbered(e.sled, sled));
        metrics.sledsChanged(true);
        break;
      case 'fault_started':
        truth.faultStarted(e.kind, e.target);
        metrics.faultStarted(e);
        break;
      case 'fault_ended':
        truth.faultEnded(e.kind, e.target);
        metrics.faultEnded(e);
        break;
      case 'repo_upload_started':
        metrics.repoUploadStarted(e);
        break;
      case 'repo_inserted': {
        const artifacts = ids.hashes.idsOf(e.artifacts);
        truth.repoInserted(e.repo, artifacts);
        metrics.repoInserted(e);
        if (checking) checkers.repoInserted(artifacts);
        break;
      }
      case 'repo_deleted':
        truth.repoDeleted(e.repo);
        metrics.repoDeleted(e);
        break;
      case 'local_repo_added':
        truth.localRepoAdded(e.nexus, e.repo, e.bytes);
        metrics.localRepoAdded();
        break;
      case 'local_repo_released':
        truth.localRepoReleased(e.nexus, e.repo, e.bytes);
        metrics.localRepoReleased(e);
        if (checking) checkers.localRepoReleased(e);
        if (counting) situations.localRepoReleased(e);
        break;
      case 'local_repos_lost':
        truth.localReposLost(e.nexus);
        metrics.localReposLost(ids.nexus.id(e.nexus));
        if (counting) situations.localReposLost(e);
        break;
      case 'nexus_started': {
        const nexus = ids.nexus.id(e.nexus);
        if (checking) checkers.nexusStarted(nexus);
        if (counting) situations.nexusStarted(nexus);
        break;
      }
      default:
        break;
    }
    this.noteLosses();
  }

  /**
   * Artifacts lost in this event, or found lost by a sample since the last: rare, so one
   * look here, not one in each observer every event.
   */
  private noteLosses(): void {
    const lost = this.metrics.lostArtifacts.size;
    if (lost !== this.lostSeen) {
      this.lostSeen = lost;
      if (this.checking) this.checkers.reportLosses();
      if (this.counting) this.situations.countLosses();
    }
  }
}
