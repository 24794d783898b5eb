import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../sim/scenario/load.ts';
import { swarmOverrides } from '../sim/swarm.ts';
import { describeDivergence, mostSevere } from './check-command.ts';
import type { CheckResult } from './check-job.ts';

const BIN = new URL('../bin/depotsim.js', import.meta.url).pathname;
const SCENARIOS = new URL('../scenarios/', import.meta.url).pathname;

function depotsim(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

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
    expect(lines[1]).toBe(`  depotsim run ${scenario} --seed 1 --set nexus.upload_order=db_first`);
    // The printed command replays the same outcome.
    const replay = depotsim(lines[1]!.trim().split(' ').slice(1), cwd);
    expect(replay.status).toBe(0);
    expect(replay.stderr).toContain('verdict: pass');
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
