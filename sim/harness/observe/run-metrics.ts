import type { ArtifactHash, SledId } from '../../../core/index.ts';
import type { Micros } from '../../world/kernel/event-queue.ts';
import type { BodyOf, EventClock, FaultKind, NexusId, RepoName, RequestKind, RequestOutcome } from '../../world/world-events.ts';
import type { GroundTruth } from './ground-truth.ts';
import { IdColumn, PairTable } from './id-tables.ts';
import type { ObservedIds } from './interner.ts';
import { KINDS, type OpenRequests } from './open-requests.ts';
import { FLOAT_ZERO } from '../../../core/shapes.ts';

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

/** A repo of the catalog: its artifacts, as ids, and its row. */
interface CatalogRepo {
  readonly name: RepoName;
  readonly hashes: readonly number[];
  readonly bytes: number;
  /**
   * `repos`' row of this repo (names are unique: a scenario refuses a repo defined twice),
   * which each copy change reads without a lookup by name. Made with the entry, and in
   * `repos` from the repo's first event: until then nothing sets a time in it. Set once,
   * the field stays one V8 treats as constant (set later, it dropped the optimized code
   * that had read it, two methods per world).
   */
  readonly row: RepoRow;
  /**
   * Where in `hashes` `allHeldBy` last found an artifact short of the minimum, and of
   * every sled: the next look starts there, where one most likely still is.
   */
  shortOfMin: number;
  shortOfAll: number;
}

