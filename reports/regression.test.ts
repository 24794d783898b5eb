import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import { regressionRun } from './regression.ts';

const SCENARIOS = new URL('../scenarios/', import.meta.url);
const BASELINES = new URL('./baselines/', import.meta.url);
const FILES = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();

describe('regression pass: every bundled scenario at fixed seeds (re-bless with `npm run bless`)', { timeout: 180_000 }, () => {
  it.each(FILES)('%s: expected verdicts, recheck of seed 1 agrees, and summary rows equal to the committed baseline', async (file) => {
    const scenario = loadScenario(file, readFileSync(new URL(file, SCENARIOS), 'utf8'));
    const result = await regressionRun(scenario);
    expect(result.unexpected).toEqual([]);
    expect(result.recheck.rechecked).toBe(result.recheck.run);
    const baseline = readFileSync(new URL(`${scenario.name}.csv`, BASELINES), 'utf8');
    expect(result.baseline).toBe(baseline);
  });
});
