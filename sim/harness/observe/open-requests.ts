import type { RequestKind } from '../../world/world-events.ts';

// Why one table of typed columns: every observer follows a request from request_sent to
// request_done, and each kept its own table of objects by request id. Request ids are
// the world's running count, so a column indexed by id holds the open ones without a
// hash lookup, and nothing is allocated per request. Indexed by the id's low bits, not
// the id: a rack-day seed sends some 10^5 requests, but the ids open at once span fewer
// than 1,024, and columns as long as the ids were grown by doubling in every world (some
// 4 MB of typed arrays a seed, zero-filled and copied: 1.6 % of a review seed's profile).

export const LIST = 0;
export const PUT = 1;
export const COPY = 2;
export const DELETE = 3;
export const CONFIG = 4;
/** Request kinds by code. */
export const KINDS: readonly RequestKind[] = ['list', 'put', 'copy', 'delete', 'config'];

export function kindCode(kind: RequestKind): number {
  switch (kind) {
    case 'list':
      return LIST;
    case 'put':
      return PUT;
    case 'copy':
      return COPY;
    case 'delete':
      return DELETE;
    case 'config':
      return CONFIG;
  }
}

const OPEN = 1;
/** Still open for the run metrics, which close a crashed Nexus's requests early. */
const OPEN_FOR_METRICS = 2;

/**
 * The requests sent and not yet done, by request id (a positive integer), with what the
 * observers need of each: kind, sender, target sled, artifact (-1: none),
 * bytes, and the checkers' activation tally. Ids are those of `ObservedIds`.
 *
 * An id lives in slot `id & mask` of the columns (`ids` says whose the slot is). When an
 * id finds its slot taken by another open request, the columns double until the two part
 * (ids advance, so a slot is taken only by a request open longer than `room` ids), unless
 * that request is open no longer for the metrics: its Nexus crashed, and it may never end.
 * Such a request moves to `parked`, a map, so that a crash does not make the columns as
 * long as the run; `isOpen` brings it back into its slot should it ever be done.
 */
export class OpenRequests {
  private mask!: number;
  private ids!: Int32Array;
  private state!: Uint8Array;
  private kinds!: Uint8Array;
  private nexusIds!: Int32Array;
  private targets!: Int32Array;
  private hashes!: Int32Array;
  private tallies!: Int32Array;
  private sizes!: Float64Array;
  private openForMetrics = 0;
  /** The highest id opened yet. */
  private highest = 0;
  private readonly parked = new Map<number, Parked>();

  /** `room`: the slots to start with, a power of two (a test starts small to make ids meet). */
  constructor(room = 1024) {
    if (!(room > 0 && (room & (room - 1)) === 0)) throw new RangeError(`room must be a power of two, got ${room}`);
    this.allocate(room);
  }

  /** Requests open for the metrics. */
  get metricsSize(): number {
    return this.openForMetrics;
  }

  open(id: number, kind: number, nexus: number, target: number, hash: number, bytes: number): void {
    let slot = id & this.mask;
    if (this.ids[slot] !== id) {
      // Only an id opened before can be parked: the world's are new, a test's may not be.
      if (id <= this.highest) this.parked.delete(id);
      else this.highest = id;
      // Taken (a slot of a closed request is 0): by another id, open still.
      if (this.state[slot] !== 0) slot = this.makeRoom(id, slot);
      this.ids[slot] = id;
      this.state[slot] = 0;
    }
    if (((this.state[slot] as number) & OPEN_FOR_METRICS) === 0) this.openForMetrics++;
    this.state[slot] = OPEN | OPEN_FOR_METRICS;
    this.kinds[slot] = kind;
    this.nexusIds[slot] = nexus;
    this.targets[slot] = target;
    this.hashes[slot] = hash;
    this.sizes[slot] = bytes;
    this.tallies[slot] = -1;
  }

  /**
   * Whether `id` is open. A parked `id` comes back into its slot here, so that the
   * accessors can read slots only.
   */
  isOpen(id: number): boolean {
    const slot = id & this.mask;
    if (this.ids[slot] === id) return ((this.state[slot] as number) & OPEN) !== 0;
    return this.parked.size > 0 && this.unpark(id, slot);
  }

  isOpenForMetrics(id: number): boolean {
    const slot = id & this.mask;
    return this.ids[slot] === id && ((this.state[slot] as number) & OPEN_FOR_METRICS) !== 0;
  }

  /** Closes `id` for every observer (request_done). */
  close(id: number): void {
    const slot = id & this.mask;
    if (this.ids[slot] !== id) {
      this.parked.delete(id);
      return;
    }
    if (((this.state[slot] as number) & OPEN_FOR_METRICS) !== 0) this.openForMetrics--;
    this.state[slot] = 0;
  }

