import { SledAgentError } from '../../core/index.ts';
import type { Micros } from './kernel/event-queue.ts';
import type { Kernel, Settle, Settleable, WaitScope } from './kernel/kernel.ts';
import type { Network, NodeId } from './network.ts';

/**
 * A sled agent's error answer. It is data crossing the wire, not a fault of the simulator,
 * so it carries no stack trace: capturing the deep asynchronous stack for each of a day's
 * thousands of refusals and timeouts cost some 3% of a run.
 */
export function answerError(message: string, status: number | null, errorCode: string | null = null): SledAgentError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SledAgentError(message, status, errorCode);
  } finally {
    Error.stackTraceLimit = limit;
  }
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
 * How a server answers. `now` returns (or throws) the answer at once, as a plain handler
 * does; `later` calls `done` when its work ends, and the answer leaves one microtask tick
 * after that, where the `await` of an async handler's promise resumed.
 */
export type Handler<T> = { readonly now: () => T } | { readonly later: (done: Settle<T>) => void };

/**
 * A request/response exchange: the request crosses the network, `handler` runs on the
 * server, the answer (value or error) crosses back. The client gives up after `timeout`
 * (reqwest's total timeout) with a `SledAgentError` without status, as an HTTP client
 * does, and closes its connection: `givingUp` runs then, to break off a request body
 * still streaming. The server's handler goes on (dropshot handlers are detached; a body
 * it still reads then errors). A server that crashes mid-request never answers.
 * `settling` hears the outcome just before the client's promise settles (never, if the
 * client crashed): the caller's bookkeeping needs no promise of its own.
 */
export function call<T>(
  kernel: Kernel,
  network: Network,
  client: Endpoint,
  server: Endpoint,
  label: string,
  timeout: Micros,
  handler: Handler<T>,
  settling?: (ok: boolean, error: unknown) => void,
  givingUp?: () => void,
): Promise<T> {
  const clientScope = client.scope();
  if (clientScope === undefined || clientScope.isClosed) return new Promise<T>(() => undefined);
  const reply = clientScope.deferred<T>(label);
  exchange(kernel, network, client.node, clientScope, reply, server, label, timeout, handler, settling, givingUp);
  return reply.promise;
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
  label: string,
  timeout: Micros,
  handler: Handler<T>,
  then: Settle<T>,
): void {
  const clientScope = client.scope();
  if (clientScope === undefined || clientScope.isClosed) return;
  exchange(kernel, network, client.node, clientScope, clientScope.waitFor(label, then), server, label, timeout, handler);
}

function exchange<T>(
  kernel: Kernel,
  network: Network,
  clientNode: NodeId,
  clientScope: WaitScope,
  reply: Settleable<T>,
  server: Endpoint,
  label: string,
  timeout: Micros,
  handler: Handler<T>,
  settling?: (ok: boolean, error: unknown) => void,
  givingUp?: () => void,
): void {
  const settle = (ok: boolean, value: T | undefined, error: unknown): void => {
    if (reply.settled || clientScope.isClosed) return;
    settling?.(ok, error);
    if (ok) reply.resolve(value as T);
    else reply.reject(error);
  };
  const answer = (scope: WaitScope, ok: boolean, value: T | undefined, error: unknown): void => {
    if (scope.isClosed) return;
    network.send(server.node, clientNode, `${label} reply`, () => {
      timer?.cancel();
      settle(ok, value, error);
    });
  };
  network.send(clientNode, server.node, label, () => {
    const scope = server.scope();
    if (scope === undefined || scope.isClosed) return;
    if ('later' in handler) {
      handler.later((ok, value, error) => kernel.tick(() => answer(scope, ok, value, error)));
      return;
    }
    let result: T;
    try {
      result = handler.now();
    } catch (err) {
      return answer(scope, false, undefined, err);
    }
    answer(scope, true, result, undefined);
  });
  // The client gives up and drops the connection; a late answer is ignored. A client
  // without a total timeout (`Infinity`) waits as long as the server lives.
  const timer = Number.isFinite(timeout)
    ? kernel.after(timeout, `${label} timeout`, () => {
        if (reply.settled || clientScope.isClosed) return;
        settle(false, undefined, answerError(`${label}: no answer within ${timeout / 1000} ms`, null));
        givingUp?.();
      })
    : undefined;
}