/** The row of a repo nothing has happened to yet. */
function newRow(repo: RepoName, artifacts: number, bytes: number): RepoRow {
  return {
    repo,
    artifacts,
    bytes,
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
}

/**
 * Tallies by request kind, with the kinds in the order first counted (as the maps the
 * reports read had them).
 */
class KindTallies {
  private readonly values = [0, 0, 0, 0, 0];
  private readonly order: number[] = [];
  /** Bit `kind` set once `kind` is in `order`. */
  private counted = 0;

  add(kind: number, delta: number): void {
    if ((this.counted & (1 << kind)) === 0) this.first(kind);
    this.values[kind] = (this.values[kind] as number) + delta;
  }

  private first(kind: number): void {
    this.counted |= 1 << kind;
    this.order.push(kind);
  }

  toMap(): ReadonlyMap<RequestKind, number> {
    return new Map(this.order.map((k) => [KINDS[k] as RequestKind, this.values[k] as number]));
  }
}

/**
 * Everything the reports need, gathered from the event stream as it happens: requests
 * and their outcomes, fault intervals, each repo's lifecycle, and running peaks. Reads
 * ground truth only; never touches the world. `Observers` feeds it each event after the
 * ground truth.
 */
export class RunMetrics {
  /** Every request, in sending order; empty unless the rows are kept (for requests.csv). */
  readonly requests: RequestRow[] = [];
  /** The kept row of each open request, by id. */
  private readonly openRows: (RequestRow | undefined)[] = [];
  private readonly sent = new KindTallies();
  /** Requests that ended in an error or a timeout. */
  requestsFailed = 0;
  private readonly moved = new KindTallies();
  /** kind → (target, artifact) of requests in flight → how many. */
  private readonly inFlightKeys: readonly PairTable[];
  readonly faults: FaultRow[] = [];
  private readonly openFaults = new Map<number, FaultRow>();
  readonly repos = new Map<RepoName, RepoRow>();
  private readonly catalog = new Map<RepoName, CatalogRepo>();
  /** Artifact → the catalog's repos that hold it. */
  private readonly reposByHash: CatalogRepo[][] = [];
  readonly lostArtifacts = new Set<ArtifactHash>();
  /** 1 for a lost artifact. */
  private readonly lost: IdColumn;
  activations = 0;
  requestsDeferred = 0;
  duplicateRequests = 0;
  // Byte counts pass 2^30 early in a seed: floats from the start (`FLOAT_ZERO`).
  peakLocalBytes = FLOAT_ZERO;
  /** Largest number of bytes stored on one M.2 dataset. */
  peakDatasetBytes = FLOAT_ZERO;

  constructor(
    readonly truth: GroundTruth,
    private readonly ids: ObservedIds,
    private readonly open: OpenRequests,
    /**
     * The time of the event being observed, read where a time is kept (times pass 2³¹ µs,
     * so they are floats, and a float passed as an argument is boxed anew on every call).
     */
    private readonly time: EventClock,
    private readonly minSledReplication: number,
    catalog: Iterable<{ readonly name: RepoName; readonly artifacts: readonly { readonly hash: ArtifactHash; readonly size: number }[] }>,
    /** Keep a row per request. A day of a rack sends some 10⁵ requests; only requests.csv needs them. */
    readonly keepsRows: boolean,
  ) {
    // Arrays read on every event are built by pushes, not `map`: interpreted, `map` gives a
    // holey array, optimized a packed one, and code fed both kinds deoptimized whenever a
    // seed's constructor ran in the other tier ("wrong map" in later seeds).
    const inFlightKeys: PairTable[] = [];
    for (let kind = 0; kind < KINDS.length; kind++) inFlightKeys.push(new PairTable(ids.sleds, ids.hashes));
    this.inFlightKeys = inFlightKeys;
    this.lost = new IdColumn(ids.hashes);
    const repos = [...catalog];
    const sizes = new Map<ArtifactHash, number>();
    for (const repo of repos) for (const a of repo.artifacts) sizes.set(a.hash, a.size);
    for (const repo of repos) {
      const hashes: number[] = [];
      for (const a of repo.artifacts) hashes.push(ids.hashes.id(a.hash));
      // Each artifact at the size the catalog gives it last, summed in the repo's order.
      let bytes = 0;
      for (const a of repo.artifacts) bytes += sizes.get(a.hash) ?? 0;
      const entry: CatalogRepo = { name: repo.name, hashes, bytes, row: newRow(repo.name, hashes.length, bytes), shortOfMin: 0, shortOfAll: 0 };
      this.catalog.set(repo.name, entry);
      for (const h of hashes) {
        while (this.reposByHash.length <= h) this.reposByHash.push([]);
        (this.reposByHash[h] as CatalogRepo[]).push(entry);
      }
    }
  }

  /** Requests sent, by kind. */
  get requestsSent(): ReadonlyMap<RequestKind, number> {
    return this.sent.toMap();
  }

  /** Bytes of requests that succeeded, by kind. */
  get bytesMoved(): ReadonlyMap<RequestKind, number> {
    return this.moved.toMap();
  }

  get inFlight(): number {
    return this.open.metricsSize;
  }

  // The per-event methods keep what only some runs or some events need (a request's row,
  // a kind's first count) in methods of their own: TurboFan inlines what an observer calls
  // per event into one body only while the bytecode inlined there stays under a budget
  // (920 bytes), so every rare branch written inline pushed a small hot callee (an
  // `OpenRequests.open`, an `Interner.id`) out into a call of its own.

  requestSent(kind: number, target: number, hash: number): void {
    this.sent.add(kind, 1);
    if (hash !== -1 && (this.inFlightKeys[kind] as PairTable).add(target, hash, 1) > 0) this.duplicateRequests++;
  }

  /** The row of a request just sent, kept for requests.csv. */
  keepRow(
    id: number,
    nexus: NexusId,
    activation: number,
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    artifact: ArtifactHash | null,
    bytes: number,
  ): void {
    const row: RequestRow = { id, start: this.time.now, end: null, nexus, activation, kind, target, source, artifact, bytes, outcome: null, error: null };
    this.requests.push(row);
    while (this.openRows.length < id) this.openRows.push(undefined);
    this.openRows[id] = row;
  }

  /** A request done while open for the metrics. */
  requestDone(id: number, outcome: RequestOutcome, error: string | null): void {
    const open = this.open;
    const kind = open.kind(id);
    if (this.keepsRows) this.endRow(id, outcome, error);
    if (outcome === 'ok') this.moved.add(kind, open.bytes(id));
    else this.requestsFailed++;
    const hash = open.hash(id);
    if (hash !== -1) {
      const inFlight = this.inFlightKeys[kind] as PairTable;
      const target = open.target(id);
      // Never below zero.
      if (inFlight.get(target, hash) > 0) inFlight.add(target, hash, -1);
    }
  }

  private endRow(id: number, outcome: RequestOutcome, error: string | null): void {
    const row = this.openRows[id] as RequestRow;
    this.openRows[id] = undefined;
    row.end = this.time.now;
    row.outcome = outcome;
    row.error = error;
  }

  localReposLost(nexus: number): void {
    // Requests of a crashed Nexus never end; they stay open-ended in requests.csv.
    this.open.closeForMetricsSentBy(nexus);
    this.checkLoss();
  }

  activationStarted(): void {
    this.activations++;
  }

  activationFinished(e: BodyOf<'activation_finished'>): void {
    this.requestsDeferred += e.deferred;
  }

  faultStarted(e: BodyOf<'fault_started'>): void {
    const row: FaultRow = { id: e.fault, start: this.time.now, end: null, kind: e.kind, target: e.target };
    this.faults.push(row);
    if (e.kind !== 'm2_failure') this.openFaults.set(e.fault, row);
    if (e.kind === 'nexus_crash') this.checkLoss();
  }

  faultEnded(e: BodyOf<'fault_ended'>): void {
    const row = this.openFaults.get(e.fault);
    if (row !== undefined) row.end = this.time.now;
    this.openFaults.delete(e.fault);
  }

  repoUploadStarted(e: BodyOf<'repo_upload_started'>): void {
    const row = this.repo(e.repo);
    row.uploadedAt ??= this.time.now;
    row.via ??= e.nexus;
  }

  repoInserted(e: BodyOf<'repo_inserted'>): void {
    const row = this.repo(e.repo);
    row.inDbAt = this.time.now;
    row.deletedAt = null;
    row.purgedAt = null;
    this.updateRepo(row);
    this.checkLoss();
  }

  repoDeleted(e: BodyOf<'repo_deleted'>): void {
    const row = this.repo(e.repo);
    row.deletedAt = this.time.now;
    this.updatePurged(row);
  }

  localRepoAdded(): void {
    const { bytes } = this.truth.localTotals();
    if (bytes > this.peakLocalBytes) this.peakLocalBytes = bytes;
  }

  localRepoReleased(e: BodyOf<'local_repo_released'>): void {
    this.repo(e.repo).localReleasedAt = this.time.now;
    this.checkLoss();
  }

  /** After the ground truth's `stored`. */
  stored(hash: number): void {
    const bytes = this.truth.storedUsage;
    if (bytes > this.peakDatasetBytes) this.peakDatasetBytes = bytes;
    this.onCopiesChanged(hash);
  }

  removed(hash: number): void {
    this.onCopiesChanged(hash);
    // Removing a copy can lose only that artifact.
    if (this.truth.isWanted(hash)) this.checkLossOf(hash);
  }

  sledsChanged(expunged: boolean): void {
    for (const row of this.repos.values()) this.updateRepo(row);
    if (expunged) this.checkLoss();
  }

  artifactsOf(repo: RepoName): readonly number[] | undefined {
    return this.catalog.get(repo)?.hashes;
  }

  isLost(hash: number): boolean {
    return this.lost.get(hash) === 1;
  }

  /**
   * Wanted artifacts with no copy on an in-service sled and none in a live Nexus's local
   * storage are lost: omicron has no way to get them back.
   */
  checkLoss(): void {
    const truth = this.truth;
    for (let h = truth.firstWanted(); h !== -1; h = truth.nextWanted(h)) this.checkLossOf(h);
  }

  private checkLossOf(hash: number): void {
    if (this.lost.get(hash) !== 1 && this.truth.holderCount(hash) === 0) this.checkLocalCopies(hash);
  }

  /** `hash`, wanted and on no in-service sled, is lost unless a live Nexus holds it. */
  private checkLocalCopies(hash: number): void {
    if (this.truth.heldLocally(hash, this)) return;
    this.lost.set(hash, 1);
    this.lostArtifacts.add(this.ids.hashes.name(hash));
    for (const repo of this.reposByHash[hash] ?? []) {
      const row = repo.row;
      if (row.inDbAt !== null) row.lost++;
    }
  }

  private repo(name: RepoName): RepoRow {
    let row = this.repos.get(name);
    if (row === undefined) {
      row = this.catalog.get(name)?.row ?? newRow(name, 0, 0);
      this.repos.set(name, row);
    }
    return row;
  }

  private onCopiesChanged(hash: number): void {
    const repos = this.reposByHash[hash];
    if (repos === undefined) return;
    for (const repo of repos) {
      const row = repo.row;
      // `updateRepo`'s and `updatePurged`'s first checks, here: most rows are past them.
      if (row.deletedAt === null) {
        if (row.inDbAt !== null && (row.minReplicatedAt === null || row.fullyReplicatedAt === null)) this.markReplicated(row, hash, repo);
      } else if (row.purgedAt === null) {
        this.updatePurged(row, hash);
      }
    }
  }

  /** Marks the first time a repo in the database is on `min` sleds, then on every sled. */
  private updateRepo(row: RepoRow): void {
    if (row.inDbAt === null || row.deletedAt !== null) return;
    if (row.minReplicatedAt !== null && row.fullyReplicatedAt !== null) return;
    this.markReplicated(row, -1, this.catalog.get(row.repo));
  }

  /**
   * `updateRepo` past its first checks. `changed`: the artifact whose copies just changed
   * (-1: none); unless it now meets a mark, the repo cannot, and its other artifacts need
   * no look. `repo`: the row's catalog entry.
   */
  private markReplicated(row: RepoRow, changed: number, repo: CatalogRepo | undefined): void {
    const truth = this.truth;
    const sleds = truth.inServiceCount;
    const min = Math.min(this.minSledReplication, sleds);
    const mayMeetMin = row.minReplicatedAt === null && (changed === -1 || truth.holderCount(changed) >= min);
    const mayMeetAll = row.fullyReplicatedAt === null && (changed === -1 || truth.fullHolderCount(changed) >= sleds);
    if (!mayMeetMin && !mayMeetAll) return;
    // A repo the catalog does not know has no artifacts: every one is held.
    if (mayMeetMin && (repo === undefined || this.allHeldBy(repo, min, false))) row.minReplicatedAt = this.time.now;
    if (mayMeetAll && (repo === undefined || this.allHeldBy(repo, sleds, true))) row.fullyReplicatedAt = this.time.now;
  }

  /**
   * Whether every artifact of `repo` has `count` holders (full copies only, if `full`).
   * The look starts at the artifact found short last time and wraps around: while a
   * repo replicates, copies of its other artifacts land one by one, and each asks again.
   */
  private allHeldBy(repo: CatalogRepo, count: number, full: boolean): boolean {
    const truth = this.truth;
    const artifacts = repo.hashes;
    const n = artifacts.length;
    const start = full ? repo.shortOfAll : repo.shortOfMin;
    for (let k = 0, i = start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const h = artifacts[i] as number;
      if ((full ? truth.fullHolderCount(h) : truth.holderCount(h)) < count) {
        if (full) repo.shortOfAll = i;
        else repo.shortOfMin = i;
        return false;
      }
    }
    return true;
  }

  /** A deleted repo is purged once no in-service sled holds an artifact only it wanted. */
  private updatePurged(row: RepoRow, changed = -1): void {
    if (row.deletedAt === null || row.purgedAt !== null) return;
    if (changed !== -1 && !this.isGone(changed)) return;
    // A loop, not `every` with a closure: this runs on each copy change of a deleted repo.
    for (const h of this.artifactsOf(row.repo) ?? []) if (!this.isGone(h)) return;
    row.purgedAt = this.time.now;
  }

  /** Whether no in-service sled holds `hash` unless a repo in the database wants it. */
  private isGone(hash: number): boolean {
    return this.truth.isWanted(hash) || this.truth.holderCount(hash) === 0;
  }
}
