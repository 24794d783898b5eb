import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, depotsim } from './testing/spawn-cli.ts';


describe('depotsim recheck', { timeout: 60_000 }, () => {
  it('agrees with the run, exits 4 with the first difference for a tampered violations.csv, 2 for a missing or corrupt input', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'depotsim-recheck-'));
    expect(depotsim(['run', join(SCENARIOS, 'upload-order-race.yaml'), '--out', 'r', '--history'], cwd).status).toBe(1);
    const agrees = depotsim(['recheck', 'r'], cwd);
    expect(agrees.status).toBe(0);
    expect(agrees.stdout).toBe('');
    expect(agrees.stderr).toMatch(/^recheck agrees: 17 violations \(local_retention, no_data_loss\) from \d+ events in r\/history\.jsonl$/m);

    const file = join(cwd, 'r', 'violations.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    const original = lines[3]!;
    lines[3] = original.replace('no_data_loss', 'quota');
    writeFileSync(file, lines.join('\n'));
    const tampered = depotsim(['recheck', 'r'], cwd);
    expect(tampered.status).toBe(4);
    expect(tampered.stderr).toContain(`depotsim recheck: r/violations.csv differs at line 4\n  recorded:  ${lines[3]}\n  rechecked: ${original}\n`);

    writeFileSync(join(cwd, 'r', 'history.jsonl'), '{"t":0,"type":"sled_added","sled":"sled-0"}\nnot json\n');
    const corrupt = depotsim(['recheck', 'r'], cwd);
    expect(corrupt.status).toBe(2);
    expect(corrupt.stderr.trim().split('\n').at(-1)).toMatch(/^depotsim: r\/history\.jsonl:2:1: expected one JSON event per line, got /);
    rmSync(join(cwd, 'r', 'history.jsonl'));
    expect(depotsim(['recheck', 'r'], cwd)).toMatchObject({ status: 2, stderr: 'depotsim: r/history.jsonl:1:1: expected the event history that depotsim run --history writes, got no file\n' });
    writeFileSync(join(cwd, 'r', 'run.json'), '{"seed":');
    const record = depotsim(['recheck', 'r'], cwd);
    expect(record.status).toBe(2);
    expect(record.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^depotsim: r\/run\.json:1:1: expected the run\.json that depotsim run writes, got /)]);
  });
});
