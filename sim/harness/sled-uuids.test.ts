// Sleds have UUIDs, each drawn from the sled's own stream, and the engine's sled listing
// comes in UUID order as omicron's `sled_list_all_batched` (ordered by id). Reports keep
// the names; run.json maps each name to its UUID.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runJson } from '../../reports/run-reports.ts';
import { DatastoreModel } from '../world/datastore.ts';
import { Kernel, WaitScope } from '../world/kernel/kernel.ts';
import { RandomStreams } from '../world/kernel/random-streams.ts';
import { runScenario } from './runner.ts';
import { loadScenario, parseOverride } from './scenario/load.ts';
import { worldConfig } from '../world/testing/world-fixtures.ts';
import { World } from '../world/world.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function listed(db: DatastoreModel, kernel: Kernel): Promise<readonly string[]> {
  let sleds: readonly string[] = [];
  kernel.spawn('list', async () => {
    sleds = await db.client(new WaitScope(kernel, 'nexus-0')).listSleds();
  });
  await kernel.run();
  return sleds;
}

describe('sled UUIDs', () => {
  it('the engine lists in-service sleds by UUID, not in the order they joined', async () => {
    const kernel = new Kernel();
    const db = new DatastoreModel(kernel, new RandomStreams(1).stream('datastore'), { fixed: 1 }, { fixed: 1 }, () => undefined);
    db.addSled('sled-0', 'f44b581f-2322-4c10-916b-17a369b4da03');
    db.addSled('sled-1', '0b20868c-c619-454c-82a1-c61be9902717');
    db.addSled('sled-2', '9b07815f-0449-4e2e-85d2-2cac3aa06141');
    db.addSled('sled-3', '2ea0d711-7b30-48c8-836c-e7a9254b30d2');
    db.expungeSled('sled-2');
    expect(await listed(db, kernel)).toEqual(['sled-1', 'sled-3', 'sled-0']);
    expect(db.inServiceSleds()).toEqual(['sled-0', 'sled-1', 'sled-3']);
  });

  it("each sled's UUID is a version-4 UUID from its own stream: adding sleds changes no other's", () => {
    const small = new World(worldConfig({ seed: 7, sleds: 4 }));
    const large = new World(worldConfig({ seed: 7, sleds: 6 }));
    for (const uuid of large.sledUuids.values()) expect(uuid).toMatch(UUID_V4);
    expect([...large.sledUuids].slice(0, 4)).toEqual([...small.sledUuids]);
    expect(new Set(large.sledUuids.values()).size).toBe(6);
    const other = new World(worldConfig({ seed: 8, sleds: 4 }));
    expect(other.sledUuids.get('sled-0')).not.toBe(small.sledUuids.get('sled-0'));
  });

  it('run.json maps each sled name to its UUID', async () => {
    const text = readFileSync(new URL('../../scenarios/baseline.yaml', import.meta.url), 'utf8');
    const scenario = loadScenario('baseline.yaml', text, ['duration=10m', 'rack.sleds=3'].map(parseOverride));
    const run = await runScenario(scenario, { seed: 3 });
    const record = JSON.parse(runJson(run, { scenarioFile: 'x.yaml', scenarioSha256: '0', overrides: [], version: 'test' })) as { sled_uuids: Record<string, string> };
    expect(Object.keys(record.sled_uuids)).toEqual(['sled-0', 'sled-1', 'sled-2']);
    expect(record.sled_uuids).toEqual(Object.fromEntries(run.world.sledUuids));
  });
});
