import { usesConfigGenerations, type ArtifactConfig, type ArtifactHash, type Datastore, type EngineGeneration, type SledId } from '../../core/index.ts';
import { delayOf, type Delay, type DelaySpec } from './kernel/distributions.ts';
import type { Micros } from './kernel/event-queue.ts';
import type { Kernel, WaitScope } from './kernel/kernel.ts';
import type { RandomStream } from './kernel/random-streams.ts';
import { NOW, type EmitEvent, type NexusId, type RepoName } from './world-events.ts';

export class DatastoreUnavailable extends Error {
  constructor() {
    super('database unavailable');
    this.name = 'DatastoreUnavailable';
  }
}

/**
 * CockroachDB as the task sees it: repos and their artifacts (shared by hash), the
 * generation of the wanted set, and the in-service sleds. Each query takes a sampled
 * latency. A read sees the snapshot at its start (CockroachDB reads at the transaction's
 * timestamp); a write commits at its end. So a read that starts while an insert is in
 * flight does not see it: the window the `channel_first` upload race needs.
 *
 * `schema` is the engine generation whose datastore code this is: `generation` and
 * `current` bump the generation only for new artifact rows; `current` prunes instead of
 * deleting and reads the configuration in several queries (see `readArtifactConfig`).
 */
export class DatastoreModel {
  private readonly repos = new Map<RepoName, readonly ArtifactHash[]>();
  /** `current`: repos with `time_pruned` set. Still in the database; not in the configuration. */
  private readonly pruned = new Set<RepoName>();
  /** Every artifact row ever inserted (rows outlive their repos' pruning). */
  private readonly artifactRows = new Set<ArtifactHash>();
  /** `current`: each repo's `time_created` (a re-upload resets it). */
  private readonly created = new Map<RepoName, Micros>();
  /** `current`: the `target_release` table's repo column, oldest row first. */
  private readonly targetReleases: RepoName[] = [];
  private readonly references = new Map<ArtifactHash, number>();
  private readonly sleds: SledId[] = [];
  /** In-service sleds by UUID, as the engine's listing returns them. */
  private readonly sledsByUuid: SledId[] = [];
  private readonly uuids = new Map<SledId, string>();
  private generationNumber = 1;
  /**
   * What the last `listSleds` and `read artifacts` answered, kept until a sled or the
   * configuration changes: each of a rack-day seed's ~900 activations read a fresh copy of
   * both where the answer had not changed. Replaced on a change, never mutated: an answer
   * the engine holds stays the snapshot it read.
   */
  private sledListing: readonly SledId[] | undefined = undefined;
  private configListing: ArtifactConfig | undefined = undefined;
  /**
   * `current`: the last `list repo artifacts` answer and the repos it was for. A repo's
   * name fixes its artifacts (the world's catalog: every upload and seed of a name carries
   * the same ones, even after a delete; a re-upload keeps them, a prune keeps the repo), so
   * the same repos answer the same array: the engine then knows the
   * configuration it read before by its identity (`ArtifactIds.idsOf`), and no activation
   * sorts the hashes again.
   */
  private unprunedArtifacts: { readonly repos: readonly RepoName[]; readonly artifacts: readonly ArtifactHash[] } | undefined = undefined;
  private outages = 0;
  private readonly latency: Delay;
  private readonly writeLatency: Delay;

  constructor(
    private readonly kernel: Kernel,
    private readonly rng: RandomStream,
    latency: DelaySpec,
    writeLatency: DelaySpec,
    private readonly emit: EmitEvent,
    private readonly schema: EngineGeneration = 'review',
  ) {
    this.latency = delayOf(latency);
    this.writeLatency = delayOf(writeLatency);
  }

  get generation(): number {
    return this.generationNumber;
  }

  get available(): boolean {
    return this.outages === 0;
  }

  hasRepo(repo: RepoName): boolean {
    return this.repos.has(repo);
  }

  repoNames(): RepoName[] {
    return [...this.repos.keys()];
  }

  /** Whether some repo in the database references `hash`. */
  isWanted(hash: ArtifactHash): boolean {
    return this.references.has(hash);
  }

  /** Wanted artifacts, in order of first reference. */
  wanted(): ArtifactHash[] {
    return [...this.references.keys()];
  }

  /** In-service sleds in the order they joined (the world's order, for its own draws). */
  inServiceSleds(): readonly SledId[] {
    return this.sleds;
  }

