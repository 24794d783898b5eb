import type { ArtifactHash } from '../../../core/index.ts';
import type { Micros } from '../../world/kernel/event-queue.ts';
import type { FaultKind, NexusId, RepoName, RequestKind, RequestOutcome, WorldEvent } from '../../world/world-events.ts';
import { GroundTruth } from './ground-truth.ts';
import { PairCounter } from './pair-map.ts';
import { RequestTable } from './request-table.ts';

export interface RequestRow {
  readonly id: number;
  readonly start: Micros;
  end: Micros | null;
  readonly nexus: NexusId;
  readonly activation: number;
  readonly kind: RequestKind;
  readonly target: string;
  readonly source: string | null;
  readonly artifact: ArtifactHash | null;
  readonly bytes: number;
  outcome: RequestOutcome | null;
  error: string | null;
}

export interface FaultRow {
  readonly id: number;
  readonly start: Micros;
  end: Micros | null;
  readonly kind: FaultKind;
  readonly target: string;
}

export interface RepoRow {
  readonly repo: RepoName;
  artifacts: number;
  bytes: number;
  via: NexusId | null;
  uploadedAt: Micros | null;
  inDbAt: Micros | null;
  minReplicatedAt: Micros | null;
  fullyReplicatedAt: Micros | null;
  localReleasedAt: Micros | null;
  deletedAt: Micros | null;
  purgedAt: Micros | null;
  lost: number;
}

/**
 * Everything the reports need, gathered from the event stream as it happens: requests
 * and their outcomes, fault intervals, each repo's lifecycle, and running peaks. Reads
 * ground truth only; never touches the world.
 */
export class RunMetrics {
  readonly truth: GroundTruth;
  /** Every request, in sending order; empty unless the rows are kept (for requests.csv). */
  readonly requests: RequestRow[] = [];
  /** Requests sent, by kind. */
  readonly requestsSent = new Map<RequestKind, number>();
  /** Requests that ended in an error or a timeout. */
  requestsFailed = 0;
  /** Bytes of requests that succeeded, by kind. */
  readonly bytesMoved = new Map<RequestKind, number>();
  private readonly openRequests = new RequestTable<RequestRow>();
  /** kind → (target, artifact) of requests in flight → how many. */
  private readonly inFlightKeys = new Map<RequestKind, PairCounter>();
  readonly faults: FaultRow[] = [];
  private readonly openFaults = new Map<number, FaultRow>();
  readonly repos = new Map<RepoName, RepoRow>();
  private readonly repoArtifacts = new Map<RepoName, readonly ArtifactHash[]>();
  private readonly reposByHash = new Map<ArtifactHash, RepoName[]>();
  private readonly sizes = new Map<ArtifactHash, number>();
  readonly lostArtifacts = new Set<ArtifactHash>();
  activations = 0;
  requestsDeferred = 0;
  duplicateRequests = 0;
  peakLocalBytes = 0;
  /** Largest number of bytes stored on one M.2 dataset. */
  peakDatasetBytes = 0;

  constructor(
    m2PerSled: number,
    private readonly minSledReplication: number,
    catalog: Iterable<{ readonly name: RepoName; readonly artifacts: readonly { readonly hash: ArtifactHash; readonly size: number }[] }>,
    /** Keep a row per request. A day of a rack sends some 10⁵ requests; only requests.csv needs them. */
    private readonly keepRequests: boolean,
  ) {
    this.truth = new GroundTruth(m2PerSled);
    for (const repo of catalog) {
      this.repoArtifacts.set(repo.name, repo.artifacts.map((a) => a.hash));
      for (const a of repo.artifacts) {
        this.sizes.set(a.hash, a.size);
        const list = this.reposByHash.get(a.hash) ?? [];
        list.push(repo.name);
        this.reposByHash.set(a.hash, list);
      }
    }
  }

  get inFlight(): number {
    return this.openRequests.size;
  }

