// The byte-identity guard of issue 19 as tests: reports/baselines/fingerprints.csv holds the
// sha256 of every report (with history and trace) of every bundled scenario × generation ×
// seeds 1-5, recorded from the engine before any optimisation. One test file per
// generation recomputes that generation's rows, so the test runner spreads them over its
// workers. `npm run fingerprint -- --check` recomputes all 400.
import { readdirSync, readFileSync } from 'node:fs';
import { csvParseRows } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import type { EngineGeneration } from '../../core/types.ts';
import { FINGERPRINT_SEEDS, fingerprintRow, scenarioAtGeneration } from '../fingerprint.ts';

const SCENARIOS = new URL('../../scenarios/', import.meta.url);
export const SCENARIO_FILES = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();
const [header, ...RECORDED] = csvParseRows(readFileSync(new URL('../baselines/fingerprints.csv', import.meta.url), 'utf8'));
export const FINGERPRINT_HEADER = header;

/**
 * Scenarios whose 20 runs take minutes (multi-rack's 1,024 sleds, repo-churn's long day):
 * in the test, seed 1 of each generation; every seed in `npm run fingerprint -- --check`.
 */
const SLOW = new Set(['multi-rack.yaml', 'repo-churn.yaml']);

export function recordedRow(scenario: string, generation: string, seed: number): string[] | undefined {
  return RECORDED.find((r) => r[0] === scenario && r[1] === generation && r[2] === String(seed));
}

export function describeFingerprints(generation: EngineGeneration): void {
  describe(`fingerprints at ${generation} (issue 19: an optimisation changes no byte)`, () => {
    const cases = SCENARIO_FILES.flatMap((file) =>
      (SLOW.has(file) ? [1] : [...FINGERPRINT_SEEDS]).map((seed) => ({ file, seed })),
    ).filter(({ file, seed }) => recordedRow(file.replace(/\.yaml$/, ''), generation, seed) !== undefined);
    it.each(cases)('$file seed $seed: every report has its recorded sha256', { timeout: 120_000 }, async ({ file, seed }) => {
      const text = readFileSync(new URL(file, SCENARIOS), 'utf8');
      const loaded = scenarioAtGeneration(`scenarios/${file}`, text, generation);
      if ('refused' in loaded) throw new Error(`${file} refuses ${generation}: ${loaded.refused}`);
      const row = await fingerprintRow(`scenarios/${file}`, text, loaded.scenario, seed);
      expect(row).toEqual(recordedRow(loaded.scenario.name, generation, seed));
    });
  });
}
