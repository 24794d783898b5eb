import { describe, expect, it } from 'vitest';
import { busyWorld } from '../world/testing/busy-world.ts';
import { HOUR } from '../world/testing/world-fixtures.ts';
import type { WorldConfig } from '../world/world.ts';

const RUN = 6 * HOUR;

async function historyHash(seed: number, overrides: Partial<WorldConfig> = {}): Promise<{ hash: string; events: number }> {
  const world = busyWorld(seed, 'merged', overrides);
  await world.run(RUN);
  return { hash: world.events.digest(), events: world.events.size };
}

/* eslint-disable no-restricted-properties, no-restricted-globals -- the one place that touches the ambient sources: to trap them */
/** Replaces the ambient sources of time, randomness and scheduling with traps. */
function poisonAmbient(): { calls: string[]; restore: () => void } {
  const calls: string[] = [];
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = {
    random: Math.random,
    dateNow: Date.now,
    setTimeout: g.setTimeout,
    setImmediate: g.setImmediate,
    setInterval: g.setInterval,
  };
  const trap = (name: string) => () => {
    calls.push(name);
    throw new Error(`${name} called during a simulated run`);
  };
  Math.random = trap('Math.random');
  Date.now = trap('Date.now');
  g.setTimeout = trap('setTimeout');
  g.setImmediate = trap('setImmediate');
  g.setInterval = trap('setInterval');
  return {
    calls,
    restore: () => {
      Math.random = saved.random;
      Date.now = saved.dateNow;
      g.setTimeout = saved.setTimeout;
      g.setImmediate = saved.setImmediate;
      g.setInterval = saved.setInterval;
    },
  };
}
/* eslint-enable no-restricted-properties, no-restricted-globals */

describe('determinism of a 32-sled, 3-Nexus world with faults', { timeout: 60_000 }, () => {
  it('gives the same history hash twice, and again with ambient time, randomness and timers poisoned', async () => {
    const first = await historyHash(7);
    const second = await historyHash(7);
    expect(second).toEqual(first);
    expect(first.events).toBeGreaterThan(20_000);

    const poison = poisonAmbient();
    let poisoned: { hash: string; events: number };
    try {
      poisoned = await historyHash(7);
    } finally {
      poison.restore();
    }
    expect(poison.calls).toEqual([]);
    expect(poisoned).toEqual(first);
  });

  it('gives different histories for different seeds', async () => {
    const a = await historyHash(7);
    const b = await historyHash(8);
    expect(b.hash).not.toBe(a.hash);
  });

  it('settling only after events that touched a promise gives the history of settling after every event', async () => {
    expect(await historyHash(11, { alwaysSettle: true })).toEqual(await historyHash(11));
  });

  it('draining the microtasks in place gives the history of settling through a marker and its tick', async () => {
    expect(await historyHash(11, { settleByTick: true })).toEqual(await historyHash(11));
  });

  it('seeded tie-breaking changes the interleaving reproducibly', async () => {
    const plain = await historyHash(3);
    const shuffled = await historyHash(3, { tieBreak: true });
    expect(shuffled.hash).not.toBe(plain.hash);
    expect(await historyHash(3, { tieBreak: true })).toEqual(shuffled);
  });

  it('records the history it hashes', async () => {
    const world = busyWorld(5, 'generation', { recordHistory: true });
    await world.run(1 * HOUR);
    const lines = world.events.history();
    expect(lines.length).toBe(world.events.size);
    const parsed = lines.map((line) => JSON.parse(line) as { t: number; type: string });
    for (let i = 1; i < parsed.length; i++) expect(parsed[i]!.t).toBeGreaterThanOrEqual(parsed[i - 1]!.t);
    expect(new Set(parsed.map((e) => e.type))).toContain('artifact_stored');
  });
});
