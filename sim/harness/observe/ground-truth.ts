import type { NexusId, RemovalCause, RepoName } from '../../world/world-events.ts';
import { IdColumn, PairTable } from './id-tables.ts';
import type { ObservedIds } from './interner.ts';
import { OrderedIdSet } from './ordered-id-set.ts';

/** Where `GroundTruth.heldLocally` reads a repo's artifacts (their numbers). */
export interface RepoArtifacts {
  artifactsOf(repo: RepoName): readonly number[] | undefined;
}

/**
 * What the rack really holds, rebuilt from the event stream alone: copies per sled and
 * M.2, working M.2s, in-service sleds, the repos in the database and what they want,
 * and every Nexus's local storage. Checkers and metrics read it; it changes nothing.
 * Sleds and artifacts are the ids of `ids`; `Observers` feeds it each event first.
 */
export class GroundTruth {
  /** (sled, artifact) → bitmask of the M.2s holding a copy. */
  private readonly copies: PairTable;
  private readonly failedM2: IdColumn;
  /** 1 for an in-service sled. */
  private readonly inService: IdColumn;
  private sledsInService = 0;
  readonly down = new Set<string>();
  /** Repos in the database → the artifacts they reference. */
  readonly repos = new Map<RepoName, readonly number[]>();
  private readonly references: IdColumn;
  /** Referenced artifacts, in the order a `Set` of them would hold them. */
  private readonly wantedSet = new OrderedIdSet();
  /** Artifact → in-service sleds with at least one copy. */
  private readonly holders: IdColumn;
  /** Artifact → in-service sleds with a copy on every working M.2. */
  private readonly fullHolders: IdColumn;
  /**
   * `holders` summed over the artifacts no repo wants, kept as holders and wants change:
   * each timeline sample read it by walking every artifact id.
   */
  private unwantedHolders = 0;
  /**
   * (sled, artifact) → bitmask of the M.2s with a final file known to be short
   * (omicron#7796), and the bytes each holds by `sled/artifact/m2`. Such a file is listed
   * by its sled but is no copy: it counts in no holder tally.
   */
  private readonly shortMask: PairTable;
  private readonly shortBytes = new Map<string, number>();
  /**
   * Sled → bytes of the copies on each M.2's dataset (a replaced copy counts once). Made
   * with sled 0's row (all zeros, as a missing row reads): an array made empty holds small
   * integers until its first push, and `addBytes`, compiled while the first world's held
   * rows, deoptimized at each new world's first push (twice a process).
   */
  private readonly datasetBytes: Float64Array[];
  /** nexus → repo → local copies held (an upload can be held twice). */
  readonly local = new Map<NexusId, Map<RepoName, { count: number; bytes: number }>>();

  constructor(
    readonly m2PerSled: number,
    readonly ids: ObservedIds,
  ) {
    this.datasetBytes = [new Float64Array(m2PerSled)];
    const { sleds, hashes } = ids;
    this.copies = new PairTable(sleds, hashes);
    this.shortMask = new PairTable(sleds, hashes);
    this.failedM2 = new IdColumn(sleds);
    this.inService = new IdColumn(sleds);
    this.references = new IdColumn(hashes);
    this.holders = new IdColumn(hashes);
    this.fullHolders = new IdColumn(hashes);
  }

  sledAdded(sled: number): void {
    this.setInService(sled, true);
  }

  sledExpunged(sled: number): void {
    this.setInService(sled, false);
  }

  /**
   * Bytes on the dataset of the last copy `stored`, for the metrics' peak and the quota
   * check. A field, not `datasetUsage` asked twice: a float a call returns is boxed anew.
   */
  storedUsage = 0;

  stored(sled: number, hash: number, m2: number, bytes: number): void {
    const held = this.takeShort(sled, hash, m2);
    if (held !== undefined) this.addBytes(sled, m2, -held);
    if (this.setCopy(sled, hash, m2, true)) this.addBytes(sled, m2, bytes);
    this.storedUsage = this.datasetUsage(sled, m2);
  }

  truncated(sled: number, hash: number, m2: number, bytes: number, size: number): void {
    this.setCopy(sled, hash, m2, false);
    this.shortMask.set(sled, hash, this.shortMask.get(sled, hash) | (1 << m2));
    this.shortBytes.set(`${sled}/${hash}/${m2}`, bytes);
    this.addBytes(sled, m2, bytes - size);
  }

