import { SledAgentError } from '../../core/index.ts';
import type { Micros, QueueEntry } from './kernel/event-queue.ts';
import {
  asSettler,
  labelText,
  NO_RESOLVE,
  promiseFor,
  UNCOUNTED,
  type Kernel,
  type Label,
  type PromiseHolder,
  type Resumable,
  type Settle,
  type Settler,
  type Wait,
  type WaitScope,
  type WaitState,
} from './kernel/kernel.ts';
import type { Message, Network, NodeId } from './network.ts';

/** A sled agent's error answer: data crossing the wire (a `SledAgentError` records no stack trace). */
export function answerError(message: string, status: number | null, errorCode: string | null = null): SledAgentError {
  return new SledAgentError(message, status, errorCode);
}

/** One end of an exchange: a node and the waits of its current incarnation. */
export interface Endpoint {
  readonly node: NodeId;
  /** Closed when the incarnation crashes; `undefined` when the node is gone for good. */
  scope(): WaitScope | undefined;
}

/** The address of a node that is not there: nothing sent to it is answered. */
export function deadEndpoint(node: NodeId): Endpoint {
  return { node, scope: () => undefined };
}

/**
 * How a server answers, by exactly one of two methods. `now` returns (or throws) the
 * answer at once, as a plain handler does; `later` calls `done` once, when its work ends,
 * and the answer leaves one microtask tick after that, where the `await` of an async
 * handler's promise resumed. Optional methods, not a union told apart by `'later' in
 * handler`: handlers are many classes (a Nexus request of each kind, a depot GET), and an
 * `in` test over many shapes cost some 300 instructions an arrival where a load costs 50.
 */
export interface Handler<T> {
  now?(): T;
  later?(done: Settler<T>): void;
}

/** The message of a client's timeout: the request's name and how long it waited. */
export function noAnswerText(request: string, timeout: Micros): string {
  return `${request}: no answer within ${timeout / 1000} ms`;
}

/** Who hears how a call ends, beside the promise: the caller's bookkeeping. */
export interface CallWatcher {
  /** The outcome, just before the client's promise settles (never, if the client crashed). */
  settling(ok: boolean, error: unknown): void;
  /** The client gave up and closed its connection. */
  givingUp(): void;
  /**
   * The timeout's message, `noAnswerText` of the request's name and `timeout`. A caller
   * whose requests share names hands back one string per name: a merged rack-day seed
   * times out some 5k requests under a handful of names, and each fresh copy of the text
   * was flattened, hashed and compared character by character by the event hash's
   * numbering and the observers' tables, where the same string is found by identity.
   */
  noAnswer(timeout: Micros): string;
}

/**
 * A request/response exchange: the request crosses the network, `handler` runs on the
 * server, the answer (value or error) crosses back. The client gives up after `timeout`
 * (reqwest's total timeout) with a `SledAgentError` without status, as an HTTP client
 * does, and closes its connection: `watcher.givingUp` runs then, to break off a request
 * body still streaming. The server's handler goes on (dropshot handlers are detached; a
 * body it still reads then errors). A server that crashes mid-request never answers.
 * `watcher.settling` hears the outcome just before the client's promise settles (never,
 * if the client crashed): the caller's bookkeeping needs no promise of its own.
 */
export function call<T>(
  kernel: Kernel,
  network: Network,
  client: Endpoint,
  server: Endpoint,
  label: Label,
  timeout: Micros,
  handler: Handler<T>,
  watcher?: CallWatcher,
): Promise<T> {
  const clientScope = client.scope();
  if (clientScope === undefined || clientScope.isClosed) return new Promise<T>(() => undefined);
  const exchange = new Exchange(kernel, network, client.node, clientScope, server, label, timeout, handler, watcher, undefined);
  const reply = promiseFor(exchange);
  exchange.start();
  return reply;
}

/**
 * `call` for a client that is the world's own code (a sled's depot client): `then` hears
 * the outcome when the answer arrives or the client gives up, never if the client crashed.
 */
export function callThen<T>(
  kernel: Kernel,
  network: Network,
  client: Endpoint,
  server: Endpoint,
  label: Label,
  timeout: Micros,
  handler: Handler<T>,
  then: Settle<T>,
): void {
  const clientScope = client.scope();
  if (clientScope === undefined || clientScope.isClosed) return;
  new Exchange(kernel, network, client.node, clientScope, server, label, timeout, handler, undefined, asSettler(then)).start();
}

/**
 * One exchange in flight, as one object: it is the request message itself and then, on
 * its way back, the answer (a message that arrived has left the queue, so the object can
 * travel again), and its steps are its methods. A day makes some 60k of them; as a family
 * of closures each cost half a dozen functions and contexts, and three label strings that
 * only an error or stall report reads (they are spelt on demand here, with the same text).
 * It is also the client's wait (a `Wait` of the client's scope, settled as the kernel's
 * own waits are, where a separate wait object per exchange was 100 bytes more), what a
 * `later` handler answers to, and the job that sends that answer one tick later
 * (`Settler`, `Resumable`): no closure per answer either. A `call` settles its promise
 * through `resolveFn`/`rejectFn`; a `callThen` calls `then`.
 */
