// The network's semantics, each checked at its exact virtual time in µs: latency and
// slowness, loss, down nodes, partitions (symmetric and one-way), and bodies sharing the
// bandwidth of their links.
import { describe, expect, it } from 'vitest';
import type { DelaySpec } from './kernel/distributions.ts';
import { Kernel, WaitScope } from './kernel/kernel.ts';
import { RandomStreams } from './kernel/random-streams.ts';
import { Network, TransferError, type Message, type NetworkConfig } from './network.ts';

const MB = 1_000_000;
const LATENCY = 1_000;

/** A message whose arrival is written down with its time. */
class Note implements Message {
  time = 0;
  tie = 0;
  seq = 0;
  readonly cancelled = false;

  constructor(
    readonly label: string,
    private readonly arrived: () => void,
    private readonly network: Network,
    private readonly from: string,
    private readonly to: string,
  ) {}

  fire(): void {
    if (this.network.reachable(this.from, this.to)) this.arrived();
  }
}

function rig(config: Partial<NetworkConfig> = {}, seed = 1) {
  const kernel = new Kernel();
  const network = new Network(kernel, new RandomStreams(seed).stream('net'), {
    latency: { fixed: LATENCY } as DelaySpec,
    bandwidth: 100 * MB,
    timeout: 10_000_000,
    loss: 0,
    ...config,
  });
  const arrivals: string[] = [];
  const send = (from: string, to: string, label = `${from}->${to}`): boolean =>
    network.send(from, to, new Note(label, () => arrivals.push(`${label}@${kernel.now}`), network, from, to));
  const scope = new WaitScope(kernel, 'receiver');
  /** Starts a transfer now; its outcome lands in `arrivals` with its time. */
  const transfer = (from: string, to: string, bytes: number, label = `${from}=>${to}`): void => {
    network.transfer(from, to, bytes, scope, label, (ok, _, err) =>
      arrivals.push(ok ? `${label}@${kernel.now}` : `${label} ${err instanceof TransferError ? 'broke' : 'failed'}@${kernel.now}`),
    );
  };
  return { kernel, network, arrivals, send, transfer };
}

describe('Network: messages', () => {
  it('delivers after one latency, plus the slowness of either end, which adds up and ends', async () => {
    const { kernel, network, arrivals, send } = rig();
    send('a', 'b', 'plain');
    const endA = network.slow('a', 300);
    network.slow('a', 200);
    network.slow('b', 50);
    send('a', 'b', 'both slow');
    send('c', 'a', 'to slow a');
    endA();
    send('a', 'c', 'a less slow');
    await kernel.run();
    expect(arrivals).toEqual(['plain@1000', 'a less slow@1200', 'to slow a@1500', 'both slow@1550']);
  });

  it('samples lognormal latency from its own stream, the same for the same seed', async () => {
    const times = async (seed: number): Promise<string[]> => {
      const { kernel, arrivals, send } = rig({ latency: { median: 1_000, p99: 20_000 } }, seed);
      for (let i = 0; i < 5; i++) send('a', 'b', `m${i}`);
      await kernel.run();
      return arrivals;
    };
    expect(await times(1)).toEqual(await times(1));
    expect(await times(1)).not.toEqual(await times(2));
  });

  it('loses messages with the configured probability, and all of them at 1', async () => {
    const all = rig({ loss: 1 });
    expect(all.send('a', 'b')).toBe(false);
    await all.kernel.run();
    expect(all.arrivals).toEqual([]);

    const some = rig({ loss: 0.3 });
    let sent = 0;
    for (let i = 0; i < 10_000; i++) if (some.send('a', 'b')) sent++;
    await some.kernel.run();
    expect(some.arrivals).toHaveLength(sent);
    expect(sent).toBeGreaterThan(6_800);
    expect(sent).toBeLessThan(7_200);
  });

  it('never delivers to or from a down node, including messages already on the way', async () => {
    const { kernel, network, arrivals, send } = rig();
    send('a', 'b', 'in flight');
    network.setDown('b');
    expect(send('b', 'a', 'from down')).toBe(false);
    expect(network.reachable('a', 'b')).toBe(false);
    kernel.at(2_000, 'restart', () => {
      network.setUp('b');
      send('a', 'b', 'after restart');
    });
    await kernel.run();
    expect(arrivals).toEqual(['after restart@3000']);
  });

  it('cuts a symmetric partition both ways, a one-way one only one way, until healed', async () => {
    const { kernel, network, arrivals, send } = rig();
    const heal = network.partition(['a'], ['b', 'c'], false);
    const healOneway = network.partition(['d'], ['e'], true);
    for (const [from, to] of [['a', 'b'], ['c', 'a'], ['b', 'c'], ['d', 'e'], ['e', 'd']] as const) send(from, to);
    kernel.at(5_000, 'heal', () => {
      heal();
      healOneway();
      send('a', 'b', 'healed a->b');
      send('d', 'e', 'healed d->e');
    });
    await kernel.run();
    expect(arrivals).toEqual(['b->c@1000', 'e->d@1000', 'healed a->b@6000', 'healed d->e@6000']);
  });

  it('drops a message whose ends a partition separates while it is on the way', async () => {
    const { kernel, network, arrivals, send } = rig();
    send('a', 'b', 'cut');
    kernel.at(500, 'partition', () => network.partition(['a'], ['b'], false));
    await kernel.run();
    expect(arrivals).toEqual([]);
  });
});

