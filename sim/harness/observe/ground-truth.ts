import type { ArtifactHash, SledId } from '../../../core/index.ts';
import type { NexusId, RepoName, WorldEvent } from '../../world/world-events.ts';
import { PairMap } from './pair-map.ts';

/**
 * What the rack really holds, rebuilt from the event stream alone: copies per sled and
 * M.2, working M.2s, in-service sleds, the repos in the database and what they want,
 * and every Nexus's local storage. Checkers and metrics read it; it changes nothing.
 */
export class GroundTruth {
  /** sled → hash → bitmask of the M.2s holding a copy. */
  private readonly copies = new Map<SledId, Map<ArtifactHash, number>>();
  private readonly failedM2 = new Map<SledId, number>();
  readonly inService = new Set<SledId>();
  readonly down = new Set<string>();
  readonly repos = new Map<RepoName, readonly ArtifactHash[]>();
  private readonly references = new Map<ArtifactHash, number>();
  /** hash → in-service sleds with at least one copy. */
  private readonly holders = new Map<ArtifactHash, number>();
  /** hash → in-service sleds with a copy on every working M.2. */
  private readonly fullHolders = new Map<ArtifactHash, number>();
  /**
   * (sled, `hash/m2`) → bytes held by a final file known to be short (omicron#7796). Such a
   * file is listed by its sled but is no copy: it counts in no holder tally.
   */
  private readonly short = new PairMap<number>();
  /** sled → bytes of the copies on each M.2's dataset (a replaced copy counts once). */
  private readonly datasetBytes = new Map<SledId, number[]>();
  /** nexus → repo → local copies held (an upload can be held twice). */
  readonly local = new Map<NexusId, Map<RepoName, { count: number; bytes: number }>>();

  constructor(readonly m2PerSled: number) {}

  observe(e: WorldEvent): void {
    switch (e.type) {
      case 'sled_added':
        this.setInService(e.sled, true);
        break;
      case 'sled_expunged':
        this.setInService(e.sled, false);
        break;
      case 'artifact_stored': {
        const held = this.takeShort(e.sled, e.hash, e.m2);
        if (held !== undefined) this.addBytes(e.sled, e.m2, -held);
        if (this.setCopy(e.sled, e.hash, e.m2, true)) this.addBytes(e.sled, e.m2, e.bytes);
        break;
      }
      case 'artifact_truncated':
        this.setCopy(e.sled, e.hash, e.m2, false);
        this.short.set(e.sled, `${e.hash}/${e.m2}`, e.bytes);
        this.addBytes(e.sled, e.m2, e.bytes - e.size);
        break;
      case 'artifact_removed':
        if (this.takeShort(e.sled, e.hash, e.m2) === undefined) {
          if (e.cause === 'm2_failure') this.failM2(e.sled, e.m2, e.hash);
          else this.setCopy(e.sled, e.hash, e.m2, false);
        }
        this.addBytes(e.sled, e.m2, -e.bytes);
        break;
      case 'fault_started':
        if (e.kind === 'sled_crash' || e.kind === 'nexus_crash') this.down.add(e.target);
        if (e.kind === 'm2_failure') this.noteM2Failure(e.target);
        break;
      case 'fault_ended':
        if (e.kind === 'sled_crash' || e.kind === 'nexus_crash') this.down.delete(e.target);
        break;
      case 'repo_inserted':
        this.repos.set(e.repo, e.artifacts);
        for (const h of e.artifacts) this.references.set(h, (this.references.get(h) ?? 0) + 1);
        break;
      case 'repo_deleted': {
        for (const h of this.repos.get(e.repo) ?? []) {
          const n = (this.references.get(h) ?? 0) - 1;
          if (n > 0) this.references.set(h, n);
          else this.references.delete(h);
        }
        this.repos.delete(e.repo);
        break;
      }
      case 'local_repo_added': {
        const held = this.localOf(e.nexus);
        const entry = held.get(e.repo) ?? { count: 0, bytes: 0 };
        held.set(e.repo, { count: entry.count + 1, bytes: entry.bytes + e.bytes });
        break;
      }
      case 'local_repo_released': {
        const held = this.localOf(e.nexus);
        const entry = held.get(e.repo);
        if (entry === undefined) break;
        if (entry.count <= 1) held.delete(e.repo);
        else held.set(e.repo, { count: entry.count - 1, bytes: entry.bytes - e.bytes });
        break;
      }
      case 'local_repos_lost':
        this.localOf(e.nexus).clear();
        break;
      default:
        break;
    }
  }

  private takeShort(sled: SledId, hash: ArtifactHash, m2: number): number | undefined {
    const key = `${hash}/${m2}`;
    const held = this.short.get(sled, key);
    if (held !== undefined) this.short.delete(sled, key);
    return held;
  }

  /** Bytes stored on one M.2 dataset. */
  datasetUsage(sled: SledId, m2: number): number {
    return this.datasetBytes.get(sled)?.[m2] ?? 0;
  }

