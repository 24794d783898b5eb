// The `depotsim` executable's entry: one command line, its exit code, and nothing that
// escapes the guard of runCli (an error outside any command is still exit 5, one line).
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.ts';
import { crashLine } from './crash-report.ts';

const argv = hideBin(process.argv);
const escaped = (err: unknown): void => {
  process.stderr.write(crashLine(err, argv) + '\n');
  process.exit(5);
};
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);
process.exitCode = await runCli(argv);
