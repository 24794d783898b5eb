import { SledAgentError } from '../core/index.ts';
import type { Micros } from './kernel/event-queue.ts';
import type { Kernel, WaitScope } from './kernel/kernel.ts';
import type { Network, NodeId } from './network.ts';

/** One end of an exchange: a node and the waits of its current incarnation. */
export interface Endpoint {
  readonly node: NodeId;
  /** Closed when the incarnation crashes; `undefined` when the node is gone for good. */
  scope(): WaitScope | undefined;
}

/**
 * A request/response exchange: the request crosses the network, `handle` runs on the
 * server, the answer (value or error) crosses back. The client gives up after `timeout`
 * with a `SledAgentError` without status, as an HTTP client does; the server's work
 * goes on regardless. A server that crashes mid-request never answers.
 */
export function call<T>(
  kernel: Kernel,
  network: Network,
  client: Endpoint,
  server: Endpoint,
  label: string,
  timeout: Micros,
  handle: () => Promise<T> | T,
): Promise<T> {
  const clientScope = client.scope();
  if (clientScope === undefined || clientScope.isClosed) return new Promise<T>(() => undefined);
  const reply = clientScope.deferred<T>(label);
  network.send(client.node, server.node, label, () => {
    const scope = server.scope();
    if (scope === undefined || scope.isClosed) return;
    kernel.spawn(label, async () => {
      let ok = true;
      let value: T | undefined;
      let error: unknown;
      try {
        value = await handle();
      } catch (err) {
        ok = false;
        error = err;
      }
      if (scope.isClosed) return;
      network.send(server.node, client.node, `${label} reply`, () => {
        if (ok) reply.resolve(value as T);
        else reply.reject(error);
      });
    });
  });
  return kernel.withTimeout(
    reply.promise,
    timeout,
    label,
    () => {
      reply.abandon();
      return new SledAgentError(`${label}: no answer within ${timeout / 1000} ms`, null);
    },
    clientScope,
  );
}
