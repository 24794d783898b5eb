import { describe, expect, it } from 'vitest';
import { loadScenario, parseOverride } from './load.ts';
import { scenarioProblem } from '../testing/scenario-problem.ts';

const GOOD = `name: t
duration: 2h
rack: { sleds: 4 }
nexus: { count: 2 }
repos:
  - { name: v0, artifacts: 4 }
events:
  - { at: 1m, upload: v0, via: nexus-1 }
`;

const problem = scenarioProblem;

describe('validation matches what the world accepts (README, "Limits")', () => {
  it.each([
    // Node names by exact spelling: the world has sled-1, never sled-01.
    [['events.1={at: 2m, crash: sled-01}'], /expected a node name like sled-3 or nexus-1, got "sled-01"/],
    [['events.1={at: 2m, crash: nexus-00}'], /expected a node name like sled-3 or nexus-1, got "nexus-00"/],
    [['events.1={at: 2m, partition: {between: [nexus-0], and: [sled-01], for: 1m}}'], /got "sled-01"/],
    [['events.0.via=nexus-01'], /expected a Nexus name like nexus-1, got "nexus-01"/],
    // Intervals with a floor that keeps a run finite.
    [['nexus.period=0'], /nexus.period=0: expected a duration of at least 1s, got 0/],
    [['sample_every=0'], /expected a duration of at least 1s, got 0/],
    [['faults={sled_crash: {every: 0, down: 1m}}'], /expected a duration of at least 1m, got 0/],
    [['faults={partition: {every: 1s, for: 1m}}'], /expected a duration of at least 1m, got "1s"/],
    [['faults={slow: {every: 1h, extra: 1s, for: {min: 10m, max: 1m}}}'], /expected min <= max, got 10m > 1m/],
    // Upper bounds, each with its limit in the message.
    [['rack.sleds=100000'], /expected a value <= 1024, got 100000/],
    [['events.1={at: 2m, add_sleds: 1021}'], /expected at most 1024 sleds in the rack, got 1025/],
    [['nexus.count=1000'], /expected a value <= 16, got 1000/],
    [['rack.m2_per_sled=1000000'], /expected a value <= 8, got 1000000/],
    [['repos.0.artifacts=10000000'], /expected a value <= 4096, got 10000000/],
    [['repos.1={name: v1, artifacts: 4096}', 'repos.2={name: v2, artifacts: 4096}', 'repos.3={name: v3, artifacts: 4}', 'rack.sleds=1'], /expected at most 8192 artifacts over all repos, got 8200/],
    [['rack.sleds=1024', 'repos.0.artifacts=65'], /expected at most 65536 sled-artifact pairs \(sleds × artifacts of all repos\), got 1024 × 65/],
    [['duration=8d'], /expected a duration of at most 7d, got "8d"/],
    [['expect.converge_within=1000d'], /expected a duration of at most 7d/],
    [['duration=7d', 'expect.converge_within=7d', 'sample_every=1s'], /expected at most 200000 timeline samples .*, got 1209600/],
    [['duration=2d', 'nexus.period=1s'], /expected at most 1000000 sled-activations \(duration and converge_within over the period, times the Nexus count, times 4 sleds\), got 1440000; use a longer period/],
    // --set through a value, a bad list index, and an empty value that used to delete the key.
    [['name.x=3'], /^--set:1:1: name.x=3: expected a mapping or list at name, got a single value$/],
    [['rack.sleds.x=1'], /expected a mapping or list at rack.sleds, got a single value/],
    [['repos.5.name=x'], /expected an index of repos from 0 to 1, got 5/],
    [['events.99999999=1'], /expected an index of events from 0 to 1, got 99999999/],
    [['repos.x=1'], /expected a list index after repos, got "x"/],
    // A missing required key is named.
    [['repos.0={name: v2}'], /repos.0=\{name: v2\}: expected key "artifacts" \(a number\), got nothing$/],
    [['events.0={upload: v0}'], /expected key "at", got nothing$/],
    [['faults={sled_crash: {every: 1h}}'], /expected key "down", got nothing$/],
    [['duration='], /^--set:1:1: duration=: expected a value after "=" \(path=null removes a key\), got nothing$/],
  ])('refuses %j', (sets, message) => {
    expect(problem(GOOD, sets)).toMatch(message);
  });

  it('refuses more than 10,000 events with the limit in the message', () => {
    const events = Array.from({ length: 10_001 }, () => '  - { at: 1m, activate: nexus-0 }').join('\n');
    expect(problem(GOOD.replace(/events:\n.*\n/, `events:\n${events}\n`))).toMatch(/^s\.yaml:8:3: expected at most 10000 items, got 10001$/);
  });

  it('resolves YAML aliases with a bound: an alias bomb and an undefined alias are one line each', () => {
    let bomb = 'name: b\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n';
    for (let i = 1; i < 9; i++) bomb += `x${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    expect(problem(bomb)).toMatch(/^s\.yaml:3:\d+: expected aliases that expand to at most 100 times the document, got more/);
    expect(problem('name: a\nrepos: *nowhere\n')).toBe('s.yaml:2:8: expected an alias of an anchor defined above it, got *nowhere');
    // An ordinary alias still works.
    expect(loadScenario('s.yaml', `${GOOD}initial: { repos: &r [v0] }\nexpect: { tolerate: [] }\n`).initial.repos).toEqual(['v0']);
  });

  it('still accepts the largest values the limits allow', () => {
    const s = loadScenario('s.yaml', GOOD, ['rack.sleds=1024', 'repos.0.artifacts=64', 'nexus.count=16', 'nexus.period=60s', 'duration=30m', 'expect.converge_within=30m', 'sample_every=1s', 'events.1={at: 2m, crash: sled-1023}'].map(parseOverride));
    expect([s.rack.sleds, s.nexus.count, s.nexus.period, s.sample_every]).toEqual([1024, 16, 60_000_000, 1_000_000]);
  });
});
