// Request/response over the simulated network: answers, errors, client timeouts, and
// what a crash of either end does to an exchange in progress.
import { describe, expect, it } from 'vitest';
import { SledAgentError } from '../../core/index.ts';
import { Kernel, SimulationError, StallError, WaitScope } from './kernel/kernel.ts';
import { RandomStreams } from './kernel/random-streams.ts';
import { Network } from './network.ts';
import { answerError, call, callThen, noAnswerText, type Endpoint, type Handler } from './rpc.ts';

const LATENCY = 1_000;
const TIMEOUT = 50_000;

function rig() {
  const kernel = new Kernel();
  const network = new Network(kernel, new RandomStreams(1).stream('net'), {
    latency: { fixed: LATENCY },
    bandwidth: 1e9,
    timeout: TIMEOUT,
    loss: 0,
  });
  const endpoint = (node: string): Endpoint & { crash(): void } => {
    let scope: WaitScope | undefined = new WaitScope(kernel, node);
    return {
      node,
      scope: () => scope,
      crash: () => {
        scope?.close();
        scope = undefined;
        network.setDown(node);
      },
    };
  };
  const client = endpoint('nexus');
  const server = endpoint('sled');
  const outcomes: string[] = [];
  /** Calls `handler` on the server now; the outcome lands in `outcomes` with its time, after what `settling` heard. */
  const request = (handler: Handler<string>): void => {
    const watcher = {
      settling: (ok: boolean, err: unknown): void => {
        outcomes.push(`settling ${ok ? 'ok' : String((err as Error).message)}@${kernel.now}`);
      },
      givingUp: () => undefined,
      noAnswer: (timeout: number) => noAnswerText('GET /artifacts', timeout),
    };
    call(kernel, network, client, server, 'GET /artifacts', TIMEOUT, handler, watcher).then(
      (value) => outcomes.push(`${value}@${kernel.now}`),
      (err: unknown) =>
        outcomes.push(
          err instanceof SledAgentError ? `SledAgentError(${err.status}): ${err.message}@${kernel.now}` : `${String(err)}@${kernel.now}`,
        ),
    );
  };
  return { kernel, network, client, server, outcomes, request };
}

/** An async handler: it answers when its promise settles. */
function later(work: () => Promise<string>): Handler<string> {
  return {
    later: (done) =>
      void work().then(
        (value) => done.settle(true, value, undefined),
        (err: unknown) => done.settle(false, undefined, err),
      ),
  };
}