  removed(sled: number, hash: number, m2: number, bytes: number, cause: RemovalCause): void {
    if (this.takeShort(sled, hash, m2) === undefined) {
      if (cause === 'm2_failure') this.failM2(sled, m2, hash);
      else this.setCopy(sled, hash, m2, false);
    }
    this.addBytes(sled, m2, -bytes);
  }

  faultStarted(kind: string, target: string): void {
    if (kind === 'sled_crash' || kind === 'nexus_crash') this.down.add(target);
    if (kind === 'm2_failure') this.noteM2Failure(target);
  }

  faultEnded(kind: string, target: string): void {
    if (kind === 'sled_crash' || kind === 'nexus_crash') this.down.delete(target);
  }

  repoInserted(repo: RepoName, artifacts: readonly number[]): void {
    this.repos.set(repo, artifacts);
    for (const h of artifacts) {
      if (this.references.add(h, 1) === 1) this.unwantedHolders -= this.holders.get(h);
      this.wantedSet.add(h);
    }
  }

  repoDeleted(repo: RepoName): void {
    for (const h of this.repos.get(repo) ?? []) {
      const n = this.references.get(h) - 1;
      if (n > 0) {
        this.references.set(h, n);
      } else {
        if (n === 0) this.unwantedHolders += this.holders.get(h);
        this.references.set(h, 0);
        this.wantedSet.delete(h);
      }
    }
    this.repos.delete(repo);
  }

  localRepoAdded(nexus: NexusId, repo: RepoName, bytes: number): void {
    const held = this.localOf(nexus);
    const entry = held.get(repo) ?? { count: 0, bytes: 0 };
    held.set(repo, { count: entry.count + 1, bytes: entry.bytes + bytes });
  }

  localRepoReleased(nexus: NexusId, repo: RepoName, bytes: number): void {
    const held = this.localOf(nexus);
    const entry = held.get(repo);
    if (entry === undefined) return;
    if (entry.count <= 1) held.delete(repo);
    else held.set(repo, { count: entry.count - 1, bytes: entry.bytes - bytes });
  }

  localReposLost(nexus: NexusId): void {
    this.localOf(nexus).clear();
  }

  private takeShort(sled: number, hash: number, m2: number): number | undefined {
    // Short files are rare (each has its entry in `shortBytes`): while there are none, no
    // mask is set, and each copy stored or removed skips a table read seldom in the cache
    // (and the look is a method of its own, not inlined into every copy's observers).
    return this.shortBytes.size === 0 ? undefined : this.takeShortFile(sled, hash, m2);
  }

  private takeShortFile(sled: number, hash: number, m2: number): number | undefined {
    const mask = this.shortMask.get(sled, hash);
    if ((mask & (1 << m2)) === 0) return undefined;
    this.shortMask.set(sled, hash, mask & ~(1 << m2));
    const key = `${sled}/${hash}/${m2}`;
    const held = this.shortBytes.get(key);
    this.shortBytes.delete(key);
    return held;
  }

  /** Bytes stored on one M.2 dataset. */
  datasetUsage(sled: number, m2: number): number {
    return this.datasetBytes[sled]?.[m2] ?? 0;
  }

  private addBytes(sled: number, m2: number, bytes: number): void {
    let perM2 = this.datasetBytes[sled];
    if (perM2 === undefined) {
      while (this.datasetBytes.length <= sled) this.datasetBytes.push(new Float64Array(this.m2PerSled));
      perM2 = this.datasetBytes[sled] as Float64Array;
    }
    perM2[m2] = (perM2[m2] as number) + bytes;
  }

  get inServiceCount(): number {
    return this.sledsInService;
  }

  isInService(sled: number): boolean {
    return this.inService.get(sled) === 1;
  }

  isWanted(hash: number): boolean {
    return this.references.get(hash) > 0;
  }

  /** The wanted artifacts, in the order they became wanted: iterate with `nextWanted`. */
  firstWanted(): number {
    return this.wantedSet.first();
  }

