import type { PlannerInventory } from '../inventory.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, CopyRequest, DeleteRequest, LocalArtifact, PutRequest, Request, SledId } from '../types.ts';

/*
 * A run is four ints in `runs`: its first record's number, the artifact, the target's
 * position (-1 for DELETEs, whose targets are the holders) and the source: a sled position
 * for a copy, -1 for a PUT, -2 for DELETEs. The 4, -1 and -2 are written out, not module
 * constants: bundled, a constant is a module variable, read and checked at each use.
 */

/**
 * The requests `review` generates in one activation, as numbered records in typed arrays
 * kept from one activation to the next. Why: review generates a request for every wanted
 * artifact short of a copy on every sled and a DELETE for every unwanted copy, shuffles
 * them all and sends at most `max_requests` (a rack-day seed: 324 an activation, 277 of
 * them DELETEs, 26 sent): an object for each was the run's largest allocation. The records
 * are shuffled through a permutation of their numbers, which takes exactly the draws a
 * shuffle of the requests took (a `rand` shuffle draws by length only, core/rng/draws.ts)
 * and moves each to the same place; only the requests sent, and the deferred ones if
 * someone reads them, become objects, equal to those built before.
 *
 * Records are numbered in the order generated and stored as runs: a PUT or a copy is a run
 * of one; the DELETEs of one artifact, one per holder in sled order, are a run of that
 * many, whose i-th target is found (`sledPosition`) only if that record is taken, since
 * nearly all are deferred. A record's run is found by its number (`runOf`).
 *
 * One activation's records: `begin` starts the next and ends what was read from these.
 */
export class GeneratedRequests {
  private runs = new Int32Array(64 * 4);
  private runCount = 0;
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
    this.runCount = 0;
    this.deferredCount = 0;
    this.epoch++;
  }

  get length(): number {
    return this.count;
  }

  /** A PUT of `artifact` (held in `local`) to the sled at `target`. */
  put(artifact: number, target: number): void {
    this.addRun(artifact, target, -1, 1);
  }

  copy(artifact: number, target: number, source: number): void {
    this.addRun(artifact, target, source, 1);
  }

  /** A DELETE of `artifact` for every sled holding a copy, in sled order (`pushDeletes`). */
  deletes(artifact: number): void {
    const held = (this.inventory as PlannerInventory).presentCount(artifact);
    if (held > 0) this.addRun(artifact, -1, -2, held);
  }

  /** `shuffle` of the requests in the order they were added: afterwards `at(k)` is the k-th. */
  shuffle(draws: RandSamplers, rng: Rng): void {
    const n = this.count;
    if (this.order.length < n) this.order = new Int32Array(Math.max(n, 2 * this.order.length));
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    draws.shuffle(order.subarray(0, n), rng);
  }

  /** The number of the k-th record in shuffled order. */
  at(k: number): number {
    return this.order[k] as number;
  }

  /** The run holding record `record`: the last one whose first record is at or before it. */
  runOf(record: number): number {
    const runs = this.runs;
    let low = 0;
    let high = this.runCount - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((runs[middle * 4] as number) <= record) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  isPut(run: number): boolean {
    return this.runs[run * 4 + 3] === -1;
  }

  /** The PUT run `run` as the request it stands for: a new object, as the planner built before. */
  putRequest(run: number): PutRequest {
    const at = run * 4;
    const inventory = this.inventory as PlannerInventory;
    const artifact = this.local.get(inventory.hashOf(this.runs[at + 1] as number)) as LocalArtifact;
    return { kind: 'put', target: inventory.sleds[this.runs[at + 2] as number] as SledId, artifact };
  }

  /** Record `record`, of any other run `run`, as the request it stands for. */
  otherRequest(run: number, record: number): CopyRequest | DeleteRequest {
    const { runs } = this;
    const inventory = this.inventory as PlannerInventory;
    const at = run * 4;
    const artifact = runs[at + 1] as number;
    const hash = inventory.hashOf(artifact);
    const source = runs[at + 3] as number;
    if (source === -2) {
      const target = inventory.sledPosition(artifact, true, record - (runs[at] as number), 0);
      return { kind: 'delete', target: inventory.sleds[target] as SledId, hash };
    }
    return { kind: 'copy', target: inventory.sleds[runs[at + 2] as number] as SledId, source: inventory.sleds[source] as SledId, hash };
  }

  /** Record `record` as the request it stands for. */
  request(record: number): Request {
    const run = this.runOf(record);
    return this.isPut(run) ? this.putRequest(run) : this.otherRequest(run, record);
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
        requests.push(this.request(this.order[k] as number));
      }
      return requests;
    };
  }

  /** Appends a run of `records` records, numbered after those added. */
  private addRun(artifact: number, target: number, source: number, records: number): void {
    if (this.runCount * 4 === this.runs.length) {
      const runs = new Int32Array(2 * this.runs.length);
      runs.set(this.runs);
      this.runs = runs;
    }
    const at = this.runCount++ * 4;
    this.runs[at] = this.count;
    this.runs[at + 1] = artifact;
    this.runs[at + 2] = target;
    this.runs[at + 3] = source;
    this.count += records;
  }
}
