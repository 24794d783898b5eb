import { SledAgentError, type ArtifactConfig, type ArtifactHash, type ArtifactListing, type LocalArtifact, type SledAgentClient, type SledId } from '../../../core/index.ts';
import type { Micros } from '../kernel/event-queue.ts';
import type { Settle } from '../kernel/kernel.ts';
import { Connection } from '../network.ts';
import { call, deadEndpoint, type CallWatcher, type Endpoint, type Handler } from '../rpc.ts';
import type { WriteResult } from '../sled/artifact-store.ts';
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
  /** The sled that answers; set when sent (a request to no sled runs no handler). */
  private agent: SledAgent | undefined = undefined;

  // Not protected: `send` reads them through its `this` typed as a handler too.
  constructor(
    readonly env: ClientEnvironment,
    readonly owner: ClientOwner,
    private readonly kind: RequestKind,
    readonly sled: SledId,
  ) {}

  /** The name of the Nexus's wait, spelt only when a stall report asks. */
  get label(): string {
    return `${this.owner.node} ${this.kind} ${this.sled}`;
  }

  /** Sends it, recorded as `request_sent`; the request itself is the handler the sled runs. */
  send(this: SledRequest<T> & Handler<T>, source: SledId | null, hash: ArtifactHash | null, bytes: number): Promise<T> {
    const { env, owner } = this;
    const id = (this.id = env.nextRequestId());
    const agent = env.sled(this.sled);
    const number = (this.number = hash === null ? UNNUMBERED : env.catalog.numberOf(hash));
    env.emit(
      { t: NOW, type: 'request_sent', id, nexus: owner.node, activation: owner.activation, kind: this.kind, target: this.sled, source, hash, bytes },
      agent === undefined ? UNNUMBERED : agent.number,
      number,
    );
    // No sled there: nothing answers at its address, so no handler ever runs.
    if (agent === undefined) return call(env.kernel, env.network, owner, deadEndpoint(this.sled), this, env.timeout, NOBODY, this);
    this.agent = agent;
    return call(env.kernel, env.network, owner, agent, this, env.timeout, this, this);
  }

  /** Recorded as `request_done`. */
  settling(ok: boolean, err: unknown): void {
    if (ok) this.env.emit({ t: NOW, type: 'request_done', id: this.id, outcome: 'ok', error: null });
    else {
      const timedOut = err instanceof SledAgentError && err.status === null;
      this.env.emit({ t: NOW, type: 'request_done', id: this.id, outcome: timedOut ? 'timeout' : 'error', error: errorText(err) });
    }
  }

  /** Only a request with a body has something to break off. */
  givingUp(): void {}

  /** The sled that answers: only its handler asks, and that runs only where a sled is. */
  protected get server(): SledAgent {
    return this.agent as SledAgent;
  }
}

class ConfigRequest extends SledRequest<void> {
  constructor(env: ClientEnvironment, owner: ClientOwner, sled: SledId, private readonly config: ArtifactConfig) {
    super(env, owner, 'config', sled);
  }

  now(): void {
    this.server.putConfig(this.config);
  }
}

class ListRequest extends SledRequest<ArtifactListing> {
  constructor(env: ClientEnvironment, owner: ClientOwner, sled: SledId) {
    super(env, owner, 'list', sled);
  }

  now(): ArtifactListing {
    return this.server.list();
  }
}

class DeleteRequest extends SledRequest<void> {
  constructor(env: ClientEnvironment, owner: ClientOwner, sled: SledId, private readonly hash: ArtifactHash) {
    super(env, owner, 'delete', sled);
  }

  now(): void {
    this.server.delete(this.hash, this.number);
  }
}

class CopyRequest extends SledRequest<void> {
  constructor(
    env: ClientEnvironment,
    owner: ClientOwner,
    sled: SledId,
    private readonly hash: ArtifactHash,
    private readonly source: SledId,
    private readonly generation: number | undefined,
  ) {
    super(env, owner, 'copy', sled);
  }

  later(done: Settle<void>): void {
    this.server.copyFromDepot(this.hash, this.source, this.generation, done, this.number);
  }
}

class PutRequest extends SledRequest<WriteResult> {
  // The body rides the request's connection: when the client's total timeout
  // (`nexus/networking/src/sled_client.rs:46-50@74a6c136`) closes it, the sled's
  // body stream errors and the write is dropped.
  private readonly connection = new Connection();

  constructor(
    env: ClientEnvironment,
    owner: ClientOwner,
    sled: SledId,
    private readonly artifact: LocalArtifact,
    private readonly generation: number | undefined,
  ) {
    super(env, owner, 'put', sled);
  }

  later(done: Settle<WriteResult>): void {
    const { env, owner, sled, artifact, connection } = this;
    const agent = this.server;
    agent.put(
      artifact.hash,
      artifact.size,
      this.generation,
      {
        content: artifact.hash,
        length: artifact.size,
        read: (bytes, then) => {
          // A crashed sled reads no more: its write never goes on.
          const scope = agent.scope();
          if (scope !== undefined) env.network.transfer(owner.node, sled, bytes, scope, `put ${artifact.hash}`, then, connection);
        },
      },
      done,
    );
  }

  override givingUp(): void {
    this.env.network.close(this.connection, `${this.owner.node} gave up on the request`);
  }
}

/**
 * The engine's `SledAgentClients` for one Nexus incarnation: each call is a request over
 * the simulated network, recorded as `request_sent` and `request_done` events.
 */
export function sledAgentClients(env: ClientEnvironment, owner: ClientOwner): (sled: SledId) => SledAgentClient {
  const clients = new Map<SledId, SledAgentClient>();
  const client = (sled: SledId): SledAgentClient => ({
    putConfig: (config: ArtifactConfig) => new ConfigRequest(env, owner, sled, config).send(null, null, 0),
    list: () => new ListRequest(env, owner, sled).send(null, null, 0),
    put: async (artifact: LocalArtifact, generation?: number) => {
      await new PutRequest(env, owner, sled, artifact, generation).send(null, artifact.hash, artifact.size);
    },
    copyFromDepot: (hash: ArtifactHash, source: SledId, generation?: number) =>
      new CopyRequest(env, owner, sled, hash, source, generation).send(source, hash, env.sizeOf(hash)),
    delete: (hash: ArtifactHash) => new DeleteRequest(env, owner, sled, hash).send(null, hash, 0),
  });
  // One client per sled, made on first use: the engine asks for one per request.
  return (sled) => {
    let made = clients.get(sled);
    if (made === undefined) {
      made = client(sled);
      clients.set(sled, made);
    }
    return made;
  };
}
