import type { ArtifactConfig, ArtifactHash, Datastore, SledId } from '../core/index.ts';
import { delaySampler, type DelaySampler, type DelaySpec } from './kernel/distributions.ts';
import type { Kernel, WaitScope } from './kernel/kernel.ts';
import type { RandomStream } from './kernel/random-streams.ts';
import type { NexusId, RepoName, WorldEventBody } from './world-events.ts';

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
 */
export class DatastoreModel {
  private readonly repos = new Map<RepoName, readonly ArtifactHash[]>();
  private readonly references = new Map<ArtifactHash, number>();
  private readonly sleds: SledId[] = [];
  /** In-service sleds by UUID, as the engine's listing returns them. */
  private sledsByUuid: SledId[] = [];
  private readonly uuids = new Map<SledId, string>();
  private generationNumber = 1;
  private outages = 0;
  private readonly latency: DelaySampler;
  private readonly writeLatency: DelaySampler;

  constructor(
    private readonly kernel: Kernel,
    private readonly rng: RandomStream,
    latency: DelaySpec,
    writeLatency: DelaySpec,
    private readonly emit: (event: WorldEventBody) => void,
  ) {
    this.latency = delaySampler(latency);
    this.writeLatency = delaySampler(writeLatency);
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

  /** Inserts a repo; returns false (and changes nothing) when it is already there. */
  insertRepo(repo: RepoName, artifacts: readonly ArtifactHash[], via: NexusId | null): boolean {
    if (this.repos.has(repo)) return false;
    this.repos.set(repo, artifacts);
    for (const hash of artifacts) this.references.set(hash, (this.references.get(hash) ?? 0) + 1);
    this.generationNumber++;
    this.emit({ type: 'repo_inserted', repo, nexus: via, artifacts, generation: this.generationNumber });
    return true;
  }

  deleteRepo(repo: RepoName): boolean {
    const artifacts = this.repos.get(repo);
    if (artifacts === undefined) return false;
    this.repos.delete(repo);
    for (const hash of artifacts) {
      const n = (this.references.get(hash) ?? 0) - 1;
      if (n > 0) this.references.set(hash, n);
      else this.references.delete(hash);
    }
    this.generationNumber++;
    this.emit({ type: 'repo_deleted', repo, generation: this.generationNumber });
    return true;
  }

  /** `uuid` is the sled's id in the database, by which it is listed; by default its name. */
  addSled(sled: SledId, uuid: string = sled): void {
    if (this.sleds.includes(sled)) return;
    this.sleds.push(sled);
    this.uuids.set(sled, uuid);
    this.sortByUuid();
  }

  expungeSled(sled: SledId): void {
    const i = this.sleds.indexOf(sled);
    if (i >= 0) this.sleds.splice(i, 1);
    this.sortByUuid();
  }

  /**
   * `sled_list_all_batched` pages through `sled` ordered by `id` ascending
   * (nexus/db-queries/src/db/datastore/sled.rs:143-183@74a6c136, :1155-1204@b848b6df;
   * `paginated(dsl::sled, dsl::id, …)`), and a UUID column sorts as its bytes, which is
   * the order of the lower-case text.
   */
  private sortByUuid(): void {
    const uuid = (sled: SledId): string => this.uuids.get(sled) as string;
    this.sledsByUuid = [...this.sleds].sort((a, b) => (uuid(a) < uuid(b) ? -1 : uuid(a) > uuid(b) ? 1 : 0));
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
    await this.kernel.sleep(this.latency(this.rng), `datastore ${what}`, scope);
    if (!available) throw new DatastoreUnavailable();
    return value as T;
  }

  /** A write: commits at the end of the latency, unless the database is unavailable then. */
  async write<T>(scope: WaitScope, what: string, apply: () => T): Promise<T> {
    await this.kernel.sleep(this.writeLatency(this.rng), `datastore ${what}`, scope);
    if (!this.available) throw new DatastoreUnavailable();
    return apply();
  }

  /** The engine's `Datastore` port for one Nexus incarnation. */
  client(scope: WaitScope): Datastore {
    return {
      listSleds: () => this.query(scope, 'list sleds', () => [...this.sledsByUuid]),
      readArtifactConfig: () =>
        this.query(scope, 'read artifacts', (): ArtifactConfig => ({ generation: this.generationNumber, artifacts: this.wanted() })),
    };
  }
}
