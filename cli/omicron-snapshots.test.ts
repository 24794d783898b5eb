// `depotsim plan SNAPSHOT --format omicron`, through the CLI, on the snapshots that restate
// omicron's planner tests: each prints omicron's file byte for byte (compared with the
// copy in ../shared/reference/omicron/ or by sha256), and each snapshot file is what
// scripts/write-omicron-snapshots.ts writes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OMICRON_SNAPSHOT_CASES } from '../core/testing/omicron-planner-tests.ts';
import { omicronSnapshotFile, omicronSnapshotYaml } from './omicron-snapshots.ts';

const REFERENCE = fileURLToPath(new URL('../../shared/reference/omicron/', import.meta.url));
const SNAPSHOTS = 'snapshots/omicron/';

describe('snapshots/omicron through depotsim plan --format omicron', { timeout: 60_000 }, () => {
  it.each(OMICRON_SNAPSHOT_CASES)('$test at $commit ($generation)', (c) => {
    const file = SNAPSHOTS + omicronSnapshotFile(c);
    expect(readFileSync(file, 'utf8')).toBe(omicronSnapshotYaml(c));
    const result = spawnSync(process.execPath, ['bin/depotsim.js', 'plan', file, '--format', 'omicron'], { encoding: 'utf8' });
    expect(result.stderr).toMatch(new RegExp(`^plan: ${c.generation}, StdRng seed zero skip \\d+, rand ${c.rand.replaceAll('.', '\\.')},`));
    expect(result.status).toBe(0);
    if ('file' in c.expected) expect(result.stdout).toBe(readFileSync(REFERENCE + c.expected.file, 'utf8'));
    else expect(createHash('sha256').update(result.stdout).digest('hex')).toBe(c.expected.sha256);
  });
});
