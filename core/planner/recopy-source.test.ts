// The recopy source is omicron's `choose_weighted` over every holder, the target weighing
// 0 (tuf_artifact_replication.rs:219-230@74a6c136, :212-219@8516b405), not a `choose`
// over the other holders: the two take different words to the same sled.
import { describe, expect, it } from 'vitest';
import { engineParams } from '../params.ts';
import { randSamplers } from '../rng/index.ts';
import { stdRngFromSeed } from '../rng/chacha.ts';
import { presence } from '../testing/inventory-builders.ts';
import type { Inventory } from '../inventory.ts';
import { planActivation } from './index.ts';

const SLEDS = ['sled-0', 'sled-1', 'sled-2'];
// sled-1 holds one copy: the only recopy, whose source is the only draw of the plan.
const INVENTORY: Inventory = new Map([['a1', presence(true, { 'sled-0': 2, 'sled-1': 1, 'sled-2': 2 })]]);
const key = (i: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? i : 0));

describe.each(['merged', 'generation', 'current'] as const)('recopy source, %s engine', (generation) => {
  const params = engineParams({ generation, minSledReplication: 3 });
  const draws = randSamplers(generation === 'current' ? '0.9.2' : '0.8.5');
  const sourceWith = (i: number): string | undefined => {
    const plan = planActivation({ sleds: SLEDS, inventory: INVENTORY, localRepos: [] }, stdRngFromSeed(key(i)), params);
    expect(plan.recopy.map((r) => r.target)).toEqual(['sled-1']);
    return plan.recopy[0]?.source;
  };

  it('is the weighted draw on the same words, for 64 keys', () => {
    for (let i = 0; i < 64; i++) {
      const weighted = draws.chooseWeighted(['sled-0', 'sled-1', 'sled-2'], (s) => (s === 'sled-1' ? 0 : 1), stdRngFromSeed(key(i)));
      expect(sourceWith(i)).toBe(weighted);
    }
  });

  it.runIf(generation !== 'current')('differs from choose over the other holders for some key (rand 0.8.5)', () => {
    // 0.8.5's gen_range(0..2) rejects half the words; the weighted draw over total 2 rejects none.
    const differing = Array.from({ length: 64 }, (_, i) => i).filter((i) => sourceWith(i) !== draws.choose(['sled-0', 'sled-2'], stdRngFromSeed(key(i))));
    expect(differing.length).toBeGreaterThan(0);
  });
});
