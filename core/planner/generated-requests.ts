import type { PlannerInventory } from '../inventory.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, CopyRequest, DeleteRequest, LocalArtifact, PutRequest, Request, SledId } from '../types.ts';

/** `source` of a record that is no copy. */
const PUT = -1;
const DELETE = -2;
/** Ints a record takes: artifact, target position, source position (or PUT, DELETE). */
const STRIDE = 3;

/**
 * The requests `review` generates in one activation, as integer records in typed arrays
 * kept from one activation to the next. Why: review generates a request for every wanted
 * artifact short of a copy on every sled and a DELETE for every unwanted copy, shuffles
 * them all and sends at most `max_requests` (a rack-day seed: 324 an activation, 26 sent):
 * an object for each was the run's largest allocation. The records are shuffled through a
 * permutation of their numbers, which takes exactly the draws a shuffle of the requests
 * took (a `rand` shuffle draws by length only, core/rng/draws.ts) and moves each to the
 * same place; only the requests sent, and the deferred ones if someone reads them, become
 * objects, equal to those built before.
 *
 * One activation's records: `begin` starts the next and ends what was read from these.
 */
export class GeneratedRequests {
  private records = new Int32Array(64 * STRIDE);
  private order = new Int32Array(64);
  private count = 0;
  /** The records numbered in `order[0..deferredCount)` were not taken (`defer`). */
  private deferredCount = 0;
  /** Activations begun: a plan's deferred list is built from the records of its own only. */
  private epoch = 0;
  private inventory: PlannerInventory | undefined;
  private local: ReadonlyMap<ArtifactHash, LocalArtifact> = new Map();

  /** Forgets the last activation's records; `local` is the activation's PUT sources, by hash. */
  begin(inventory: PlannerInventory, local: ReadonlyMap<ArtifactHash, LocalArtifact>): void {
    this.inventory = inventory;
    this.local = local;
    this.count = 0;
    this.deferredCount = 0;
    this.epoch++;
  }

  get length(): number {
    return this.count;
  }

  /** A PUT of `artifact` (held in `local`) to the sled at `target`. */
  put(artifact: number, target: number): void {
    this.reserve(1);
    this.add(artifact, target, PUT);
  }

  copy(artifact: number, target: number, source: number): void {
    this.reserve(1);
    this.add(artifact, target, source);
  }

  /** A DELETE of `artifact` for every sled holding a copy, in sled order (`pushDeletes`). */
  deletes(artifact: number): void {
    const inventory = this.inventory as PlannerInventory;
    const held = inventory.presentCount(artifact);
    // Room for all of them first: with no call left in it, the loop (most of an
    // activation's records on a rack-day) keeps this object's fields in registers.
    this.reserve(held);
    for (let k = 0, position = -1; k < held; k++) {
      position = inventory.sledPosition(artifact, true, 0, position + 1);
      this.add(artifact, position, DELETE);
    }
  }

  /** `shuffle` of the requests in the order they were added: afterwards `at(k)` is the k-th. */
  shuffle(draws: RandSamplers, rng: Rng): void {
    const n = this.count;
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    draws.shuffle(order.subarray(0, n), rng);
  }

  /** The number of the k-th record in shuffled order. */
  at(k: number): number {
    return this.order[k] as number;
  }

  isPut(record: number): boolean {
    return this.records[record * STRIDE + 2] === PUT;
  }

  /** PUT record `record` as the request it stands for: a new object, as the planner built before. */
  putRequest(record: number): PutRequest {
    const at = record * STRIDE;
    const inventory = this.inventory as PlannerInventory;
    const artifact = this.local.get(inventory.hashOf(this.records[at] as number)) as LocalArtifact;
    return { kind: 'put', target: inventory.sleds[this.records[at + 1] as number] as SledId, artifact };
  }

  /** Any other record as the request it stands for. */
  otherRequest(record: number): CopyRequest | DeleteRequest {
    const { records } = this;
    const inventory = this.inventory as PlannerInventory;
    const at = record * STRIDE;
    const hash = inventory.hashOf(records[at] as number);
    const target = inventory.sleds[records[at + 1] as number] as SledId;
    const source = records[at + 2] as number;
    if (source === DELETE) return { kind: 'delete', target, hash };
    return { kind: 'copy', target, source: inventory.sleds[source] as SledId, hash };
  }

  /**
   * Marks the k-th record (in shuffled order) as not taken; call in increasing k. Kept in
   * `order` itself: the deferred so far never outnumber the records walked.
   */
  defer(k: number): void {
    this.order[this.deferredCount++] = this.order[k] as number;
  }

  /** `defer` of the k-th record and every one after it. */
  deferFrom(k: number): void {
    this.order.copyWithin(this.deferredCount, k, this.count);
    this.deferredCount += this.count - k;
  }

  get deferred(): number {
    return this.deferredCount;
  }

  /**
   * The deferred requests, in shuffled order, built when called: valid until the next
   * `begin` (the engine plans again only in its next activation, and reads their number only).
   */
  deferredRequests(): () => Request[] {
    const epoch = this.epoch;
    return () => {
      if (epoch !== this.epoch) throw new Error('deferred requests read after the next activation was planned on the same records');
      const requests: Request[] = [];
      for (let k = 0; k < this.deferredCount; k++) {
        const record = this.order[k] as number;
        requests.push(this.isPut(record) ? this.putRequest(record) : this.otherRequest(record));
      }
      return requests;
    };
  }

  /** Appends a record; `reserve` made room for it. */
  private add(artifact: number, target: number, source: number): void {
    const at = this.count++ * STRIDE;
    this.records[at] = artifact;
    this.records[at + 1] = target;
    this.records[at + 2] = source;
  }

  /** Room for `more` records after those added. */
  private reserve(more: number): void {
    if (this.count + more <= this.order.length) return;
    const length = Math.max(this.count + more, 2 * this.order.length);
    const records = new Int32Array(length * STRIDE);
    records.set(this.records);
    this.records = records;
    this.order = new Int32Array(length);
  }
}
