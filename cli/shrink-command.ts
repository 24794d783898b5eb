// `depotsim shrink DIR`: the smallest scenario that still fails the way the run in DIR did.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runScenario } from '../sim/harness/runner.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { loadScenario, parseOverride, scenarioInput } from '../sim/harness/scenario/load.ts';
import { faultsAsEvents, shrinkScenario, trialRun, type ScenarioInput } from '../sim/harness/shrink.ts';
import { checkOutputFile, readInput, sha256, writeFileAtomically } from './files.ts';
import { readRunRecord } from './read-back.ts';
import { EXIT } from './run-command.ts';

/** The first line of what shrink writes: how `--out` recognises a file it may replace. */
const WRITTEN_BY = / — written by depotsim shrink from /;

export async function shrinkCommand(dir: string, out: string | undefined): Promise<number> {
  const file = out ?? join(dir, 'shrunk.yaml');
  const record = readRunRecord(dir);
  const text = readInput(join(dir, 'scenario.yaml'));
  if (sha256(text) !== record.scenario_sha256) {
    throw new InputError(join(dir, 'scenario.yaml'), 1, 1, `expected the scenario recorded in run.json (sha256 ${record.scenario_sha256})`);
  }
  checkOutputFile(file, '--out', (contents) => WRITTEN_BY.test(contents.split('\n')[0] ?? ''));
  const overrides = record.overrides.map(parseOverride);
  const scenario = loadScenario(record.scenario_file, text, overrides);
  const original = await runScenario(scenario, { seed: record.seed });
  const first = original.violations[0];
  if (first === undefined) throw new InputError(join(dir, 'run.json'), 1, 1, 'expected a failing run; this one passed');
  const invariant = first.invariant;
  process.stderr.write(`depotsim shrink: ${scenario.name} seed ${record.seed} fails ${invariant} at ${first.t / 1e6}s; shrinking\n`);

  // Random faults become explicit events, which the shrinker can then remove one by one.
  const input = scenarioInput(record.scenario_file, text, overrides);
  let startInput = input;
  if (original.drawnFaults.length > 0) {
    const expanded: ScenarioInput = { ...structuredClone(input), events: [...((input.events as unknown[] | undefined) ?? []), ...faultsAsEvents(original.drawnFaults, original.healAt)] };
    delete expanded.faults;
    if ((await trialRun(expanded, record.seed))?.failed.has(invariant) === true) startInput = expanded;
    else process.stderr.write('  (the random faults, made explicit, no longer reproduce it; shrinking with them as they are)\n');
  }
  const before = Array.isArray(startInput.events) ? startInput.events.length : 0;
  const result = await shrinkScenario(startInput, invariant, (candidate) => trialRun(candidate, record.seed), {
    onStep: (step, runs) => process.stderr.write(`  run ${runs}: ${step}\n`),
  });
  const shrunk: ScenarioInput = { ...result.input, name: `${scenario.name}-shrunk`, seed: record.seed, expect: { verdict: first.invariant === 'converges' ? 'liveness' : 'safety', invariant } };
  const after = Array.isArray(shrunk.events) ? shrunk.events.length : 0;
  const header =
    `# ${scenario.name}-shrunk — written by depotsim shrink from ${dir} (seed ${record.seed}).\n` +
    `# Still fails ${invariant}. ${before} scheduled events (random faults made explicit) became ${after}, in ${result.runs} runs.\n`;
  writeFileAtomically(file, header + stringify(shrunk));
  process.stderr.write(`${before} events → ${after}; ${result.steps.length} steps in ${result.runs} runs\nwritten to ${file}\n`);
  return EXIT.pass;
}
