// The byte-identity guard of issue 19: reports/baselines/fingerprints.csv holds the sha256
// of every report of every bundled scenario × generation × seeds 1-5, recorded from the
// engine before any optimisation. This recomputes an affordable subset (seed 1, each
// scenario at one generation, the generations in turn); `npm run fingerprint -- --check`
// recomputes all of them.
import { readdirSync, readFileSync } from 'node:fs';
import { csvParseRows } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { ENGINE_GENERATIONS } from '../core/types.ts';
import { FINGERPRINT_COLUMNS, FINGERPRINT_SEEDS, fingerprintRow, scenarioAtGeneration } from './fingerprint.ts';

const SCENARIOS = new URL('../scenarios/', import.meta.url);
const FILES = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();
const [header, ...recorded] = csvParseRows(readFileSync(new URL('./baselines/fingerprints.csv', import.meta.url), 'utf8'));
/** Scenarios that take seconds a run: left to `npm run fingerprint -- --check`. */
const SLOW = new Set(['multi-rack.yaml', 'rack-day.yaml', 'repo-churn.yaml', 'truncated-artifact.yaml']);

function recordedRow(scenario: string, generation: string, seed: number): string[] | undefined {
  return recorded.find((r) => r[0] === scenario && r[1] === generation && r[2] === String(seed));
}

describe('fingerprints of every report (issue 19: an optimisation changes no byte)', () => {
  it('fingerprints.csv covers every bundled scenario × generation × seed the scenario accepts', () => {
    expect(header).toEqual([...FINGERPRINT_COLUMNS]);
    for (const file of FILES) {
      const text = readFileSync(new URL(file, SCENARIOS), 'utf8');
      for (const generation of ENGINE_GENERATIONS) {
        const loaded = scenarioAtGeneration(`scenarios/${file}`, text, generation);
        const name = file.replace(/\.yaml$/, '');
        const rows = FINGERPRINT_SEEDS.map((seed) => recordedRow(name, generation, seed));
        if ('refused' in loaded) expect(rows.filter((r) => r !== undefined)).toEqual([]);
        else expect(rows.every((r) => r !== undefined), `${name} at ${generation}`).toBe(true);
      }
    }
  });

  // Each scenario at one of the generations it accepts, the generations in turn.
  const subset = FILES.filter((f) => !SLOW.has(f)).map((file, i) => {
    const accepted = ENGINE_GENERATIONS.filter((g) => recordedRow(file.replace(/\.yaml$/, ''), g, 1) !== undefined);
    return { file, generation: accepted[i % accepted.length] ?? 'none' };
  });
  it.each(subset)('$file at $generation, seed 1: every report has its recorded sha256', { timeout: 60_000 }, async ({ file, generation }) => {
    const text = readFileSync(new URL(file, SCENARIOS), 'utf8');
    const loaded = scenarioAtGeneration(`scenarios/${file}`, text, generation);
    if ('refused' in loaded) throw new Error(`${file} refuses ${generation}: ${loaded.refused}`);
    const row = await fingerprintRow(`scenarios/${file}`, text, loaded.scenario, 1);
    expect(row).toEqual(recordedRow(loaded.scenario.name, generation, 1));
  });
});
