import type { SledId } from '../../../core/index.ts';
import { QUOTA_REACHED } from '../../world/sled/artifact-store.ts';
import type { BodyOf, RemovalCause } from '../../world/world-events.ts';
import type { GroundTruth } from './ground-truth.ts';
import { IdColumn, PairTable } from './id-tables.ts';
import type { ObservedIds } from './interner.ts';
import { CONFIG, COPY, DELETE, LIST, PUT, type OpenRequests } from './open-requests.ts';
import type { RunMetrics } from './run-metrics.ts';

/** The situations a test suite should reach, with what each one is. */
export const SITUATIONS = {
  concurrent_writes: 'two Nexus instances writing the same artifact to the same sled at once',
  stale_delete: 'a DELETE sent for an artifact a repo in the database references',
  copy_after_put: "a copy whose source is one of the same activation's PUT targets",
  generation_conflict: 'a sled refusing an older configuration (409 CONFIG_GENERATION)',
  release_at_minimum: 'a local repo released when its least-replicated artifact is on exactly min_sled_replication sleds',
  restart_mid_write: 'a sled restarting with a write (PUT or copy) in progress',
  resurrected_artifact: 'a copy landing on a sled after a DELETE removed it there',
  quota_refusal: 'a write failing mid-stream because every dataset it wrote to reached its quota',
  nexus_crash_with_local_repos: 'a Nexus crashing while it holds local repos',
  lost_artifact: 'an artifact lost: no copy on any in-service sled or live Nexus',
  truncated_artifact: "a short file left under an artifact's hash, listed as a copy (omicron#7796)",
} as const;
export type Situation = keyof typeof SITUATIONS;

/**
 * Counts how often each named situation happens in a run. `Observers` feeds it each event
 * after the ground truth, the metrics and the checkers. Observes only.
 */
export class SituationCounter {
  readonly counts = new Map<Situation, number>((Object.keys(SITUATIONS) as Situation[]).map((s) => [s, 0]));
  /** Nexus → (target, artifact) → its PUTs and copies of it in flight. */
  private readonly writes: PairTable[];
  /** (target, artifact) → the Nexus instances with a PUT or copy of it in flight. */
  private readonly writers: PairTable;
  /** Nexus → (target, artifact) of its PUTs → 1 + the activation that last sent one (0: none). */
  private readonly puts: PairTable[];
  /**
   * Nexus → artifact → 1 + the activation that last sent a PUT of it (0: none): a copy of
   * an artifact no PUT of this activation wrote needs no look at its source, whose id is a
   * lookup by name (the world numbers no source sled).
   */
  private readonly putActivations: IdColumn[];
  /** (sled, artifact) → 1 once removed by a DELETE. */
  private readonly deleted: PairTable;
  private lost = 0;

  constructor(
    private readonly truth: GroundTruth,
    private readonly metrics: RunMetrics,
    private readonly ids: ObservedIds,
    private readonly open: OpenRequests,
    private readonly minSledReplication: number,
  ) {
    this.writers = new PairTable(ids.sleds, ids.hashes);
    this.deleted = new PairTable(ids.sleds, ids.hashes);
    // Made with the first Nexus's tables (empty, as tables made later are): an array made
    // empty holds small integers until its first push, and `tableOf`, compiled while the
    // first world's held tables, deoptimized at each new world's first push.
    this.writes = [new PairTable(ids.sleds, ids.hashes)];
    this.puts = [new PairTable(ids.sleds, ids.hashes)];
    this.putActivations = [new IdColumn(ids.hashes)];
  }

  /** A (target, artifact) table per Nexus, made when first needed. */
  private tableOf(tables: PairTable[], nexus: number): PairTable {
    while (tables.length <= nexus) tables.push(new PairTable(this.ids.sleds, this.ids.hashes));
    return tables[nexus] as PairTable;
  }

  private bump(situation: Situation): void {
    this.counts.set(situation, (this.counts.get(situation) ?? 0) + 1);
  }

  /** A write's artifact as the tables key it: a PUT or copy without one is keyed by ''. */
  private written(hash: number): number {
    return hash === -1 ? this.ids.hashes.id('') : hash;
  }

  // What runs per event is kept small, and each rarer step a method of its own: see
  // `RunMetrics.requestSent` (TurboFan's inlining budget).

  /** A request sent by `nexus` in `activation` (`source`: a copy's source sled). */
  requestSent(kind: number, nexus: number, target: number, hash: number, activation: number, source: SledId | null): void {
    // A listing writes nothing and is in no situation.
    if (kind === PUT || kind === COPY) this.writeSent(kind, nexus, target, hash, activation, source);
    else if (kind === DELETE && hash !== -1 && this.truth.isWanted(hash)) this.bump('stale_delete');
  }

