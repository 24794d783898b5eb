// omicron's planner snapshot tests, rebuilt and compared byte for byte with the files
// omicron committed (nexus/tests/tuf-replication/*.txt). The four in
// ../shared/reference/omicron/ are read from there; for the others only their sha256 is
// kept here (no omicron file goes into this repository).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineParams, planActivation, randSamplers, type EngineGeneration, type RandVersion } from '../core/index.ts';
import { OMICRON_TEST_MIN_SLED_REPLICATION, omicronTestSetup, type OmicronPlannerTest } from '../core/testing/omicron-planner-tests.ts';
import { planOmicronText } from './plan-command.ts';

const REFERENCE = fileURLToPath(new URL('../../shared/reference/omicron/', import.meta.url));

interface GoldenCase {
  readonly test: OmicronPlannerTest;
  readonly commit: string;
  readonly generation: EngineGeneration;
  readonly rand: RandVersion;
  /** Words the test draws in all (sleds, hashes and plan). */
  readonly words: number;
  /** The file in ../shared/reference/omicron/, or the sha256 of omicron's file. */
  readonly expected: { readonly file: string } | { readonly sha256: string };
}

// sha256 of `git show COMMIT:nexus/tests/tuf-replication/TEST.txt` in omicron.
const CASES: readonly GoldenCase[] = [
  { test: 'simple_replicate', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 456, expected: { file: 'simple_replicate.74a6c136fc.txt' } },
  { test: 'new_sled', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 434, expected: { file: 'new_sled.74a6c136fc.txt' } },
  { test: 'recopy', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
  { test: 'delete', commit: '74a6c136fc', generation: 'merged', rand: '0.8.5', words: 0, expected: { sha256: '4b9767bb2505f8ffd277deb5d4dd1a5b9b69166d609d93878c03eb24ad5263b6' } },
  { test: 'simple_replicate', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 456, expected: { file: 'simple_replicate.74a6c136fc.txt' } },
  { test: 'new_sled', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 434, expected: { file: 'new_sled.74a6c136fc.txt' } },
  { test: 'recopy', commit: 'c31dc2f3e3', generation: 'generation', rand: '0.8.5', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
  { test: 'simple_replicate', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 357, expected: { file: 'simple_replicate.8516b4050d.txt' } },
  { test: 'new_sled', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 411, expected: { sha256: '849d6dfd78b7bac4f190d8c70988cc893b90245c42102ba380b1679a1469c68b' } },
  { test: 'recopy', commit: '8516b4050d', generation: 'current', rand: '0.9.2', words: 97, expected: { file: 'recopy.74a6c136fc.txt' } },
];

function plannedText(c: GoldenCase, rand: RandVersion = c.rand): { text: string; words: number } {
  const { input, rng } = omicronTestSetup(c.test);
  const params = engineParams({ generation: c.generation, minSledReplication: OMICRON_TEST_MIN_SLED_REPLICATION });
  const plan = planActivation(input, rng, params, randSamplers(rand));
  return { text: planOmicronText(plan), words: rng.wordPosition };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe("omicron's planner snapshot files, byte for byte", () => {
  it.each(CASES)('$test at $commit ($generation, rand $rand)', (c) => {
    const { text, words } = plannedText(c);
    if ('file' in c.expected) expect(text).toBe(readFileSync(REFERENCE + c.expected.file, 'utf8'));
    else expect(sha256(text)).toBe(c.expected.sha256);
    if (c.words > 0) expect(words).toBe(c.words);
  });
});
