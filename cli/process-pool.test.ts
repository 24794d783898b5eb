// The worker-process pool of `check` and `sweep`, driven with a stand-in for the job's
// process: which process runs what, with which flags, and what a dying process costs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import type { CheckJob, CheckResult } from './check-job.ts';
import { processPool, workerFlags } from './process-pool.ts';
import { TINY } from './testing/in-process.ts';

// Answers with its pid, flags and two variables of its environment; seed 2 dies after a line on stderr, seed 3 throws.
const STAND_IN = `
process.on('message', ({ job }) => {
  if (job.seed === 2) {
    process.stderr.write('out of memory at seed 2\\n');
    process.exit(3);
  }
  if (job.seed === 3) {
    process.send({ error: { message: 'no scenario for seed 3', stack: 'Error: no scenario for seed 3\\n    at stand-in.js:1:1' } });
    return;
  }
  const { NODE_EXTRA_CA_CERTS, DEPOTSIM_POOL_TEST } = process.env;
  process.send({ result: { seed: job.seed, pid: process.pid, flags: process.execArgv, env: { NODE_EXTRA_CA_CERTS, DEPOTSIM_POOL_TEST } } });
});
process.on('disconnect', () => process.exit(0));
`;

interface Echo {
  readonly seed: number;
  readonly pid: number;
  readonly flags: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

function standIn(): string {
  const script = join(mkdtempSync(join(tmpdir(), 'depotsim-pool-')), 'stand-in.cjs');
  writeFileSync(script, STAND_IN);
  return script;
}

// A real compiled scenario: what crosses to the process is what a check sends.
const scenario = loadScenario('tiny.yaml', TINY, []);
const job = (seed: number): CheckJob => ({ scenario, seed });
const echo = (result: CheckResult): Echo => result as unknown as Echo;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the worker-process pool', { timeout: 30_000 }, () => {
  it('runs each job once on at most its size of processes, started with its flags', async () => {
    const pool = processPool(2, 5, standIn(), ['--max-semi-space-size=8']);
    const results = (await Promise.all([1, 4, 5, 6, 7].map((seed) => pool.run(job(seed))))).map(echo);
    await pool.destroy();
    expect(results.map((r) => r.seed)).toEqual([1, 4, 5, 6, 7]);
    expect(new Set(results.map((r) => r.pid)).size).toBe(2);
    for (const r of results) expect(r.flags).toEqual(['--max-semi-space-size=8']);
    for (const pid of new Set(results.map((r) => r.pid))) expect(alive(pid)).toBe(false);
  });

  // BENCHMARKS.md, seventeenth session: the 64 MB young generation pays for its growth only
  // over more than 50 runs a worker; twenty-third session: a smaller inlining budget, for
  // those of 50 runs or fewer.
  it('starts its workers with the flags of their share of the runs', async () => {
    expect(workerFlags(22)).toEqual(['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=460']);
    expect(workerFlags(50)).toEqual(['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=460']);
    expect(workerFlags(51)).toEqual(['--single-threaded-gc', '--max-semi-space-size=64']);
    expect(workerFlags(500)).toEqual(['--single-threaded-gc', '--max-semi-space-size=64']);
    const short = processPool(2, 44, standIn());
    const long = processPool(2, 1100, standIn());
    const [a, b] = await Promise.all([short.run(job(1)), long.run(job(1))]);
    await Promise.all([short.destroy(), long.destroy()]);
    expect(echo(a).flags).toEqual(['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=460']);
    expect(echo(b).flags).toEqual(['--single-threaded-gc', '--max-semi-space-size=64']);
  });

  it("starts its workers with the parent's environment but for the extra CA certificates, which a worker never uses", async () => {
    const saved = { ...process.env };
    process.env.NODE_EXTRA_CA_CERTS = join(tmpdir(), 'depotsim-no-such-ca.pem');
    process.env.DEPOTSIM_POOL_TEST = 'kept';
    try {
      const pool = processPool(1, 1, standIn(), []);
      const got = echo(await pool.run(job(1)));
      await pool.destroy();
      expect(got.env).toEqual({ DEPOTSIM_POOL_TEST: 'kept' });
    } finally {
      delete process.env.NODE_EXTRA_CA_CERTS;
      delete process.env.DEPOTSIM_POOL_TEST;
      Object.assign(process.env, saved);
    }
  });

  it('fails the job of a process that dies, with the end of its stderr, and runs the rest on a new one', async () => {
    const pool = processPool(1, 3, standIn(), []);
    const before = echo(await pool.run(job(1)));
    const died = await pool.run(job(2)).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    const after = echo(await pool.run(job(5)));
    await pool.destroy();
    expect(died).toBe('the worker process running seed 2 ended (exit code 3); its stderr ended:\nout of memory at seed 2');
    expect(after.seed).toBe(5);
    expect(after.pid).not.toBe(before.pid);
  });

  it('rejects a job that throws with its message and stack, and the process goes on', async () => {
    const pool = processPool(1, 3, standIn(), []);
    const thrown = await pool.run(job(3)).then(
      () => undefined,
      (err: Error) => err,
    );
    const next = echo(await pool.run(job(4)));
    await pool.destroy();
    expect(thrown?.message).toBe('no scenario for seed 3');
    expect(thrown?.stack).toBe('Error: no scenario for seed 3\n    at stand-in.js:1:1');
    expect(next.seed).toBe(4);
  });
});