describe('Network: bodies', () => {
  it('moves a body at the link bandwidth', async () => {
    const { kernel, arrivals, transfer } = rig();
    transfer('depot', 'sled', 50 * MB);
    await kernel.run();
    expect(arrivals).toEqual(['depot=>sled@500000']);
  });

  it('shares a link equally, and gives the share back when a transfer ends', async () => {
    const { kernel, network, arrivals, transfer } = rig();
    // 100 MB/s per link. `first` alone for 0.5 s moves 50 MB; then both run at 50 MB/s from
    // depot's link: `first` ends at 1.5 s, and `second`, with 50 MB left, runs alone to 2.0 s.
    transfer('depot', 'sled-1', 100 * MB, 'first');
    kernel.at(500_000, 'second', () => transfer('depot', 'sled-2', 100 * MB, 'second'));
    kernel.at(1_000_000, 'probe', () => arrivals.push(`in flight ${network.bytesInFlight()}`));
    await kernel.run();
    expect(arrivals).toEqual([`in flight ${100 * MB}`, 'first@1500000', 'second@2000000']);
  });

  it('limits a transfer by the busier of its two links', async () => {
    const { kernel, arrivals, transfer } = rig();
    // sled-2's link carries two transfers: each gets 50 MB/s, and so does the depot's one to sled-2.
    transfer('depot', 'sled-2', 50 * MB, 'depot');
    transfer('peer', 'sled-2', 50 * MB, 'peer');
    transfer('other', 'sled-3', 50 * MB, 'unrelated');
    await kernel.run();
    expect(arrivals).toEqual(['unrelated@500000', 'depot@1000000', 'peer@1000000']);
  });

  it('counts a body from a node to itself once on its link', async () => {
    const { kernel, arrivals, transfer } = rig();
    // sled's link carries two bodies, 50 MB/s each: were the loop-back counted twice, each
    // would get a third of it and both would end at 1.5 s.
    transfer('sled', 'sled', 50 * MB, 'loop');
    transfer('depot', 'sled', 50 * MB, 'in');
    await kernel.run();
    expect(arrivals).toEqual(['loop@1000000', 'in@1000000']);
  });

  it('gives a link back to the bodies still on it when one in the middle ends', async () => {
    const { kernel, arrivals, transfer } = rig({ bandwidth: 120 * MB });
    // 40 MB/s each until `short` ends at 0.5 s (20 MB moved each), then 60 MB/s: `first`
    // and `last` have 40 MB left and end at 0.5 + 2/3 s.
    transfer('depot', 'sled-1', 60 * MB, 'first');
    transfer('depot', 'sled-2', 20 * MB, 'short');
    transfer('depot', 'sled-3', 60 * MB, 'last');
    await kernel.run();
    expect(arrivals).toEqual(['short@500000', 'first@1166667', 'last@1166667']);
  });

  it('breaks bodies off when an end goes down or a partition cuts them, and the others speed up', async () => {
    const { kernel, network, arrivals, transfer } = rig({ bandwidth: 120 * MB });
    transfer('depot', 'sled-1', 120 * MB, 'to crashing');
    transfer('depot', 'sled-2', 120 * MB, 'to cut');
    transfer('depot', 'sled-3', 120 * MB, 'survivor');
    kernel.at(300_000, 'crash', () => network.setDown('sled-1'));
    kernel.at(600_000, 'cut', () => network.partition(['depot'], ['sled-2'], true));
    await kernel.run();
    // survivor: 40 MB/s for 0.3 s (12 MB), 60 MB/s for 0.3 s (18 MB), then 90 MB alone at 120 MB/s.
    expect(arrivals).toEqual(['to crashing broke@300000', 'to cut broke@600000', 'survivor@1350000']);
  });

  it('refuses a body between ends that cannot reach each other, and moves an empty one at once', async () => {
    const { kernel, network, arrivals, transfer } = rig();
    network.setDown('sled-9');
    transfer('depot', 'sled-9', MB, 'refused');
    transfer('depot', 'sled-1', 0, 'empty');
    await kernel.run();
    expect(arrivals).toEqual(['refused broke@0', 'empty@0']);
  });
});