  /**
   * Inserts a repo; returns false when it is already there (omicron's `AlreadyExists`),
   * which changes nothing, except in `current`, where re-uploading a pruned repo un-prunes
   * it and bumps the generation (nexus/db-queries/src/db/datastore/update.rs:712-791@b848b6df).
   * From c31dc2f3 on, a new repo bumps the generation only when it brings at least one
   * artifact row the database did not have (update.rs:311-318@c31dc2f3, :1029-1036@b848b6df).
   */
  insertRepo(repo: RepoName, artifacts: readonly ArtifactHash[], via: NexusId | null): boolean {
    if (this.repos.has(repo)) {
      if (this.schema !== 'current') return false;
      // A re-upload moves the repo to the back of the pruning queue.
      this.created.set(repo, this.kernel.now);
      if (this.pruned.delete(repo)) this.addToConfiguration(repo, artifacts, via);
      return false;
    }
    this.repos.set(repo, artifacts);
    this.created.set(repo, this.kernel.now);
    const newRows = artifacts.some((hash) => !this.artifactRows.has(hash));
    for (const hash of artifacts) this.artifactRows.add(hash);
    this.addToConfiguration(repo, artifacts, via, usesConfigGenerations(this.schema) && !newRows);
    return true;
  }

  /**
   * A `delete` event. `current` has no repo deletion; its pruner marks a repo pruned and
   * bumps the generation in one transaction (`tuf_repo_mark_pruned`, update.rs:417-560@b848b6df),
   * so there a delete is a prune: the repo stays (a re-upload finds it) but leaves the
   * configuration. Earlier generations remove the repo. Returns false when nothing changed.
   */
  deleteRepo(repo: RepoName): boolean {
    const artifacts = this.repos.get(repo);
    if (artifacts === undefined || this.pruned.has(repo)) return false;
    this.removeFromConfiguration(repo, artifacts);
    return true;
  }

  /**
   * `current`: makes `repo` the rack's target release (a new `target_release` row); false
   * when the repo is not in the database.
   */
  setTargetRelease(repo: RepoName): boolean {
    if (!this.repos.has(repo)) return false;
    this.targetReleases.push(repo);
    return true;
  }

  /** `current`: unpruned repos with their `time_created`, in name order (ids in omicron). */
  unprunedRepos(): { readonly repo: RepoName; readonly created: Micros }[] {
    return [...this.repos.keys()]
      .filter((repo) => !this.pruned.has(repo))
      .sort()
      .map((repo) => ({ repo, created: this.created.get(repo) ?? 0 }));
  }

  /**
   * `target_release_fetch_recent_distinct` (nexus/db-queries/src/db/datastore/target_release.rs:182-236@b848b6df):
   * up to `count` distinct repos from the latest `4 × count` target releases, and the
   * generation of the latest (the table starts with one row naming no repo).
   */
  recentTargetReleases(count: number): { readonly releases: ReadonlySet<RepoName>; readonly generation: number } {
    const releases = new Set<RepoName>();
    for (const repo of this.targetReleases.slice(-4 * count).reverse()) {
      if (releases.size >= count) break;
      releases.add(repo);
    }
    return { releases, generation: this.targetReleases.length + 1 };
  }

  /**
   * `tuf_repo_mark_pruned` (update.rs:417-560@b848b6df): in one transaction, refuses (409)
   * when the TUF generation or the target-release generation changed since the caller read
   * them, else sets `time_pruned` and bumps the generation if the repo was not pruned yet.
   */
  markPruned(repo: RepoName, tufGeneration: number, targetReleaseGeneration: number): boolean {
    const now = this.targetReleases.length + 1;
    if (now !== targetReleaseGeneration) {
      throw new Error(`target release generation has changed since check (${now} vs ${targetReleaseGeneration})`);
    }
    if (this.generationNumber !== tufGeneration) {
      throw new Error(`tuf repo generation has changed since check (${this.generationNumber} vs ${tufGeneration})`);
    }
    return this.deleteRepo(repo);
  }

  private removeFromConfiguration(repo: RepoName, artifacts: readonly ArtifactHash[]): void {
    const prune = this.schema === 'current';
    if (prune) this.pruned.add(repo);
    else this.repos.delete(repo);
    for (const hash of artifacts) {
      const n = (this.references.get(hash) ?? 0) - 1;
      if (n > 0) this.references.set(hash, n);
      else {
        this.references.delete(hash);
        // A deleted repo takes its last-referenced rows along (a pruned one keeps them).
        if (!prune) this.artifactRows.delete(hash);
      }
    }
    this.generationNumber++;
    this.configListing = undefined;
    this.emit({ t: NOW, type: 'repo_deleted', repo, generation: this.generationNumber });
  }

  private addToConfiguration(repo: RepoName, artifacts: readonly ArtifactHash[], via: NexusId | null, sameGeneration = false): void {
    for (const hash of artifacts) this.references.set(hash, (this.references.get(hash) ?? 0) + 1);
    if (!sameGeneration) this.generationNumber++;
    this.configListing = undefined;
    this.emit({ t: NOW, type: 'repo_inserted', repo, nexus: via, artifacts, generation: this.generationNumber });
  }

