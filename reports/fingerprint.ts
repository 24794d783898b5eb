// Fingerprints of runs: the sha256 of every report file a run writes (with its history and
// trace), so that an optimisation of the world can be shown to change no byte of any report.
// `npm run fingerprint` records them for every bundled scenario × generation × seeds 1-5 in
// reports/baselines/fingerprints.csv; `npm run fingerprint -- --check` recomputes them all.
import { createHash } from 'node:crypto';
import { runScenario } from '../sim/harness/runner.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import type { WorldEvent } from '../sim/world/world-events.ts';
import { csv } from './format.ts';
import { runJson, runReports } from './run-reports.ts';
import { traceJson } from './trace.ts';

export const FINGERPRINT_SEEDS = [1, 2, 3, 4, 5] as const;

/** The files of `run --history --trace`, in this order, each a column of sha256 prefixes. */
export const FINGERPRINT_FILES = [
  'summary.csv',
  'timeline.csv',
  'repos.csv',
  'requests.csv',
  'faults.csv',
  'local.csv',
  'violations.csv',
  'run.json',
  'history.jsonl',
  'trace.json',
] as const;

export const FINGERPRINT_COLUMNS = ['scenario', 'generation', 'seed', 'verdict', 'history_hash', 'all_sha256', ...FINGERPRINT_FILES] as const;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A scenario file run at one generation: the scenario, or why the file refuses that generation. */
export function scenarioAtGeneration(file: string, text: string, generation: string): { scenario: Scenario } | { refused: string } {
  try {
    return { scenario: loadScenario(file, text, [parseOverride(`engine.generation=${generation}`)]) };
  } catch (err) {
    if (err instanceof InputError) return { refused: err.message };
    throw err;
  }
}

/**
 * One row of fingerprints.csv: each file's sha256 (16 hex digits, enough to tell files
 * apart and to name the one that moved) and the sha256 of all of them in order (name,
 * NUL, contents, NUL), in full.
 */
export async function fingerprintRow(file: string, text: string, scenario: Scenario, seed: number): Promise<string[]> {
  const run = await runScenario(scenario, { seed, history: true, requestRows: true });
  const files = runReports(run);
  // run.json as `run FILE --set engine.generation=G` writes it, with a fixed version so
  // that a version bump is not a fingerprint change.
  const overrides = [`engine.generation=${scenario.engine.generation}`];
  files.set('run.json', runJson(run, { scenarioFile: file, scenarioSha256: sha256(text), overrides, version: '0' }));
  const history = run.world.events.history();
  files.set('history.jsonl', history.join('\n') + '\n');
  const events = history.map((line) => JSON.parse(line) as WorldEvent);
  const meta = { scenario: scenario.name, seed, generation: scenario.engine.generation, endedAt: run.endedAt };
  files.set('trace.json', traceJson(events, run.violations, meta));
  const all = createHash('sha256');
  const each = FINGERPRINT_FILES.map((name) => {
    const contents = files.get(name);
    if (contents === undefined) throw new Error(`a run wrote no ${name}`);
    all.update(name).update('\0').update(contents).update('\0');
    return sha256(contents).slice(0, 16);
  });
  return [scenario.name, scenario.engine.generation, String(seed), run.verdict, run.historyHash, all.digest('hex'), ...each];
}

export function fingerprintsCsv(rows: readonly (readonly string[])[]): string {
  return csv(FINGERPRINT_COLUMNS, rows);
}
