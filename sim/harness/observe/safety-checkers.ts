import type { ArtifactHash, EngineParams, SledId } from '../../../core/index.ts';
import type { Micros } from '../../world/kernel/event-queue.ts';
import type { BodyOf, EventClock, NexusId, RemovalCause, RepoName, StoredVia } from '../../world/world-events.ts';
import type { GroundTruth } from './ground-truth.ts';
import { PairTable } from './id-tables.ts';
import type { ObservedIds } from './interner.ts';
import { CONFIG, LIST, PUT, type OpenRequests } from './open-requests.ts';
import type { RunMetrics } from './run-metrics.ts';

export const SAFETY_INVARIANTS = [
  'artifact_integrity',
  'no_data_loss',
  'no_backwards_delete',
  'local_retention',
  'no_resurrection',
  'quota',
  'generation_monotonic',
  'request_limits',
] as const;
export type SafetyInvariant = (typeof SAFETY_INVARIANTS)[number];

export interface Violation {
  readonly t: Micros;
  readonly invariant: SafetyInvariant | 'converges';
  readonly nexus: NexusId | null;
  readonly sled: SledId | null;
  readonly repo: RepoName | null;
  readonly artifact: ArtifactHash | null;
  readonly detail: string;
}

interface ActivationTally {
  requests: number;
  puts: number;
  inFlight: number;
  flagged: boolean;
}

/**
 * The safety invariants of SPEC §4, checked as events happen, from ground truth (the
 * metrics' `GroundTruth`), never from a Nexus's view. `Observers` feeds it each event
 * after the ground truth and the metrics. Observes only.
 */
export class SafetyCheckers {
  readonly violations: Violation[] = [];
  /** (sled, artifact) → 1 once removed while no repo wanted the artifact. */
  private readonly removedUnwanted: PairTable;
  /** Sled → its last configuration generation. */
  private readonly configGeneration: (number | undefined)[] = [];
  /** Nexus → its running activations' tallies, by activation number. */
  private readonly activations: (Map<number, number> | undefined)[] = [];
  /** Every activation's tally; the open-request table holds the index of its sender's. */
  private readonly tallies: ActivationTally[] = [];
  private lostSeen = 0;
  /**
   * The last Nexus and activation a request was tallied for, and the tally's index (a
   * Nexus sends an activation's requests in a run): forgotten when any activation ends
   * or a Nexus restarts, after which the same numbers name another tally.
   */
  private lastNexus = -1;
  private lastActivation = -1;
  private lastIndex = -1;

  constructor(
    private readonly truth: GroundTruth,
    private readonly metrics: RunMetrics,
    private readonly ids: ObservedIds,
    private readonly open: OpenRequests,
    /** The time of the event being observed: a violation's time. */
    private readonly time: EventClock,
    private readonly params: EngineParams,
    private readonly quota: number,
  ) {
    this.removedUnwanted = new PairTable(ids.sleds, ids.hashes);
  }

  // The checks run per event are kept small, each violation flagged from a method of its
  // own: see `RunMetrics.requestSent` (TurboFan's inlining budget).

  // A copy's events come as numbers (see `Observers.artifactStored`): a violation names
  // its sled and artifact from the ids.

  removed(sled: number, hash: number, cause: RemovalCause): void {
    if (cause === 'm2_failure') return;
    if (this.truth.isWanted(hash)) this.backwardsDelete(sled, hash, cause);
    else this.removedUnwanted.set(sled, hash, 1);
  }

  private backwardsDelete(sled: number, hash: number, cause: RemovalCause): void {
    const { ids } = this;
    this.flag('no_backwards_delete', { sled: ids.sleds.name(sled), artifact: ids.hashes.name(hash), detail: `${cause} removed a copy a repo in the database references` });
  }

  truncated(e: BodyOf<'artifact_truncated'>, sled: number): void {
    if (this.truth.isInService(sled)) {
      this.flag('artifact_integrity', {
        sled: e.sled,
        artifact: e.hash,
        detail: `M.2 ${e.m2} lists a file of ${e.bytes} of the artifact's ${e.size} bytes`,
      });
    }
  }

  stored(sled: number, hash: number, m2: number, via: StoredVia): void {
    const truth = this.truth;
    if (!truth.isWanted(hash) && this.removedUnwanted.get(sled, hash) === 1) this.resurrected(sled, hash, via);
    if (truth.storedUsage > this.quota) this.overQuota(sled, hash, m2);
  }

  private resurrected(sled: number, hash: number, via: StoredVia): void {
    const { ids } = this;
    this.flag('no_resurrection', { sled: ids.sleds.name(sled), artifact: ids.hashes.name(hash), detail: `an unwanted artifact came back by ${via}` });
  }

  private overQuota(sled: number, hash: number, m2: number): void {
    const { ids } = this;
    const bytes = this.truth.storedUsage;
    this.flag('quota', { sled: ids.sleds.name(sled), artifact: ids.hashes.name(hash), detail: `M.2 ${m2} holds ${bytes} bytes, quota ${this.quota}` });
  }

