import type { PlannerInventory } from './inventory.ts';
import type { ArtifactHash, ListedArtifacts, SledId } from './types.ts';
import { objectArray } from './shapes.ts';

/**
 * One sled's listing as an inventory table reads it: each entry with a count above 0 as
 * `n * 256 + count`, where `n` is an artifact id, or, when `idOf` is given, a number of the
 * listing's own numbering and `idOf[n]` its id. Plain arrays of small integers: most
 * listings are read once (on a busy rack a store changes between most of them), and a
 * typed array's separate backing store costs more to allocate and collect than the read saves.
 */
export interface IdListing {
  readonly entries: readonly number[];
  readonly idOf: Int32Array | null;
}

/**
 * The artifact hashes one engine has seen, numbered in the order it first saw them, and
 * each listing it was given in those numbers. A listing that comes numbered
 * (`NumberedArtifacts`, as the simulated world's do) is read through a number → id table
 * filled once per number, so no 64-character hash is hashed per entry; ids follow the
 * first numbering seen, and a listing of another numbering is read by its hashes. A
 * listing of hashes only is a snapshot the sled never changes (the `SledClient.list`
 * contract), and a store hands out the same snapshot until its contents change, so each
 * is turned into ids once, not once per activation.
 */
export class ArtifactIds {
  private readonly ids = new Map<ArtifactHash, number>();
  private readonly hashes: ArtifactHash[] = objectArray();
  private sorted: Int32Array | undefined;
  private readonly listings = new WeakMap<ReadonlyMap<ArtifactHash, number>, IdListing>();
  /** The numbering read by number: the first one a listing came in. */
  private numbering: readonly ArtifactHash[] | undefined;
  /** Number of `numbering` → id, for its first `numbered` numbers. */
  private idOfNumber = new Int32Array(0);
  private numbered = 0;
  private lastHashes: readonly ArtifactHash[] = [];
  /** The array `lastHashes` was last found equal to (or copied from). */
  private lastArray: readonly ArtifactHash[] | undefined;
  private lastIds = new Int32Array(0);

  get size(): number {
    return this.hashes.length;
  }

  hashOf(id: number): ArtifactHash {
    return this.hashes[id] as ArtifactHash;
  }

  find(hash: ArtifactHash): number | undefined {
    return this.ids.get(hash);
  }

  intern(hash: ArtifactHash): number {
    let id = this.ids.get(hash);
    if (id === undefined) {
      id = this.hashes.length;
      this.hashes.push(hash);
      this.ids.set(hash, id);
      this.sorted = undefined;
    }
    return id;
  }

  /** Every id, in hash order (code-unit order, as `entriesByHash` sorts). */
  inHashOrder(): Int32Array {
    if (this.sorted === undefined) {
      // The default sort (code-unit order, no comparator): a comparator closure made per
      // call has its optimized code dropped at each full collection, and recompiled.
      const inOrder = [...this.hashes].sort();
      const sorted = new Int32Array(inOrder.length);
      for (let i = 0; i < inOrder.length; i++) sorted[i] = this.ids.get(inOrder[i] as ArtifactHash) as number;
      this.sorted = sorted;
    }
    return this.sorted;
  }

  /**
   * The ids of `hashes`, in order. The last answer is kept and given again when the same
   * hashes come in the same order: the configuration changes far less often than it is
   * read. The same array as the last is not even compared: a configuration's artifacts are
   * never changed once read (`ArtifactConfig`), and the simulated datastore hands out one
   * array until the configuration changes (another array of the same hashes is compared).
   */
  idsOf(hashes: readonly ArtifactHash[]): Int32Array {
    if (hashes === this.lastArray) return this.lastIds;
    if (!sameHashes(hashes, this.lastHashes)) {
      const ids = new Int32Array(hashes.length);
      for (let i = 0; i < hashes.length; i++) ids[i] = this.intern(hashes[i] as ArtifactHash);
      this.lastIds = ids;
      this.lastHashes = [...hashes];
    }
    this.lastArray = hashes;
    return this.lastIds;
  }

