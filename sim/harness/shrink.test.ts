import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runScenario } from './runner.ts';
import { loadScenario, scenarioInput } from './scenario/load.ts';
import { faultsAsEvents, shrinkScenario, trialRun, type ScenarioInput } from './shrink.ts';

const read = (name: string): string => readFileSync(new URL(`../../scenarios/${name}`, import.meta.url), 'utf8');
const eventCount = (input: ScenarioInput): number => (Array.isArray(input.events) ? input.events.length : 0);

describe('shrink', { timeout: 120_000 }, () => {
  it('turns the failing nexus-race-stale-delete run into a smaller scenario that fails the same invariant', async () => {
    const input = scenarioInput('s.yaml', read('nexus-race-stale-delete.yaml'));
    const result = await shrinkScenario(input, 'no_backwards_delete', (candidate) => trialRun(candidate, 1));
    expect(eventCount(result.input)).toBeLessThan(eventCount(input));
    expect((result.input.rack as { sleds: number }).sleds).toBeLessThan(8);
    const shrunk = await runScenario(loadScenario('shrunk.yaml', stringify(result.input)), { seed: 1 });
    expect(shrunk.violations.map((v) => v.invariant)).toContain('no_backwards_delete');
    expect(result.steps.length).toBeGreaterThan(0);
  });

  it('keeps nothing that stops the failure: a passing start gives no steps', async () => {
    const input = scenarioInput('s.yaml', read('baseline.yaml'));
    const result = await shrinkScenario(input, 'no_data_loss', (candidate) => trialRun(candidate, 1), { maxRuns: 5 });
    expect(result.steps).toEqual([]);
    expect(result.runs).toBe(1);
  });

  it('never lengthens the scenario: a failure found after the end (a liveness deadline) cuts nothing', async () => {
    const tried: unknown[] = [];
    // A run that fails convergence 3 h in, past the 2 h it simulates, whatever is removed.
    const evaluate = (candidate: ScenarioInput): Promise<{ failed: Map<string, number> }> => {
      tried.push(candidate.duration);
      return Promise.resolve({ failed: new Map([['convergence', 3 * 3_600_000_000]]) });
    };
    const input: ScenarioInput = { name: 'x', duration: '2h', rack: { sleds: 1 }, nexus: { count: 1 }, events: [] };
    const result = await shrinkScenario(input, 'convergence', evaluate);
    expect(result.input.duration).toBe('2h');
    expect(tried.every((d) => d === '2h')).toBe(true);
    // The same when the scenario leaves the duration at its default (6 h) and fails at 7 h.
    const late = (): Promise<{ failed: Map<string, number> }> => Promise.resolve({ failed: new Map([['convergence', 7 * 3_600_000_000]]) });
    const { name, rack, nexus, events } = input;
    expect((await shrinkScenario({ name, rack, nexus, events }, 'convergence', late)).input.duration).toBeUndefined();
  });

  it('cuts the duration to just past a failure inside it', async () => {
    const evaluate = (): Promise<{ failed: Map<string, number> }> => Promise.resolve({ failed: new Map([['no_data_loss', 30 * 60_000_000]]) });
    const input: ScenarioInput = { name: 'x', duration: '2h', rack: { sleds: 1 }, nexus: { count: 1 }, events: [] };
    const result = await shrinkScenario(input, 'no_data_loss', evaluate);
    expect(result.input.duration).toBe('31m');
  });

  it('makes random faults explicit events that reproduce the same run', async () => {
    const text = read('sled-failures.yaml');
    const scenario = loadScenario('s.yaml', text);
    const run = await runScenario(scenario, { seed: 4 });
    expect(run.drawnFaults.length).toBeGreaterThan(3);
    const input = scenarioInput('s.yaml', text);
    const expanded: ScenarioInput = { ...input, events: [...(input.events as unknown[]), ...faultsAsEvents(run.drawnFaults, run.healAt)] };
    delete expanded.faults;
    const replayed = await runScenario(loadScenario('x.yaml', stringify(expanded)), { seed: 4 });
    expect(replayed.metrics.faults.map((f) => [f.start, f.end, f.kind, f.target])).toEqual(run.metrics.faults.map((f) => [f.start, f.end, f.kind, f.target]));
  });
});