  repoInserted(artifacts: readonly number[]): void {
    const sleds = this.ids.sleds.size;
    for (const hash of artifacts) for (let sled = 0; sled < sleds; sled++) if (this.truth.isInService(sled)) this.removedUnwanted.set(sled, hash, 0);
  }

  localRepoReleased(e: BodyOf<'local_repo_released'>): void {
    if (e.by !== 'task') return;
    // A repo deleted from the database protects nothing (no_data_loss is scoped the
    // same way): review releases one as soon as its DELETEd artifacts appear nowhere.
    if (this.metrics.repos.get(e.repo)?.deletedAt != null) return;
    const artifacts = this.metrics.artifactsOf(e.repo) ?? [];
    // A loop, not `filter` with a closure (see `isReleasable`, core/local-repos.ts).
    let short = 0;
    let first = -1;
    for (const h of artifacts) {
      if (this.truth.holderCount(h) >= this.params.minSledReplication) continue;
      if (short++ === 0) first = h;
    }
    if (short > 0) {
      this.flag('local_retention', {
        nexus: e.nexus,
        repo: e.repo,
        artifact: this.ids.hashes.name(first),
        detail: `released while ${short} artifacts are on fewer than ${this.params.minSledReplication} in-service sleds`,
      });
    }
  }

  configStored(e: BodyOf<'config_stored'>, sled: number): void {
    const before = this.configGeneration[sled];
    if (before !== undefined && e.generation < before) {
      this.flag('generation_monotonic', { sled: e.sled, detail: `configuration generation went from ${before} to ${e.generation}` });
    }
    while (this.configGeneration.length < sled) this.configGeneration.push(undefined);
    this.configGeneration[sled] = e.generation;
  }

  /** Request `id` sent by `nexus` (its id; `name`, its name) in `activation`. */
  requestSent(id: number, kind: number, nexus: number, activation: number, name: NexusId): void {
    if (kind === LIST || kind === CONFIG) return;
    const index = nexus === this.lastNexus && activation === this.lastActivation ? this.lastIndex : this.tallyOf(nexus, activation);
    this.open.setTally(id, index);
    const tally = this.tallies[index] as ActivationTally;
    tally.requests++;
    if (kind === PUT) tally.puts++;
    tally.inFlight++;
    this.checkLimits(name, tally);
  }

  requestDone(id: number): void {
    const kind = this.open.kind(id);
    if (kind === LIST || kind === CONFIG) return;
    (this.tallies[this.open.tally(id)] as ActivationTally).inFlight--;
  }

  /** The index of the tally of `nexus`'s running `activation`, a new one if it has none; kept as the last. */
  private tallyOf(nexus: number, activation: number): number {
    while (this.activations.length <= nexus) this.activations.push(undefined);
    let running = this.activations[nexus];
    if (running === undefined) {
      running = new Map();
      this.activations[nexus] = running;
    }
    let index = running.get(activation);
    if (index === undefined) {
      index = this.tallies.length;
      this.tallies.push({ requests: 0, puts: 0, inFlight: 0, flagged: false });
      running.set(activation, index);
    }
    this.lastNexus = nexus;
    this.lastActivation = activation;
    this.lastIndex = index;
    return index;
  }

  activationFinished(nexus: number, activation: number): void {
    this.activations[nexus]?.delete(activation);
    this.lastNexus = -1;
  }

  nexusStarted(nexus: number): void {
    // A restarted Nexus numbers its activations from 1 again; the crashed ones never finish.
    if (nexus < this.activations.length) this.activations[nexus] = undefined;
    this.lastNexus = -1;
  }

  private checkLimits(nexus: NexusId, tally: ActivationTally): void {
    if (tally.flagged) return;
    const p = this.params;
    let detail: string | undefined;
    if (p.generation === 'review') {
      if (tally.requests > p.maxRequests) detail = `${tally.requests} requests in one activation, max_requests ${p.maxRequests}`;
      else if (tally.puts > p.maxPutRequests) detail = `${tally.puts} PUTs in one activation, max_put_requests ${p.maxPutRequests}`;
    } else if (tally.inFlight > p.maxRequestConcurrency) {
      detail = `${tally.inFlight} requests in flight, max_request_concurrency ${p.maxRequestConcurrency}`;
    }
    if (detail !== undefined) {
      tally.flagged = true;
      this.flag('request_limits', { nexus, detail });
    }
  }

  /**
   * After an event in which (or before which, in a sample) the metrics found artifacts
   * lost: reports those not yet reported, at the event's time.
   */
  reportLosses(): void {
    const lost = [...this.metrics.lostArtifacts];
    for (const hash of lost.slice(this.lostSeen)) {
      this.flag('no_data_loss', { artifact: hash, detail: 'no copy on an in-service sled and none in a live Nexus' });
    }
    this.lostSeen = lost.length;
  }

  /** A violation at the time of the event being observed. */
  private flag(invariant: SafetyInvariant, where: Partial<Omit<Violation, 't' | 'invariant'>> & { detail: string }): void {
    this.violations.push({
      t: this.time.now,
      invariant,
      nexus: where.nexus ?? null,
      sled: where.sled ?? null,
      repo: where.repo ?? null,
      artifact: where.artifact ?? null,
      detail: where.detail,
    });
  }
}
