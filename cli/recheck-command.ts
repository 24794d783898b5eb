// `depotsim recheck DIR`: every invariant over DIR/history.jsonl, compared with the
// violations.csv the run wrote. The history is read and judged without the world.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { violationsCsv } from '../reports/run-reports.ts';
import { recheckHistory } from '../sim/harness/recheck.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { readInput } from './files.ts';
import { describeParameters, EXIT, firstDifference, loadRecordedRun } from './run-command.ts';

export async function recheckCommand(dir: string): Promise<number> {
  const { record, scenario } = loadRecordedRun(dir);
  const historyFile = join(dir, 'history.jsonl');
  if (!existsSync(historyFile)) throw new InputError(historyFile, 1, 1, 'expected the event history that depotsim run --history writes, got no file');
  const recorded = readInput(join(dir, 'violations.csv'));
  const history = readInput(historyFile);
  process.stderr.write(`depotsim recheck: ${describeParameters(scenario, record.seed)}\n`);
  const result = await recheckHistory(scenario, record.seed, history.split('\n'), historyFile);
  if (result.trailing > 0) {
    process.stderr.write(`depotsim recheck: ${historyFile} has ${result.trailing} events after the run's last sample: not this run's history\n`);
    return EXIT.nondeterminism;
  }
  const diff = firstDifference(recorded, violationsCsv(result));
  if (diff !== undefined) {
    process.stderr.write(
      `depotsim recheck: ${join(dir, 'violations.csv')} differs at line ${diff.line}\n  recorded:  ${diff.expected}\n  rechecked: ${diff.actual}\n`,
    );
    return EXIT.nondeterminism;
  }
  const invariants = [...new Set(result.violations.map((v) => v.invariant))];
  process.stderr.write(
    `recheck agrees: ${result.violations.length} violations${invariants.length > 0 ? ` (${invariants.join(', ')})` : ''} from ${result.events} events in ${historyFile}\n`,
  );
  return EXIT.pass;
}
