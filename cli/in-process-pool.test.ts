// Several runs on one thread at once: what a library user's Promise.all of runs does, and
// what the in-process pool does with a check's jobs. Each must give what it gives alone.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depotsimInProcess, TINY } from './testing/in-process.ts';

describe('runs interleaved on one thread', { timeout: 60_000 }, () => {
  it('give a check the same histories as each seed run alone, rechecked seeds included', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-interleaved-'));
    const crashes = mkdtempSync(join(tmpdir(), 'depotsim-crashes-'));
    const tiny = join(cwd, 'tiny.yaml');
    writeFileSync(tiny, TINY);
    const check = await depotsimInProcess(['check', tiny, '--seeds', '4', '--recheck-every', '2', '--out', join(cwd, 'c')], crashes);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('4 seeds, expected pass; pass 4, safety 0, liveness 0; 0 failing; 2 rechecked for determinism');
    const rows = readFileSync(join(cwd, 'c', 'check.csv'), 'utf8').trim().split('\n').slice(1).map((row) => row.split(','));
    for (const seed of [1, 2, 3, 4]) {
      const alone = await depotsimInProcess(['run', tiny, '--seed', String(seed), '--out', join(cwd, `r${seed}`)], crashes);
      expect(alone.status).toBe(0);
      const { history_hash } = JSON.parse(readFileSync(join(cwd, `r${seed}`, 'run.json'), 'utf8')) as { history_hash: string };
      expect(rows.find((row) => row[1] === String(seed))?.[6]).toBe(history_hash);
    }
  });
});
