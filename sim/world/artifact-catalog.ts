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
  readonly hashes: ArtifactHash[];
  private readonly numbers = new Map<ArtifactHash, number>();
  private readonly memberships = new WeakMap<readonly ArtifactHash[], Uint8Array>();
  private lastInclusion: { readonly members: Uint8Array; readonly of: Uint8Array; readonly result: boolean } | undefined;
  /** `prefix` → the texts `prefix + hash` made so far, by number (see `withHash`). */
  private readonly texts = new Map<string, (string | undefined)[]>();

  constructor(hashes: Iterable<ArtifactHash> = []) {
    // Listed whole, not pushed one by one through `numberOf`: an array made empty holds
    // small integers until its first push, and `numberOf`, compiled while the first
    // world's held strings, deoptimized at each new world's first push (twice a process).
    this.hashes = [...new Set(hashes)];
    for (let n = 0; n < this.hashes.length; n++) this.numbers.set(this.hashes[n] as ArtifactHash, n);
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
   * `prefix` followed by artifact `n`'s hash, made once and the same string afterwards.
   * For a text the world repeats about an artifact (a refusal naming it), which ends up
   * in the event history: its numbering (`FirstSeenNumbers`) finds a string it has seen
   * by its cached hash and by identity, where each text made anew was flattened, hashed
   * and compared character by character, some 2,000 instructions each.
   */
  withHash(prefix: string, n: number): string {
    let made = this.texts.get(prefix);
    if (made === undefined) {
      made = [];
      this.texts.set(prefix, made);
    }
    let text = made[n];
    if (text === undefined) {
      // Grown by stores at the length: numbers come in any order, and an array written
      // far past its end turns into a dictionary.
      for (let i = made.length; i < n; i++) made[i] = undefined;
      text = made[n] = prefix + (this.hashes[n] as ArtifactHash);
    }
    return text;
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

  /**
   * Whether every member of `members` is one of `of` (both `membersOf` results, which never
   * change; either may be the shorter). Every sled of an activation compares the one configuration sent against the
   * one it stores, mostly the same for all: the last answer is kept.
   */
  everyMemberIn(members: Uint8Array, of: Uint8Array): boolean {
    const last = this.lastInclusion;
    if (last !== undefined && last.members === members && last.of === of) return last.result;
    let result = true;
    for (let n = 0; n < members.length; n++) {
      if (members[n] === 1 && of[n] !== 1) {
        result = false;
        break;
      }
    }
    this.lastInclusion = { members, of, result };
    return result;
  }
}
