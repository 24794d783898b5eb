import type { ArtifactHash } from '../../core/index.ts';

/**
 * Every artifact the world knows, numbered: the scenario's repos, artifact by artifact,
 * when the world is built from the compiled scenario, then any other hash as it first
 * appears (tests seed stores with ad-hoc names). Stores count copies by these numbers and
 * hand them to the engine with each listing (`NumberedArtifacts`), so that neither a store
 * nor the engine's inventory hashes a 64-character string per listed entry. Numbers are
 * never reused or changed: `hashes` only grows.
 */
export class ArtifactCatalog {
  readonly hashes: ArtifactHash[] = [];
  private readonly numbers = new Map<ArtifactHash, number>();
  private readonly memberships = new WeakMap<readonly ArtifactHash[], Uint8Array>();

  constructor(hashes: Iterable<ArtifactHash> = []) {
    for (const hash of hashes) this.numberOf(hash);
  }

  /** `hash`'s number, numbering it now if it has none. */
  numberOf(hash: ArtifactHash): number {
    let n = this.numbers.get(hash);
    if (n === undefined) {
      n = this.hashes.length;
      this.hashes.push(hash);
      this.numbers.set(hash, n);
    }
    return n;
  }

  /**
   * Number → 1 for each of `hashes` (numbering any new one), 0 for the others. Kept per
   * array, which must not change afterwards: the engine sends one configuration to every
   * sled of an activation, so one sled reads its hashes and the others reuse the result.
   */
  membersOf(hashes: readonly ArtifactHash[]): Uint8Array {
    let members = this.memberships.get(hashes);
    if (members === undefined) {
      const numbers = hashes.map((hash) => this.numberOf(hash));
      members = new Uint8Array(this.hashes.length);
      for (const n of numbers) members[n] = 1;
      this.memberships.set(hashes, members);
    }
    return members;
  }
}
