import { SledAgentError, type ArtifactConfig, type ArtifactHash, type ArtifactListing, type LocalArtifact, type SledAgentClient, type SledId } from '../../../core/index.ts';
import type { Micros } from '../kernel/event-queue.ts';
import type { Settler } from '../kernel/kernel.ts';
import { Connection } from '../network.ts';
import { call, deadEndpoint, noAnswerText, type CallWatcher, type Endpoint, type Handler } from '../rpc.ts';
import type { BodyStream, WriteResult } from '../sled/artifact-store.ts';
import type { SledAgent, SledEnvironment } from '../sled/sled-agent.ts';
import { emitRequestDone, emitRequestSent, UNNUMBERED, type RequestKind } from '../world-events.ts';
import type { ArtifactCatalog } from '../artifact-catalog.ts';

/** The sleds' world, plus what requests from a Nexus need. */
export interface ClientEnvironment extends SledEnvironment {
  readonly timeout: Micros;
  /**
   * The world's numbering of artifacts: a request's artifact is numbered once when sent,
   * for its `request_sent` and its sled's handler. Every hash a Nexus sends is a
   * catalog repo's, numbered when the world was built, so this numbers nothing new.
   */
  readonly catalog: ArtifactCatalog;
  /** World-wide request numbering, shared by every Nexus. */
  readonly nextRequestId: () => number;
}

/** What the clients need to know about the Nexus they belong to. */
export interface ClientOwner extends Endpoint {
  readonly activation: number;
}

/** The handler of a sled that is not there, which never runs (see `request`). */
const NOBODY: Handler<never> = {
  now: () => {
    throw new Error('no sled answers here');
  },
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One Nexus incarnation's client of one sled: what every request to that sled shares. It
 * keeps the sled's agent once the world has one at that address (sleds are never taken
 * out of the world), so that a request looks nothing up by name.
 */
class SledClient implements SledAgentClient {
  private agent: SledAgent | undefined = undefined;
  /** Each kind's timeout message, spelt at the kind's first timeout (see `noAnswer`). */
  private readonly noAnswerTexts = new Map<RequestKind, string>();

  constructor(
    readonly env: ClientEnvironment,
    readonly owner: ClientOwner,
    readonly sled: SledId,
  ) {}

  /** The sled agent that answers at this address, if any yet. */
  get server(): SledAgent | undefined {
    return (this.agent ??= this.env.sled(this.sled));
  }

  putConfig(config: ArtifactConfig): Promise<void> {
    return send(new PromptRequest<void>(this, 'config', null, config), null, null, UNNUMBERED, 0);
  }

  list(): Promise<ArtifactListing> {
    return send(new PromptRequest<ArtifactListing>(this, 'list', null, null), null, null, UNNUMBERED, 0);
  }

  async put(artifact: LocalArtifact, generation?: number): Promise<void> {
    const { hash } = artifact;
    await send(new PutRequest(this, artifact, generation), null, hash, this.env.catalog.numberOf(hash), artifact.size);
  }

  copyFromDepot(hash: ArtifactHash, source: SledId, generation?: number): Promise<void> {
    // Numbered once, for the event, the sled's handler and the size (read by number).
    const number = this.env.catalog.numberOf(hash);
    return send(new CopyRequest(this, hash, source, generation), source, hash, number, this.env.sizeOf(hash, number));
  }

  delete(hash: ArtifactHash): Promise<void> {
    return send(new PromptRequest<void>(this, 'delete', hash, null), null, hash, this.env.catalog.numberOf(hash), 0);
  }

  /**
   * `request`'s timeout message, one string per kind (`CallWatcher.noAnswer`): every
   * request of this client waits the world's `timeout` (`send`), so its kind alone
   * decides the text.
   */
  noAnswer(request: SledRequest<unknown>, timeout: Micros): string {
    let text = this.noAnswerTexts.get(request.kind);
    if (text === undefined) {
      text = noAnswerText(waitName(request), timeout);
      this.noAnswerTexts.set(request.kind, text);
    }
    return text;
  }
}

/**
 * One request of a Nexus to a sled, as one object: it names its wait, it is the handler
 * the sled runs, and it records how it ended. A closure for each of those (and a handler
 * object) per request fed the collector on every one of a day's 56k requests.
 *
 * Three classes that share these functions, not subclasses of one base: V8 does not
 * inline a derived class's constructor, so each request was built through the generic
 * construct stub, twice (the class's and its base's constructor).
 */
interface SledRequest<T> extends Handler<T>, CallWatcher {
  readonly client: SledClient;
  readonly kind: RequestKind;
  /** World-wide, set when sent. */
  id: number;
  /** The artifact's catalog number, set when sent (`UNNUMBERED`: the request has none). */
  number: number;
  /** The name of the Nexus's wait (`waitName`). */
  readonly label: string;
}

/** The name of a request's wait, spelt only when a stall report asks. */
function waitName(request: SledRequest<unknown>): string {
  return `${request.client.owner.node} ${request.kind} ${request.client.sled}`;
}

/**
 * Sends `request`, recorded as `request_sent`; the request itself is the handler the sled
 * runs. `number`: `hash`'s catalog number (`UNNUMBERED` without a hash).
 */