class Exchange<T> implements Message, Wait, PromiseHolder<T>, Settler<T>, Resumable {
  tie = 0;
  seq = 0;
  state: WaitState = UNCOUNTED;
  prev: Wait | undefined = undefined;
  next: Wait | undefined = undefined;
  readonly created: number;
  resolveFn: (value: T) => void = NO_RESOLVE;
  rejectFn: (reason: unknown) => void = NO_RESOLVE;
  private timer: ExchangeTimeout | undefined = undefined;
  /** The answer, once the server has given it: then the message is the reply. */
  private answered = false;
  private ok = false;
  /** The answer's value when `ok`, its error when not: one field where two were (60k exchanges a day). */
  private result: unknown = undefined;
  /** The server's incarnation that runs a `later` handler: its answer leaves only while it lives. */
  private serverScope: WaitScope | undefined = undefined;

  constructor(
    kernel: Kernel,
    private readonly network: Network,
    private readonly clientNode: NodeId,
    /** The client's incarnation: the wait's scope. */
    readonly scope: WaitScope,
    private readonly server: Endpoint,
    /** The request's name, which is also the wait's. */
    readonly name: Label,
    private readonly timeout: Micros,
    private readonly handler: Handler<T>,
    private readonly watcher: CallWatcher | undefined,
    private readonly then: Settler<T> | undefined,
  ) {
    this.created = kernel.nextWaitSeq();
    kernel.register(this);
  }

  get label(): string {
    return this.answered ? `${labelText(this.name)} reply` : labelText(this.name);
  }

  /** What the timeout's report names: the request, whichever way the message goes. */
  get requestLabel(): string {
    return labelText(this.name);
  }

  /** Sends the request and starts the client's clock. */
  start(): void {
    this.network.send(this.clientNode, this.server.node, this);
    // The client gives up and drops the connection; a late answer is ignored. A client
    // without a total timeout (`Infinity`) waits as long as the server lives.
    if (Number.isFinite(this.timeout)) {
      const kernel = this.scope.kernel;
      const timer = new ExchangeTimeout(this);
      kernel.scheduleTimer(timer, kernel.now + this.timeout);
      this.timer = timer;
    }
  }

  /** A message in flight is never called back. */
  get cancelled(): boolean {
    return false;
  }

  /**
   * Arrives unless, now, its destination is down or cut off from where it left. The trip's
   * ends need no fields: the request goes from the client to the server, the reply back,
   * and `answered` tells which trip this is.
   */
  fire(): void {
    const server = this.server.node;
    const client = this.clientNode;
    if (this.answered ? this.network.reachable(server, client) : this.network.reachable(client, server)) this.arrive();
  }

  /** The request reached the server, or the answer the client. */
  private arrive(): void {
    if (this.answered) return this.arriveBack();
    const scope = this.server.scope();
    if (scope === undefined || scope.isClosed) return;
    const handler = this.handler;
    if (handler.later !== undefined) {
      this.serverScope = scope;
      handler.later(this);
      return;
    }
    let result: T;
    try {
      result = (handler as Required<Handler<T>>).now();
    } catch (err) {
      return this.answer(scope, false, undefined, err);
    }
    this.answer(scope, true, result, undefined);
  }

  /**
   * @internal A `later` handler's answer: it leaves one tick later (`resume`). Kept in the
   * fields the reply carries; nothing reads them before `answer` marks the message a reply.
   */
  settle(ok: boolean, value: T | undefined, error: unknown): void {
    this.ok = ok;
    this.result = ok ? value : error;
    this.scope.kernel.tick(this);
  }

  /** @internal */ resume(): void {
    const ok = this.ok;
    const result = this.result;
    this.answer(this.serverScope as WaitScope, ok, ok ? (result as T) : undefined, ok ? undefined : result);
  }

  // A handler answers once (see `Handler`): the one object carries the one answer back.
  private answer(scope: WaitScope, ok: boolean, value: T | undefined, error: unknown): void {
    if (scope.isClosed) return;
    this.answered = true;
    this.ok = ok;
    this.result = ok ? value : error;
    this.network.send(this.server.node, this.clientNode, this);
  }

  /** The answer reached the client. */
  private arriveBack(): void {
    this.timer?.cancel();
    const ok = this.ok;
    const result = this.result;
    this.hear(ok, ok ? (result as T) : undefined, ok ? undefined : result);
  }

  /** @internal The client's timeout ran out. */
  timedOut(): void {
    if (!this.scope.kernel.pending(this)) return;
    const watcher = this.watcher;
    const text = watcher === undefined ? noAnswerText(this.requestLabel, this.timeout) : watcher.noAnswer(this.timeout);
    this.hear(false, undefined, answerError(text, null));
    watcher?.givingUp();
  }

  /** The client hears the outcome. */
  private hear(ok: boolean, value: T | undefined, error: unknown): void {
    const kernel = this.scope.kernel;
    if (!kernel.pending(this)) return;
    this.watcher?.settling(ok, error);
    const then = this.then;
    if (!kernel.delivers(this, then === undefined)) return;
    if (then !== undefined) then.settle(ok, value, error);
    else if (ok) this.resolveFn(value as T);
    else this.rejectFn(error);
  }
}

/** What a client's timeout acts on. */
interface TimedExchange {
  readonly requestLabel: string;
  timedOut(): void;
}

/** The client's total timeout: its own queue entry (see `QueueEntry`). */
class ExchangeTimeout implements QueueEntry {
  tie = 0;
  seq = 0;

  /** `exchange` is `undefined` once cancelled: a cancelled timeout waits in the queue until its time, and keeps nothing alive. */
  constructor(private exchange: TimedExchange | undefined) {}

  get cancelled(): boolean {
    return this.exchange === undefined;
  }

  get label(): string {
    return this.exchange === undefined ? 'cancelled' : `${this.exchange.requestLabel} timeout`;
  }

  fire(): void {
    this.exchange?.timedOut();
  }

  cancel(): void {
    this.exchange = undefined;
  }
}