describe('rpc call', () => {
  it('answers after a round trip, and after the handler’s own work when it is asynchronous', async () => {
    const { kernel, outcomes, request } = rig();
    request({ now: () => 'listed' });
    request(
      later(async () => {
        await kernel.sleep(10_000, 'write');
        return 'written';
      }),
    );
    await kernel.run();
    expect(outcomes).toEqual(['settling ok@2000', 'listed@2000', 'settling ok@12000', 'written@12000']);
  });

  it('sends a later handler’s answer one tick after it is given, behind the jobs queued before it', async () => {
    const { kernel, network, request } = rig();
    const seen: string[] = [];
    const send = network.send.bind(network);
    network.send = (from, to, message) => {
      seen.push(`send ${message.label}`);
      return send(from, to, message);
    };
    request({
      later: (done) => {
        kernel.tick(() => seen.push('job queued before the answer'));
        done.settle(true, 'listed', undefined);
        kernel.tick(() => seen.push('job queued after the answer'));
      },
    });
    await kernel.run();
    expect(seen).toEqual([
      'send GET /artifacts',
      'job queued before the answer',
      'send GET /artifacts reply',
      'job queued after the answer',
    ]);
  });

  it('carries the handler’s error back to the client', async () => {
    const { kernel, outcomes, request } = rig();
    request({
      now: () => {
        throw new SledAgentError('conflict', 409);
      },
    });
    request(
      later(async () => {
        await kernel.sleep(1, 'write');
        throw new Error('disk on fire');
      }),
    );
    await kernel.run();
    expect(outcomes).toEqual(['settling conflict@2000', 'SledAgentError(409): conflict@2000', 'settling disk on fire@2001', 'Error: disk on fire@2001']);
  });

  it('gives up after the timeout with no status, while the server’s work goes on', async () => {
    const { kernel, outcomes, request } = rig();
    let finished = -1;
    request(
      later(async () => {
        await kernel.sleep(100_000, 'slow write');
        finished = kernel.now;
        return 'late';
      }),
    );
    await kernel.run();
    expect(outcomes).toEqual(['settling GET /artifacts: no answer within 50 ms@50000', 'SledAgentError(null): GET /artifacts: no answer within 50 ms@50000']);
    expect(finished).toBe(101_000);
  });

  it('gives up with the message its watcher spells, asked for with the timeout', async () => {
    // A caller hands back one string per request name (see `CallWatcher.noAnswer`); rpc no longer spells it for a watcher.
    const { kernel, client, server, network } = rig();
    const asked: number[] = [];
    const messages: string[] = [];
    const watcher = {
      settling: (_: boolean, err: unknown): void => void messages.push((err as Error).message),
      givingUp: () => undefined,
      noAnswer: (timeout: number): string => {
        asked.push(timeout);
        return 'nexus-1 list sled-2: kept text';
      },
    };
    void call(kernel, network, client, server, 'GET /artifacts', TIMEOUT, { later: () => undefined }, watcher).catch(() => undefined);
    await kernel.run();
    expect(messages).toEqual(['nexus-1 list sled-2: kept text']);
    expect(asked).toEqual([TIMEOUT]);
    expect(noAnswerText('nexus-1 list sled-2', 60_000)).toBe('nexus-1 list sled-2: no answer within 60 ms');
  });

  it('builds error answers without a stack trace, and leaves the limit for every other error as it was', () => {
    const before = Error.stackTraceLimit;
    const answer = answerError('conflict', 409, 'CONFIG_GENERATION');
    expect(answer).toBeInstanceOf(SledAgentError);
    expect([answer.message, answer.status, answer.errorCode]).toEqual(['conflict', 409, 'CONFIG_GENERATION']);
    expect(answer.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('a bug').stack).toMatch(/\n\s+at /);
  });

  it('times out when the server crashes mid-request, and never answers from the dead incarnation', async () => {
    const { kernel, server, outcomes, request } = rig();
    let resumed = false;
    request(
      later(async () => {
        await kernel.sleep(10_000, 'write', server.scope());
        resumed = true;
        return 'written';
      }),
    );
    kernel.at(5_000, 'crash', () => server.crash());
    await kernel.run();
    expect(resumed).toBe(false);
    expect(outcomes).toEqual(['settling GET /artifacts: no answer within 50 ms@50000', 'SledAgentError(null): GET /artifacts: no answer within 50 ms@50000']);
  });

  it('spells a request’s name only for a report, with the text it always had', async () => {
    // The name of the wait, of both messages and of the timeout is read only by a stall or error report.
    const stalls = rig();
    let spelt = 0;
    const name = {
      get label(): string {
        spelt++;
        return 'nexus-1 list sled-2';
      },
    };
    const never: Handler<string> = { later: () => undefined };
    void call(stalls.kernel, stalls.network, stalls.client, stalls.server, name, Infinity, { now: () => 'listed' }, undefined);
    void call(stalls.kernel, stalls.network, stalls.client, stalls.server, name, Infinity, never, undefined);
    const stall = (await stalls.kernel.run().catch((e: unknown) => e)) as StallError;
    expect(stall).toBeInstanceOf(StallError);
    expect(stall.waiting).toEqual(['nexus: nexus-1 list sled-2']);
    expect(spelt).toBe(1);

    // A failure in the client's bookkeeping names the event it failed in: the reply, then the timeout.
    const failing = {
      settling: (): void => {
        throw new Error('bookkeeping');
      },
      givingUp: () => undefined,
      noAnswer: (timeout: number) => noAnswerText('GET /artifacts', timeout),
    };
    const cases = [
      [{ now: () => 'listed' }, 'GET /artifacts reply', 2_000],
      [never, 'GET /artifacts timeout', TIMEOUT],
    ] as const;
    for (const [handler, event, time] of cases) {
      const { kernel, network, client, server } = rig();
      void call(kernel, network, client, server, 'GET /artifacts', TIMEOUT, handler, failing);
      const error = (await kernel.run().catch((e: unknown) => e)) as SimulationError;
      expect(error).toBeInstanceOf(SimulationError);
      expect([error.label, error.time]).toEqual([event, time]);
    }
  });

  it('tells the timeout from a reply due at the same microsecond: whichever was queued first is heard, once', async () => {
    // The timer is queued when the request leaves, the reply one latency later: the timeout goes first.
    const { kernel, client, server, network, outcomes } = rig();
    const heard: string[] = [];
    const watcher = {
      settling: (ok: boolean): void => void heard.push(`${ok ? 'answer' : 'timeout'}@${kernel.now}`),
      givingUp: (): void => void heard.push(`giving up@${kernel.now}`),
      noAnswer: (timeout: number) => noAnswerText('GET /artifacts', timeout),
    };
    void call(kernel, network, client, server, 'GET /artifacts', 2 * LATENCY, { now: () => 'listed' }, watcher).catch(() => undefined);
    void call(kernel, network, client, server, 'GET /artifacts', 2 * LATENCY + 1, { now: () => 'listed' }, watcher).catch(() => undefined);
    await kernel.run();
    expect(heard).toEqual(['timeout@2000', 'giving up@2000', 'answer@2000']);
    expect(outcomes).toEqual([]);
  });

  it('leaves a crashed client’s call pending forever, without stalling the run', async () => {
    const { kernel, client, outcomes, request } = rig();
    request({ now: () => 'listed' });
    client.crash();
    request({ now: () => 'never sent' });
    await kernel.run();
    expect(outcomes).toEqual([]);
  });
});

