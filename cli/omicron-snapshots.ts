// Snapshot files for `depotsim plan` that restate omicron's planner tests: the sleds and
// artifacts the zero-seeded StdRng makes, in the test's order, and the rng positioned
// after them. `scripts/write-omicron-snapshots.ts` writes them to snapshots/omicron/.
import { omicronTestSetup, OMICRON_TEST_MIN_SLED_REPLICATION, type OmicronSnapshotCase } from '../core/testing/omicron-planner-tests.ts';

const DESCRIPTIONS: Record<OmicronSnapshotCase['test'], string> = {
  simple_replicate: '16 sleds, 2 artifacts held only locally',
  new_sled: '5 sleds, 4 hold 10 artifacts twice',
  delete: '4 sleds hold an artifact nobody wants',
  recopy: '4 sleds, one holds a single copy',
  nothing: '4 sleds hold every copy',
};

export function omicronSnapshotFile(c: OmicronSnapshotCase): string {
  return `${c.test.replace('_', '-')}.${c.commit}.${c.generation}.yaml`;
}

/** The snapshot YAML of one (test, commit). */
export function omicronSnapshotYaml(c: OmicronSnapshotCase): string {
  const { input, rng, copies, wanted } = omicronTestSetup(c.test);
  const q = (text: string): string => JSON.stringify(text);
  const lines = [
    `# omicron's \`${c.test}\` planner test at ${c.commit} (${c.generation}, rand ${c.rand}), restated: the`,
    '# sleds and artifact hashes the zero-seeded StdRng makes, in the test\'s order, and the',
    '# rng after them. `depotsim plan THIS --format omicron` prints',
    `# nexus/tests/tuf-replication/${c.test}.txt at that commit byte for byte.`,
    '# Written by scripts/write-omicron-snapshots.ts.',
    `description: ${q(`omicron ${c.test}@${c.commit}: ${DESCRIPTIONS[c.test]}`)}`,
    `rng: { seed: zero, skip: ${rng.wordPosition}, rand: ${c.rand} }`,
    `engine: { generation: ${c.generation}, min_sled_replication: ${OMICRON_TEST_MIN_SLED_REPLICATION} }`,
    `wanted: [${wanted.map(q).join(', ')}]`,
  ];
  if (input.localRepos.length > 0) {
    lines.push('local:');
    for (const repo of input.localRepos) lines.push(`  ${repo.id}: [${repo.artifacts.map((a) => q(a.hash)).join(', ')}]`);
  }
  lines.push('sleds:');
  for (const sled of input.sleds) {
    const held = [...copies].flatMap(([hash, on]) => (on.has(sled) ? [`${q(hash)}: ${on.get(sled) as number}`] : []));
    lines.push(held.length === 0 ? `  ${sled}: {}` : `  ${sled}:\n${held.map((h) => `    ${h}`).join('\n')}`);
  }
  return lines.join('\n') + '\n';
}