  /** `uuid` is the sled's id in the database, by which it is listed; by default its name. */
  addSled(sled: SledId, uuid: string = sled): void {
    if (this.sleds.includes(sled)) return;
    this.sleds.push(sled);
    this.uuids.set(sled, uuid);
    this.sledsByUuid.splice(this.uuidRank(uuid), 0, sled);
    this.sledListing = undefined;
  }

  expungeSled(sled: SledId): void {
    const i = this.sleds.indexOf(sled);
    if (i < 0) return;
    this.sleds.splice(i, 1);
    this.sledsByUuid.splice(this.sledsByUuid.indexOf(sled), 1);
    this.sledListing = undefined;
  }

  /**
   * `sled_list_all_batched` pages through `sled` ordered by `id` ascending
   * (nexus/db-queries/src/db/datastore/sled.rs:143-183@74a6c136, :1155-1204@b848b6df;
   * `paginated(dsl::sled, dsl::id, …)`), and a UUID column sorts as its bytes, which is
   * the order of the lower-case text.
   */
  private uuidRank(uuid: string): number {
    // Kept in order as sleds come and go, not sorted again: a comparator is a closure
    // made per call, whose optimized code V8 drops at each full collection. A sled added
    // later goes after those with the same uuid, where a stable sort of `sleds` puts it.
    let lo = 0;
    let hi = this.sledsByUuid.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.uuids.get(this.sledsByUuid[mid] as SledId) as string) <= uuid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Starts an outage: queries fail until the returned function is called. */
  outage(): () => void {
    this.outages++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.outages--;
    };
  }

  /** A read: the snapshot at the start, answered after the latency; fails during an outage. */
  async query<T>(scope: WaitScope, what: string, read: () => T): Promise<T> {
    const available = this.available;
    const value = available ? read() : undefined;
    await this.kernel.sleep(this.latency.draw(this.rng), `datastore ${what}`, scope);
    if (!available) throw new DatastoreUnavailable();
    return value as T;
  }

  /** A write: commits at the end of the latency, unless the database is unavailable then. */
  async write<T>(scope: WaitScope, what: string, apply: () => T): Promise<T> {
    await this.kernel.sleep(this.writeLatency.draw(this.rng), `datastore ${what}`, scope);
    if (!this.available) throw new DatastoreUnavailable();
    return apply();
  }

  /** The engine's `Datastore` port for one Nexus incarnation. */
  client(scope: WaitScope): Datastore {
    return {
      listSleds: () => this.query(scope, 'list sleds', this.readSleds),
      readArtifactConfig: () => (this.schema === 'current' ? this.readUnprunedConfig(scope) : this.query(scope, 'read artifacts', this.readConfig)),
    };
  }

  // Bound once, not a closure made per query.
  private readonly readSleds = (): readonly SledId[] => (this.sledListing ??= [...this.sledsByUuid]);
  private readonly readConfig = (): ArtifactConfig => (this.configListing ??= { generation: this.generationNumber, artifacts: this.wanted() });

  /**
   * `current`'s `tuf_list_artifacts_unpruned_batched` (update.rs:344-398@b848b6df): the
   * generation, the unpruned repos, the generation again (a change in between fails the
   * read: "generation changed …, bailing"), then those repos' artifacts, as a set ordered
   * by hash. Four queries, each its own snapshot, so an insert or prune can land between them.
   */
  private async readUnprunedConfig(scope: WaitScope): Promise<ArtifactConfig> {
    const generation = await this.query(scope, 'read generation', () => this.generationNumber);
    const repos = await this.query(scope, 'list unpruned repos', () => [...this.repos.keys()].filter((r) => !this.pruned.has(r)));
    const again = await this.query(scope, 'read generation', () => this.generationNumber);
    if (again !== generation) throw new Error(`generation changed from ${generation} to ${again}, bailing`);
    const artifacts = await this.query(scope, 'list repo artifacts', () => this.artifactsOf(repos));
    return { generation, artifacts };
  }

  /** The artifacts of `repos`, as a set ordered by hash. */
  private artifactsOf(repos: readonly RepoName[]): readonly ArtifactHash[] {
    const last = this.unprunedArtifacts;
    if (last !== undefined && last.repos.length === repos.length && last.repos.every((repo, i) => repo === repos[i])) return last.artifacts;
    const hashes = new Set<ArtifactHash>();
    for (const repo of repos) for (const hash of this.repos.get(repo) ?? []) hashes.add(hash);
    const artifacts = [...hashes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.unprunedArtifacts = { repos, artifacts };
    return artifacts;
  }
}
