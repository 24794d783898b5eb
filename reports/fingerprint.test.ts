// fingerprints.csv itself: one row for every bundled scenario × generation × seed the
// scenario accepts, none for one it refuses. The rows are recomputed by the
// fingerprint-<generation>.test.ts files (reports/testing/fingerprint-suite.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_GENERATIONS } from '../core/types.ts';
import { FINGERPRINT_COLUMNS, FINGERPRINT_SEEDS, scenarioAtGeneration } from './fingerprint.ts';
import { FINGERPRINT_HEADER, recordedRow, SCENARIO_FILES } from './testing/fingerprint-suite.ts';

describe('fingerprints.csv (issue 19: an optimisation changes no byte)', () => {
  it('covers every bundled scenario × generation × seed the scenario accepts', () => {
    expect(FINGERPRINT_HEADER).toEqual([...FINGERPRINT_COLUMNS]);
    for (const file of SCENARIO_FILES) {
      const text = readFileSync(new URL(`../scenarios/${file}`, import.meta.url), 'utf8');
      for (const generation of ENGINE_GENERATIONS) {
        const loaded = scenarioAtGeneration(`scenarios/${file}`, text, generation);
        const name = file.replace(/\.yaml$/, '');
        const rows = FINGERPRINT_SEEDS.map((seed) => recordedRow(name, generation, seed));
        if ('refused' in loaded) expect(rows.filter((r) => r !== undefined)).toEqual([]);
        else expect(rows.every((r) => r !== undefined), `${name} at ${generation}`).toBe(true);
      }
    }
  });
});
