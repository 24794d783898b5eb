// Rewrites snapshots/omicron/*.yaml, omicron's planner tests as `depotsim plan`
// snapshots: `npx tsx scripts/write-omicron-snapshots.ts`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { OMICRON_SNAPSHOT_CASES } from '../core/testing/omicron-planner-tests.ts';
import { omicronSnapshotFile, omicronSnapshotYaml } from '../cli/omicron-snapshots.ts';

const dir = new URL('../snapshots/omicron/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const c of OMICRON_SNAPSHOT_CASES) writeFileSync(new URL(omicronSnapshotFile(c), dir), omicronSnapshotYaml(c));