  /** A PUT or a copy sent. */
  private writeSent(kind: number, nexus: number, target: number, hash: number, activation: number, source: SledId | null): void {
    const key = this.written(hash);
    const before = this.tableOf(this.writes, nexus).add(target, key, 1);
    const writing = before === 0 ? this.writers.add(target, key, 1) : this.writers.get(target, key);
    if (writing - (before > 0 ? 1 : 0) > 0) this.bump('concurrent_writes');
    // A Nexus runs one activation at a time, so a PUT target's activation number tells
    // whether this activation sent it (activations count from 1; the tables hold 1 + it).
    if (kind === PUT) {
      this.tableOf(this.puts, nexus).set(target, key, activation + 1);
      this.putColumnOf(nexus).set(key, activation + 1);
    }
    if (kind === COPY && source !== null && nexus < this.putActivations.length && (this.putActivations[nexus] as IdColumn).get(key) === activation + 1) {
      this.copyAfterPut(nexus, this.ids.sleds.id(source), key, activation);
    }
  }

  /** A copy of `key` from `source` sent by an activation that sent a PUT of `key`. */
  private copyAfterPut(nexus: number, source: number, key: number, activation: number): void {
    if ((this.puts[nexus] as PairTable).get(source, key) === activation + 1) this.bump('copy_after_put');
  }

  private putColumnOf(nexus: number): IdColumn {
    while (this.putActivations.length <= nexus) this.putActivations.push(new IdColumn(this.ids.hashes));
    return this.putActivations[nexus] as IdColumn;
  }

  /** Request `id` done, with `error` unless it succeeded. */
  requestDone(id: number, error: string | null): void {
    const open = this.open;
    const kind = open.kind(id);
    if (kind === PUT || kind === COPY) this.writeDone(id);
    if (error !== null && kind !== LIST) this.failed(kind, error);
  }

  /** A PUT or a copy done. */
  private writeDone(id: number): void {
    const open = this.open;
    const writes = this.tableOf(this.writes, open.nexus(id));
    const target = open.target(id);
    const key = this.written(open.hash(id));
    const before = writes.get(target, key);
    if (before > 0) {
      writes.set(target, key, before - 1);
      if (before === 1) this.writers.add(target, key, -1);
    }
  }

  /** A request other than a listing that failed with `error`. */
  private failed(kind: number, error: string): void {
    if (kind === CONFIG && error.includes('older than the sled')) this.bump('generation_conflict');
    if (error.includes(QUOTA_REACHED)) this.bump('quota_refusal');
  }

  localRepoReleased(e: BodyOf<'local_repo_released'>): void {
    if (e.by !== 'task') return;
    const artifacts = this.metrics.artifactsOf(e.repo) ?? [];
    // A loop, not `map` with a closure (see `isReleasable`, core/local-repos.ts).
    let least = Infinity;
    for (const h of artifacts) least = Math.min(least, this.truth.holderCount(h));
    if (least === this.minSledReplication) this.bump('release_at_minimum');
  }

  writeFailed(e: BodyOf<'write_failed'>): void {
    if (e.reason === 'lost in a restart') this.bump('restart_mid_write');
    if (e.reason.includes(QUOTA_REACHED)) this.bump('quota_refusal');
  }

  truncated(): void {
    this.bump('truncated_artifact');
  }

  removed(sled: number, hash: number, cause: RemovalCause): void {
    if (cause === 'delete') this.deleted.set(sled, hash, 1);
  }

  stored(sled: number, hash: number, m2: number): void {
    if (m2 === 0 && this.deleted.get(sled, hash) === 1) {
      this.deleted.set(sled, hash, 0);
      this.bump('resurrected_artifact');
    }
  }

  localReposLost(e: BodyOf<'local_repos_lost'>): void {
    if (e.repos.length > 0) this.bump('nexus_crash_with_local_repos');
  }

  nexusStarted(nexus: number): void {
    if (nexus < this.puts.length) (this.puts[nexus] as PairTable).clear();
    if (nexus < this.putActivations.length) (this.putActivations[nexus] as IdColumn).clear();
  }

  /** After an event once the metrics found artifacts lost: counts those not yet counted. */
  countLosses(): void {
    const lost = this.metrics.lostArtifacts.size;
    if (lost > this.lost) {
      for (let i = this.lost; i < lost; i++) this.bump('lost_artifact');
      this.lost = lost;
    }
  }
}
