import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { writeDirAtomically } from './files.ts';
import { TINY } from './testing/in-process.ts';
import { SCENARIOS, depotsim } from './testing/spawn-cli.ts';


/** Every path and file contents under `dir`, to show that nothing changed. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out.set(path, entry.isFile() ? readFileSync(path, 'utf8') : '<dir>');
  }
  return out;
}

function setup(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'depotsim-out-'));
  writeFileSync(join(cwd, 'tiny.yaml'), TINY);
  return cwd;
}

/** Exit 2, one `depotsim: PATH:1:1: expected …` line naming `path`, no simulation started, nothing changed. */
function expectRefused(result: ReturnType<typeof depotsim>, path: string): void {
  expect(result.status).toBe(2);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^depotsim: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:1: expected .*, got `));
}

describe('output paths (SPEC §2): nothing that is not a depotsim report is ever replaced', { timeout: 120_000 }, () => {
  it('refuses a directory of the user, a plain file and a copy of scenarios/ for run, check, sweep, merge and shrink, before simulating', () => {
    const cwd = setup();
    mkdirSync(join(cwd, 'mine'));
    writeFileSync(join(cwd, 'mine', 'notes.txt'), 'my notes\n');
    writeFileSync(join(cwd, 'file.txt'), 'precious\n');
    cpSync(SCENARIOS, join(cwd, 'scenarios'), { recursive: true });
    expect(depotsim(['run', 'tiny.yaml', '--out', 'r'], cwd).status).toBe(0);
    const before = tree(cwd);
    for (const out of ['mine', 'file.txt', 'scenarios']) {
      expectRefused(depotsim(['merge', 'r', '--out', out], cwd), out);
      expectRefused(depotsim(['shrink', 'r', '--out', out === 'scenarios' ? 'scenarios/baseline.yaml' : out], cwd), out === 'scenarios' ? 'scenarios/baseline.yaml' : out);
      expectRefused(depotsim(['run', 'tiny.yaml', '--out', out], cwd), out);
      expectRefused(depotsim(['check', 'tiny.yaml', '--seeds', '1', '--workers', '1', '--out', out], cwd), out);
      expectRefused(depotsim(['sweep', 'tiny.yaml', '--grid', 'engine.min_sled_replication=1', '--seeds', '1', '--workers', '1', '--out', out], cwd), out);
    }
    expect(tree(cwd)).toEqual(before);
  });

  it('refuses a path under a regular file and an empty path, exit 2 before any simulation', () => {
    const cwd = setup();
    writeFileSync(join(cwd, 'file.txt'), 'precious\n');
    const before = tree(cwd);
    const under = depotsim(['run', 'tiny.yaml', '--out', 'file.txt/sub'], cwd);
    expectRefused(under, 'file.txt/sub');
    expect(under.stderr).not.toContain('depotsim run:');
    expectRefused(depotsim(['run', 'tiny.yaml', '--out', ''], cwd), '--out');
    expectRefused(depotsim(['check', 'tiny.yaml', '--seeds', '1', '--out', 'file.txt/c'], cwd), 'file.txt/c');
    expect(tree(cwd)).toEqual(before);
  });

  it('uses an empty directory, replaces its own report, and cleans the staging a killed run left behind', () => {
    const cwd = setup();
    mkdirSync(join(cwd, 'empty'));
    expect(depotsim(['run', 'tiny.yaml', '--out', 'empty'], cwd).status).toBe(0);
    expect(readdirSync(join(cwd, 'empty'))).toContain('run.json');
    // What a run killed between its renames leaves: a staging directory and the previous report set aside.
    mkdirSync(join(cwd, '.empty.depotsim-999999999-abc123'));
    mkdirSync(join(cwd, '.empty.depotsim-999999999-abc123-old'));
    writeFileSync(join(cwd, '.empty.depotsim-999999999-abc123', 'summary.csv'), 'half\n');
    expect(depotsim(['run', 'tiny.yaml', '--out', 'empty', '--seed', '2'], cwd).status).toBe(0);
    expect(readdirSync(cwd).sort()).toEqual(['empty', 'tiny.yaml']);
    expect(JSON.parse(readFileSync(join(cwd, 'empty', 'run.json'), 'utf8'))).toMatchObject({ seed: 2 });
  });

  it('replaces the results of its own earlier check, which check.json marks and describes', () => {
    const cwd = setup();
    expect(depotsim(['check', 'tiny.yaml', '--seeds', '2', '--workers', '1', '--out', 'c'], cwd).status).toBe(0);
    expect(depotsim(['check', 'tiny.yaml', '--seeds', '3', '--first-seed', '5', '--workers', '1', '--out', 'c'], cwd).status).toBe(0);
    expect(readdirSync(join(cwd, 'c')).sort()).toEqual(['check.csv', 'check.json', 'situations.csv', 'summaries.csv']);
    expect(readFileSync(join(cwd, 'c', 'check.csv'), 'utf8').trim().split('\n').map((row) => row.split(',')[1])).toEqual(['seed', '5', '6', '7']);
    expect(JSON.parse(readFileSync(join(cwd, 'c', 'check.json'), 'utf8'))).toMatchObject({
      command: 'check',
      scenarios: [{ file: 'tiny.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      seeds: 3,
      first_seed: 5,
      exit_code: 0,
    });
  });

  it('leaves nothing behind and the previous report intact when a write fails', () => {
    const cwd = setup();
    mkdirSync(join(cwd, 'r'));
    writeFileSync(join(cwd, 'r', 'run.json'), '{}\n');
    const before = tree(cwd);
    expect(() => writeDirAtomically(join(cwd, 'r'), new Map([['a.csv', 'x\n'], ['no-such-dir/b.csv', 'y\n']]))).toThrow(InputError);
    expect(tree(cwd)).toEqual(before);
  });

  it('gives a report directory the permissions of a directory the user makes, not a temporary directory\'s 0700', () => {
    const cwd = setup();
    mkdirSync(join(cwd, 'made'));
    writeDirAtomically(join(cwd, 'r'), new Map([['run.json', '{}\n']]));
    expect(statSync(join(cwd, 'r')).mode & 0o777).toBe(statSync(join(cwd, 'made')).mode & 0o777);
  });
});
