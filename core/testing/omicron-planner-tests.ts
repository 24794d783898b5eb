// omicron's unit tests of `Inventory::into_requests`, rebuilt: the same zero-seeded
// `StdRng` makes the sleds and the artifact hashes in the test's order, then plans.
// nexus/src/app/background/tasks/tuf_artifact_replication.rs, `mod tests`:
// 704-972@74a6c136 (with `delete`), the same tests without `delete` and without the
// `wanted` field at c31dc2f3 and 8516b405 (`rng.random()` for `rng.gen()` there).
import type { ArtifactPresence, Inventory } from '../inventory.ts';
import type { Rng } from '../ports.ts';
import { randomBytes, type RandVersion } from '../rng/draws.ts';
import { stdRngFromSeed, type ChaChaRng } from '../rng/chacha.ts';
import type { ArtifactHash, EngineGeneration, LocalRepo, SledId } from '../types.ts';
import { hexOf, uuidFromRandomBytes } from '../uuid.ts';
import type { PlanInput } from '../planner/plan.ts';

export const OMICRON_PLANNER_TESTS = ['simple_replicate', 'new_sled', 'delete', 'recopy', 'nothing'] as const;
export type OmicronPlannerTest = (typeof OMICRON_PLANNER_TESTS)[number];

/** `MIN_SLED_REPLICATION` in the tests. */
export const OMICRON_TEST_MIN_SLED_REPLICATION = 3;

export interface OmicronSnapshotCase {
  readonly test: OmicronPlannerTest;
  readonly commit: string;
  readonly generation: EngineGeneration;
  readonly rand: RandVersion;
  /** Words the test draws in all (sleds, hashes and plan). */
  readonly words: number;
  /** The file in ../shared/reference/omicron/, or the sha256 of omicron's file. */
  readonly expected: { readonly file: string } | { readonly sha256: string };
}

/**
 * Every (test, commit) whose snapshot file omicron's history holds, at the commits
 * depotsim models: `expected` names the copy in ../shared/reference/omicron/ or the
 * sha256 of `git show COMMIT:nexus/tests/tuf-replication/TEST.txt`. c31dc2f3's files
 * are 74a6c136's (same blobs); 8516b405's recopy.txt is too, and HEAD's are 8516b405's.
 */
export const OMICRON_SNAPSHOT_CASES: readonly OmicronSnapshotCase[] = [
  { test: 'simple_replicate', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 456, expected: { file: 'simple_replicate.74a6c136fc.txt' } },
  { test: 'new_sled', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 434, expected: { file: 'new_sled.74a6c136fc.txt' } },
  { test: 'recopy', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
  { test: 'delete', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 100, expected: { sha256: '4b9767bb2505f8ffd277deb5d4dd1a5b9b69166d609d93878c03eb24ad5263b6' } },
  { test: 'simple_replicate', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 456, expected: { file: 'simple_replicate.74a6c136fc.txt' } },
  { test: 'new_sled', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 434, expected: { file: 'new_sled.74a6c136fc.txt' } },
  { test: 'recopy', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
  { test: 'simple_replicate', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 357, expected: { file: 'simple_replicate.8516b4050d.txt' } },
  { test: 'new_sled', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 411, expected: { sha256: '849d6dfd78b7bac4f190d8c70988cc893b90245c42102ba380b1679a1469c68b' } },
  { test: 'recopy', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
];

export interface OmicronTestSetup {
  readonly input: PlanInput;
  /** The rng after the sleds and hashes were drawn: the planner draws on from here. */
  readonly rng: ChaChaRng;
  /** Sled → copies, per artifact, as the test fills `ArtifactPresence::sleds`. */
  readonly copies: ReadonlyMap<ArtifactHash, ReadonlyMap<SledId, number>>;
  readonly wanted: readonly ArtifactHash[];
}

/** `fake_sleds`: one `uuid::Builder::from_random_bytes(rng.gen())` per sled. */
function fakeSleds(n: number, rng: Rng): SledId[] {
  return Array.from({ length: n }, () => uuidFromRandomBytes(randomBytes(rng, 16)));
}

/** `ArtifactHash(rng.gen())`. */
function artifactHash(rng: Rng): ArtifactHash {
  return hexOf(randomBytes(rng, 32));
}

/** The test's situation, its rng positioned where the test calls `into_requests`. */
export function omicronTestSetup(test: OmicronPlannerTest): OmicronTestSetup {
  const rng = stdRngFromSeed(new Uint8Array(32));
  const copies = new Map<ArtifactHash, Map<SledId, number>>();
  const wanted: ArtifactHash[] = [];
  const localRepos: LocalRepo[] = [];
  const add = (held: Map<SledId, number>, isWanted: boolean): ArtifactHash => {
    const hash = artifactHash(rng);
    copies.set(hash, held);
    if (isWanted) wanted.push(hash);
    return hash;
  };
  let sleds: SledId[];
  if (test === 'simple_replicate') {
    sleds = fakeSleds(OMICRON_TEST_MIN_SLED_REPLICATION + 13, rng);
    const local = [add(new Map(), true), add(new Map(), true)];
    localRepos.push({ id: 'local', artifacts: local.map((hash) => ({ hash, size: 0 })), release: () => {} });
  } else if (test === 'new_sled') {
    sleds = fakeSleds(5, rng);
    const held = new Map(sleds.slice(0, 4).map((sled) => [sled, 2]));
    for (let i = 0; i < 10; i++) add(new Map(held), true);
  } else {
    sleds = fakeSleds(4, rng);
    const count = (i: number): number => (test === 'recopy' && i === 0 ? 1 : 2);
    add(new Map(sleds.map((sled, i) => [sled, count(i)])), test !== 'delete');
  }
  const inventory: Inventory = new Map(
    [...copies].map(([hash, held]): [ArtifactHash, ArtifactPresence] => [hash, { wanted: wanted.includes(hash), sleds: held }]),
  );
  return { input: { sleds, inventory, localRepos }, rng, copies, wanted };
}
