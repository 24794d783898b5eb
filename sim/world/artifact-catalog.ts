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
}