  readonly observe = (e: WorldEvent): void => {
    this.truth.observe(e);
    switch (e.type) {
      case 'request_sent': {
        const row: RequestRow = {
          id: e.id,
          start: e.t,
          end: null,
          nexus: e.nexus,
          activation: e.activation,
          kind: e.kind,
          target: e.target,
          source: e.source,
          artifact: e.hash,
          bytes: e.bytes,
          outcome: null,
          error: null,
        };
        if (this.keepRequests) this.requests.push(row);
        this.openRequests.set(e.id, row);
        this.requestsSent.set(e.kind, (this.requestsSent.get(e.kind) ?? 0) + 1);
        if (e.hash !== null && this.inFlightOf(e.kind).add(e.target, e.hash, 1) > 0) this.duplicateRequests++;
        break;
      }
      case 'request_done': {
        const row = this.openRequests.take(e.id);
        if (row === undefined) break;
        row.end = e.t;
        row.outcome = e.outcome;
        row.error = e.error;
        if (e.outcome === 'ok') this.bytesMoved.set(row.kind, (this.bytesMoved.get(row.kind) ?? 0) + row.bytes);
        else this.requestsFailed++;
        if (row.artifact !== null) this.inFlightOf(row.kind).add(row.target, row.artifact, -1);
        break;
      }
      case 'local_repos_lost':
        // Requests of a crashed Nexus never end; they stay open-ended in requests.csv.
        this.openRequests.closeWhere((row) => row.nexus === e.nexus);
        this.checkLoss();
        break;
      case 'activation_started':
        this.activations++;
        break;
      case 'activation_finished':
        this.requestsDeferred += e.deferred;
        break;
      case 'fault_started': {
        const row: FaultRow = { id: e.fault, start: e.t, end: null, kind: e.kind, target: e.target };
        this.faults.push(row);
        if (e.kind !== 'm2_failure') this.openFaults.set(e.fault, row);
        if (e.kind === 'nexus_crash') this.checkLoss();
        break;
      }
      case 'fault_ended': {
        const row = this.openFaults.get(e.fault);
        if (row !== undefined) row.end = e.t;
        this.openFaults.delete(e.fault);
        break;
      }
      case 'repo_upload_started': {
        const row = this.repo(e.repo);
        row.uploadedAt ??= e.t;
        row.via ??= e.nexus;
        break;
      }
      case 'repo_inserted': {
        const row = this.repo(e.repo);
        row.inDbAt = e.t;
        row.deletedAt = null;
        row.purgedAt = null;
        this.updateRepo(row, e.t);
        this.checkLoss();
        break;
      }
      case 'repo_deleted': {
        const row = this.repo(e.repo);
        row.deletedAt = e.t;
        this.updatePurged(row, e.t);
        break;
      }
      case 'local_repo_added': {
        const { bytes } = this.truth.localTotals();
        if (bytes > this.peakLocalBytes) this.peakLocalBytes = bytes;
        break;
      }
      case 'local_repo_released':
        this.repo(e.repo).localReleasedAt = e.t;
        this.checkLoss();
        break;
      case 'artifact_stored': {
        const bytes = this.truth.datasetUsage(e.sled, e.m2);
        if (bytes > this.peakDatasetBytes) this.peakDatasetBytes = bytes;
        this.onCopiesChanged(e.hash, e.t);
        break;
      }
      case 'artifact_removed': {
        this.onCopiesChanged(e.hash, e.t);
        // Removing a copy can lose only that artifact.
        if (this.truth.isWanted(e.hash)) this.checkLossOf(e.hash);
        break;
      }
      case 'sled_expunged':
      case 'sled_added':
        for (const row of this.repos.values()) this.updateRepo(row, e.t);
        if (e.type === 'sled_expunged') this.checkLoss();
        break;
      default:
        break;
    }
  };