  listing(artifacts: ListedArtifacts): IdListing {
    const { numbered } = artifacts;
    if (numbered !== undefined && this.readsByNumber(numbered.hashes)) {
      return { entries: numbered.entries, idOf: this.idOfNumber };
    }
    const cached = this.listings.get(artifacts);
    if (cached !== undefined) return cached;
    const entries: number[] = [];
    artifacts.forEach((count, hash) => {
      if (count <= 0) return;
      // A count is copies on one sled, one per M.2 (at most 8 by the limits).
      if (count > 255) throw new RangeError(`a listing reports ${count} copies of ${hash}; at most 255 fit the table`);
      entries.push(this.intern(hash) * 256 + count);
    });
    const listing = { entries, idOf: null };
    this.listings.set(artifacts, listing);
    return listing;
  }

  /**
   * Whether listings numbered by `numbering` are read by number: it is the first numbering
   * seen. Its numbers appended since the last look get their ids now, in number order.
   */
  private readsByNumber(numbering: readonly ArtifactHash[]): boolean {
    this.numbering ??= numbering;
    if (this.numbering !== numbering) return false;
    if (this.numbered < numbering.length) {
      if (this.idOfNumber.length < numbering.length) {
        const grown = new Int32Array(Math.max(numbering.length, 2 * this.idOfNumber.length));
        grown.set(this.idOfNumber);
        this.idOfNumber = grown;
      }
      for (let n = this.numbered; n < numbering.length; n++) this.idOfNumber[n] = this.intern(numbering[n] as ArtifactHash);
      this.numbered = numbering.length;
    }
    return true;
  }
}

