// `check` and `sweep` run their seeds in worker processes, not threads, because V8 takes
// its flags once a process and a simulation gains from flags that a worker thread cannot
// be given (BENCHMARKS.md, "Worker processes"): with every core running a simulation, the
// garbage collector's helper threads only contend with them (`--single-threaded-gc`), and
// in a long run a larger young generation is scavenged less often (`workerFlags`). Each
// process loads the bundled job itself (`bin/check-process.js`) and runs one job at a time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sourceHash } from '../bin/load.js';
import type { JobPool } from './check-command.ts';
import type { CheckJob, CheckResult } from './check-job.ts';

/**
 * Runs a worker must expect before a 64 MB young generation pays for its growth, and V8's
 * full inlining budget for its compiling.
 */
const LONG_RUN = 50;

/**
 * V8's flags for a worker process that will run about `runs` simulations. Why two sets: a
 * young generation allowed 64 MB grows to it in steps over a worker's first 20 to 40 seeds,
 * and each step is fresh memory the kernel faults in page by page (about 15 µs a page on
 * this VM): 1,650 faults a rack-day seed over seeds 5–20 against 1,330 at V8's own size.
 * Grown, it lets more objects die young and faults less (590 a seed over seeds 40–80
 * against 1,000), so a long run gains and a short one loses: a 40-seed check (22 runs a
 * worker) took 5 % less wall time and 7 % less CPU at V8's own size (BENCHMARKS.md,
 * seventeenth session).
 *
 * A short run also halves TurboFan's inlining budget. A worker's first seed runs while
 * some 270 functions are compiled for it (about 1.4 s on the compiler thread, and 0.5 s
 * more for those compiled again after a deoptimization), and with both cores running a
 * simulation that thread takes its time from them. Smaller graphs compile sooner: a
 * 12-run sweep ran 1.08× and a 4-seed check 1.11× as fast, checks of 40 and 80 seeds
 * 1.02–1.03×. Warm seeds in one process ran 4–8 % slower with it, and a 200-seed check
 * given it in its long runs too gained nothing (1.00×), so a long run keeps V8's budget
 * (BENCHMARKS.md, twenty-third session).
 */
export function workerFlags(runs: number): readonly string[] {
  if (runs > LONG_RUN) return ['--single-threaded-gc', '--max-semi-space-size=64'];
  return ['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=460'];
}

/**
 * The environment a worker starts with: the parent's, less `NODE_EXTRA_CA_CERTS`. Node
 * reads and parses every certificate of that file as it starts, whether or not the process
 * ever opens a TLS connection, and a worker opens none: where it names the system's
 * bundle (as on machines behind a TLS-inspecting proxy, and on this VM), `node -e 0` ran
 * 500 M instructions with it and 84 M without: 0.03–0.05 s of CPU here ahead of every
 * worker's first seed (BENCHMARKS.md, eighteenth session).
 */
function workerEnvironment(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...parent };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** What a worker process sends back for a job. */
type JobReply = { readonly result: CheckResult } | { readonly error: { readonly message: string; readonly stack: string | undefined } };

/** The end of a worker's stderr kept for a crash report; nothing of it reaches the terminal. */
const STDERR_KEPT = 8192;

interface Queued {
  readonly job: CheckJob;
  readonly resolve: (result: CheckResult) => void;
  readonly reject: (error: Error) => void;
}

class WorkerProcess {
  readonly child: ChildProcess;
  job: Queued | undefined = undefined;
  stderr = '';
  readonly exited: Promise<void>;

  constructor(script: string, args: readonly string[], flags: readonly string[], onReply: (worker: WorkerProcess, reply: JobReply) => void, onExit: (worker: WorkerProcess, why: string) => void) {
    this.child = fork(script, [...args], { execArgv: [...flags], env: workerEnvironment(process.env), serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEPT);
    });
    this.child.on('message', (reply: JobReply) => onReply(this, reply));
    this.exited = new Promise((resolve) => {
      let gone = false;
      const end = (why: string): void => {
        if (gone) return;
        gone = true;
        onExit(this, why);
        resolve();
      };
      this.child.on('exit', (code, signal) => end(signal === null ? `exit code ${String(code)}` : `signal ${signal}`));
      // A process that could not be started (or signalled) gives no exit event.
      this.child.on('error', (err) => end(err.message));
    });
  }

  /** Hands it a job; a channel already closed is its exit's to report. */
  start(queued: Queued): void {
    this.job = queued;
    this.child.send({ job: queued.job }, () => {});
  }
}

/**
 * A pool of `size` worker processes for about `runs` jobs in all, running `script` with
 * `flags` (by default `workerFlags` of each process's share of the runs). A job runs on
 * the first idle process, in the order given; a process that dies fails its job (with the
 * end of its stderr) and is replaced for the jobs still queued.
 */
export function processPool(
  size: number,
  runs: number,
  script = fileURLToPath(new URL('../bin/check-process.js', import.meta.url)),
  flags = workerFlags(runs / size),
): JobPool {
  const queue: Queued[] = [];
  const workers = new Set<WorkerProcess>();
  let destroyed = false;

  const dispatch = (): void => {
    for (const worker of workers) {
      if (queue.length === 0) return;
      if (worker.job === undefined) worker.start(queue.shift() as Queued);
    }
    while (queue.length > 0 && workers.size < size && !destroyed) spawn().start(queue.shift() as Queued);
  };

  const onReply = (worker: WorkerProcess, reply: JobReply): void => {
    const queued = worker.job;
    worker.job = undefined;
    if (queued !== undefined) {
      if ('result' in reply) queued.resolve(reply.result);
      else queued.reject(Object.assign(new Error(reply.error.message), { stack: reply.error.stack }));
    }
    dispatch();
  };

  const onExit = (worker: WorkerProcess, why: string): void => {
    workers.delete(worker);
    if (worker.job !== undefined && !destroyed) {
      const tail = worker.stderr.trim();
      worker.job.reject(new Error(`the worker process running seed ${worker.job.job.seed} ended (${why})${tail === '' ? '' : `; its stderr ended:\n${tail}`}`));
      worker.job = undefined;
    }
    dispatch();
  };

  // The bundle the workers load is the one of the sources this process saw (bin/load.js).
  const args = [sourceHash()];
  const spawn = (): WorkerProcess => {
    const worker = new WorkerProcess(script, args, flags, onReply, onExit);
    workers.add(worker);
    return worker;
  };

  // Started at once: each loads the job's bundle while the first jobs are queued.
  for (let i = 0; i < size; i++) spawn();

  return {
    run: (job) =>
      new Promise<CheckResult>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        dispatch();
      }),
    destroy: async () => {
      destroyed = true;
      const exits = [...workers].map((worker) => {
        // A process told nothing more exits (bin/check-process.js).
        if (worker.child.connected) worker.child.disconnect();
        return worker.exited;
      });
      await Promise.all(exits);
    },
  };
}
