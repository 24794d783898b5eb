import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sim/scenario/input-error.ts';
import { planCsv, runPlan } from './plan-command.ts';
import { parseSnapshot } from './snapshot.ts';

const load = (file: string) => parseSnapshot(file, readFileSync(file, 'utf8'));

describe('depotsim plan on the bundled snapshots', () => {
  it('simple-replicate: 6 PUTs and 26 copy-after-put from PUT targets', () => {
    const plan = runPlan(load('snapshots/simple-replicate.yaml'));
    expect(plan.put).toHaveLength(6);
    expect(plan.copyAfterPut).toHaveLength(26);
    for (const copy of plan.copyAfterPut) {
      expect(plan.put.some((put) => put.target === copy.source && put.artifact.hash === copy.hash)).toBe(true);
    }
    const csv = planCsv(plan).split('\n');
    expect(csv[0]).toBe('class,kind,target,source,artifact');
    expect(csv.filter((line) => line.startsWith('copy_after_put,copy,'))).toHaveLength(26);
  });

  it('new-sled: 10 copies, all to the new sled', () => {
    const plan = runPlan(load('snapshots/new-sled.yaml'));
    expect(plan.put).toHaveLength(0);
    expect(plan.other.map((r) => r.target)).toEqual(Array(10).fill('sled-4'));
  });

  it('stale-view: merged deletes every copy of the fresh artifacts; generation deletes nothing', () => {
    const snapshot = load('snapshots/stale-view.yaml');
    const merged = runPlan(snapshot);
    expect(merged.other.filter((r) => r.kind === 'delete')).toHaveLength(6);
    const generation = runPlan({ ...snapshot, params: { ...snapshot.params, generation: 'generation' } });
    expect(generation.other).toHaveLength(0);
    expect(generation.recopy).toHaveLength(1);
  });
});

describe('snapshot errors name file, line and column', () => {
  const errorOf = (text: string): string => {
    try {
      parseSnapshot('bad.yaml', text);
    } catch (err) {
      if (err instanceof InputError) return err.toString();
      throw err;
    }
    throw new Error('expected an InputError');
  };

  it.each([
    ['engine: { min_sled_replicaton: 3 }\n', /^bad\.yaml:1:11: unknown key "min_sled_replicaton" in engine/],
    ['sleds:\n  sled-0: { a1: two }\n', /^bad\.yaml:2:17: expected a copy count \(an integer >= 0\), got "two"$/],
    ['engine: { generation: mergd }\n', /^bad\.yaml:1:23: expected a generation/],
    ['engine: { min_sled_replication: 0 }\n', /^bad\.yaml:1:33: min_sled_replication must be an integer >= 1/],
    ['wanted: a1\n', /^bad\.yaml:1:9: expected a list of artifact hashes for wanted/],
    ['sleds: [\n', /^bad\.yaml:\d+:\d+: invalid YAML/],
    ['- 1\n', /^bad\.yaml:1:1: expected a mapping/],
  ])('%j', (text, expected) => {
    expect(errorOf(text)).toMatch(expected);
  });

  it('the CLI exits 2 with one line on stderr and nothing on stdout', () => {
    const result = spawnSync(process.execPath, ['bin/depotsim.js', 'plan', 'snapshots/does-not-exist.yaml'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['depotsim: snapshots/does-not-exist.yaml:1:1: expected a readable file, got ENOENT']);
  });
});
