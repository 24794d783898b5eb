// The world's lookups by name (a sled by its id, an artifact's size by its hash), which
// number names first seen instead of asking a `Map`: a name looked up before the world
// knows it must not shadow what is made under it later.
import { describe, expect, it } from 'vitest';
import { repo, worldConfig } from './testing/world-fixtures.ts';
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
});
