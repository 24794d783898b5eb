import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import { swarmOverrides } from '../sim/harness/swarm.ts';
import { parseXml } from '../reports/testing/parse-xml.ts';
import { describeDivergence, mostSevere } from './check-command.ts';
import type { CheckResult } from './check-job.ts';
import { BIN, SCENARIOS, depotsim } from './testing/spawn-cli.ts';


describe('depotsim check', { timeout: 120_000 }, () => {
  it('passes seeds that reach the expected verdict, and rechecks some for determinism', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-check-'));
    const run = depotsim(['check', join(SCENARIOS, 'upload-order-race.yaml'), join(SCENARIOS, 'new-sled.yaml'), '--seeds', '3', '--workers', '2', '--recheck-every', '2', '--out', 'c'], cwd);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}\S+upload-order-race\.yaml: 3 seeds, expected safety; pass 0, safety 3, liveness 0; 0 failing; 2 rechecked for determinism$/m);
    expect(run.stdout).toMatch(/^ok {3}\S+new-sled\.yaml: 3 seeds, expected pass; pass 3, safety 0, liveness 0; 0 failing/m);
    expect(run.stdout).toMatch(/^situations reached: .*lost_artifact \d+/m);
    const rows = readFileSync(join(cwd, 'c', 'check.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(7);
    expect(rows[0]).toBe('scenario,seed,expected,verdict,ok,invariants,history_hash,divergence,command');
  });

  it('lists a failing seed first with the command that replays it, and exits with its severity', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-check-'));
    const scenario = join(SCENARIOS, 'upload-order-race.yaml');
    const run = depotsim(['check', scenario, '--seeds', '2', '--workers', '1', '--set', 'nexus.upload_order=db_first'], cwd);
    expect(run.status).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`FAIL ${scenario} seed 1: expected safety by no_data_loss, got pass`);
    expect(lines[1]).toBe(`  npx depotsim run ${scenario} --seed 1 --set nexus.upload_order=db_first`);
    // The printed command replays the same outcome.
    const replay = depotsim(lines[1]!.trim().split(' ').slice(2), cwd);
    expect(replay.status).toBe(0);
    expect(replay.stderr).toContain('verdict: pass');
  });

  it('writes JUnit XML of failing and passing seeds, and under GitHub Actions one ::error annotation per failing seed', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-check-'));
    const early = join(SCENARIOS, 'bug-release-early.yaml');
    const sled = join(SCENARIOS, 'new-sled.yaml');
    const args = ['check', early, sled, '--seeds', '2', '--workers', '2', '--recheck-every', '0', '--set', 'expect.verdict=pass', '--junit', 'ci/junit.xml'];
    const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: 'true' } });
    expect(run.status).toBe(1);
    const replay = (seed: number): string => `npx depotsim run ${early} --seed ${seed} --set expect.verdict=pass`;
    const message = /^FAIL \S+ seed 1: (.*)$/m.exec(run.stdout)?.[1] ?? '';
    expect(message).toMatch(/^expected pass by local_retention, got safety \(local_retention at /);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([1, 2].map((seed) => expect.stringMatching(
      new RegExp(`^::error file=${early},title=depotsim check%3A ${early} seed ${seed}::expected pass by local_retention, got safety .*%0Areplay: ${replay(seed)}$`),
    )));
    const root = parseXml(readFileSync(join(cwd, 'ci', 'junit.xml'), 'utf8'));
    expect(root.attributes).toMatchObject({ tests: '4', failures: '2' });
    const [failing, passing] = root.children;
    expect(failing!.attributes).toMatchObject({ name: early, tests: '2', failures: '2' });
    expect(passing!.attributes).toMatchObject({ name: sled, tests: '2', failures: '0' });
    expect(passing!.children.map((c) => [c.attributes.name, c.children.length])).toEqual([['1', 0], ['2', 0]]);
    const first = failing!.children[0]!;
    expect(first.attributes.name).toBe('1');
    // The run's simulated seconds: it ends at the last sample of its 2 h duration.
    expect(Number(first.attributes.time)).toBe(7200);
    expect(first.children[0]!.attributes).toEqual({ type: 'safety', message });
    expect(first.children[0]!.text.split('\n')).toEqual([message, expect.stringMatching(/^invariants: (\w+ )*local_retention( \w+)*$/), `replay: ${replay(1)}`]);

    // A second check may replace its own JUnit file, never another file; refused before any run.
    writeFileSync(join(cwd, 'notes.xml'), '<notes/>\n');
    const refused = depotsim(['check', sled, '--seeds', '1', '--junit', 'notes.xml'], cwd);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual(['depotsim: notes.xml:1:1: expected a new file or one depotsim wrote, got a file of something else; nothing was changed']);
    expect(readFileSync(join(cwd, 'notes.xml'), 'utf8')).toBe('<notes/>\n');
    expect(depotsim(['check', sled, '--seeds', '1', '--junit', 'ci/junit.xml'], cwd).status).toBe(0);
    expect(parseXml(readFileSync(join(cwd, 'ci', 'junit.xml'), 'utf8')).attributes).toMatchObject({ tests: '1', failures: '0' });
  });

  it('refuses bad input before running anything', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-check-'));
    writeFileSync(join(cwd, 'bad.yaml'), 'name: bad\nrack: { sleds: -1 }\n');
    const run = depotsim(['check', join(SCENARIOS, 'baseline.yaml'), 'bad.yaml', '--seeds', '2'], cwd);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').at(-1)).toBe('depotsim: bad.yaml:2:16: expected a value >= 1, got -1');
  });
});

