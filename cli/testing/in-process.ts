// The CLI run inside the test's own process: a hundred times faster than spawning it, so
// hostile inputs can be tried by the hundred. Jobs of check and sweep run on this thread.
import runCheckJob from '../check-job.ts';
import type { PoolFactory } from '../check-command.ts';
import { runCli } from '../cli.ts';

/** A run of a second or so: 4 sleds, 1 Nexus, one small release. */
export const TINY = `name: tiny
duration: 20m
rack: { sleds: 4 }
nexus: { count: 1, period: 60s }
repos: [{ name: v1, artifacts: 2, size: 1MiB }]
events: [{ at: 1m, upload: v1 }]
expect: { converge_within: 30m }
`;

/** Every job at once on this thread, as a worker pool would run them: their runs interleave. */
export const inProcessPool: PoolFactory = () => ({
  run: (job) => runCheckJob(job),
  destroy: async () => undefined,
});

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `depotsim ARGV` here, capturing what it writes; `pool` replaces the thread pool (default: this thread). */
export async function depotsimInProcess(argv: readonly string[], crashDir: string, pool: PoolFactory = inProcessPool): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const { stdout, stderr } = process;
  const writeOut = stdout.write.bind(stdout);
  const writeErr = stderr.write.bind(stderr);
  const capture = (into: string[]) => ((chunk: string | Uint8Array): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  stdout.write = capture(out);
  stderr.write = capture(err);
  try {
    const status = await runCli(argv, { pool, crashDir });
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}

/** A V8 stack frame line, as a trace on stderr would show it. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|<anonymous>\)?)$/m;