/** Whether `a` and `b` hold the same hashes in the same order (a loop: this runs once an activation over every wanted hash). */
function sameHashes(a: readonly ArtifactHash[], b: readonly ArtifactHash[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The memory of one engine's inventory tables, reused from one activation to the next: a
 * fresh zero-filled buffer an activation (ids × sleds bytes) cost more to allocate and
 * collect than clearing the part the next table uses. A table built on it is valid until
 * the next table is built on it; the engine builds one per activation and plans from it
 * synchronously, before any await.
 */
export class TableMemory {
  private bytes = new Uint8Array(0);
  /** What the table now in `bytes` was built from. */
  last: TableInputs | undefined;
  /**
   * An array the next table fills with its listings: the one of the table before `last`,
   * no longer read. Two arrays take turns, so that no table pushes its listings into a
   * new one (a builtin call for each of the rack's listings, every activation).
   */
  spare: (IdListing | undefined)[] = [];

  /** A zeroed buffer of at least `size` bytes, whose first `size` bytes are the caller's. */
  take(size: number): ArrayBuffer {
    if (this.bytes.length < size) this.bytes = new Uint8Array(Math.max(size, 2 * this.bytes.length));
    else this.clear(size);
    return this.bytes.buffer as ArrayBuffer;
  }

  /** Zeroes the first `size` bytes of the buffer (at least `size` long). */
  clear(size: number): void {
    this.bytes.fill(0, 0, size);
  }

  /** The buffer as the last table left it. */
  reuse(): ArrayBuffer {
    return this.bytes.buffer as ArrayBuffer;
  }
}

/** What a table is built from, as far as its contents go. */
interface TableInputs {
  readonly ids: ArtifactIds;
  readonly width: number;
  readonly size: number;
  readonly wanted: Int32Array;
  readonly keepUnwanted: boolean;
  readonly listings: (IdListing | undefined)[];
  /** How many artifacts the table built from these keeps (its `inHashOrder` length). */
  kept: number;
}

/**
 * Whether `last` (the table last built on the same memory) has the layout a table of `next`
 * needs, so that the table can be had by updating it for the listings that changed. Why:
 * every activation of every Nexus lists every sled, and a store changes little between two
 * listings of one Nexus (on a rack-day, nine in ten listings of review are a new snapshot,
 * but each differs from the one before in about one entry in thirty).
 */
function sameLayout(last: TableInputs | undefined, next: TableInputs): last is TableInputs {
  if (last === undefined || last.ids !== next.ids || last.width !== next.width || last.size !== next.size) return false;
  return last.keepUnwanted === next.keepUnwanted;
}

/**
 * Whether a table whose kinds are `kind` has the complete counts of every artifact of
 * `wanted`: all of them when unwanted copies are kept, else only those wanted there
 * (the copies of the others were forgotten). Then a change of the wanted set alone
 * (≈ 40 a rack-day seed) is an update of the kinds, not a table built afresh.
 */
function countsComplete(kind: Uint8Array, wanted: Int32Array, keepUnwanted: boolean): boolean {
  if (keepUnwanted) return true;
  // 1 is WANTED, written out as in `isWanted`.
  for (let i = 0; i < wanted.length; i++) if (kind[wanted[i] as number] !== 1) return false;
  return true;
}

const UNKNOWN = 0;
const WANTED = 1;
const UNWANTED = 2;

/**
 * One activation's inventory as integer tables: a sled × artifact count table (artifact
 * major, sleds by position in the activation's sled list), the sleds holding each artifact
 * (a count and a bit set), and which artifacts it holds (wanted, or reported and kept as
 * unwanted). The same artifacts and counts as `buildInventory` over the same listings.
 */
export class InventoryTable implements PlannerInventory {
  readonly inHashOrder: Int32Array;
  private readonly counts: Uint8Array;
  private readonly held: Int32Array;
  /**
   * Per artifact, `words` 32-bit words whose bit `position` is set when the sled at
   * `position` holds a copy: the planners' walks to the k-th holder or missing sled
   * (`sledPosition`) count 32 sleds a step instead of reading every sled's count.
   */
  private readonly holderBits: Int32Array;
  private readonly words: number;
  private readonly kind: Uint8Array;
  /**
   * Per artifact, the fewest copies a holding sled has (256, above any count, when none
   * does), counted when `anyShort` first asks and kept, in the table's memory, until a
   * listing changes one of its counts (0: not counted). Why: merged and later engines ask
   * `anyShort` of every wanted artifact every activation, and reading its whole row each
   * time was most of their planning, while a rack's counts change little between
   * activations. 0 and 256 are written out, as is WANTED in `isWanted`: bundled, a module
   * constant is a variable, read and checked at each use.
   */
  private readonly fewest: Uint16Array;

  /**
   * `listings[i]` is what `sleds[i]` listed, `undefined` when it did not answer. An
   * artifact a sled reported but nobody wants is kept (as unwanted) only when
   * `keepUnwanted`, as in `buildInventory`. With `memory` the tables live in its buffer
   * (and this table is valid until the next one built on it), without it in a fresh one.
   */
  constructor(
    private readonly ids: ArtifactIds,
    readonly sleds: readonly SledId[],
    listings: readonly (ListedArtifacts | undefined)[],
    wanted: readonly ArtifactHash[],
    keepUnwanted: boolean,
    memory?: TableMemory,
  ) {
    // Filled in order, not `map`ped: `map` gives a holey array when interpreted and a packed
    // one when optimized, and the tables' readers, fed both, deoptimized in later seeds.
    const byPosition = memory === undefined ? [] : memory.spare;
    for (let position = 0; position < listings.length; position++) {
      const listing = listings[position];
      byPosition[position] = listing === undefined ? undefined : ids.listing(listing);
    }
    byPosition.length = listings.length;
    const width = sleds.length;
    const words = (this.words = (width + 31) >>> 5);
    // The wanted ids first: reading them may number new artifacts, which `size` counts.
    const wantedIds = ids.idsOf(wanted);
    const inputs: TableInputs = { ids, width, size: ids.size, wanted: wantedIds, keepUnwanted, listings: byPosition, kept: 0 };
    const last = memory?.last;
    const layoutKept = sameLayout(last, inputs);
    // One backing store for the six tables: one allocation an activation, not six.
    // The hash-order list goes after `held` (room for every id; `kept` of them are used):
    // a small typed array of its own costs a backing store an activation.
    const n = ids.size;
    const size = n * (4 + 4 + 4 * words + 2 + 1 + width);
    const buffer = memory === undefined ? new ArrayBuffer(size) : layoutKept ? memory.reuse() : memory.take(size);
    const held = (this.held = new Int32Array(buffer, 0, n));
    const holderBits = (this.holderBits = new Int32Array(buffer, 8 * n, n * words));
    const fewest = (this.fewest = new Uint16Array(buffer, (8 + 4 * words) * n, n));
    const kind = (this.kind = new Uint8Array(buffer, (10 + 4 * words) * n, n));
    const counts = (this.counts = new Uint8Array(buffer, (11 + 4 * words) * n, n * width));
    // While the layout is kept, `kind` still holds the last table's kinds.
    const rewanted = layoutKept && last.wanted !== wantedIds;
    const update = layoutKept && (!rewanted || countsComplete(kind, wantedIds, keepUnwanted));
    if (layoutKept && !update) (memory as TableMemory).clear(size);
    /** Whether an artifact's holders went from or to none. */
    let crossed = false;
    if (update) {
      for (let position = 0; position < width; position++) {
        const before = last.listings[position];
        const after = byPosition[position];
        // A listing is a snapshot: the same entries give the same counts.
        if (before?.entries !== after?.entries && this.replace(before, after, position)) crossed = true;
      }
    } else {
      for (const id of inputs.wanted) kind[id] = WANTED;
      for (let position = 0; position < width; position++) this.enter(byPosition[position], position, 1);
    }
    if (memory !== undefined) {
      memory.spare = last?.listings ?? [];
      memory.last = inputs;
    }
    if (rewanted && update) {
      // Kinds as a fresh table sets them before the pass below decides the unwanted ones.
      kind.fill(UNKNOWN);
      for (const id of wantedIds) kind[id] = WANTED;
    } else if (update && !crossed) {
      // No artifact gained its first holder or lost its last: the kinds, and the hash-order
      // list in the same memory, are the table before's.
      inputs.kept = last.kept;
      this.inHashOrder = new Int32Array(buffer, 4 * n, inputs.kept);
      return;
    }
    // An artifact listed but not wanted is kept as unwanted or its copies are forgotten:
    // decided here, once an artifact, not at each of its listing entries.
    let kept = 0;
    for (let id = 0; id < n; id++) {
      if (kind[id] !== WANTED) {
        const none = held[id] === 0;
        // One store for both kinds: a store first reached late (unwanted copies are kept
        // only by some generations, after the first sled reports one) has no feedback in
        // the code optimized before, and deoptimized the constructor.
        if (none || keepUnwanted) kind[id] = none ? UNKNOWN : UNWANTED;
        else {
          counts.fill(0, id * width, (id + 1) * width);
          holderBits.fill(0, id * words, (id + 1) * words);
          held[id] = 0;
          fewest[id] = 0;
        }
      }
      if (kind[id] !== UNKNOWN) kept++;
    }
    inputs.kept = kept;
    const all = ids.inHashOrder();
    this.inHashOrder = new Int32Array(buffer, 4 * n, kept);
    for (let i = 0, at = 0; at < kept; i++) {
      const id = all[i] as number;
      if (kind[id] !== UNKNOWN) this.inHashOrder[at++] = id;
    }
  }

  hashOf(artifact: number): ArtifactHash {
    return this.ids.hashOf(artifact);
  }

  isWanted(artifact: number): boolean {
    return this.kind[artifact] === 1;
  }

  presentCount(artifact: number): number {
    return this.held[artifact] as number;
  }

  split(artifact: number): { readonly holders: readonly SledId[]; readonly missing: SledId[] } {
    const { sleds } = this;
    const held = this.held[artifact] as number;
    if (held === 0) return { holders: [], missing: [...sleds] };
    if (held === sleds.length) return { holders: sleds, missing: [] };
    // Sized up front (the counts are known): no array grows while sleds are sorted in.
    const holders = new Array<SledId>(held);
    const missing = new Array<SledId>(sleds.length - held);
    const { counts } = this;
    const row = artifact * sleds.length;
    for (let position = 0, h = 0, m = 0; position < sleds.length; position++) {
      if (counts[row + position] === 0) missing[m++] = sleds[position] as SledId;
      else holders[h++] = sleds[position] as SledId;
    }
    return { holders, missing };
  }

  anyShort(artifact: number, expected: number): boolean {
    let fewest = this.fewest[artifact] as number;
    if (fewest === 0) {
      fewest = 256;
      const { counts } = this;
      const width = this.sleds.length;
      const row = artifact * width;
      for (let position = 0; position < width; position++) {
        const count = counts[row + position] as number;
        if (count !== 0 && count < fewest) fewest = count;
      }
      this.fewest[artifact] = fewest;
    }
    return fewest !== 256 && fewest < expected;
  }

  copiesAt(artifact: number, position: number): number {
    return this.counts[artifact * this.sleds.length + position] as number;
  }

  sledPosition(artifact: number, holding: boolean, skip: number, from: number): number {
    const row = artifact * this.words;
    for (let word = from >>> 5; ; word++) {
      let sleds = this.holderBits[row + word] as number;
      // Past the last sled the flipped word has bits set too, but they come after every
      // sled's: the walk never reaches them, as there are `skip` more sleds to count.
      if (!holding) sleds = ~sleds;
      if (word === from >>> 5) sleds &= -1 << (from & 31);
      if (sleds === 0) continue;
      // The next one (a walk over the holders, one by one): no count needed.
      if (skip === 0) return 32 * word + 31 - Math.clz32(sleds & -sleds);
      const matching = bitCount(sleds);
      if (skip < matching) return 32 * word + nthBit(sleds, skip);
      skip -= matching;
    }
  }

  find(hash: ArtifactHash): number | undefined {
    const id = this.ids.find(hash);
    return id === undefined || this.kind[id] === UNKNOWN ? undefined : id;
  }

  /**
   * Enters `listing`'s entries in the column of `position` (`step` 1), or takes what that
   * entered out again (`step` -1). Taken out, an artifact whose copies were forgotten as
   * unwanted counts down from 0; the table's last pass resets it (its wanted set, the table's
   * before, has not changed). Returns whether an artifact's holders went from or to none.
   */
  private enter(listing: IdListing | undefined, position: number, step: 1 | -1): boolean {
    if (listing === undefined) return false;
    const { entries, idOf } = listing;
    let crossed = false;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k] as number;
      const id = entryId(entry, idOf);
      if (step === 1 ? this.putIn(id, position, entry & 0xff) : this.takeOut(id, position)) crossed = true;
    }
    return crossed;
  }

  /**
   * Turns the column of `position` from what `before` entered into what `after` enters.
   * Snapshots of one store in one numbering differ where copies came and went (a store
   * changes a count in place, appends a new artifact's entry and moves its last entry into
   * a removed one's slot), so entry `k` of both is mostly the same entry, which needs no
   * table access: only the entries that differ slot by slot are taken out, then put in.
   * Out before in, as an artifact whose count changed or that moved to another slot is in
   * both.
   *
   * The slots both snapshots have differ only in `[first, end)`, found from either end: a
   * count changed in place or an entry moved into a removed one's slot leaves the slots on
   * both sides of it alike, so each of them is compared once, not again by the loops. The
   * window is walked once: its differing slots are taken out as found and kept in a list
   * (a few a listing), and put in after the tail's removals (walking the window again for
   * them was about a fifth of the update's instructions).
   */
  private replace(before: IdListing | undefined, after: IdListing | undefined, position: number): boolean {
    if (before === undefined || after === undefined || before.idOf !== after.idOf) {
      const out = this.enter(before, position, -1);
      return this.enter(after, position, 1) || out;
    }
    const old = before.entries;
    const now = after.entries;
    const { idOf } = after;
    const common = Math.min(old.length, now.length);
    const first = firstDifference(old, now, common);
    let end = common;
    while (end > first && old[end - 1] === now[end - 1]) end--;
    let crossed = false;
    const differing: number[] = [];
    for (let k = first; k < end; k++) {
      const entry = old[k] as number;
      if (now[k] === entry) continue;
      differing.push(k);
      if (this.takeOut(entryId(entry, idOf), position)) crossed = true;
    }
    for (let k = common; k < old.length; k++) {
      const entry = old[k] as number;
      if (this.takeOut(entryId(entry, idOf), position)) crossed = true;
    }
    for (let i = 0; i < differing.length; i++) {
      const entry = now[differing[i] as number] as number;
      if (this.putIn(entryId(entry, idOf), position, entry & 0xff)) crossed = true;
    }
    for (let k = common; k < now.length; k++) {
      const entry = now[k] as number;
      if (this.putIn(entryId(entry, idOf), position, entry & 0xff)) crossed = true;
    }
    return crossed;
  }

  /** Enters `count` (at least 1) copies of `id` on the sled at `position`; whether `id` had no holder (or had just been forgotten, below 0). */
  private putIn(id: number, position: number, count: number): boolean {
    this.counts[id * this.sleds.length + position] = count;
    this.fewest[id] = 0;
    const word = id * this.words + (position >>> 5);
    this.holderBits[word] = (this.holderBits[word] as number) | (1 << (position & 31));
    const was = this.held[id] as number;
    this.held[id] = was + 1;
    return was === 0 || was === -1;
  }

  /** Takes `id`'s copies on the sled at `position` out; whether that left it no holder (or it had none: forgotten, it goes below 0). */
  private takeOut(id: number, position: number): boolean {
    this.counts[id * this.sleds.length + position] = 0;
    this.fewest[id] = 0;
    const word = id * this.words + (position >>> 5);
    this.holderBits[word] = (this.holderBits[word] as number) & ~(1 << (position & 31));
    const was = this.held[id] as number;
    this.held[id] = was - 1;
    return was === 0 || was === 1;
  }
}

/**
 * The first slot below `to` where `a` and `b` differ (`to` when none). Four slots a step
 * while they agree: this compares most of every changed listing with the one before (most
 * of an update's work, and the planner's largest single cost on a rack-day), and each
 * step's array checks are then shared by four slots (about a quarter fewer instructions
 * a slot).
 */
function firstDifference(a: readonly number[], b: readonly number[], to: number): number {
  let k = 0;
  while (k + 4 <= to && a[k] === b[k] && a[k + 1] === b[k + 1] && a[k + 2] === b[k + 2] && a[k + 3] === b[k + 3]) k += 4;
  while (k < to && a[k] === b[k]) k++;
  return k;
}

/** The artifact id of a listing entry: its number read through `idOf`, or the number itself when `idOf` is null. */
function entryId(entry: number, idOf: Int32Array | null): number {
  return idOf === null ? entry >>> 8 : (idOf[entry >>> 8] as number);
}

/** The number of bits set in a 32-bit word. */
function bitCount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The index of the bit `skip` places after the lowest bit set in `word` (it has more than `skip` set). */
function nthBit(word: number, skip: number): number {
  for (; skip > 0; skip--) word &= word - 1;
  return 31 - Math.clz32(word & -word);
}
