import type { RequestKind } from '../../world/world-events.ts';

// Why one table of typed columns: every observer follows a request from request_sent to
// request_done, and each kept its own table of objects by request id. Columns hold the
// open ones without an object per request. Why a slot per open request, found from its
// id, and not a cell per id: ids are the world's running count (some 56k a rack-day), so
// cells by id grew again and again (each time allocating and copying every column) and
// a request_done read cells long gone cold; the open ones are a few hundred at a time.
// Ids come in order, so `id & mask` is nearly always the request's own slot.

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
const FIRST_SLOTS = 1024;

/**
 * The requests sent and not yet done, by request id (a positive integer), with what the
 * observers need of each: kind, sender, target sled, artifact (-1: none),
 * bytes, and the checkers' activation tally. Ids are those of `ObservedIds`. The
 * readers of a request (`kind` … `tally`) ask only about an open one.
 *
 * An open-addressed table with linear probing: a request's slot is the first free one
 * from `id & mask`; closing a request shifts back the ones that probed past it, so a
 * lookup stops at the first empty slot. It doubles when half full.
 */
export class OpenRequests {
  private mask = FIRST_SLOTS - 1;
  /** Slot → the id of the request in it, 0 when empty (ids are positive). */
  private ids = new Int32Array(FIRST_SLOTS);
  private state = new Uint8Array(FIRST_SLOTS);
  private kinds = new Uint8Array(FIRST_SLOTS);
  private nexusIds = new Int32Array(FIRST_SLOTS);
  private targets = new Int32Array(FIRST_SLOTS);
  private hashes = new Int32Array(FIRST_SLOTS);
  private tallies = new Int32Array(FIRST_SLOTS);
  private sizes = new Float64Array(FIRST_SLOTS);
  /** Slots taken. */
  private taken = 0;
  private openForMetrics = 0;

  /** Requests open for the metrics. */
  get metricsSize(): number {
    return this.openForMetrics;
  }

  open(id: number, kind: number, nexus: number, target: number, hash: number, bytes: number): void {
    let slot = this.slotOf(id);
    if (slot < 0) {
      if ((this.taken + 1) * 2 > this.ids.length) this.grow();
      slot = this.freeSlot(id);
      this.ids[slot] = id;
      this.taken++;
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

  isOpen(id: number): boolean {
    const slot = this.slotOf(id);
    return slot >= 0 && ((this.state[slot] as number) & OPEN) !== 0;
  }

  isOpenForMetrics(id: number): boolean {
    const slot = this.slotOf(id);
    return slot >= 0 && ((this.state[slot] as number) & OPEN_FOR_METRICS) !== 0;
  }

  /** Closes `id` for every observer (request_done). */
  close(id: number): void {
    const slot = this.slotOf(id);
    if (slot < 0) return;
    if (((this.state[slot] as number) & OPEN_FOR_METRICS) !== 0) this.openForMetrics--;
    this.free(slot);
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

  kind(id: number): number {
    return this.kinds[this.slotOf(id)] as number;
  }

  nexus(id: number): number {
    return this.nexusIds[this.slotOf(id)] as number;
  }

  target(id: number): number {
    return this.targets[this.slotOf(id)] as number;
  }

  hash(id: number): number {
    return this.hashes[this.slotOf(id)] as number;
  }

  bytes(id: number): number {
    return this.sizes[this.slotOf(id)] as number;
  }

  tally(id: number): number {
    return this.tallies[this.slotOf(id)] as number;
  }

  setTally(id: number, tally: number): void {
    const slot = this.slotOf(id);
    if (slot >= 0) this.tallies[slot] = tally;
  }

  /** `id`'s slot, or -1. */
  private slotOf(id: number): number {
    const { ids, mask } = this;
    for (let slot = id & mask; ; slot = (slot + 1) & mask) {
      const there = ids[slot] as number;
      if (there === id) return slot;
      if (there === 0) return -1;
    }
  }

  /** The first empty slot from `id`'s own. */
  private freeSlot(id: number): number {
    const { ids, mask } = this;
    let slot = id & mask;
    while (ids[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  /**
   * Empties `slot`, moving back each later request of its run that probed past it (one
   * whose own slot is not cyclically within (`slot`, where it is]).
   */
  private free(slot: number): void {
    const { ids, mask } = this;
    let hole = slot;
    for (let at = (hole + 1) & mask; ids[at] !== 0; at = (at + 1) & mask) {
      const home = (ids[at] as number) & mask;
      const stays = hole <= at ? hole < home && home <= at : hole < home || home <= at;
      if (stays) continue;
      this.move(at, hole);
      hole = at;
    }
    ids[hole] = 0;
    this.state[hole] = 0;
    this.taken--;
  }

  private move(from: number, to: number): void {
    this.ids[to] = this.ids[from] as number;
    this.state[to] = this.state[from] as number;
    this.kinds[to] = this.kinds[from] as number;
    this.nexusIds[to] = this.nexusIds[from] as number;
    this.targets[to] = this.targets[from] as number;
    this.hashes[to] = this.hashes[from] as number;
    this.tallies[to] = this.tallies[from] as number;
    this.sizes[to] = this.sizes[from] as number;
  }

  /** Twice the slots, every request placed again from its id. */
  private grow(): void {
    const { ids, state, kinds, nexusIds, targets, hashes, tallies, sizes } = this;
    const length = ids.length * 2;
    this.mask = length - 1;
    this.ids = new Int32Array(length);
    this.state = new Uint8Array(length);
    this.kinds = new Uint8Array(length);
    this.nexusIds = new Int32Array(length);
    this.targets = new Int32Array(length);
    this.hashes = new Int32Array(length);
    this.tallies = new Int32Array(length);
    this.sizes = new Float64Array(length);
    for (let from = 0; from < ids.length; from++) {
      const id = ids[from] as number;
      if (id === 0) continue;
      const to = this.freeSlot(id);
      this.ids[to] = id;
      this.state[to] = state[from] as number;
      this.kinds[to] = kinds[from] as number;
      this.nexusIds[to] = nexusIds[from] as number;
      this.targets[to] = targets[from] as number;
      this.hashes[to] = hashes[from] as number;
      this.tallies[to] = tallies[from] as number;
      this.sizes[to] = sizes[from] as number;
    }
  }
}
