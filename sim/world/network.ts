import { delayOf, type Delay, type DelaySpec } from './kernel/distributions.ts';
import { MICROS_PER_SECOND, type Micros, type Occurrence, type QueueEntry, type QueuedEvent } from './kernel/event-queue.ts';
import type { Kernel, Settle, Settleable, WaitScope } from './kernel/kernel.ts';
import type { RandomStream } from './kernel/random-streams.ts';
import { Completions } from './completions.ts';
import { Link } from './link.ts';
import { stackless } from './stackless.ts';
import { FLOAT_ZERO } from '../../core/shapes.ts';

export type NodeId = string;

export interface NetworkConfig {
  /** One-way latency of every message. */
  readonly latency: DelaySpec;
  /** Bytes per second of each node's link; artifact bodies on one link share it. */
  readonly bandwidth: number;
  /** Client-side request timeout. */
  readonly timeout: Micros;
  /** Probability that one message is lost. */
  readonly loss: number;
}

/** Why a body transfer broke off, and how many of its bytes had arrived. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly moved = 0,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/**
 * A client's connection that carries bodies: closing it (a client giving up on its
 * request) breaks off every body still flowing on it, and any later one at once.
 */
export class Connection {
  closed: string | undefined;
}

/**
 * A small message: the object is its own queue entry, so sending one costs no closure and
 * no other object. On arrival its `fire` must check `reachable(from, to)` of the ends it
 * was sent between and arrive only then (see `send`): a message knows its ends (an rpc
 * exchange goes from its client to its server and back), so the network tells it nothing.
 * No base class with fields: that base's constructor was a call V8 did not inline, some
 * 560 instructions on each of the 63k requests of a rack day.
 */
export type Message = QueueEntry;

interface Partition {
  readonly from: ReadonlySet<NodeId>;
  readonly to: ReadonlySet<NodeId>;
  readonly oneway: boolean;
}

// The fields a rebalance rewrites start as numbers: a field first defined as `undefined`
// (a bare declaration, under ES2022 class fields) holds any value, and V8 then boxes every
// float stored into it anew, several times per transfer and share change.
class Transfer {
  rate = 0;
  updatedAt: Micros = 0;
  /** Bytes still to move, as of `updatedAt`. */
  remaining = 0;
  /** When the last byte arrives at the current rate. */
  eta: Micros = Infinity;
  /** Where it is on each link (kept by `Link`). */
  fromSlot = 0;
  toSlot = 0;
  constructor(
    /** Start order: transfers due at once complete in the order they started. */
    readonly seq: number,
    readonly from: NodeId,
    readonly to: NodeId,
    /** The transfers on each end's link, this one included while it runs. */
    readonly fromLink: Link<Transfer>,
    readonly toLink: Link<Transfer>,
    /** The body's length. */
    readonly bytes: number,
    readonly done: Settleable<void>,
    now: Micros,
    readonly connection: Connection | undefined,
  ) {
    this.updatedAt = now;
    this.remaining = bytes;
  }
}

/**
 * Messages and bodies between nodes. Small messages take one sampled latency (plus any
 * slowness of either end) and can be lost; a message is delivered only if, on arrival,
 * its destination is up and no partition separates the two ends. Bodies (artifact data)
 * flow at the bandwidth of the two links they use, shared equally by the transfers on
 * each link, and break off when an end crashes or a partition cuts them.
 * The network knows nothing of what the messages mean.
 */
export class Network {
  private readonly down = new Set<NodeId>();
  private readonly partitions = new Set<Partition>();
  private readonly slowness = new Map<NodeId, Micros[]>();
  private readonly links = new Map<NodeId, Link<Transfer>>();
  /** Every transfer in progress, by finish time. */
  private readonly completions = new Completions<Transfer>();
  private transfersStarted = 0;
  private nextCompletion: QueuedEvent | undefined;
  /** When `nextCompletion` is due. */
  private nextCompletionAt: Micros = FLOAT_ZERO;
  /** What the completion event runs: one object for every one (no closure each). */
  private readonly completionsDue: Occurrence = { label: 'transfers done', fire: () => this.completeDue() };
  private readonly latency: Delay;

  constructor(
    private readonly kernel: Kernel,
    private readonly rng: RandomStream,
    readonly config: NetworkConfig,
  ) {
    this.latency = delayOf(config.latency);
  }

  isUp(node: NodeId): boolean {
    return !this.down.has(node);
  }

  /** A crashed node is unreachable; its transfers break off. */
  setDown(node: NodeId): void {
    this.down.add(node);
    this.breakTransfers((t) => t.from === node || t.to === node, `${node} is down`);
  }

  setUp(node: NodeId): void {
    this.down.delete(node);
  }