  /** Closes, for the metrics only, every open request `nexus` sent. */
  closeForMetricsSentBy(nexus: number): void {
    const state = this.state;
    for (let slot = 0; slot < state.length; slot++) {
      if (((state[slot] as number) & OPEN_FOR_METRICS) !== 0 && this.nexusIds[slot] === nexus) {
        state[slot] = (state[slot] as number) & ~OPEN_FOR_METRICS;
        this.openForMetrics--;
      }
    }
  }

  // The accessors below read the slot of an open request that was just opened or found
  // by `isOpen`: `Observers` asks nothing else.

  kind(id: number): number {
    return this.kinds[id & this.mask] as number;
  }

  nexus(id: number): number {
    return this.nexusIds[id & this.mask] as number;
  }

  target(id: number): number {
    return this.targets[id & this.mask] as number;
  }

  hash(id: number): number {
    return this.hashes[id & this.mask] as number;
  }

  bytes(id: number): number {
    return this.sizes[id & this.mask] as number;
  }

  tally(id: number): number {
    return this.tallies[id & this.mask] as number;
  }

  setTally(id: number, tally: number): void {
    this.tallies[id & this.mask] = tally;
  }

  /** Brings parked `id` back into its slot (`slot` under the current mask); false if it is not parked. */
  private unpark(id: number, slot: number): boolean {
    const parked = this.parked.get(id);
    if (parked === undefined) return false;
    this.parked.delete(id);
    if (this.state[slot] !== 0) slot = this.makeRoom(id, slot);
    this.ids[slot] = id;
    this.state[slot] = OPEN;
    this.kinds[slot] = parked.kind;
    this.nexusIds[slot] = parked.nexus;
    this.targets[slot] = parked.target;
    this.hashes[slot] = parked.hash;
    this.sizes[slot] = parked.bytes;
    this.tallies[slot] = parked.tally;
    return true;
  }

  /**
   * Frees slot `slot` (`id`'s, held by another open request) and returns `id`'s slot: the
   * holder is parked if it is open no longer for the metrics, else the columns double
   * until the two ids part. Doubling moves no other request onto `id`'s slot: a request
   * moves from slot `s` to `s` or `s + room`, and only the holder was in `id`'s.
   */
  private makeRoom(id: number, slot: number): number {
    const holder = this.ids[slot] as number;
    if (((this.state[slot] as number) & OPEN_FOR_METRICS) === 0) {
      this.parked.set(holder, {
        kind: this.kinds[slot] as number,
        nexus: this.nexusIds[slot] as number,
        target: this.targets[slot] as number,
        hash: this.hashes[slot] as number,
        bytes: this.sizes[slot] as number,
        tally: this.tallies[slot] as number,
      });
      this.state[slot] = 0;
      return slot;
    }
    let room = this.mask + 1;
    do room *= 2;
    while (((holder ^ id) & (room - 1)) === 0);
    this.regrow(room);
    return id & this.mask;
  }

  /** Empty columns of `room` slots. */
  private allocate(room: number): void {
    this.mask = room - 1;
    this.ids = new Int32Array(room);
    this.state = new Uint8Array(room);
    this.kinds = new Uint8Array(room);
    this.nexusIds = new Int32Array(room);
    this.targets = new Int32Array(room);
    this.hashes = new Int32Array(room);
    this.tallies = new Int32Array(room);
    this.sizes = new Float64Array(room);
  }

  /** Columns of `room` slots, the open requests moved to theirs. */
  private regrow(room: number): void {
    const { ids, state, kinds, nexusIds, targets, hashes, tallies, sizes } = this;
    this.allocate(room);
    for (let old = 0; old < state.length; old++) {
      if (state[old] === 0) continue;
      const slot = (ids[old] as number) & this.mask;
      this.ids[slot] = ids[old] as number;
      this.state[slot] = state[old] as number;
      this.kinds[slot] = kinds[old] as number;
      this.nexusIds[slot] = nexusIds[old] as number;
      this.targets[slot] = targets[old] as number;
      this.hashes[slot] = hashes[old] as number;
      this.tallies[slot] = tallies[old] as number;
      this.sizes[slot] = sizes[old] as number;
    }
  }
}

/** A request open no longer for the metrics, moved out of the columns (see `OpenRequests`). */
interface Parked {
  readonly kind: number;
  readonly nexus: number;
  readonly target: number;
  readonly hash: number;
  readonly bytes: number;
  readonly tally: number;
}
