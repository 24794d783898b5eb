import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, depotsim } from './testing/spawn-cli.ts';

const SCENARIO = new URL('../scenarios/nexus-race-stale-delete.yaml', import.meta.url).pathname;
const GRID = ['--grid', 'engine.generation=review,merged,generation', '--grid', 'engine.min_sled_replication=1,3', '--seeds', '3'];

function files(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('depotsim sweep and merge', { timeout: 180_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'depotsim-sweep-'));
  const one = (): Map<string, string> => files(join(cwd, 'w1'));

  it('writes the same outputs with 1 worker and with 2', () => {
    expect(depotsim(['sweep', SCENARIO, ...GRID, '--workers', '1', '--out', 'w1'], cwd).status).toBe(0);
    expect(depotsim(['sweep', SCENARIO, ...GRID, '--workers', '2', '--out', 'w2'], cwd).status).toBe(0);
    expect([...one().keys()]).toEqual(['recommendation.md', 'runs.jsonl', 'sweep-summary.csv', 'sweep.csv', 'sweep.json']);
    expect(files(join(cwd, 'w2'))).toEqual(one());
    const rows = one().get('sweep.csv')!.trim().split('\n');
    expect(rows).toHaveLength(1 + 6 * 3);
    expect(rows[0]).toMatch(/,full_replication_max_s,nexus_panics,engine\.generation,engine\.min_sled_replication$/);
    const summary = one().get('sweep-summary.csv')!.trim().split('\n');
    expect(summary.slice(1).map((r) => r.split(',').slice(0, 6).join(','))).toEqual([
      'review,1,3,0,3,0',
      'review,3,3,0,3,0',
      'merged,1,3,0,3,0',
      'merged,3,3,0,3,0',
      'generation,1,3,3,0,0',
      'generation,3,3,3,0,0',
    ]);
    expect(one().get('recommendation.md')).toMatch(/\| generation \| [13] \|/);
  });

  it('merges shards 1/3, 2/3 and 3/3 into the unsharded output, byte for byte', () => {
    for (const shard of ['1/3', '2/3', '3/3']) {
      expect(depotsim(['sweep', SCENARIO, ...GRID, '--workers', '1', '--shard', shard, '--out', `s${shard[0]}`], cwd).status).toBe(0);
    }
    expect(depotsim(['merge', 's1', 's2', 's3', '--out', 'merged'], cwd).status).toBe(0);
    expect(files(join(cwd, 'merged'))).toEqual(one());
    const incomplete = depotsim(['merge', 's1', 's2', '--out', 'partial'], cwd);
    expect(incomplete.status).toBe(2);
    expect(incomplete.stderr).toMatch(/expected all 18 runs; 6 are missing/);
  });

  it('resumes an interrupted sweep to the same output', () => {
    expect(depotsim(['sweep', SCENARIO, ...GRID, '--workers', '2', '--out', 'r'], cwd).status).toBe(0);
    // What a kill leaves: some finished runs and a torn last line.
    const lines = readFileSync(join(cwd, 'r', 'runs.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(cwd, 'r', 'runs.jsonl'), `${lines.slice(0, 7).join('\n')}\n${lines[7]!.slice(0, 20)}`);
    for (const f of ['sweep.csv', 'sweep-summary.csv', 'recommendation.md']) writeFileSync(join(cwd, 'r', f), 'stale');
    const resumed = depotsim(['sweep', SCENARIO, ...GRID, '--workers', '2', '--out', 'r', '--resume'], cwd);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('7 already done');
    expect(files(join(cwd, 'r'))).toEqual(one());
  });

  it('shows a progress bar with rate and ETA on a terminal, and none when stderr is a pipe', () => {
    const command = `${process.execPath} ${BIN} sweep ${SCENARIO} --grid engine.min_sled_replication=1,2 --seeds 2 --workers 1 --out tty > /dev/null`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/sweep \[#+\.*\] \d\/4, \d+ failing, [\d.]+ runs\/s, ETA \d+s/);
    const piped = depotsim(['sweep', SCENARIO, '--grid', 'engine.min_sled_replication=1,2', '--seeds', '2', '--workers', '1', '--out', 'piped'], cwd);
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toMatch(/sweep \[|\r/);
  });

  it('refuses a bad grid before running anything', () => {
    const bad = depotsim(['sweep', SCENARIO, '--grid', 'engine.min_sled_replication=2,zero', '--out', 'bad'], cwd);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('depotsim: --grid:1:1: engine.min_sled_replication=zero: expected a number, got "zero"');
    const shard = depotsim(['sweep', SCENARIO, ...GRID, '--shard', '4/3'], cwd);
    expect(shard.status).toBe(2);
  });
});
