import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convergenceGaps } from './convergence.ts';
import { runScenario, type RunOutcome } from './runner.ts';
import { loadScenario, parseOverride } from './scenario/load.ts';

const DIR = new URL('../scenarios/', import.meta.url);
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

async function run(file: string, seed?: number, sets: readonly string[] = []): Promise<RunOutcome> {
  const scenario = loadScenario(file, readFileSync(new URL(file, DIR), 'utf8'), sets.map(parseOverride));
  return runScenario(scenario, { seed: seed ?? scenario.seed, requestRows: true });
}

const invariants = (r: RunOutcome): string[] => [...new Set(r.violations.map((v) => v.invariant))].sort();

describe('bundled scenarios: figures that show what each demonstrates (verdicts: reports/regression.test.ts)', { timeout: 120_000 }, () => {
  it('lists the scenarios the README promises', () => {
    expect(FILES.map((f) => f.replace('.yaml', ''))).toEqual([
      'baseline', 'bug-empty-wanted-on-error', 'bug-forget-local', 'bug-ignore-limits', 'bug-release-early', 'm2-failure', 'multi-rack', 'new-sled', 'nexus-crash-before-replication', 'nexus-race-stale-delete',
      'partition', 'rack-day', 'repo-churn', 'sled-failures', 'upload-order-race',
    ]);
  });

  it('baseline: review PUTs each artifact once and copies it to the other 31 sleds', async () => {
    const r = await run('baseline.yaml');
    const kinds = (k: string): number => r.metrics.requests.filter((q) => q.kind === k && q.outcome === 'ok').length;
    expect(kinds('put')).toBe(64);
    // Racing Nexus instances sometimes copy to a sled that another copy already reached.
    const copied = new Set(r.metrics.requests.filter((q) => q.kind === 'copy' && q.outcome === 'ok').map((q) => `${q.target}/${q.artifact}`));
    expect(copied.size).toBe(64 * 31);
    expect(kinds('copy')).toBeGreaterThanOrEqual(64 * 31);
    expect(r.metrics.repos.get('v1')?.lost).toBe(0);
    // The world's own state agrees with the verdict the event-stream observers reached.
    expect(convergenceGaps(r.world)).toEqual({ missingPairs: 0, unwantedPairs: 0, localRepos: 0 });
  });

  it('upload-order-race: the release lands before the insert, and all 16 artifacts are lost', async () => {
    const r = await run('upload-order-race.yaml');
    expect(invariants(r)).toEqual(['local_retention', 'no_data_loss']);
    const v1 = r.metrics.repos.get('v1');
    expect(v1?.localReleasedAt).toBeLessThan(v1?.inDbAt ?? 0);
    expect(v1?.lost).toBe(16);
  });

  it('nexus-race-stale-delete: merged deletes wanted copies and loses v1; generation refuses the stale view', async () => {
    const r = await run('nexus-race-stale-delete.yaml');
    expect(invariants(r)).toEqual(['no_backwards_delete', 'no_data_loss']);
    expect(r.metrics.requests.filter((q) => q.kind === 'delete' && q.nexus === 'nexus-1').length).toBe(16 * 8);
    const scenario = { ...r.scenario, engine: { ...r.scenario.engine, generation: 'generation' as const } };
    const guarded = await runScenario(scenario, { seed: 1, requestRows: true });
    expect(guarded.violations).toEqual([]);
    expect(guarded.metrics.requests.some((q) => q.nexus === 'nexus-1' && q.kind === 'config' && q.outcome === 'error')).toBe(true);
  });

  it('rack-day seed 682: a slowed Nexus deletes 6 artifacts of a release inserted while its lists were on the way', async () => {
    const r = await run('rack-day.yaml', 682);
    expect(r.verdict).toBe('pass'); // tolerated, as README's Findings explain
    const backwards = r.violations.filter((v) => v.invariant === 'no_backwards_delete');
    expect(backwards).toHaveLength(12); // 6 artifacts, a copy on each M.2 (8 under the Alea draws before issue 16)
    const r3 = r.metrics.repos.get('r3');
    expect(r3?.inDbAt).toBe(32_431_931_479);
    for (const v of backwards) {
      expect(v.artifact?.startsWith('r3-')).toBe(true);
      expect(v.t - (r3?.inDbAt ?? 0)).toBeGreaterThan(15_000_000);
      expect(v.t - (r3?.inDbAt ?? 0)).toBeLessThan(17_000_000);
    }
    const staleDeletes = r.metrics.requests.filter((q) => q.kind === 'delete' && q.artifact?.startsWith('r3-') && q.start < 33_000_000_000);
    expect(new Set(staleDeletes.map((q) => q.nexus))).toEqual(new Set(['nexus-2']));
    expect(staleDeletes).toHaveLength(6);
    expect(r.situations.get('stale_delete')).toBe(6);
    expect(r3?.lost).toBe(0);
  });

  it('rack-day, review at 8 requests an activation: cannot keep up, and releasing deleted repos is no violation', async () => {
    const r = await run('rack-day.yaml', 1, ['engine.max_requests=8']);
    expect(r.verdict).toBe('liveness');
    expect(invariants(r)).toEqual(['converges']);
    // r2 and r4 were deleted before they were replicated; their local copies go once their artifacts are DELETEd.
    for (const name of ['r2', 'r4']) {
      const repo = r.metrics.repos.get(name);
      expect(repo?.fullyReplicatedAt).toBeNull();
      expect(repo?.localReleasedAt).toBeGreaterThanOrEqual(repo?.deletedAt ?? Infinity);
    }
  });

  it('repo-churn: copies of a new release are refused for quota until the old delete frees room, and it converges', async () => {
    const r = await run('repo-churn.yaml');
    expect(r.verdict).toBe('pass');
    const refused = r.metrics.requests.filter((q) => q.outcome === 'error' && q.error?.includes('exceed the dataset quota') === true);
    expect(refused.length).toBeGreaterThan(20);
    expect(r.situations.get('quota_refusal')).toBe(refused.length);
    expect(r.metrics.peakDatasetBytes).toBe(4.5 * 2 ** 30);
  });

  it('nexus-crash-before-replication: artifacts whose PUT had not finished are lost with the Nexus', async () => {
    const r = await run('nexus-crash-before-replication.yaml');
    expect(invariants(r)).toEqual(['no_data_loss']);
    expect(r.metrics.lostArtifacts.size).toBeGreaterThan(0);
    expect(r.metrics.lostArtifacts.size).toBe(r.metrics.repos.get('v1')?.lost);
  });

  it('an unchecked run (the benchmark of what watching costs) runs the same world without the checkers and the hash', async () => {
    const checked = await run('bug-release-early.yaml');
    const unchecked = await runScenario(checked.scenario, { seed: checked.seed, requestRows: true, unchecked: true });
    expect(checked.verdict).toBe('safety');
    // The data the bug loses keeps it from converging; only that is left to see.
    expect(unchecked.verdict).toBe('liveness');
    expect(invariants(unchecked)).toEqual(['converges']);
    expect(unchecked.historyHash).toBe('');
    expect(checked.historyHash).not.toBe('');
    expect(unchecked.world.events.size).toBe(checked.world.events.size);
    expect(unchecked.timeline).toEqual(checked.timeline);
    expect(unchecked.metrics.requests).toEqual(checked.metrics.requests);
  });
});
