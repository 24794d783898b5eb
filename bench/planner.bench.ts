// Planner and activation-driver throughput on production-sized inventories.
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import {
  ArtifactIds,
  buildInventory,
  ENGINE_GENERATIONS,
  GeneratedRequests,
  InventoryTable,
  engineParams,
  planActivation,
  planInventory,
  ReplicationEngine,
  seededRng,
  UploadChannel,
  type ArtifactPresence,
  type EngineGeneration,
  type Inventory,
  type PlanInput,
  type SledId,
} from '../core/index.ts';
import { FakeRack, fakeRepo, hash } from '../core/testing/fake-rack.ts';
import { heading } from './measure.ts';

/** 32 sleds, `repos` repos of 64 artifacts: a third fully replicated, a third partial, a third local only. */
function rackInventory(sledCount: number, repos: number): PlanInput {
  const sleds = Array.from({ length: sledCount }, (_, i) => `sled-${i}`);
  // Alea's draws, as before the engine's rng became a word stream: the same inventory.
  const alea = seedrandom.alea('bench-inventory');
  const rng = { nextInt: (bound: number): number => Math.floor(alea.double() * bound) };
  const inventory = new Map<string, ArtifactPresence>();
  const localHashes: string[] = [];
  for (let a = 0; a < repos * 64; a++) {
    const bucket = a % 3;
    const present = new Map<string, number>();
    if (bucket === 0) for (const s of sleds) present.set(s, 2);
    if (bucket === 1) for (const s of sleds) if (rng.nextInt(2) === 0) present.set(s, 1 + rng.nextInt(2));
    if (bucket === 2) localHashes.push(hash(a));
    inventory.set(hash(a), { wanted: true, sleds: present });
  }
  for (let a = 0; a < 64; a++) inventory.set(hash(1_000_000 + a), { wanted: false, sleds: new Map([[sleds[0] as string, 2]]) });
  return { sleds, inventory: inventory as Inventory, localRepos: [fakeRepo('local', localHashes)] };
}

function timeIt(label: string, iterations: number, body: () => void): void {
  body();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) body();
  const ms = (performance.now() - start) / iterations;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms/op ${(1000 / ms).toFixed(0).padStart(8)} op/s`);
}

/** The sleds' listings and the wanted set behind an inventory, as an activation collects them. */
function collected(input: PlanInput): { listings: Map<SledId, Map<string, number>>; wanted: string[] } {
  const listings = new Map(input.sleds.map((sled) => [sled, new Map<string, number>()]));
  const wanted: string[] = [];
  for (const [hash, presence] of input.inventory) {
    if (presence.wanted) wanted.push(hash);
    for (const [sled, count] of presence.sleds) listings.get(sled)?.set(hash, count);
  }
  return { listings, wanted };
}

/**
 * What an activation's planning costs from its listings: the plain inventory (a string
 * lookup per listed copy) against the engine's table, with the sleds' listing snapshots
 * unchanged since the last activation (a quiet rack: read into ids once) and new each
 * time (every sled changed since: read each time; the timing includes making the copies).
 */
function timeInventories(generation: EngineGeneration, input: PlanInput, params: ReturnType<typeof engineParams>): void {
  const { listings, wanted } = collected(input);
  const label = `${generation}, 32 sleds × ${input.inventory.size} artifacts`;
  const keep = generation === 'review' || generation === 'merged';
  timeIt(`  listings → plan, Map inventory, ${label}`, 60, () => {
    planActivation({ ...input, inventory: buildInventory(wanted, listings, keep) }, seededRng('bench'), params);
  });
  const ids = new ArtifactIds();
  // Kept from one plan to the next, as an engine keeps it.
  const generated = new GeneratedRequests();
  const same = input.sleds.map((sled) => listings.get(sled));
  timeIt(`  listings → plan, table, same snapshots, ${label}`, 60, () => {
    planInventory(new InventoryTable(ids, input.sleds, same, wanted, keep), input.localRepos, seededRng('bench'), params, undefined, generated);
  });
  timeIt(`  listings → plan, table, new snapshots (+ copying them), ${label}`, 60, () => {
    const fresh = same.map((listing) => (listing === undefined ? undefined : new Map(listing)));
    planInventory(new InventoryTable(ids, input.sleds, fresh, wanted, keep), input.localRepos, seededRng('bench'), params, undefined, generated);
  });
}

async function timeActivations(generation: EngineGeneration, sledCount: number, artifacts: number): Promise<void> {
  const iterations = 5;
  let totalMs = 0;
  let requests = 0;
  for (let i = 0; i < iterations; i++) {
    const rack = new FakeRack(sledCount);
    const hashes = Array.from({ length: artifacts }, (_, a) => hash(a));
    rack.db.artifacts = hashes;
    const uploads = new UploadChannel();
    uploads.send(fakeRepo('v1', hashes));
    const engine = new ReplicationEngine(
      { datastore: rack.datastore, sledAgents: rack.sledAgents, clock: rack.clock, rng: seededRng(`bench-${i}`), log: rack.log },
      engineParams({ generation, maxRequests: 1_000_000, maxPutRequests: 1_000_000 }),
      uploads,
    );
    const start = performance.now();
    for (let k = 0; k < 3; k++) await rack.run(engine.activate());
    totalMs += performance.now() - start;
    requests += rack.calls.length;
  }
  const ms = totalMs / iterations;
  console.log(
    `${`3 activations, ${generation}, ${sledCount} sleds × ${artifacts}`.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms/op ${(
      (requests / totalMs) * 1000
    ).toFixed(0).padStart(8)} req/s`,
  );
}

export async function plannerBench(): Promise<void> {
  heading('planner and activation driver (in process, tsx)');
  for (const generation of ENGINE_GENERATIONS) {
    const params = engineParams({ generation });
    for (const repos of [1, 10]) {
      const input = rackInventory(32, repos);
      timeIt(`plan, ${generation}, 32 sleds × ${repos * 64 + 64} artifacts`, repos === 1 ? 400 : 60, () => {
        planActivation(input, seededRng('bench'), params);
      });
      if (repos === 10) timeInventories(generation, input, params);
    }
  }
  for (const generation of ENGINE_GENERATIONS) await timeActivations(generation, 32, 64);
}
