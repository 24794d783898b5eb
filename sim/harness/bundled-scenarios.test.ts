import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convergenceGaps } from './convergence.ts';
import { QUOTA_REACHED } from '../world/sled/artifact-store.ts';
import { runScenario, type RunOutcome } from './runner.ts';
import { loadScenario, parseOverride } from './scenario/load.ts';

const DIR = new URL('../../scenarios/', import.meta.url);
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
      'partition', 'put-timeout', 'rack-day', 'repo-churn', 'repo-pruner', 'review-one-copy', 'ring-buffer-abort', 'sled-failures', 'truncated-artifact', 'upload-order-race',
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

  it('baseline: three Nexus, three activation phases (nexus.boot_spread defaults to the period)', async () => {
    const scenario = loadScenario('baseline.yaml', readFileSync(new URL('baseline.yaml', DIR), 'utf8'));
    const r = await runScenario(scenario, { seed: 1, history: true });
    const period = r.scenario.nexus.period;
    const phases = new Map<string, Set<number>>();
    for (const e of r.world.events.history().map((line) => JSON.parse(line) as { t: number; type: string; nexus?: string })) {
      if (e.type !== 'activation_started' || e.nexus === undefined) continue;
      const set = phases.get(e.nexus) ?? new Set<number>();
      set.add(e.t % period);
      phases.set(e.nexus, set);
    }
    expect(phases.size).toBe(3);
    const firsts = [...phases.values()].map((set) => Math.min(...set));
    expect(new Set(firsts).size).toBe(3);
  });

  const panics = (r: RunOutcome): number => r.metrics.faults.filter((f) => f.kind === 'nexus_panic').length;

  it.each([
    [[], 1],
    [['repos.0.artifacts=128'], 0],
    [['engine.generation=generation', 'repos.0.artifacts=127'], 1],
    [['engine.generation=generation', 'repos.0.artifacts=126'], 0],
    [['engine.generation=current', 'repos.0.artifacts=127'], 1],
    [['engine.generation=current', 'repos.0.artifacts=126'], 0],
    [['engine.generation=review'], 0],
  ])('ring-buffer-abort %j: %i Nexus panic', async (sets, expected) => {
    const r = await run('ring-buffer-abort.yaml', undefined, sets);
    expect(panics(r)).toBe(expected);
    if (expected > 0) {
      const panic = r.metrics.faults.find((f) => f.kind === 'nexus_panic');
      expect(panic?.target).toBe('nexus-0');
      expect((panic?.end ?? 0) - (panic?.start ?? 0)).toBe(30_000_000);
      expect(r.verdict).toBe('pass');
    }
  });

  it.each([
    ['current', ['v1', 'v3', 'v4', 'v5'], ['v2']],
    ['generation', ['v1', 'v2', 'v3', 'v4', 'v5'], []],
  ] as const)('repo-pruner on %s: the sleds end with %j; pruned %j', async (generation, kept, pruned) => {
    const r = await run('repo-pruner.yaml', undefined, [`engine.generation=${generation}`]);
    expect(r.verdict).toBe('pass');
    expect([...r.metrics.repos.values()].filter((x) => x.deletedAt !== null).map((x) => x.repo)).toEqual(pruned);
    const v5 = r.metrics.repos.get('v5');
    for (const name of pruned) expect(r.metrics.repos.get(name)?.deletedAt).toBeGreaterThan(v5?.inDbAt ?? Infinity);
    for (const sled of r.world.sleds.values()) {
      expect([...new Set(sled.store.storedHashes().map((h) => h.split('-')[0]))].sort()).toEqual(kept);
    }
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

  it('rack-day seed 682, Nexus in lockstep: a slowed Nexus deletes 6 artifacts of a release inserted while its lists were on the way', async () => {
    const r = await run('rack-day.yaml', 682, ['nexus.boot_spread=0s']);
    // In lockstep two Nexus copy an artifact to the same sled at once: the refused writer
    // unlinks the other's name on M.2 0 and review never tops up a sled holding one copy
    // (review-one-copy), so the day ends in liveness; the stale delete itself is tolerated.
    expect(r.verdict).toBe('liveness');
    expect(invariants(r).filter((i) => i !== 'no_backwards_delete')).toEqual(['converges']);
    const backwards = r.violations.filter((v) => v.invariant === 'no_backwards_delete');
    // 6 artifacts under omicron's draws and Delay ticks (7 under the Alea draws, 8 under the fixed-rate timer); a copy on each M.2.
    expect(backwards).toHaveLength(12);
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

  it('repo-churn: copies of a new release are accepted, then stopped mid-stream by the quota until the old delete frees room, and it converges', async () => {
    const r = await run('repo-churn.yaml');
    expect(r.verdict).toBe('pass');
    // No admission check: the sled answers 202 and the quota stops the body; only the sled logs it.
    expect(r.metrics.requests.filter((q) => q.outcome === 'error' && q.error?.includes(QUOTA_REACHED) === true)).toEqual([]);
    expect(r.situations.get('quota_refusal')).toBeGreaterThan(20);
    expect(r.metrics.peakDatasetBytes).toBeLessThanOrEqual(4.5 * 2 ** 30);
  });

  it('truncated-artifact: merged and generation keep truncated artifacts (omicron#7796); current, with the same world, cannot', async () => {
    for (const generation of ['merged', 'generation']) {
      const r = await run('truncated-artifact.yaml', undefined, [`engine.generation=${generation}`]);
      expect(r.verdict).toBe('safety');
      const short = r.violations.filter((v) => v.invariant === 'artifact_integrity');
      expect(short.length).toBeGreaterThan(0);
      expect(r.situations.get('truncated_artifact')).toBe(short.length);
      // The sled lists the short files as copies; a Nexus rewrites one only after a failed
      // list of its sled, and at seed 1 two stay short: never converges.
      expect(invariants(r)).toContain('converges');
    }
    const head = await run('truncated-artifact.yaml', undefined, ['engine.generation=current']);
    expect(head.verdict).toBe('pass');
    expect(head.situations.get('truncated_artifact')).toBe(0);
    expect(head.situations.get('restart_mid_write')).toBeGreaterThan(0);
  });

  it('put-timeout: every PUT is cut by the 60 s client timeout and nothing is ever stored', async () => {
    const r = await run('put-timeout.yaml');
    expect(r.verdict).toBe('liveness');
    const puts = r.metrics.requests.filter((q) => q.kind === 'put');
    expect(puts.length).toBeGreaterThan(5);
    for (const q of puts) expect([q.outcome, (q.end ?? 0) - q.start]).toEqual(['timeout', 60_000_000]);
    expect(r.metrics.repos.get('v1')?.minReplicatedAt ?? null).toBeNull();
    for (const sled of r.world.sleds.values()) expect(sled.store.usage()).toEqual([0, 0]);
  });

  it('review-one-copy: a refused second copy leaves the new sled one copy, which review never tops up; merged does', async () => {
    const r = await run('review-one-copy.yaml');
    expect(invariants(r)).toEqual(['converges']);
    const copies = r.metrics.requests.filter((q) => q.kind === 'copy' && q.artifact === 'v1-000');
    expect(copies.map((q) => [q.target, q.outcome])).toEqual([['sled-4', 'ok'], ['sled-4', 'error']]);
    expect(copies[1]?.error).toContain('Another task is already writing');
    const sled4 = r.world.sleds.get('sled-4');
    expect([sled4?.store.storedOn(0).includes('v1-000'), sled4?.store.storedOn(1).includes('v1-000')]).toEqual([false, true]);
    expect(convergenceGaps(r.world).missingPairs).toBe(1);
    const merged = await run('review-one-copy.yaml', undefined, ['engine.generation=merged']);
    expect(merged.verdict).toBe('pass');
    expect(merged.metrics.requests.filter((q) => q.kind === 'copy' && q.target === 'sled-4' && q.artifact === 'v1-000' && q.outcome === 'ok')).toHaveLength(2);
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
