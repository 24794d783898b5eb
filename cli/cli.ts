// The command line: the only code that touches files, stdout, stderr and exit codes.
// `runCli` runs one command line in this process and returns its exit code: the entry
// (main.ts) and the hostile-input tests share it.
import { availableParallelism } from 'node:os';
import yargs from 'yargs';
import { ENGINE_GENERATIONS, type EngineGeneration } from '../core/index.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import { readInput } from './files.ts';
import { formatPlan, PLAN_FORMATS, planSummary, runPlan, type PlanFormat } from './plan-command.ts';
import { checkCommand, type PoolFactory } from './check-command.ts';
import { crashLine } from './crash-report.ts';
import { processPool } from './process-pool.ts';
import { describeGiven, optionText } from './option-text.ts';
import { recheckCommand } from './recheck-command.ts';
import { reportCommand } from './report-command.ts';
import { shrinkCommand } from './shrink-command.ts';
import { skipHelpCache } from './skip-help-cache.ts';
import { mergeCommand, sweepCommand } from './sweep-command.ts';
import { EXIT, replayRun, runCommand } from './run-command.ts';
import { parseSnapshot } from './snapshot.ts';

/** The most worker processes `check` and `sweep` start: each holds a run's world. */
export const MAX_WORKERS = 32;

/** A mistake on the command line itself (unknown option, missing argument): exit 2. */
class UsageError extends Error {}

export interface CliOptions {
  /** Where check and sweep run their jobs (default: worker processes). */
  readonly pool?: PoolFactory;
  /** Where crash reports go (default: the system temp directory). */
  readonly crashDir?: string;
}

/** The most seeds per scenario of check and sweep. */
export const MAX_SEEDS = 100_000;

/**
 * Numeric options that must be whole numbers of at least a bound: [option, value, least,
 * most]. An option left out (`undefined`, not typed) passes; the error names what was typed.
 */
function requireWhole(argv: readonly string[], options: readonly (readonly [string, number | undefined, number, number?])[]): void {
  for (const [name, value, least, most = Number.MAX_SAFE_INTEGER] of options) {
    const typed = optionText(argv, name);
    if (!typed.given && value === undefined) continue;
    // A bare `--seeds` would otherwise run with the default.
    if ((typed.given && typed.text === undefined) || value === undefined || !Number.isSafeInteger(value) || value < least) {
      throw new InputError(`--${name}`, 1, 1, `expected a whole number >= ${least}, got ${describeGiven(typed, value)}`);
    }
    if (value > most) throw new InputError(`--${name}`, 1, 1, `expected at most ${most}, got ${value}`);
  }
}

