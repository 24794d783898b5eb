import { SledAgentError, type ArtifactConfig, type ArtifactHash, type ArtifactListing, type LocalArtifact, type SledAgentClient, type SledId } from '../../../core/index.ts';
import type { Micros } from '../kernel/event-queue.ts';
import { Connection } from '../network.ts';
import { call, deadEndpoint, type Endpoint, type Handler } from '../rpc.ts';
import type { SledAgent, SledEnvironment } from '../sled/sled-agent.ts';
import type { RequestKind } from '../world-events.ts';

/** The sleds' world, plus what requests from a Nexus need. */
export interface ClientEnvironment extends SledEnvironment {
  readonly timeout: Micros;
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
 * The engine's `SledAgentClients` for one Nexus incarnation: each call is a request over
 * the simulated network, recorded as `request_sent` and `request_done` events.
 */
export function sledAgentClients(env: ClientEnvironment, owner: ClientOwner): (sled: SledId) => SledAgentClient {
  function request<T>(
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    hash: ArtifactHash | null,
    bytes: number,
    handler: (agent: SledAgent) => Handler<T>,
    connection?: Connection,
  ): Promise<T> {
    const id = env.nextRequestId();
    env.emit({ type: 'request_sent', id, nexus: owner.node, activation: owner.activation, kind, target, source, hash, bytes });
    const agent = env.sled(target);
    // No sled there: nothing answers at its address, so no handler ever runs.
    const server = agent ?? deadEndpoint(target);
    const serve = agent === undefined ? NOBODY : handler(agent);
    return call(env.kernel, env.network, owner, server, `${owner.node} ${kind} ${target}`, env.timeout, serve, (ok, err) => {
      if (ok) env.emit({ type: 'request_done', id, outcome: 'ok', error: null });
      else {
        const timedOut = err instanceof SledAgentError && err.status === null;
        env.emit({ type: 'request_done', id, outcome: timedOut ? 'timeout' : 'error', error: errorText(err) });
      }
    }, connection === undefined ? undefined : () => env.network.close(connection, `${owner.node} gave up on the request`));
  }

  const clients = new Map<SledId, SledAgentClient>();
  const client = (sled: SledId): SledAgentClient => ({
    putConfig: (config: ArtifactConfig) => request('config', sled, null, null, 0, (agent) => ({ now: () => agent.putConfig(config) })),
    list: (): Promise<ArtifactListing> => request('list', sled, null, null, 0, (agent) => ({ now: () => agent.list() })),
    put: async (artifact: LocalArtifact, generation?: number) => {
      // The body rides the request's connection: when the client's total timeout
      // (`nexus/networking/src/sled_client.rs:46-50@74a6c136`) closes it, the sled's
      // body stream errors and the write is dropped.
      const connection = new Connection();
      await request(
        'put',
        sled,
        null,
        artifact.hash,
        artifact.size,
        (agent) => ({
          later: (done) =>
            agent.put(
              artifact.hash,
              artifact.size,
              generation,
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
            ),
        }),
        connection,
      );
    },
    copyFromDepot: (hash: ArtifactHash, source: SledId, generation?: number) =>
      request('copy', sled, source, hash, env.sizeOf(hash), (agent) => ({ later: (done) => agent.copyFromDepot(hash, source, generation, done) })),
    delete: (hash: ArtifactHash) => request('delete', sled, null, hash, 0, (agent) => ({ now: () => agent.delete(hash) })),
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
