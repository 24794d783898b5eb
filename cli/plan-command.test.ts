import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sim/harness/scenario/input-error.ts';
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
    ['rng: { seed: 12ab }\n', /^bad\.yaml:1:14: expected the rng seed: zero or 64 hex digits .*, got "12ab"$/],
    ['rng: { seed: zero, skip: -1 }\n', /^bad\.yaml:1:26: expected the words already drawn \(an integer >= 0\), got -1$/],
    ['rng: { rand: 0.9 }\n', /^bad\.yaml:1:14: expected a rand version: one of 0\.8\.5, 0\.9\.2, got 0\.9$/],
    ['rng: { stream: 1 }\n', /^bad\.yaml:1:8: unknown key "stream" in rng; expected one of seed, skip, rand$/],
    ['rng: zero\n', /^bad\.yaml:1:6: expected a mapping with keys seed, skip, rand$/],
    ['seed: 1\nrng: { seed: zero }\n', /^bad\.yaml:1:7: expected either seed or rng, got both$/],
  ])('%j', (text, expected) => {
    expect(errorOf(text)).toMatch(expected);
  });

  it('sled ids and artifact hashes YAML reads as numbers or booleans keep their text', () => {
    const digits = '1'.repeat(64);
    const snapshot = parseSnapshot('n.yaml', `wanted: [${digits}, 0x1f]\nsleds:\n  1: { ${digits}: 2 }\n  true: {}\n`);
    expect(snapshot.input.sleds).toEqual(['1', 'true']);
    expect([...snapshot.input.inventory.keys()]).toEqual([digits, '0x1f']);
    expect(snapshot.input.inventory.get(digits)?.sleds.get('1')).toBe(2);
  });

  it('a 64-digit key that YAML reads as a number is still the key, and upper-case hex reads as lower', () => {
    const digits = parseSnapshot('k.yaml', `rng: { seed: ${'0'.repeat(63)}1 }\n`);
    expect(digits.rng).toMatchObject({ keyText: `${'0'.repeat(63)}1`, skip: 0 });
    expect(Array.from((digits.rng as { key: Uint8Array }).key)).toEqual([...new Array<number>(31).fill(0), 1]);
    const upper = parseSnapshot('k.yaml', `rng: { seed: ${'AB'.repeat(32)}, rand: 0.9.2 }\n`);
    expect(upper).toMatchObject({ rng: { keyText: 'ab'.repeat(32) }, rand: '0.9.2' });
  });

  it('the CLI exits 2 with one line on stderr and nothing on stdout', () => {
    const result = spawnSync(process.execPath, ['bin/depotsim.js', 'plan', 'snapshots/does-not-exist.yaml'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['depotsim: snapshots/does-not-exist.yaml:1:1: expected a readable file, got ENOENT']);
  });
});
