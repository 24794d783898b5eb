import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseOverride } from './load.ts';
import { scenarioProblem } from '../testing/scenario-problem.ts';
import { scenarioJsonSchema } from './schema.ts';

const GOOD = `name: t
duration: 2h
rack: { sleds: 4 }
nexus: { count: 2 }
repos:
  - { name: v0, artifacts: 4 }
  - { name: v1, artifacts: 8, size: { min: 1MiB, max: 2MiB }, shares: { repo: v0, fraction: 0.5 } }
initial: { repos: [v0] }
events:
  - { at: 1m, upload: v1, via: nexus-1 }
  - { at: 10m, add_sleds: 1 }
  - { at: 20m, crash: sled-4 }
faults:
  until: 1h
  sled_crash: { every: 30m, down: { min: 1m, max: 5m } }
`;

const problem = scenarioProblem;

describe('loading a scenario', () => {
  it('fills every default and converts units', () => {
    const s = loadScenario('s.yaml', GOOD);
    expect(s.duration).toBe(7_200_000_000);
    expect(s.sample_every).toBe(60_000_000);
    expect(s.rack).toEqual({ sleds: 4, m2_per_sled: 2, reconcile_delay: 1_000 });
    expect(s.network).toEqual({ latency: { median: 1_000, p99: 20_000 }, bandwidth: 2 ** 30, timeout: 60_000_000, loss: 0 });
    expect(s.nexus).toEqual({ count: 2, unpack: 30_000_000, period: 300_000_000, panic_restart: 30_000_000, tuf_repo_pruner: true });
    expect(s.engine.generation).toBe('review');
    expect(s.repos[1]?.size).toEqual({ min: 2 ** 20, max: 2 * 2 ** 20 });
    expect(s.initial).toEqual({ repos: ['v0'], on: 'all' });
    expect(s.events[0]).toEqual({ at: 60_000_000, upload: 'v1', via: 'nexus-1' });
    expect(s.expect).toEqual({ converge_within: 7_200_000_000, verdict: 'pass', tolerate: [] });
  });

  it('removes a key set to null, so an override can switch a fault family off', () => {
    const s = loadScenario('s.yaml', GOOD, ['faults.sled_crash=null', 'nexus.count=null'].map(parseOverride));
    expect(s.faults).toEqual({ until: 3_600_000_000 });
    expect(s.nexus.count).toBe(3);
  });

  it('applies --set overrides, typed as YAML', () => {
    const s = loadScenario('s.yaml', GOOD, ['engine.min_sled_replication=2', 'network.latency=5ms', 'engine.bugs=[ignore_limits]'].map(parseOverride));
    expect(s.engine.min_sled_replication).toBe(2);
    expect(s.network.latency).toBe(5_000);
    expect(s.engine.bugs).toEqual(['ignore_limits']);
  });
});

describe('bad input: one line naming file, line and column and what was expected', () => {
  it.each([
    ['YAML syntax', GOOD.replace('rack: { sleds: 4 }', 'rack: { sleds: 4'), /^s\.yaml:\d+:\d+: invalid YAML/],
    ['unknown key', GOOD.replace('rack: { sleds: 4 }', 'rack: { sledz: 4 }'), /^s\.yaml:3:9: unknown key "sledz"$/],
    ['unknown top-level key', `${GOOD}colour: blue\n`, /^s\.yaml:16:1: unknown key "colour"$/],
    ['wrong type', GOOD.replace('sleds: 4', 'sleds: four'), /^s\.yaml:3:16: expected a number, got "four"$/],
    ['non-integer count', GOOD.replace('artifacts: 4 }', 'artifacts: 4.5 }'), /^s\.yaml:6:28: expected an integer, got 4\.5$/],
    ['bad duration unit', GOOD.replace('duration: 2h', 'duration: 2 hours'), /^s\.yaml:2:11: expected a duration like .*, got "2 hours"$/],
    ['bad size unit', GOOD.replace('max: 2MiB', 'max: 2MiBs'), /^s\.yaml:7:55: expected a size like .*, got "2MiBs"$/],
    ['unknown enum value', GOOD.replace('rack: { sleds: 4 }', 'rack: { sleds: 4 }\nengine: { generation: newest }'), /^s\.yaml:4:23: expected one of "review", "merged", "generation", "current", got "newest"$/],
    ['unknown repo', GOOD.replace('upload: v1', 'upload: v9'), /^s\.yaml:10:23: expected a repo of this scenario \(v0, v1\), got "v9"$/],
    ['unknown shared repo', GOOD.replace('repo: v0, fraction', 'repo: v1, fraction'), /^s\.yaml:7:79: expected the name of a repo defined above this one, got "v1"$/],
    ['unknown sled', GOOD.replace('crash: sled-4', 'crash: sled-5'), /^s\.yaml:12:23: expected a sled that exists at this time \(sled-0 … sled-4\), got "sled-5"$/],
    ['sled before it is added', GOOD.replace('at: 20m, crash: sled-4', 'at: 5m, crash: sled-4'), /^s\.yaml:12:22: expected a sled that exists at this time \(sled-0 … sled-3\), got "sled-4"$/],
    ['unknown Nexus', GOOD.replace('via: nexus-1', 'via: nexus-2'), /^s\.yaml:10:32: expected a Nexus of this scenario \(nexus-0 … nexus-1\), got "nexus-2"$/],
    ['event after the duration', GOOD.replace('at: 20m', 'at: 3h'), /^s\.yaml:12:11: expected a time within the duration \(2h\)$/],
    ['faults after the duration', GOOD.replace('until: 1h', 'until: 5h'), /^s\.yaml:14:10: expected a time within the duration \(2h\)$/],
    ['unknown event', GOOD.replace('crash: sled-4', 'crush: sled-4'), /^s\.yaml:12:16: unknown event "crush"; expected one of upload, delete/],
    ['not a mapping', '- just\n- a list\n', /^s\.yaml:1:1: expected a mapping of scenario keys/],
  ])('%s', (_what, text, expected) => {
    expect(problem(text)).toMatch(expected);
  });

  it.each([
    [['rack.sledz=3'], /^--set:1:1: rack\.sledz=3: unknown key "sledz"$/],
    [['engine.min_sled_replication=abc'], /^--set:1:1: engine\.min_sled_replication=abc: expected a number, got "abc"$/],
    [['duration=soon'], /^--set:1:1: duration=soon: expected a duration like/],
  ])('bad --set %s names the override', (sets, expected) => {
    expect(problem(GOOD, sets)).toMatch(expected);
  });

  it('refuses an override that is not path=value', () => {
    expect(() => parseOverride('engine.generation')).toThrow(/expected path=value/);
  });
});

describe('the shipped JSON Schema', () => {
  it('is the one the schema generates (run `npm run schema` after changing it)', () => {
    const shipped = readFileSync(new URL('../../../scenarios/scenario.schema.json', import.meta.url), 'utf8');
    expect(JSON.parse(shipped)).toEqual(scenarioJsonSchema());
  });
});