function send<T>(request: SledRequest<T>, source: SledId | null, hash: ArtifactHash | null, number: number, bytes: number): Promise<T> {
  const { client } = request;
  const { env, owner, sled } = client;
  const id = (request.id = env.nextRequestId());
  const agent = client.server;
  request.number = number;
  emitRequestSent(env.emit, id, owner.node, owner.activation, request.kind, sled, source, hash, bytes, agent === undefined ? UNNUMBERED : agent.number, number);
  // No sled there: nothing answers at its address, so no handler ever runs.
  if (agent === undefined) return call(env.kernel, env.network, owner, deadEndpoint(sled), request, env.timeout, NOBODY, request);
  return call(env.kernel, env.network, owner, agent, request, env.timeout, request, request);
}

/** Records how `request` ended, as `request_done`. */
function recordDone(request: SledRequest<unknown>, ok: boolean, err: unknown): void {
  const emit = request.client.env.emit;
  if (ok) emitRequestDone(emit, request.id, 'ok', null);
  else {
    const timedOut = err instanceof SledAgentError && err.status === null;
    emitRequestDone(emit, request.id, timedOut ? 'timeout' : 'error', errorText(err));
  }
}

/** The sled that answers a request: only its handler asks, and that runs only where a sled is. */
function serverOf(request: SledRequest<unknown>): SledAgent {
  return request.client.server as SledAgent;
}

/** What a sled answers at once (`now`): a configuration, a listing or a delete. */
type PromptKind = 'config' | 'list' | 'delete';

/**
 * A request the sled answers at once, told apart by its kind. One class for the three
 * kinds, not one each: every request passes the same sites here and in `rpc.ts` (its
 * handler's `later`, `now`, `settling`), and a class per kind beside the copy, the PUT and
 * the depot's GET made more shapes there than an inline cache keeps.
 */
class PromptRequest<T> implements SledRequest<T> {
  id = 0;
  number = UNNUMBERED;

  constructor(
    readonly client: SledClient,
    readonly kind: PromptKind,
    private readonly hash: ArtifactHash | null,
    private readonly config: ArtifactConfig | null,
  ) {}

  get label(): string {
    return waitName(this);
  }

  now(): T {
    const kind = this.kind;
    if (kind === 'list') return serverOf(this).list() as T;
    if (kind === 'delete') serverOf(this).delete(this.hash as ArtifactHash, this.number);
    else serverOf(this).putConfig(this.config as ArtifactConfig);
    return undefined as T;
  }

  settling(ok: boolean, err: unknown): void {
    recordDone(this, ok, err);
  }

  /** Only a request with a body has something to break off. */
  givingUp(): void {}

  noAnswer(timeout: Micros): string {
    return this.client.noAnswer(this, timeout);
  }
}

class CopyRequest implements SledRequest<void> {
  readonly kind = 'copy';
  id = 0;
  number = UNNUMBERED;

  constructor(
    readonly client: SledClient,
    private readonly hash: ArtifactHash,
    private readonly source: SledId,
    private readonly generation: number | undefined,
  ) {}

  get label(): string {
    return waitName(this);
  }

  later(done: Settler<void>): void {
    serverOf(this).copyFromDepot(this.hash, this.source, this.generation, done, this.number);
  }

  settling(ok: boolean, err: unknown): void {
    recordDone(this, ok, err);
  }

  givingUp(): void {}

  noAnswer(timeout: Micros): string {
    return this.client.noAnswer(this, timeout);
  }
}

/** A PUT: the request is also its body (`BodyStream`), which the sled's writer reads. */
class PutRequest implements SledRequest<WriteResult>, BodyStream {
  readonly kind = 'put';
  id = 0;
  number = UNNUMBERED;
  // The body rides the request's connection: when the client's total timeout
  // (`nexus/networking/src/sled_client.rs:46-50@74a6c136`) closes it, the sled's
  // body stream errors and the write is dropped.
  private readonly connection = new Connection();

  constructor(
    readonly client: SledClient,
    private readonly artifact: LocalArtifact,
    private readonly generation: number | undefined,
  ) {}

  get label(): string {
    return waitName(this);
  }

  get content(): ArtifactHash {
    return this.artifact.hash;
  }

  get length(): number {
    return this.artifact.size;
  }

  later(done: Settler<WriteResult>): void {
    const { artifact } = this;
    serverOf(this).put(artifact.hash, artifact.size, this.generation, this, done, this.number);
  }

  read(bytes: number, then: Settler<void>): void {
    const { env, owner, sled } = this.client;
    // A crashed sled reads no more: its write never goes on.
    const scope = serverOf(this).scope();
    if (scope !== undefined) env.network.transfer(owner.node, sled, bytes, scope, `put ${this.artifact.hash}`, then, this.connection);
  }

  settling(ok: boolean, err: unknown): void {
    recordDone(this, ok, err);
  }

  givingUp(): void {
    this.client.env.network.close(this.connection, `${this.client.owner.node} gave up on the request`);
  }

  noAnswer(timeout: Micros): string {
    return this.client.noAnswer(this, timeout);
  }
}

/**
 * The engine's `SledAgentClients` for one Nexus incarnation: each call is a request over
 * the simulated network, recorded as `request_sent` and `request_done` events.
 */
export function sledAgentClients(env: ClientEnvironment, owner: ClientOwner): (sled: SledId) => SledAgentClient {
  const clients = new Map<SledId, SledClient>();
  // One client per sled, made on first use: the engine asks for one per request.
  return (sled) => {
    let made = clients.get(sled);
    if (made === undefined) {
      made = new SledClient(env, owner, sled);
      clients.set(sled, made);
    }
    return made;
  };
}