describe('the exit code of many runs', () => {
  it.each([
    [[0, 3, 1], 1],
    [[3, 0], 3],
    [[1, 4, 3], 4],
    [[4, 2, 1], 2],
    [[0, 0], 0],
    [[], 0],
  ])('of %j is %i (order 2, 4, 1, 3, 0)', (codes, expected) => {
    expect(mostSevere(codes)).toBe(expected);
  });
});

describe('swarm overrides', () => {
  const scenario = loadScenario('partition.yaml', readFileSync(join(SCENARIOS, 'partition.yaml'), 'utf8'));

  it('are the same for the same seed and differ between seeds', () => {
    expect(swarmOverrides(scenario, 5)).toEqual(swarmOverrides(scenario, 5));
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => swarmOverrides(scenario, seed).join(' ')));
    expect(distinct.size).toBe(20);
  });

  it('switch every fault family on or off, draw every knob, and keep every Nexus the events name', () => {
    for (let seed = 0; seed < 50; seed++) {
      const sets = swarmOverrides(scenario, seed);
      expect(sets.map((s) => s.slice(0, s.indexOf('=')))).toEqual([
        'faults.sled_crash', 'faults.nexus_crash', 'faults.partition', 'faults.slow', 'engine.generation',
        'engine.min_sled_replication', 'engine.max_requests', 'engine.max_put_requests', 'engine.max_request_concurrency',
        'nexus.period', 'nexus.count',
      ]);
      // partition.yaml names nexus-2.
      expect(Number(sets.at(-1)?.split('=')[1])).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('the determinism recheck', () => {
  const result = (hash: string, history: string[]): CheckResult => ({
    verdict: 'pass',
    invariants: [],
    firstViolation: null,
    historyHash: hash,
    simulatedS: 0,
    summary: '',
    history,
    situations: {},
  });

  it('names the first diverging event and its simulated time', () => {
    const a = result('aa', ['{"t":0,"type":"sled_added"}', '{"t":1500000,"type":"x","n":1}', '{"t":2000000,"type":"y"}']);
    const b = result('bb', ['{"t":0,"type":"sled_added"}', '{"t":1500000,"type":"x","n":2}', '{"t":2000000,"type":"y"}']);
    expect(describeDivergence(a, b)).toBe('nondeterministic: histories diverge at event 2, t=1.5s');
  });
});
