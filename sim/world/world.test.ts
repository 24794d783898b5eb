// The world's lookups by name (a sled by its id, an artifact's size by its hash, the sled
// agents' size by catalog number): a name looked up before the world knows it must not
// shadow what is made under it later.
import { describe, expect, it } from 'vitest';
import { MINUTE, repo, worldConfig } from './testing/world-fixtures.ts';
import type { WorldEvent } from './world-events.ts';
import { World } from './world.ts';

describe('World lookups by name', () => {
  it('finds a sled added after its name was asked for, and no sled it does not have', () => {
    const world = new World(worldConfig({ sleds: 3 }));
    expect(() => world.crashSled('sled-4')).toThrow(/no sled sled-4/);
    expect(() => world.crashSled('sled-9')).toThrow(/no sled sled-9/);
    expect(world.addSleds(2)).toEqual(['sled-3', 'sled-4']);
    world.crashSled('sled-4');
    expect(world.sleds.get('sled-4')?.isUp).toBe(false);
    expect(world.sleds.get('sled-3')?.isUp).toBe(true);
    world.crashSled('sled-0');
    expect(world.sleds.get('sled-0')?.isUp).toBe(false);
    expect(() => world.crashSled('sled-9')).toThrow(/no sled sled-9/);
  });

  it("sizes an artifact as the last repo that lists it does, and one it does not know as 0", () => {
    const r0 = repo('r0', 2, 100);
    const r1 = { name: 'r1', artifacts: [{ hash: 'r0-0001', size: 7 }, { hash: 'r1-0000', size: 9 }] };
    const world = new World(worldConfig({ sleds: 1, repos: [r0, r1] }));
    expect(world.sizeOf('nowhere')).toBe(0);
    expect(['r0-0000', 'r0-0001', 'r1-0000', 'nowhere', 'r0-0000'].map((h) => world.sizeOf(h))).toEqual([100, 7, 9, 0, 100]);
  });

  it('a copy between sleds writes the artifact at the size the last repo listing it gives (read by catalog number)', async () => {
    const r0 = repo('r0', 2, 100);
    const r1 = { name: 'r1', artifacts: [{ hash: 'r0-0001', size: 7 }, { hash: 'r1-0000', size: 9 }] };
    const world = new World(worldConfig({ sleds: 2, repos: [r0, r1] }));
    const events: WorldEvent[] = [];
    world.subscribe((e) => events.push(e));
    world.seedRepo('r1', ['sled-0']);
    const answers: boolean[] = [];
    for (const hash of ['r1-0000', 'r0-0001']) world.sleds.get('sled-1')?.copyFromDepot(hash, 'sled-0', undefined, (ok) => answers.push(ok));
    await world.run(MINUTE);
    expect(answers).toEqual([true, true]);
    const copied = events.flatMap((e) => (e.type === 'artifact_stored' && e.sled === 'sled-1' ? [[e.hash, e.m2, e.bytes]] : []));
    expect(copied.sort()).toEqual([['r0-0001', 0, 7], ['r0-0001', 1, 7], ['r1-0000', 0, 9], ['r1-0000', 1, 9]]);
  });
});

describe('the ports a world hands its sleds and its Nexus instances', () => {
  /** Every function a sled agent or a Nexus reaches through its environment, and `emit.log`'s. */
  function portFunctions(world: World): Map<string, unknown> {
    const found = new Map<string, unknown>();
    const envOf = (owner: unknown): Record<string, unknown> => (owner as { env: Record<string, unknown> }).env;
    const envs = [envOf(world.sleds.get('sled-0')), envOf(world.nexus.get('nexus-0'))];
    for (const [i, env] of envs.entries()) {
      for (let o: object | null = env; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
        for (const key of Object.getOwnPropertyNames(o)) {
          const value = env[key];
          if (typeof value === 'function' && key !== 'constructor' && key !== 'emit') found.set(`${i}.${key}`, value);
        }
      }
    }
    const log = world.events.emit.log as unknown as Record<string, unknown>;
    for (const key of ['requestSent', 'requestDone', 'artifactStored', 'artifactRemoved']) found.set(`log.${key}`, log[key]);
    return found;
  }

  // A function made per world (an arrow closing over it) is another object in each world:
  // code TurboFan inlined it into for one world deoptimizes in the next ("wrong call target").
  it('are the same function objects in every world', () => {
    const a = portFunctions(new World(worldConfig({ sleds: 1 })));
    const b = portFunctions(new World(worldConfig({ sleds: 2 })));
    expect([...a.keys()]).toEqual(expect.arrayContaining(['0.sled', '0.sizeOf', '1.sled', '1.nextRequestId', '1.panicked', 'log.requestSent']));
    for (const [key, f] of a) expect(b.get(key), key).toBe(f);
  });
});
