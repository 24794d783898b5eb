import type { RequestKind } from '../../world/world-events.ts';

// Why one table of typed columns: every observer follows a request from request_sent to
// request_done, and each kept its own table of objects by request id. Request ids are
// the world's running count, so a column indexed by id holds the open ones without a
// hash lookup, and nothing is allocated per request.

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
 */
export class OpenRequests {
  private state = new Uint8Array(0);
  private kinds = new Uint8Array(0);
  private nexusIds = new Int32Array(0);
  private targets = new Int32Array(0);
  private hashes = new Int32Array(0);
  private tallies = new Int32Array(0);
  private sizes = new Float64Array(0);
  private openForMetrics = 0;

  /** Requests open for the metrics. */
  get metricsSize(): number {
    return this.openForMetrics;
  }

  open(id: number, kind: number, nexus: number, target: number, hash: number, bytes: number): void {
    if (id >= this.state.length) this.grow(id);
    if (((this.state[id] as number) & OPEN_FOR_METRICS) === 0) this.openForMetrics++;
    this.state[id] = OPEN | OPEN_FOR_METRICS;
    this.kinds[id] = kind;
    this.nexusIds[id] = nexus;
    this.targets[id] = target;
    this.hashes[id] = hash;
    this.sizes[id] = bytes;
    this.tallies[id] = -1;
  }

  isOpen(id: number): boolean {
    return id < this.state.length && ((this.state[id] as number) & OPEN) !== 0;
  }

  isOpenForMetrics(id: number): boolean {
    return id < this.state.length && ((this.state[id] as number) & OPEN_FOR_METRICS) !== 0;
  }

  /** Closes `id` for every observer (request_done). */
  close(id: number): void {
    if (((this.state[id] as number) & OPEN_FOR_METRICS) !== 0) this.openForMetrics--;
    this.state[id] = 0;
  }

  /** Closes, for the metrics only, every open request `nexus` sent. */
  closeForMetricsSentBy(nexus: number): void {
    const state = this.state;
    for (let id = 0; id < state.length; id++) {
      if (((state[id] as number) & OPEN_FOR_METRICS) !== 0 && this.nexusIds[id] === nexus) {
        state[id] = (state[id] as number) & ~OPEN_FOR_METRICS;
        this.openForMetrics--;
      }
    }
  }

  kind(id: number): number {
    return this.kinds[id] as number;
  }

  nexus(id: number): number {
    return this.nexusIds[id] as number;
  }

  target(id: number): number {
    return this.targets[id] as number;
  }

  hash(id: number): number {
    return this.hashes[id] as number;
  }

  bytes(id: number): number {
    return this.sizes[id] as number;
  }

  tally(id: number): number {
    return this.tallies[id] as number;
  }

  setTally(id: number, tally: number): void {
    this.tallies[id] = tally;
  }

  private grow(id: number): void {
    const length = Math.max(id + 1, this.state.length * 2, 1024);
    this.state = grown(this.state, new Uint8Array(length));
    this.kinds = grown(this.kinds, new Uint8Array(length));
    this.nexusIds = grown(this.nexusIds, new Int32Array(length));
    this.targets = grown(this.targets, new Int32Array(length));
    this.hashes = grown(this.hashes, new Int32Array(length));
    this.tallies = grown(this.tallies, new Int32Array(length));
    this.sizes = grown(this.sizes, new Float64Array(length));
  }
}

function grown<A extends Uint8Array | Int32Array | Float64Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