  private addBytes(sled: SledId, m2: number, bytes: number): void {
    let perM2 = this.datasetBytes.get(sled);
    if (perM2 === undefined) {
      perM2 = new Array<number>(this.m2PerSled).fill(0);
      this.datasetBytes.set(sled, perM2);
    }
    perM2[m2] = (perM2[m2] ?? 0) + bytes;
  }

  isWanted(hash: ArtifactHash): boolean {
    return this.references.has(hash);
  }

  wanted(): IterableIterator<ArtifactHash> {
    return this.references.keys();
  }

  /** In-service sleds holding at least one copy. */
  holderCount(hash: ArtifactHash): number {
    return this.holders.get(hash) ?? 0;
  }

  /** In-service sleds holding a copy on every working M.2. */
  fullHolderCount(hash: ArtifactHash): number {
    return this.fullHolders.get(hash) ?? 0;
  }

  copiesOn(sled: SledId, hash: ArtifactHash): number {
    return popcount(this.copies.get(sled)?.get(hash) ?? 0);
  }

  hashesOn(sled: SledId): IterableIterator<ArtifactHash> {
    return (this.copies.get(sled) ?? new Map<ArtifactHash, number>()).keys();
  }

  workingM2(sled: SledId): number {
    return this.m2PerSled - popcount(this.failedM2.get(sled) ?? 0);
  }

  /** Whether a live Nexus holds `hash` in local storage (through any repo). */
  heldLocally(hash: ArtifactHash, repoArtifacts: (repo: RepoName) => readonly ArtifactHash[] | undefined): boolean {
    for (const [nexus, held] of this.local) {
      if (this.down.has(nexus)) continue;
      for (const repo of held.keys()) if (repoArtifacts(repo)?.includes(hash) === true) return true;
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

  private isFull(sled: SledId, mask: number): boolean {
    const working = ((1 << this.m2PerSled) - 1) & ~(this.failedM2.get(sled) ?? 0);
    return working !== 0 && (mask & working) === working;
  }

  /** Returns whether the copy's presence changed (false when a copy is replaced). */
  private setCopy(sled: SledId, hash: ArtifactHash, m2: number, present: boolean): boolean {
    let held = this.copies.get(sled);
    if (held === undefined) {
      held = new Map();
      this.copies.set(sled, held);
    }
    const before = held.get(hash) ?? 0;
    const after = present ? before | (1 << m2) : before & ~(1 << m2);
    if (after === before) return false;
    if (after === 0) held.delete(hash);
    else held.set(hash, after);
    if (this.inService.has(sled)) this.count(sled, hash, before, after);
    return true;
  }

  /** Re-counts `hash` on `sled` from `before` to `after` in the holder tallies. */
  private count(sled: SledId, hash: ArtifactHash, before: number, after: number): void {
    const dHolder = (after !== 0 ? 1 : 0) - (before !== 0 ? 1 : 0);
    const dFull = (this.isFull(sled, after) ? 1 : 0) - (this.isFull(sled, before) ? 1 : 0);
    if (dHolder !== 0) bump(this.holders, hash, dHolder);
    if (dFull !== 0) bump(this.fullHolders, hash, dFull);
  }

  private setInService(sled: SledId, inService: boolean): void {
    if (this.inService.has(sled) === inService) return;
    const held = this.copies.get(sled);
    if (!inService) for (const [hash, mask] of held ?? []) this.count(sled, hash, mask, 0);
    if (inService) this.inService.add(sled);
    else this.inService.delete(sled);
    if (inService) for (const [hash, mask] of held ?? []) this.count(sled, hash, 0, mask);
  }

  private noteM2Failure(target: string): void {
    const [sled, m2] = target.split('/m2-') as [SledId, string];
    const held = this.copies.get(sled);
    const service = this.inService.has(sled);
    if (service) for (const [hash, mask] of held ?? []) this.count(sled, hash, mask, 0);
    this.failedM2.set(sled, (this.failedM2.get(sled) ?? 0) | (1 << Number(m2)));
    if (service) for (const [hash, mask] of held ?? []) this.count(sled, hash, 0, mask);
  }

  private failM2(sled: SledId, m2: number, hash: ArtifactHash): void {
    // The copy is unreachable: the fault event that follows re-counts the sled.
    const held = this.copies.get(sled);
    const before = held?.get(hash) ?? 0;
    const after = before & ~(1 << m2);
    if (held === undefined || after === before) return;
    if (after === 0) held.delete(hash);
    else held.set(hash, after);
    if (this.inService.has(sled)) this.count(sled, hash, before, after);
  }
}

function bump(map: Map<ArtifactHash, number>, hash: ArtifactHash, delta: number): void {
  const n = (map.get(hash) ?? 0) + delta;
  if (n === 0) map.delete(hash);
  else map.set(hash, n);
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
