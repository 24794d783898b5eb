// omicron's planner snapshot tests, rebuilt and compared byte for byte with the files
// omicron committed (nexus/tests/tuf-replication/*.txt). The four in
// ../shared/reference/omicron/ are read from there; for the others only their sha256 is
// kept here (no omicron file goes into this repository).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineParams, planActivation, randSamplers, type RandSamplers, type RandVersion, type Rng } from '../core/index.ts';
import {
  OMICRON_SNAPSHOT_CASES,
  OMICRON_TEST_MIN_SLED_REPLICATION,
  omicronTestSetup,
  type OmicronSnapshotCase,
} from '../core/testing/omicron-planner-tests.ts';
import { planOmicronText } from './plan-command.ts';

const REFERENCE = fileURLToPath(new URL('../../shared/reference/omicron/', import.meta.url));

function plannedText(
  c: OmicronSnapshotCase,
  draws: RandSamplers = randSamplers(c.rand),
  words: (rng: Rng) => Rng = (rng) => rng,
): { text: string; words: number } {
  const { input, rng } = omicronTestSetup(c.test);
  const params = engineParams({ generation: c.generation, minSledReplication: OMICRON_TEST_MIN_SLED_REPLICATION });
  const plan = planActivation(input, words(rng), params, draws);
  return { text: planOmicronText(plan), words: rng.wordPosition };
}

const caseOf = (test: OmicronSnapshotCase['test'], commit: string): OmicronSnapshotCase =>
  OMICRON_SNAPSHOT_CASES.find((c) => c.test === test && c.commit === commit) as OmicronSnapshotCase;
const otherRand = (rand: RandVersion): RandVersion => (rand === '0.8.5' ? '0.9.2' : '0.8.5');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe("omicron's planner snapshot files, byte for byte", () => {
  it.each(OMICRON_SNAPSHOT_CASES)('$test at $commit ($generation, rand $rand)', (c) => {
    const { text, words } = plannedText(c);
    if ('file' in c.expected) expect(text).toBe(readFileSync(REFERENCE + c.expected.file, 'utf8'));
    else expect(sha256(text)).toBe(c.expected.sha256);
    expect(words).toBe(c.words);
  });
});

describe("omicron's `nothing` test (no snapshot file: every class empty)", () => {
  it.each(['merged', 'generation', 'current'] as const)('%s plans no request', (generation) => {
    const { input, rng } = omicronTestSetup('nothing');
    const plan = planActivation(input, rng, engineParams({ generation, minSledReplication: OMICRON_TEST_MIN_SLED_REPLICATION }));
    expect(planOmicronText(plan)).toBe('');
    expect(rng.wordPosition).toBe(4 * 16 + 32);
  });
});

// Mutants: the golden files tell each rand version's samplers from the other's (recopy.txt
// is the same under both, so it cannot), and 0.9.2's choose from 0.8.5's gen_range.
describe('the golden files catch one changed word or sampler rule', () => {
  it.each(OMICRON_SNAPSHOT_CASES.filter((c) => c.test !== 'recopy'))('$test at $commit: the other rand version', (c) => {
    expect(plannedText(c, randSamplers(otherRand(c.rand))).text).not.toBe(plannedText(c).text);
  });

  it('0.9.2 with 0.8.5-style gen_range inside its shuffle and choose differs', () => {
    const c = caseOf('simple_replicate', '8516b4050d');
    const real = randSamplers('0.9.2');
    const wrongIndex: RandSamplers = { ...real, choose: (items, rng) => (items.length === 0 ? undefined : items[randSamplers('0.8.5').index(rng, items.length)]) };
    expect(plannedText(c, wrongIndex).text).not.toBe(plannedText(c).text);
  });
});