describe('rpc callThen', () => {
  /** A depot GET as the sleds make it: the outcome goes to a listener's method, at once. */
  const get = (r: ReturnType<typeof rig>, handler: Handler<string>, timeout: number, heard: string[]): void =>
    callThen(r.kernel, r.network, r.client, r.server, 'depot get', timeout, handler, {
      settle: (ok, value, error) => void heard.push(`${ok ? String(value) : (error as Error).message}@${r.kernel.now}`),
    });

  it('hands the answer, the handler’s error or the timeout to its listener, once each', async () => {
    const r = rig();
    const heard: string[] = [];
    get(r, { now: () => 'found' }, TIMEOUT, heard);
    get(r, { now: () => { throw new SledAgentError('gone', 404); } }, TIMEOUT, heard);
    get(r, { later: () => undefined }, TIMEOUT, heard);
    await r.kernel.run();
    expect(heard).toEqual(['found@2000', 'gone@2000', 'depot get: no answer within 50 ms@50000']);
  });

  it('counts as the client’s wait until heard: a stall names it, a crash of the client drops it unheard', async () => {
    const stalled = rig();
    const heard: string[] = [];
    get(stalled, { later: () => undefined }, Infinity, heard);
    get(stalled, { now: () => 'found' }, Infinity, heard);
    const stall = (await stalled.kernel.run().catch((e: unknown) => e)) as StallError;
    expect(stall).toBeInstanceOf(StallError);
    expect(stall.waiting).toEqual(['nexus: depot get']);
    expect(heard).toEqual(['found@2000']);

    const crashed = rig();
    get(crashed, { later: () => undefined }, Infinity, heard);
    crashed.kernel.at(500, 'crash', () => crashed.client.crash());
    await crashed.kernel.run();
    expect(heard).toEqual(['found@2000']);
  });
});