  private inFlightOf(kind: RequestKind): PairCounter {
    let counter = this.inFlightKeys.get(kind);
    if (counter === undefined) {
      counter = new PairCounter();
      this.inFlightKeys.set(kind, counter);
    }
    return counter;
  }

  artifactsOf(repo: RepoName): readonly ArtifactHash[] | undefined {
    return this.repoArtifacts.get(repo);
  }

  /**
   * Wanted artifacts with no copy on an in-service sled and none in a live Nexus's local
   * storage are lost: omicron has no way to get them back.
   */
  checkLoss(): void {
    for (const hash of this.truth.wanted()) this.checkLossOf(hash);
  }

  private checkLossOf(hash: ArtifactHash): void {
    if (this.lostArtifacts.has(hash) || this.truth.holderCount(hash) > 0) return;
    if (this.truth.heldLocally(hash, (r) => this.repoArtifacts.get(r))) return;
    this.lostArtifacts.add(hash);
    for (const name of this.reposByHash.get(hash) ?? []) {
      const row = this.repos.get(name);
      if (row?.inDbAt !== null && row?.inDbAt !== undefined) row.lost++;
    }
  }

  private repo(name: RepoName): RepoRow {
    let row = this.repos.get(name);
    if (row === undefined) {
      const artifacts = this.repoArtifacts.get(name) ?? [];
      row = {
        repo: name,
        artifacts: artifacts.length,
        bytes: artifacts.reduce((sum, h) => sum + (this.sizes.get(h) ?? 0), 0),
        via: null,
        uploadedAt: null,
        inDbAt: null,
        minReplicatedAt: null,
        fullyReplicatedAt: null,
        localReleasedAt: null,
        deletedAt: null,
        purgedAt: null,
        lost: 0,
      };
      this.repos.set(name, row);
    }
    return row;
  }

  private onCopiesChanged(hash: ArtifactHash, t: Micros): void {
    for (const name of this.reposByHash.get(hash) ?? []) {
      const row = this.repos.get(name);
      if (row === undefined) continue;
      if (row.deletedAt === null) this.updateRepo(row, t, hash);
      else this.updatePurged(row, t, hash);
    }
  }

  /**
   * Marks the first time a repo in the database is on `min` sleds, then on every sled.
   * `changed`: the artifact whose copies just changed; unless it now meets a mark, the
   * repo cannot, and its other artifacts need no look.
   */
  private updateRepo(row: RepoRow, t: Micros, changed?: ArtifactHash): void {
    if (row.inDbAt === null || row.deletedAt !== null) return;
    if (row.minReplicatedAt !== null && row.fullyReplicatedAt !== null) return;
    const truth = this.truth;
    const sleds = truth.inService.size;
    const min = Math.min(this.minSledReplication, sleds);
    const mayMeetMin = row.minReplicatedAt === null && (changed === undefined || truth.holderCount(changed) >= min);
    const mayMeetAll = row.fullyReplicatedAt === null && (changed === undefined || truth.fullHolderCount(changed) >= sleds);
    if (!mayMeetMin && !mayMeetAll) return;
    const artifacts = this.repoArtifacts.get(row.repo) ?? [];
    if (mayMeetMin && artifacts.every((h) => truth.holderCount(h) >= min)) row.minReplicatedAt = t;
    if (mayMeetAll && artifacts.every((h) => truth.fullHolderCount(h) >= sleds)) row.fullyReplicatedAt = t;
  }

  /** A deleted repo is purged once no in-service sled holds an artifact only it wanted. */
  private updatePurged(row: RepoRow, t: Micros, changed?: ArtifactHash): void {
    if (row.deletedAt === null || row.purgedAt !== null) return;
    const artifacts = this.repoArtifacts.get(row.repo) ?? [];
    const gone = (h: ArtifactHash): boolean => this.truth.isWanted(h) || this.truth.holderCount(h) === 0;
    if ((changed === undefined || gone(changed)) && artifacts.every(gone)) row.purgedAt = t;
  }
}
