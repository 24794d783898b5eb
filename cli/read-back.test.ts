import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depotsimInProcess, STACK_FRAME, TINY } from './testing/in-process.ts';

const cwd = mkdtempSync(join(tmpdir(), 'depotsim-readback-'));
const crashes = mkdtempSync(join(tmpdir(), 'depotsim-crashes-'));
writeFileSync(join(cwd, 'tiny.yaml'), TINY);
const tiny = join(cwd, 'tiny.yaml');

async function expectOneLine(argv: string[], status: number, line: RegExp): Promise<void> {
  const r = await depotsimInProcess(argv, crashes);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('depotsim: '));
  expect(errors, argv.join(' ')).toEqual([expect.stringMatching(line)]);
  expect(r.status).toBe(status);
}

describe('files read back are validated, naming the file', { timeout: 60_000 }, () => {
  it('refuses a corrupt or foreign run.json for replay, shrink and report', async () => {
    const dir = join(cwd, 'r');
    expect((await depotsimInProcess(['run', tiny, '--out', dir], crashes)).status).toBe(0);
    const good = readFileSync(join(dir, 'run.json'), 'utf8');
    for (const [contents, why] of [
      ['{"scenario_file": 1', /invalid JSON/],
      ['[]', /the top level/],
      [good.replace(/"seed": \d+/, '"seed": -1'), /seed: /],
      [good.replace(/"overrides": \[[^\]]*\]/, '"overrides": [1]'), /overrides\.0: /],
    ] as const) {
      writeFileSync(join(dir, 'run.json'), contents);
      for (const command of ['replay', 'shrink', 'report']) {
        await expectOneLine([command, dir], 2, new RegExp(`^depotsim: ${join(dir, 'run.json')}:1:1: expected the run.json that depotsim run writes, got .*${why.source}`));
      }
    }
    // An override recorded in run.json is checked like one on the command line.
    writeFileSync(join(dir, 'run.json'), good.replace(/"overrides": \[[^\]]*\]/, '"overrides": ["name.x=1"]'));
    await expectOneLine(['replay', dir], 2, /^depotsim: --set:1:1: name.x=1: expected a mapping or list at name/);
  });

  it('calls a deleted report bad input (exit 2), not nondeterminism (exit 4)', async () => {
    const dir = join(cwd, 'deleted');
    expect((await depotsimInProcess(['run', tiny, '--out', dir], crashes)).status).toBe(0);
    rmSync(join(dir, 'timeline.csv'));
    await expectOneLine(['replay', dir], 2, new RegExp(`^depotsim: ${join(dir, 'timeline.csv')}:1:1: expected a readable file, got ENOENT$`));
  });

  it('refuses a corrupt sweep.json or runs.jsonl for merge and --resume, with the file and line', async () => {
    const dir = join(cwd, 's');
    const sweep = ['sweep', tiny, '--grid', 'engine.min_sled_replication=1,2', '--seeds', '2', '--out', dir];
    expect((await depotsimInProcess(sweep, crashes)).status).toBe(0);
    const spec = readFileSync(join(dir, 'sweep.json'), 'utf8');
    const runs = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
    writeFileSync(join(dir, 'sweep.json'), spec.replace('"seeds": 2', '"seeds": 1000000000'));
    await expectOneLine(['merge', dir, '--out', join(cwd, 'm')], 2, /sweep\.json:1:1: expected a sweep of at most 1000000 runs, got 2000000000$/);
    writeFileSync(join(dir, 'sweep.json'), '{');
    await expectOneLine(['merge', dir, '--out', join(cwd, 'm')], 2, /sweep\.json:1:1: expected the sweep.json that depotsim sweep writes, got invalid JSON/);
    writeFileSync(join(dir, 'sweep.json'), spec);
    const lines = runs.split('\n');
    writeFileSync(join(dir, 'runs.jsonl'), [lines[0], 'garbage', ...lines.slice(1)].join('\n'));
    await expectOneLine(['merge', dir, '--out', join(cwd, 'm')], 2, /runs\.jsonl:2:1: expected one run as JSON per line, got invalid JSON$/);
    writeFileSync(join(dir, 'runs.jsonl'), [lines[0], '{"job": 99, "summary": ""}', ...lines.slice(1)].join('\n'));
    await expectOneLine([...sweep, '--resume'], 2, /runs\.jsonl:2:1: expected \{ "job": 0…3, "summary": "…" \}, got \{"job": 99/);
    // A torn last line is what a kill leaves: that run is redone.
    writeFileSync(join(dir, 'runs.jsonl'), lines.slice(0, 2).join('\n') + '\n{"job": 2, "summ');
    const resumed = await depotsimInProcess([...sweep, '--resume'], crashes);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('2 already done');
  });

  it('writes sweep-summary.csv with at most 3 decimals (SPEC §3)', async () => {
    const dir = join(cwd, 'decimals');
    expect((await depotsimInProcess(['sweep', tiny, '--grid', 'engine.min_sled_replication=1,2', '--seeds', '2', '--out', dir], crashes)).status).toBe(0);
    const cells = readFileSync(join(dir, 'sweep-summary.csv'), 'utf8').split('\n').slice(1).join(',').split(',');
    expect(cells.some((c) => /^\d+\.\d+$/.test(c))).toBe(true);
    expect(cells.filter((c) => /\.\d{4,}$/.test(c))).toEqual([]);
  });
});
