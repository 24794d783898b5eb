import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PoolFactory } from './check-command.ts';
import { depotsimInProcess, inProcessPool, STACK_FRAME, TINY } from './testing/in-process.ts';

/** A pool whose job for `seed` fails as a defect of depotsim would (a TypeError deep in a run). */
function failingOn(seed: number): PoolFactory {
  return (threads, runs) => {
    const pool = inProcessPool(threads, runs);
    return {
      run: (job) => (job.seed === seed ? Promise.reject(new TypeError("Cannot read properties of undefined (reading 'size')")) : pool.run(job)),
      destroy: () => pool.destroy(),
    };
  };
}

function setup(): { cwd: string; crashes: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'depotsim-guard-'));
  writeFileSync(join(cwd, 'tiny.yaml'), TINY);
  return { cwd, crashes: mkdtempSync(join(tmpdir(), 'depotsim-crashes-')) };
}

describe('the guard around every command (SPEC §2 exit 5)', { timeout: 60_000 }, () => {
  it('keeps every other seed of a check when one crashes: exit 5, one line naming the crash report, no stack on the terminal', async () => {
    const { cwd, crashes } = setup();
    const r = await depotsimInProcess(['check', join(cwd, 'tiny.yaml'), '--seeds', '3', '--recheck-every', '0', '--out', join(cwd, 'c')], crashes, failingOn(2));
    expect(r.status).toBe(5);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).not.toMatch(STACK_FRAME);
    const fail = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(fail[0]).toMatch(/seed 2: depotsim: internal error: TypeError: Cannot read properties of undefined \(reading 'size'\); crash report: \S+depotsim-crash-\S+\.txt$/);
    expect(r.stdout).toMatch(/3 seeds, expected pass; pass 2, safety 0, liveness 0, internal error 1; 1 failing/);
    const rows = readFileSync(join(cwd, 'c', 'check.csv'), 'utf8').trim().split('\n');
    expect(rows.map((row) => row.split(',')[3])).toEqual(['verdict', 'pass', 'internal_error', 'pass']);
    const [report] = readdirSync(crashes);
    expect(readFileSync(join(crashes, report!), 'utf8')).toMatch(/TypeError: Cannot read properties[^\n]*\n\s+at /);
  });

  it('turns a crash in a sweep into exit 5 and one line, keeping the finished runs for --resume', async () => {
    const { cwd, crashes } = setup();
    const out = join(cwd, 's');
    const r = await depotsimInProcess(['sweep', join(cwd, 'tiny.yaml'), '--grid', 'engine.min_sled_replication=1,2', '--seeds', '2', '--out', out], crashes, failingOn(2));
    expect(r.status).toBe(5);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('depotsim: '))).toEqual([expect.stringMatching(/^depotsim: internal error: TypeError: .*; crash report: \S+\.txt$/)]);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const resumed = await depotsimInProcess(['sweep', join(cwd, 'tiny.yaml'), '--grid', 'engine.min_sled_replication=1,2', '--seeds', '2', '--out', out, '--resume'], crashes);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain('2 already done');
  });

  it('answers usage mistakes and a thousand workers with one line and exit 2', async () => {
    const { cwd, crashes } = setup();
    const cases: [string[], RegExp][] = [
      [[], /^depotsim: name a command \(see depotsim --help\)$/],
      [['run'], /^depotsim: Not enough non-option arguments/],
      [['run', join(cwd, 'tiny.yaml'), '--bogus'], /^depotsim: Unknown argument: bogus/],
      [['check', join(cwd, 'tiny.yaml'), '--workers', '1000'], /^depotsim: --workers:1:1: expected at most 32, got 1000$/],
      [['sweep', join(cwd, 'tiny.yaml'), '--grid', 'seed=1', '--workers', '0'], /^depotsim: --workers:1:1: expected a whole number >= 1, got 0$/],
      [['check', join(cwd, 'tiny.yaml'), '--seeds', 'abc', '--out', join(cwd, 'never')], /^depotsim: --seeds:1:1: expected a whole number >= 1, got "abc"$/],
      [['check', join(cwd, 'tiny.yaml'), '--seeds', '--out', join(cwd, 'never')], /^depotsim: --seeds:1:1: expected a whole number >= 1, got nothing$/],
      [['run', join(cwd, 'tiny.yaml'), '--seed', '--out', join(cwd, 'never')], /^depotsim: --seed:1:1: expected a whole number >= 0, got nothing$/],
    ];
    for (const [argv, line] of cases) {
      const r = await depotsimInProcess(argv, crashes);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
    }
    expect(readdirSync(crashes)).toEqual([]);
    expect(readdirSync(cwd)).toEqual(['tiny.yaml']);
  });
});

describe('the pool a check asks for', { timeout: 60_000 }, () => {
  // Its workers' V8 flags depend on their share of the runs (`workerFlags`).
  it('is told every run the check will make: each seed and each recheck', async () => {
    const { cwd, crashes } = setup();
    const asked: [number, number][] = [];
    const pool: PoolFactory = (threads, runs) => {
      asked.push([threads, runs]);
      return inProcessPool(threads, runs);
    };
    const r = await depotsimInProcess(['check', join(cwd, 'tiny.yaml'), '--seeds', '3', '--workers', '2', '--recheck-every', '2'], crashes, pool);
    expect(r.status).toBe(0);
    expect(asked).toEqual([[2, 5]]);
  });
});