/** Runs one command line; returns the exit code. Never throws, never prints a stack. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const pool = options.pool ?? processPool;
  let code: number = EXIT.pass;
  const cli = skipHelpCache(yargs([...argv]))
    .scriptName('depotsim')
    .exitProcess(false)
    .command(
      'plan <snapshot>',
      'plan one activation for a rack snapshot; prints the requests as CSV or as omicron prints them',
      (y) =>
        y
          .positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot YAML file' })
          .option('seed', { type: 'string', describe: "the planner's rng seed (replaces the snapshot's seed or rng)" })
          .option('generation', { choices: ENGINE_GENERATIONS, describe: 'engine generation (overrides the snapshot)' })
          .option('format', { choices: PLAN_FORMATS, default: 'csv' as PlanFormat, describe: "csv, or omicron: the text of omicron's planner snapshot tests" }),
      (args) => {
        const parsed = parseSnapshot(args.snapshot, readInput(args.snapshot));
        const snapshot = {
          ...parsed,
          rng: args.seed !== undefined ? { seed: args.seed } : parsed.rng,
          params: { ...parsed.params, generation: (args.generation as EngineGeneration | undefined) ?? parsed.params.generation },
        };
        const plan = runPlan(snapshot);
        process.stderr.write(planSummary(snapshot, plan) + '\n');
        process.stdout.write(formatPlan(plan, args.format));
      },
    )
    .command(
      'run <scenario>',
      'run one seed of a scenario and write its reports',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
          .option('seed', { type: 'number', describe: "the run's seed (default: the scenario's)" })
          .option('out', { type: 'string', describe: 'report directory (default: out/<name>-<seed>/)' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: path=value' })
          .option('history', { type: 'boolean', default: false, describe: 'also write the event history as history.jsonl' })
          .option('trace', { type: 'boolean', default: false, describe: 'also write trace.json (Chrome trace events, for Perfetto and chrome://tracing)' }),
      async (args) => {
        requireWhole(argv, [['seed', args.seed, 0]]);
        code = await runCommand({ scenario: args.scenario, seed: args.seed, out: args.out, set: args.set, history: args.history, trace: args.trace });
      },
    )
    .command(
      'check <scenarios..>',
      'run many seeds of each scenario on worker processes; list failing seeds with the command that replays each',
      (y) =>
        y
          .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario YAML files' })
          .option('seeds', { type: 'number', default: 100, describe: 'seeds per scenario' })
          .option('first-seed', { type: 'number', default: 1, describe: 'the first seed' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: path=value' })
          .option('swarm', { type: 'boolean', default: false, describe: 'per seed, switch fault families and draw engine knobs' })
          .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker processes' })
          .option('recheck-every', { type: 'number', default: 10, describe: 'run every n-th seed twice and compare histories (0: never)' })
          .option('out', { type: 'string', describe: 'write check.csv and summaries.csv here' })
          .option('junit', { type: 'string', describe: 'also write the runs as JUnit XML to this file' }),
      async (args) => {
        requireWhole(argv, [['seeds', args.seeds, 1, MAX_SEEDS], ['first-seed', args['first-seed'], 0], ['recheck-every', args['recheck-every'], 0], ['workers', args.workers, 1, MAX_WORKERS]]);
        code = await checkCommand({
          scenarios: args.scenarios,
          seeds: args.seeds,
          firstSeed: args['first-seed'],
          set: args.set,
          swarm: args.swarm,
          workers: args.workers,
          out: args.out,
          recheckEvery: args['recheck-every'],
          junit: args.junit,
          githubAnnotations: process.env.GITHUB_ACTIONS === 'true',
          pool,
          crashDir: options.crashDir,
          argv,
        });
      },
    )
    .command(
      'replay <dir>',
      're-run the run recorded in DIR/run.json and check that every report is byte-identical',
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a report directory written by run' }),
      async (args) => {
        code = await replayRun(args.dir);
      },
    )
    .command(
      'recheck <dir>',
      'check every invariant again over DIR/history.jsonl, without the world, and compare with DIR/violations.csv',
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a report directory written by run --history' }),
      async (args) => {
        code = await recheckCommand(args.dir);
      },
    )
    .command(
      'shrink <dir>',
      'from a failing run, write the smallest scenario that still fails the same invariant',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true, describe: 'a report directory written by run' })
          .option('out', { type: 'string', describe: 'where to write the scenario (default: DIR/shrunk.yaml)' }),
      async (args) => {
        code = await shrinkCommand(args.dir, args.out);
      },
    )
    .command(
      'sweep <scenario>',
      'parameter study: every grid point × seeds on worker processes; sweep.csv, sweep-summary.csv, recommendation.md',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
          .option('grid', { type: 'string', array: true, demandOption: true, describe: 'a grid axis: path=v1,v2,… (repeatable)' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: path=value' })
          .option('seeds', { type: 'number', default: 10, describe: 'seeds per grid point' })
          .option('first-seed', { type: 'number', default: 1, describe: 'the first seed' })
          .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker processes' })
          .option('shard', { type: 'string', describe: 'run only shard I of N (I/N), for merge' })
          .option('resume', { type: 'boolean', default: false, describe: 'skip the runs already in OUT/runs.jsonl' })
          .option('out', { type: 'string', describe: 'output directory (default: out/<name>-sweep/)' }),
      async (args) => {
        requireWhole(argv, [['seeds', args.seeds, 1, MAX_SEEDS], ['first-seed', args['first-seed'], 0], ['workers', args.workers, 1, MAX_WORKERS]]);
        code = await sweepCommand({
          scenario: args.scenario,
          grid: args.grid,
          set: args.set,
          seeds: args.seeds,
          firstSeed: args['first-seed'],
          workers: args.workers,
          shard: args.shard,
          resume: args.resume,
          out: args.out,
          pool,
        });
      },
    )
    .command(
      'merge <dirs..>',
      'merge the shards of one sweep into the output of the unsharded sweep',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard output directories' })
          .option('out', { type: 'string', demandOption: true, describe: 'output directory' }),
      (args) => {
        code = mergeCommand(args.dirs, args.out);
      },
    )
    .command(
      'report <dir>',
      'write DIR/report.html: charts of a run or a sweep in one self-contained, offline file',
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a directory written by run or sweep' }),
      async (args) => {
        code = await reportCommand(args.dir);
      },
    )
    .command(
      'validate <scenarios..>',
      'check scenario files without running them',
      (y) =>
        y
          .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario YAML files' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: path=value' }),
      (args) => {
        // Every file is checked before anything is printed: bad input leaves no partial output.
        const lines = args.scenarios.map((file) => {
          const scenario = loadScenario(file, readInput(file), args.set.map(parseOverride));
          return `ok ${file} (${scenario.name}, seed ${scenario.seed}, ${scenario.engine.generation})\n`;
        });
        process.stdout.write(lines.join(''));
      },
    )
    .demandCommand(1, 'name a command')
    .strict()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });

  try {
    await cli.parseAsync();
    return code;
  } catch (err) {
    if (err instanceof InputError) process.stderr.write(`depotsim: ${err.toString()}\n`);
    else if (err instanceof UsageError) process.stderr.write(`depotsim: ${err.message} (see depotsim --help)\n`);
    else {
      process.stderr.write(crashLine(err, argv, options.crashDir) + '\n');
      return EXIT.internal;
    }
    return EXIT.badInput;
  }
}
