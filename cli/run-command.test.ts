import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, depotsim } from './testing/spawn-cli.ts';


const workdir = (): string => mkdtempSync(join(tmpdir(), 'depotsim-cli-'));

/** The report columns exactly as SPEC.md §3 lists them. */
const SPEC_COLUMNS: Record<string, string> = {
  'summary.csv':
    'scenario,seed,generation,sleds,nexus_count,min_sled_replication,max_requests,max_put_requests,max_request_concurrency,verdict,converged,converged_at_s,violations,artifacts_lost,activations,requests_total,requests_put,requests_copy,requests_delete,requests_list,requests_failed,requests_deferred,duplicate_requests,bytes_from_nexus,bytes_between_sleds,peak_local_bytes,peak_sled_bytes,min_replication_p50_s,min_replication_max_s,full_replication_p50_s,full_replication_max_s,nexus_panics',
  'timeline.csv':
    't_s,sleds_up,nexus_up,repos_in_db,artifacts_wanted,pairs_wanted,pairs_present,replicated_fraction,artifacts_fully_replicated,artifacts_below_min,artifacts_without_sled_copy,artifacts_lost,unwanted_pairs,local_repos,local_bytes,requests_in_flight,bytes_in_flight',
  'repos.csv': 'repo,artifacts,bytes,via,uploaded_at_s,in_db_at_s,min_replicated_at_s,fully_replicated_at_s,local_released_at_s,deleted_at_s,purged_at_s,lost',
  'requests.csv': 't_start_s,t_end_s,nexus,activation,kind,target,source,artifact,bytes,outcome,error',
  'faults.csv': 'start_s,end_s,kind,target',
  'local.csv': 't_s,nexus,local_repos,local_bytes',
  'violations.csv': 't_s,invariant,nexus,sled,repo,artifact,detail',
};

describe('depotsim run and replay, as a new user runs them', { timeout: 120_000 }, () => {
  it('runs baseline, says where the reports are, and writes every report with the columns of SPEC.md', () => {
    const cwd = workdir();
    const run = depotsim(['run', join(SCENARIOS, 'baseline.yaml')], cwd);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^depotsim run: scenario=baseline seed=1 generation=review .*\n/);
    expect(run.stderr).toContain('verdict: pass');
    expect(run.stderr).toContain('reports in out/baseline-1/');
    const out = join(cwd, 'out', 'baseline-1');
    expect(readdirSync(out).sort()).toEqual(['faults.csv', 'local.csv', 'repos.csv', 'requests.csv', 'run.json', 'scenario.yaml', 'summary.csv', 'timeline.csv', 'violations.csv']);
    for (const [file, header] of Object.entries(SPEC_COLUMNS)) expect(readFileSync(join(out, file), 'utf8').split('\n')[0]).toBe(header);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n')[1]?.split(',') ?? [];
    expect(summary.slice(0, 12)).toEqual(['baseline', '1', 'review', '32', '3', '3', '32', '8', '8', 'pass', 'true', summary[11]]);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ scenario: 'baseline', seed: 1, generation: 'review', verdict: 'pass' });
    expect(record.history_hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes byte-identical reports for the same scenario and seed, and replay confirms them; a changed report exits 4', () => {
    const cwd = workdir();
    const scenario = join(SCENARIOS, 'partition.yaml');
    expect(depotsim(['run', scenario, '--seed', '3', '--out', 'a', '--history', '--trace'], cwd).status).toBe(0);
    expect(depotsim(['run', scenario, '--seed', '3', '--out', 'b', '--history', '--trace'], cwd).status).toBe(0);
    const files = readdirSync(join(cwd, 'a')).sort();
    expect(files).toEqual(expect.arrayContaining(['history.jsonl', 'trace.json']));
    for (const file of files) expect(readFileSync(join(cwd, 'b', file), 'utf8')).toBe(readFileSync(join(cwd, 'a', file), 'utf8'));

    const replay = depotsim(['replay', 'a'], cwd);
    expect(replay.status).toBe(0);
    expect(replay.stderr).toContain('replay identical: 11 files');

    const timeline = join(cwd, 'a', 'timeline.csv');
    const lines = readFileSync(timeline, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^(\d+),(\d+)/, (_m, t: string, up: string) => `${t},${Number(up) + 1}`);
    writeFileSync(timeline, lines.join('\n'));
    const diverged = depotsim(['replay', 'a'], cwd);
    expect(diverged.status).toBe(4);
    expect(diverged.stderr).toMatch(/a\/timeline\.csv differs at line 6/);
  });

  it('exits 1 for a safety violation and 3 for no convergence, naming the invariants violated and a replay command that works after npm ci', () => {
    const cwd = workdir();
    const race = join(SCENARIOS, 'upload-order-race.yaml');
    const safety = depotsim(['run', race], cwd);
    expect(safety.status).toBe(1);
    expect(safety.stderr).toContain(`  replay with: npx depotsim run ${race} --seed 1\n`);
    expect(safety.stderr).toMatch(/^verdict: safety by local_retention, no_data_loss \(/m);
    const liveness = depotsim(['run', join(SCENARIOS, 'baseline.yaml'), '--set', 'expect.converge_within=20m'], cwd);
    expect(liveness.status).toBe(3);
    expect(liveness.stderr).toMatch(/^verdict: liveness by converges \(/m);
  });

  it('answers bad input with one file:line:col line, exit 2, and nothing written', () => {
    const cwd = workdir();
    const bad = join(cwd, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(SCENARIOS, 'baseline.yaml'), 'utf8').replace('duration: 4h', 'duration: 4 hours'));
    const run = depotsim(['run', bad], cwd);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter((l) => l !== '')).toEqual([`depotsim: ${bad}:10:11: expected a duration like 250ms, 90s, 5m, 1h30m, 2d or a number of seconds, got "4 hours"`]);
    expect(existsSync(join(cwd, 'out'))).toBe(false);

    const validate = depotsim(['validate', join(SCENARIOS, 'baseline.yaml'), bad], cwd);
    expect(validate.status).toBe(2);
    expect(validate.stdout).toBe('');
    const set = depotsim(['run', join(SCENARIOS, 'baseline.yaml'), '--set', 'engine.min_sled_replication=0'], cwd);
    expect(set.status).toBe(2);
    expect(set.stderr.trim()).toBe('depotsim: --set:1:1: engine.min_sled_replication=0: expected a value >= 1, got 0');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('validates every bundled scenario and documents each command', () => {
    const cwd = workdir();
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
    const validate = depotsim(['validate', ...files.map((f) => join(SCENARIOS, f))], cwd);
    expect(validate.status).toBe(0);
    expect(validate.stdout.trim().split('\n')).toHaveLength(files.length);
    for (const command of ['run', 'replay', 'validate']) {
      const help = depotsim([command, '--help'], cwd);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`depotsim ${command}`);
    }
  });
});
