import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../bin/load.js';
import { runScenario } from '../sim/harness/runner.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import runCheckJob from './check-job.ts';
import { TINY } from './testing/in-process.ts';

const compile = (sets: readonly string[] = []) => loadScenario('tiny.yaml', TINY, sets.map(parseOverride));

describe('a check job', { timeout: 60_000 }, () => {
  it('runs the scenario it brings, cloned as a worker receives it, as the runner runs it', async () => {
    const scenario = compile(['nexus.count=2']);
    const direct = await runScenario(scenario, { seed: 3, history: true });
    const job = await runCheckJob({ scenario: structuredClone(scenario), seed: 3, history: true });
    expect(job.historyHash).toBe(direct.historyHash);
    expect(job.history).toEqual(direct.world.events.history());
    expect(job.history?.length).toBeGreaterThan(100);
    expect(job.verdict).toBe(direct.verdict);
    // Another scenario and another seed each give another history: the job ran what it brought.
    expect((await runCheckJob({ scenario: compile(), seed: 3 })).historyHash).not.toBe(job.historyHash);
    expect((await runCheckJob({ scenario, seed: 4 })).historyHash).not.toBe(job.historyHash);
  });

  it("leaves the YAML parser and the schema library out of the worker's bundle", async () => {
    // Built as bin/load.js builds it: whatever the bundle holds, each worker compiles as it
    // starts, whether a job uses it or not.
    const result = await build({ ...bundleOptions(fileURLToPath(new URL('./check-job.ts', import.meta.url)), join(tmpdir(), 'check-job.mjs')), write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    const from = (pkg: string): boolean => inputs.some((path) => path.includes(`node_modules/${pkg}/`));
    expect(from('seedrandom')).toBe(true);
    expect(from('yaml')).toBe(false);
    expect(from('zod')).toBe(false);
  });
});
