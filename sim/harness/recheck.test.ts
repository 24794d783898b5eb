import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recheckHistory } from './recheck.ts';
import { runScenario, type RunOutcome } from './runner.ts';
import { InputError } from './scenario/input-error.ts';
import { loadScenario } from './scenario/load.ts';

const SCENARIOS = new URL('../../scenarios/', import.meta.url);

async function recorded(file: string): Promise<{ run: RunOutcome; lines: readonly string[] }> {
  const scenario = loadScenario(file, readFileSync(new URL(file, SCENARIOS), 'utf8'));
  const run = await runScenario(scenario, { seed: 1, history: true });
  return { run, lines: run.world.events.history() };
}

describe('recheckHistory (every bundled scenario: reports/regression.test.ts)', () => {
  it('finds the violations of the run from its history alone, at the same times', async () => {
    const { run, lines } = await recorded('nexus-race-stale-delete.yaml');
    const rechecked = await recheckHistory(run.scenario, 1, lines, 'h');
    expect(run.violations.length).toBeGreaterThan(0);
    expect(rechecked.violations).toEqual(run.violations);
    expect(rechecked).toMatchObject({ events: lines.length, trailing: 0 });
  });

  it('judges what the history says: without the removals of wanted copies there is no backwards delete', async () => {
    const { run, lines } = await recorded('nexus-race-stale-delete.yaml');
    const edited = lines.filter((l) => !(l.includes('"type":"artifact_removed"') && l.includes('"cause":"delete"')));
    expect(edited.length).toBeLessThan(lines.length);
    const rechecked = await recheckHistory(run.scenario, 1, edited, 'h');
    expect(run.violations.some((v) => v.invariant === 'no_backwards_delete')).toBe(true);
    expect(rechecked.violations.some((v) => v.invariant === 'no_backwards_delete')).toBe(false);
  });

  it('reports liveness from the history: a run cut short does not converge, and extra events are trailing', async () => {
    const { run, lines } = await recorded('new-sled.yaml');
    expect(run.violations).toEqual([]);
    const cut = await recheckHistory(run.scenario, 1, lines.filter((l) => !l.includes('"type":"artifact_stored"') || !l.includes('"via":"copy"')), 'h');
    expect(cut.violations.map((v) => v.invariant)).toEqual(['converges']);
    const late = `{"t":${run.endedAt + 1},"type":"sled_added","sled":"sled-x"}`;
    expect((await recheckHistory(run.scenario, 1, [...lines, late], 'h')).trailing).toBe(1);
  });

  it('refuses a corrupt line or events out of time order with the line that is wrong', async () => {
    const { run } = await recorded('upload-order-race.yaml');
    const ok = '{"t":5,"type":"sled_added","sled":"sled-0"}';
    await expect(recheckHistory(run.scenario, 1, [ok, '{"t":6,"type"'], 'h.jsonl')).rejects.toThrow(InputError);
    await expect(recheckHistory(run.scenario, 1, [ok, '{"t":6,"type"'], 'h.jsonl')).rejects.toMatchObject({ file: 'h.jsonl', line: 2 });
    await expect(recheckHistory(run.scenario, 1, [ok, '{"t":4,"type":"x"}'], 'h.jsonl')).rejects.toThrow(/expected events in time order, got t=4 after t=5/);
    await expect(recheckHistory(run.scenario, 1, [ok, '[1]'], 'h.jsonl')).rejects.toMatchObject({ line: 2 });
  });
});
