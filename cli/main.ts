// The command line: the only code that touches files, stdout, stderr and exit codes.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ENGINE_GENERATIONS, type EngineGeneration } from '../core/index.ts';
import { InputError } from '../sim/scenario/input-error.ts';
import { planCsv, planSummary, runPlan } from './plan-command.ts';
import { parseSnapshot } from './snapshot.ts';

const EXIT_BAD_INPUT = 2;

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, 1, 1, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const cli = yargs(hideBin(process.argv))
  .scriptName('depotsim')
  .command(
    'plan <snapshot>',
    'plan one activation for a rack snapshot; prints the requests as CSV',
    (y) =>
      y
        .positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot YAML file' })
        .option('seed', { type: 'string', describe: "the planner's rng seed (overrides the snapshot's)" })
        .option('generation', { choices: ENGINE_GENERATIONS, describe: 'engine generation (overrides the snapshot)' }),
    (args) => {
      const parsed = parseSnapshot(args.snapshot, readInput(args.snapshot));
      const snapshot = {
        ...parsed,
        seed: args.seed ?? parsed.seed,
        params: { ...parsed.params, generation: (args.generation as EngineGeneration | undefined) ?? parsed.params.generation },
      };
      const plan = runPlan(snapshot);
      process.stderr.write(planSummary(snapshot, plan) + '\n');
      process.stdout.write(planCsv(plan));
    },
  )
  .demandCommand(1, 'name a command')
  .strict()
  .fail((msg, err) => {
    if (err) throw err;
    process.stderr.write(`depotsim: ${msg} (see depotsim --help)\n`);
    process.exit(EXIT_BAD_INPUT);
  });

try {
  await cli.parseAsync();
} catch (err) {
  if (!(err instanceof InputError)) throw err;
  process.stderr.write(`depotsim: ${err.toString()}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