  /** Cuts messages from `a` to `b` (and back unless `oneway`) until the returned function is called. */
  partition(a: readonly NodeId[], b: readonly NodeId[], oneway: boolean): () => void {
    const p: Partition = { from: new Set(a), to: new Set(b), oneway };
    this.partitions.add(p);
    this.breakTransfers((t) => this.cut(p, t.from, t.to), 'partitioned');
    return () => {
      this.partitions.delete(p);
    };
  }

  /** Adds `extra` to every message to or from `node` until the returned function is called. */
  slow(node: NodeId, extra: Micros): () => void {
    const list = this.slowness.get(node) ?? [];
    list.push(extra);
    this.slowness.set(node, list);
    return () => {
      const i = list.indexOf(extra);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.slowness.delete(node);
    };
  }

  /** Whether a message sent from `from` now would reach `to` (loss aside). */
  reachable(from: NodeId, to: NodeId): boolean {
    // Most of a run has no node down and no partition: skip the lookups and the iterator
    // (once per message).
    if (this.down.size !== 0 && (this.down.has(from) || this.down.has(to))) return false;
    if (this.partitions.size === 0) return true;
    for (const p of this.partitions) if (this.cut(p, from, to)) return false;
    return true;
  }

  /** One-way delay of a message now: sampled latency plus the slowness of both ends. */
  delay(from: NodeId, to: NodeId): Micros {
    return this.latency.draw(this.rng) + this.extra(from) + this.extra(to);
  }

  /**
   * Sends a message; it arrives unless it was lost on the way or cannot arrive
   * (destination down, partitioned). Returns false when it was dropped at once (sender
   * down or lost).
   */
  send(from: NodeId, to: NodeId, message: Message): boolean {
    if (this.down.size !== 0 && this.down.has(from)) return false;
    const lost = this.config.loss > 0 && this.rng.nextFloat() < this.config.loss;
    const delay = this.delay(from, to);
    if (lost) return false;
    this.kernel.scheduleEntry(message, this.kernel.now + delay);
    return true;
  }

  /**
   * Streams `bytes` from `from` to `to`; `then` hears the outcome when the last byte
   * arrives, or a TransferError when an end goes down or a partition separates them (at
   * once, when the body cannot start). The wait belongs to `scope` (the receiver's
   * incarnation): once that is closed, `then` is never called.
   */
  transfer(from: NodeId, to: NodeId, bytes: number, scope: WaitScope, label: string, then: Settle<void>, connection?: Connection): void {
    this.start(from, to, bytes, scope.waitFor<void>(new TransferLabel(label, bytes, from, to), then), connection);
  }

  /** `transfer` for code that awaits it. */
  transferred(from: NodeId, to: NodeId, bytes: number, scope: WaitScope, label: string): Promise<void> {
    const done = scope.deferred<void>(new TransferLabel(label, bytes, from, to));
    this.start(from, to, bytes, done, undefined);
    return done.promise;
  }

  private start(from: NodeId, to: NodeId, bytes: number, done: Settleable<void>, connection: Connection | undefined): void {
    if (connection?.closed !== undefined) {
      done.reject(stackless(() => new TransferError(`transfer ${from}->${to} broke off: ${connection.closed}`)));
      return;
    }
    if (!this.reachable(from, to)) {
      done.reject(stackless(() => new TransferError(`${from} cannot reach ${to}`)));
      return;
    }
    if (bytes <= 0 || !Number.isFinite(this.config.bandwidth)) {
      done.resolve();
      return;
    }
    const transfer = new Transfer(this.transfersStarted++, from, to, this.link(from), this.link(to), bytes, done, this.kernel.now, connection);
    this.completions.add(transfer);
    transfer.fromLink.join(transfer);
    // A body from a node to itself is on its link once, as it was when links were Sets.
    if (transfer.toLink !== transfer.fromLink) transfer.toLink.join(transfer);
    this.rebalance(transfer);
  }

  /** Closes `connection`: its bodies in flight break off, with the bytes they had moved. */
  close(connection: Connection, reason: string): void {
    if (connection.closed !== undefined) return;
    connection.closed = reason;
    this.breakTransfers((t) => t.connection === connection, reason);
  }

  /** Bytes still to move, over all transfers (for the timeline). */
  bytesInFlight(): number {
    const now = this.kernel.now;
    let total = 0;
    // In start order: a sum of floats rounds by the order it is taken in.
    for (const t of this.completions.inStartOrder()) total += Math.max(0, t.remaining - (t.rate * (now - t.updatedAt)) / MICROS_PER_SECOND);
    return Math.round(total);
  }

  private extra(node: NodeId): Micros {
    // Most of a run has no slow node: skip the lookup (two per message).
    if (this.slowness.size === 0) return 0;
    const list = this.slowness.get(node);
    if (list === undefined) return 0;
    let sum = 0;
    for (const e of list) sum += e;
    return sum;
  }

  private cut(p: Partition, from: NodeId, to: NodeId): boolean {
    if (p.from.has(from) && p.to.has(to)) return true;
    return !p.oneway && p.from.has(to) && p.to.has(from);
  }