  nextWanted(hash: number): number {
    return this.wantedSet.after(hash);
  }

  /** In-service sleds holding at least one copy. */
  holderCount(hash: number): number {
    return this.holders.get(hash);
  }

  /** In-service sleds holding a copy on every working M.2. */
  fullHolderCount(hash: number): number {
    return this.fullHolders.get(hash);
  }

  /** Pairs of an in-service sled and an artifact no repo wants that it holds. */
  get unwantedPairs(): number {
    return this.unwantedHolders;
  }

  copiesOn(sled: number, hash: number): number {
    return popcount(this.copies.get(sled, hash));
  }

  /**
   * Whether a live Nexus holds `hash` in local storage (through any repo), `repos` telling
   * each repo's artifacts: an object whose method is one function object in every world,
   * where an arrow made per run deoptimized this method in each process's second world.
   */
  heldLocally(hash: number, repos: RepoArtifacts): boolean {
    for (const [nexus, held] of this.local) {
      if (this.down.has(nexus)) continue;
      for (const repo of held.keys()) if (repos.artifactsOf(repo)?.includes(hash) === true) return true;
    }
    return false;
  }

  localTotals(): { repos: number; bytes: number } {
    let repos = 0;
    let bytes = 0;
    for (const held of this.local.values()) for (const entry of held.values()) {
      repos += entry.count;
      bytes += entry.bytes;
    }
    return { repos, bytes };
  }

  private localOf(nexus: NexusId): Map<RepoName, { count: number; bytes: number }> {
    let held = this.local.get(nexus);
    if (held === undefined) {
      held = new Map();
      this.local.set(nexus, held);
    }
    return held;
  }

  private isFull(sled: number, mask: number): boolean {
    const working = ((1 << this.m2PerSled) - 1) & ~this.failedM2.get(sled);
    return working !== 0 && (mask & working) === working;
  }

  /** Returns whether the copy's presence changed (false when a copy is replaced). */
  private setCopy(sled: number, hash: number, m2: number, present: boolean): boolean {
    const before = this.copies.get(sled, hash);
    const after = present ? before | (1 << m2) : before & ~(1 << m2);
    if (after === before) return false;
    this.copies.set(sled, hash, after);
    if (this.isInService(sled)) this.count(sled, hash, before, after);
    return true;
  }

  /** Re-counts `hash` on `sled` from `before` to `after` in the holder tallies. */
  private count(sled: number, hash: number, before: number, after: number): void {
    const dHolder = (after !== 0 ? 1 : 0) - (before !== 0 ? 1 : 0);
    const dFull = (this.isFull(sled, after) ? 1 : 0) - (this.isFull(sled, before) ? 1 : 0);
    if (dHolder !== 0) {
      this.holders.add(hash, dHolder);
      if (!this.isWanted(hash)) this.unwantedHolders += dHolder;
    }
    if (dFull !== 0) this.fullHolders.add(hash, dFull);
  }

  private setInService(sled: number, inService: boolean): void {
    if (this.isInService(sled) === inService) return;
    if (!inService) this.copies.forEachIn(sled, (hash, mask) => this.count(sled, hash, mask, 0));
    this.inService.set(sled, inService ? 1 : 0);
    this.sledsInService += inService ? 1 : -1;
    if (inService) this.copies.forEachIn(sled, (hash, mask) => this.count(sled, hash, 0, mask));
  }

  private noteM2Failure(target: string): void {
    const [name, m2] = target.split('/m2-') as [string, string];
    const sled = this.ids.sleds.id(name);
    const service = this.isInService(sled);
    if (service) this.copies.forEachIn(sled, (hash, mask) => this.count(sled, hash, mask, 0));
    this.failedM2.set(sled, this.failedM2.get(sled) | (1 << Number(m2)));
    if (service) this.copies.forEachIn(sled, (hash, mask) => this.count(sled, hash, 0, mask));
  }

  private failM2(sled: number, m2: number, hash: number): void {
    // The copy is unreachable: the fault event that follows re-counts the sled.
    const before = this.copies.get(sled, hash);
    const after = before & ~(1 << m2);
    if (after === before) return;
    this.copies.set(sled, hash, after);
    if (this.isInService(sled)) this.count(sled, hash, before, after);
  }
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
