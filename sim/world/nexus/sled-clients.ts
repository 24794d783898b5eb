import { SledAgentError, type ArtifactConfig, type ArtifactHash, type ArtifactListing, type LocalArtifact, type SledAgentClient, type SledId } from '../../../core/index.ts';
import type { Micros } from '../kernel/event-queue.ts';
import type { Settler } from '../kernel/kernel.ts';
import { Connection } from '../network.ts';
import { call, deadEndpoint, type CallWatcher, type Endpoint, type Handler } from '../rpc.ts';
import type { BodyStream, WriteResult } from '../sled/artifact-store.ts';
import type { SledAgent, SledEnvironment } from '../sled/sled-agent.ts';
import { NOW, UNNUMBERED, type RequestKind } from '../world-events.ts';
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
    return new PromptRequest<void>(this, 'config', null, config).send(null, null, 0);
  }

  list(): Promise<ArtifactListing> {
    return new PromptRequest<ArtifactListing>(this, 'list', null, null).send(null, null, 0);
  }

  async put(artifact: LocalArtifact, generation?: number): Promise<void> {
    await new PutRequest(this, artifact, generation).send(null, artifact.hash, artifact.size);
  }

  copyFromDepot(hash: ArtifactHash, source: SledId, generation?: number): Promise<void> {
    return new CopyRequest(this, hash, source, generation).send(source, hash, this.env.sizeOf(hash));
  }

  delete(hash: ArtifactHash): Promise<void> {
    return new PromptRequest<void>(this, 'delete', hash, null).send(null, hash, 0);
  }
}

/**
 * One request of a Nexus to a sled, as one object: it names its wait, it is the handler
 * the sled runs, and it records how it ended. A closure for each of those (and a handler
 * object) per request fed the collector on every one of a day's 56k requests.
 */
abstract class SledRequest<T> implements CallWatcher {
  private id = 0;
  /**
   * The artifact's catalog number, set when sent (`UNNUMBERED`: the request has none). Not
   * protected: `send` sets it through its `this` typed as a handler too.
   */
  number = UNNUMBERED;

  // Not protected: `send` reads it through its `this` typed as a handler too.
  constructor(
    readonly client: SledClient,
    protected readonly kind: RequestKind,
  ) {}

  /** The name of the Nexus's wait, spelt only when a stall report asks. */
  get label(): string {
    return `${this.client.owner.node} ${this.kind} ${this.client.sled}`;
  }

  /** Sends it, recorded as `request_sent`; the request itself is the handler the sled runs. */
  send(this: SledRequest<T> & Handler<T>, source: SledId | null, hash: ArtifactHash | null, bytes: number): Promise<T> {
    const { env, owner, sled } = this.client;
    const id = (this.id = env.nextRequestId());
    const agent = this.client.server;
    const number = (this.number = hash === null ? UNNUMBERED : env.catalog.numberOf(hash));
    env.emit(
      { t: NOW, type: 'request_sent', id, nexus: owner.node, activation: owner.activation, kind: this.kind, target: sled, source, hash, bytes },
      agent === undefined ? UNNUMBERED : agent.number,
      number,
    );
    // No sled there: nothing answers at its address, so no handler ever runs.
    if (agent === undefined) return call(env.kernel, env.network, owner, deadEndpoint(sled), this, env.timeout, NOBODY, this);
    return call(env.kernel, env.network, owner, agent, this, env.timeout, this, this);
  }

  /** Recorded as `request_done`. */
  settling(ok: boolean, err: unknown): void {
    const env = this.client.env;
    if (ok) env.emit({ t: NOW, type: 'request_done', id: this.id, outcome: 'ok', error: null });
    else {
      const timedOut = err instanceof SledAgentError && err.status === null;
      env.emit({ t: NOW, type: 'request_done', id: this.id, outcome: timedOut ? 'timeout' : 'error', error: errorText(err) });
    }
  }

  /** Only a request with a body has something to break off. */
  givingUp(): void {}

  /** The sled that answers: only its handler asks, and that runs only where a sled is. */
  protected get server(): SledAgent {
    return this.client.server as SledAgent;
  }
}

/** What a sled answers at once (`now`): a configuration, a listing or a delete. */
type PromptKind = 'config' | 'list' | 'delete';

/**
 * A request the sled answers at once, told apart by its kind. One class for the three
 * kinds, not one each: every request passes the same sites here and in `rpc.ts` (its
 * handler's `later`, `now`, `settling`), and a class per kind beside the copy, the PUT and
 * the depot's GET made more shapes there than an inline cache keeps.
 */
class PromptRequest<T> extends SledRequest<T> {
  constructor(
    client: SledClient,
    kind: PromptKind,
    private readonly hash: ArtifactHash | null,
    private readonly config: ArtifactConfig | null,
  ) {
    super(client, kind);
  }

  now(): T {
    const kind = this.kind;
    if (kind === 'list') return this.server.list() as T;
    if (kind === 'delete') this.server.delete(this.hash as ArtifactHash, this.number);
    else this.server.putConfig(this.config as ArtifactConfig);
    return undefined as T;
  }
}

class CopyRequest extends SledRequest<void> {
  constructor(
    client: SledClient,
    private readonly hash: ArtifactHash,
    private readonly source: SledId,
    private readonly generation: number | undefined,
  ) {
    super(client, 'copy');
  }

  later(done: Settler<void>): void {
    this.server.copyFromDepot(this.hash, this.source, this.generation, done, this.number);
  }
}

/** A PUT: the request is also its body (`BodyStream`), which the sled's writer reads. */
class PutRequest extends SledRequest<WriteResult> implements BodyStream {
  // The body rides the request's connection: when the client's total timeout
  // (`nexus/networking/src/sled_client.rs:46-50@74a6c136`) closes it, the sled's
  // body stream errors and the write is dropped.
  private readonly connection = new Connection();

  constructor(
    client: SledClient,
    private readonly artifact: LocalArtifact,
    private readonly generation: number | undefined,
  ) {
    super(client, 'put');
  }

  get content(): ArtifactHash {
    return this.artifact.hash;
  }

  get length(): number {
    return this.artifact.size;
  }

  later(done: Settler<WriteResult>): void {
    const { artifact } = this;
    this.server.put(artifact.hash, artifact.size, this.generation, this, done);
  }

  read(bytes: number, then: Settler<void>): void {
    const { env, owner, sled } = this.client;
    // A crashed sled reads no more: its write never goes on.
    const scope = this.server.scope();
    if (scope !== undefined) env.network.transfer(owner.node, sled, bytes, scope, `put ${this.artifact.hash}`, then, this.connection);
  }

  override givingUp(): void {
    this.client.env.network.close(this.connection, `${this.client.owner.node} gave up on the request`);
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
