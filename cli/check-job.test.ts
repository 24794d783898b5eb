import { describe, expect, it, vi } from 'vitest';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import runCheckJob, { type CheckJob } from './check-job.ts';
import { TINY } from './testing/in-process.ts';

vi.mock(import('../sim/harness/scenario/load.ts'), async (original) => {
  const actual = await original();
  return { ...actual, loadScenario: vi.fn(actual.loadScenario) };
});

const job = (seed: number, sets: readonly string[] = []): CheckJob => ({ file: 'tiny.yaml', text: TINY, sets, seed, history: true });

describe('a check job', { timeout: 60_000 }, () => {
  it('compiles its scenario once for the seeds that follow, and a reused scenario runs as a fresh one', async () => {
    const compiles = vi.mocked(loadScenario);
    compiles.mockClear();
    const first = await runCheckJob(job(1));
    const again = await runCheckJob(job(1));
    const second = await runCheckJob(job(2));
    expect(compiles).toHaveBeenCalledTimes(1);
    // The second run of seed 1 read the scenario the first had run: the same history.
    expect(again).toEqual(first);
    expect(first.history?.length).toBeGreaterThan(100);

    const other = await runCheckJob(job(2, ['nexus.count=2']));
    expect(compiles).toHaveBeenCalledTimes(2);
    expect(other.historyHash).not.toBe(second.historyHash);

    // Compiled afresh after another scenario: what the reused one gave.
    expect(await runCheckJob(job(2))).toEqual(second);
    expect(compiles).toHaveBeenCalledTimes(3);
  });

  it('runs the scenario a job brings, cloned as a worker receives it, without compiling, as its text would run', async () => {
    const compiles = vi.mocked(loadScenario);
    const fromText = await runCheckJob(job(3, ['nexus.count=2']));
    const scenario = structuredClone(loadScenario('tiny.yaml', TINY, [parseOverride('nexus.count=2')]));
    compiles.mockClear();
    // Another scenario's text under it: only what it brings may run.
    const brought = await runCheckJob({ ...job(3), scenario });
    expect(compiles).not.toHaveBeenCalled();
    expect(brought).toEqual(fromText);
  });

  it('compiles again when the text changes, even under the same file name', async () => {
    const compiles = vi.mocked(loadScenario);
    compiles.mockClear();
    const short = await runCheckJob({ ...job(1), text: TINY.replace('duration: 20m', 'duration: 10m') });
    const long = await runCheckJob(job(1));
    expect(compiles).toHaveBeenCalledTimes(2);
    expect(long.simulatedS).toBeGreaterThan(short.simulatedS);
  });
});