  private link(node: NodeId): Link<Transfer> {
    let link = this.links.get(node);
    if (link === undefined) {
      link = new Link(this.config.bandwidth);
      this.links.set(node, link);
      this.completions.addLink(link);
    }
    return link;
  }

  /** Brings every transfer on the links of `changed` up to now and gives each its new share. */
  private rebalance(changed: Transfer): void {
    this.rebalanceLink(changed.fromLink);
    this.rebalanceLink(changed.toLink);
    this.scheduleNextCompletion();
  }

  // Every operation below, its operands and their order are what finish times round by:
  // the fingerprints pin them. How the finishes are kept is free (`earliest` and `due`
  // read only etas and start order).
  private rebalanceLink(link: Link<Transfer>): void {
    const now = this.kernel.now;
    // A local, not the imported binding: the loop would reload and check it every time.
    const perSecond = MICROS_PER_SECOND;
    // The earliest finish of the transfers this link owns, in locals: as fields of
    // `completions` it was loaded per transfer and stored, with a write barrier, at every
    // new minimum.
    let earliest = Infinity;
    let earliestBy: Transfer | undefined;
    // One end of every transfer on the link is the link: its share read once, not through
    // each transfer (a load, a map check and the share's box per visit).
    const share = link.share;
    const received = link.received;
    for (let i = 0; i < received.length; i++) {
      const t = received[i] as Transfer;
      const eta = reshare(t, now, perSecond, t.fromLink.share, share);
      t.eta = eta;
      if (eta < earliest) {
        earliest = eta;
        earliestBy = t;
      }
    }
    const completions = this.completions;
    const sent = link.sent;
    for (let i = 0; i < sent.length; i++) {
      const t = sent[i] as Transfer;
      const eta = reshare(t, now, perSecond, share, t.toLink.share);
      if (eta !== t.eta) completions.retime(t, eta);
    }
    completions.walked(link, earliest, earliestBy);
  }

  // One completion event for the whole network, at the earliest finish: rescheduling a
  // completion per transfer on every share change filled the queue with cancelled events.
  private scheduleNextCompletion(): void {
    const earliest = this.completions.earliest;
    if (this.nextCompletion !== undefined && this.nextCompletionAt === earliest) return;
    this.nextCompletion?.cancel();
    this.nextCompletion = earliest === Infinity ? undefined : this.kernel.schedule(this.completionsDue, earliest);
    this.nextCompletionAt = earliest;
  }

  private completeDue(): void {
    this.nextCompletion = undefined;
    const now = this.kernel.now;
    const due = this.completions.due(now);
    for (const t of due) this.detach(t);
    for (const t of due) t.done.resolve();
    this.scheduleNextCompletion();
  }

  private detach(t: Transfer): void {
    t.fromLink.leave(t);
    if (t.toLink !== t.fromLink) t.toLink.leave(t);
    t.remaining = 0;
    this.rebalance(t);
  }

  private breakTransfers(match: (t: Transfer) => boolean, reason: string): void {
    const broken = this.completions.inStartOrder().filter(match);
    const now = this.kernel.now;
    for (const t of broken) {
      const left = Math.max(0, t.remaining - (t.rate * (now - t.updatedAt)) / MICROS_PER_SECOND);
      const moved = Math.floor(t.bytes - left);
      this.detach(t);
      t.done.reject(stackless(() => new TransferError(`transfer ${t.from}->${t.to} broke off: ${reason}`, moved)));
    }
  }
}

/**
 * Brings `t` up to `now` at its rate so far, gives it the lesser of its two links' shares
 * (`fromShare` of its sending link, `toShare` of its receiving one), and returns when it
 * finishes at that rate.
 */
function reshare(t: Transfer, now: Micros, perSecond: number, fromShare: number, toShare: number): Micros {
  // Comparisons where Math.max and Math.min were: the same results, as no operand here
  // is NaN or -0 (shares are finite and not negative, `remaining` is +0 or more), without
  // the checks for those that V8 compiles Math.max and Math.min into.
  const left = t.remaining - (t.rate * (now - t.updatedAt)) / perSecond;
  t.remaining = left > 0 ? left : 0;
  t.updatedAt = now;
  t.rate = fromShare < toShare ? fromShare : toShare;
  return now + Math.ceil((t.remaining * perSecond) / t.rate);
}

/**
 * A transfer's wait name, spelt only when a stall report asks: a body moves in chunks, a
 * wait each, and the text cost five strings a chunk that nothing else reads.
 */
class TransferLabel {
  constructor(
    private readonly what: string,
    private readonly bytes: number,
    private readonly from: NodeId,
    private readonly to: NodeId,
  ) {}

  get label(): string {
    return `${this.what}: ${this.bytes} bytes ${this.from}->${this.to}`;
  }
}
