// A Nexus's sled clients: one client per sled address, which finds the sled's agent once
// the world has one there, and requests recorded as `request_sent` and `request_done`.
import { describe, expect, it } from 'vitest';
import { SledAgentError, type ArtifactHash, type SledId } from '../../../core/index.ts';
import { ArtifactCatalog } from '../artifact-catalog.ts';
import { Kernel, WaitScope } from '../kernel/kernel.ts';
import { RandomStreams } from '../kernel/random-streams.ts';
import { Network } from '../network.ts';
import { SledAgent } from '../sled/sled-agent.ts';
import type { WorldEvent } from '../world-events.ts';
import { sledAgentClients } from './sled-clients.ts';

const LATENCY = 1_000;
const TIMEOUT = 60_000;
const NEXUS = 'nexus-0';

function rig() {
  const kernel = new Kernel({ alwaysSettle: true });
  const network = new Network(kernel, new RandomStreams(1).stream('net'), { latency: { fixed: LATENCY }, bandwidth: 1e9, timeout: TIMEOUT, loss: 0 });
  const events: WorldEvent[] = [];
  const sleds = new Map<SledId, SledAgent>();
  const catalog = new ArtifactCatalog();
  const sizes = new Map<ArtifactHash, number>([['a', 1_000]]);
  let ids = 0;
  const env = {
    kernel,
    network,
    emit: (e: WorldEvent) => void events.push({ ...e, t: kernel.now }),
    sled: (s: SledId) => sleds.get(s),
    sizeOf: (h: ArtifactHash) => sizes.get(h) ?? 0,
    catalog,
    timeout: TIMEOUT,
    nextRequestId: () => ++ids,
  };
  const addSled = (id: SledId, commit: '74a6c136' | 'c31dc2f3' = '74a6c136'): SledAgent => {
    const agent = new SledAgent(id, env, { m2Count: 2, quota: 1e9, commit, reconcileDelay: 1_000, catalog });
    sleds.set(id, agent);
    return agent;
  };
  const nexusScope = new WaitScope(kernel, NEXUS);
  const clients = sledAgentClients(env, { node: NEXUS, activation: 1, scope: () => nexusScope });
  const outcome = (promise: Promise<unknown>): { value?: string } => {
    const seen: { value?: string } = {};
    promise.then(
      () => (seen.value = `ok@${kernel.now}`),
      (err: unknown) => (seen.value = `${err instanceof SledAgentError ? err.status : 'other'}@${kernel.now}`),
    );
    return seen;
  };
  return { kernel, events, addSled, clients, outcome };
}

describe('sled clients', () => {
  it('one client per sled address, whatever the number of requests', () => {
    const { clients } = rig();
    expect(clients('sled-0')).toBe(clients('sled-0'));
    expect(clients('sled-0')).not.toBe(clients('sled-1'));
  });

  it('a request to an address with no sled times out; once a sled is there, the same client reaches it', async () => {
    const { kernel, events, addSled, clients, outcome } = rig();
    const client = clients('sled-1');
    const first = outcome(client.list());
    await kernel.run(TIMEOUT + 1);
    expect(first.value).toBe(`null@${TIMEOUT}`);
    addSled('sled-1');
    const second = outcome(client.list());
    await kernel.run();
    expect(second.value).toBe(`ok@${TIMEOUT + 1 + 2 * LATENCY}`);
    expect(events.filter((e) => e.type === 'request_done').map((e) => [e.t, e.outcome])).toEqual([
      [TIMEOUT, 'timeout'],
      [TIMEOUT + 1 + 2 * LATENCY, 'ok'],
    ]);
  });

  it('each request reaches the sled its client names', async () => {
    const { kernel, events, addSled, clients, outcome } = rig();
    const zero = addSled('sled-0');
    const one = addSled('sled-1');
    zero.store.seed('a', 1_000);
    one.store.seed('a', 1_000);
    const deleted = outcome(clients('sled-1').delete('a'));
    await kernel.run();
    expect(deleted.value).toBe(`ok@${2 * LATENCY}`);
    expect([zero.list().artifacts.size, one.list().artifacts.size]).toEqual([1, 0]);
    expect(events.filter((e) => e.type === 'request_sent').map((e) => [e.target, e.kind, e.hash])).toEqual([['sled-1', 'delete', 'a']]);
  });

  it('a configuration, a listing and a delete (one request class) each run their own handler on the sled', async () => {
    const { kernel, events, addSled, clients, outcome } = rig();
    const sled = addSled('sled-0', 'c31dc2f3');
    sled.store.seed('a', 1_000);
    const client = clients('sled-0');
    const configured = outcome(client.putConfig({ generation: 2, artifacts: ['a'] }));
    await kernel.run();
    let listing: unknown;
    void client.list().then((l) => (listing = { generation: l.generation, artifacts: [...l.artifacts] }));
    await kernel.run();
    const deleted = outcome(client.delete('a'));
    await kernel.run();
    expect(configured.value).toBe(`ok@${2 * LATENCY}`);
    expect(listing).toEqual({ generation: 2, artifacts: [['a', 2]] });
    expect(deleted.value).toBe(`ok@${6 * LATENCY}`);
    expect(sled.list().artifacts.size).toBe(0);
    expect(events.filter((e) => e.type === 'request_sent').map((e) => e.kind)).toEqual(['config', 'list', 'delete']);
  });

  it('a timeout names its request’s kind and sled, the same text for every request of one kind', async () => {
    // Each kind's text is kept per client after its first timeout: a kept text of another kind would show here.
    const { kernel, events, clients } = rig();
    const client = clients('sled-3');
    const requests = [client.list(), client.delete('a'), client.list(), client.copyFromDepot('a', 'sled-4'), client.delete('a')];
    for (const request of requests) request.catch(() => undefined);
    await kernel.run();
    expect(events.filter((e) => e.type === 'request_done').map((e) => e.error)).toEqual([
      'nexus-0 list sled-3: no answer within 60 ms',
      'nexus-0 delete sled-3: no answer within 60 ms',
      'nexus-0 list sled-3: no answer within 60 ms',
      'nexus-0 copy sled-3: no answer within 60 ms',
      'nexus-0 delete sled-3: no answer within 60 ms',
    ]);
  });
});
