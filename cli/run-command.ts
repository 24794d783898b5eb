// `depotsim run` and `depotsim replay`: one seed of one scenario, reports written atomically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJson, runReports } from '../reports/run-reports.ts';
import { traceJson } from '../reports/trace.ts';
import { runScenario, type RunOutcome, type Verdict } from '../sim/harness/runner.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import { formatDuration } from '../sim/harness/scenario/units.ts';
import type { WorldEvent } from '../sim/world/world-events.ts';
import { checkReportDir, readInput, sha256, writeDirAtomically } from './files.ts';
import { simulatedTimeProgress } from './progress.ts';
import { readRunRecord, type RunRecord } from './read-back.ts';

export const EXIT = { pass: 0, safety: 1, badInput: 2, liveness: 3, nondeterminism: 4, internal: 5 } as const;

export function exitCodeOf(verdict: Verdict): number {
  return EXIT[verdict];
}

export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function quote(arg: string): string {
  return /^[\w./=:,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that reproduces a run, for logs and failure reports: through `npx`,
 * as `npm ci` puts the binary in node_modules/.bin, not on PATH.
 */
export function runCommandLine(file: string, seed: number, sets: readonly string[]): string {
  return ['npx', 'depotsim', 'run', file, '--seed', String(seed), ...sets.flatMap((s) => ['--set', s])].map(quote).join(' ');
}

/** The effective parameters, one `key=value` list, so that a killed run can be replayed. */
export function describeParameters(s: Scenario, seed: number): string {
  const e = s.engine;
  const order = s.nexus.upload_order ?? (e.generation === 'review' ? 'channel_first' : 'db_first');
  return [
    `scenario=${s.name}`,
    `seed=${seed}`,
    `generation=${e.generation}`,
    `min_sled_replication=${e.min_sled_replication}`,
    `max_requests=${e.max_requests}`,
    `max_put_requests=${e.max_put_requests}`,
    `max_request_concurrency=${e.max_request_concurrency}`,
    `bugs=${e.bugs.join('+') || 'none'}`,
    `sleds=${s.rack.sleds}`,
    `nexus=${s.nexus.count}`,
    `period=${formatDuration(s.nexus.period)}`,
    `upload_order=${order}`,
    `duration=${formatDuration(s.duration)}`,
    `converge_within=${formatDuration(s.expect.converge_within)}`,
  ].join(' ');
}

interface Prepared {
  readonly scenario: Scenario;
  readonly text: string;
  readonly sets: readonly string[];
  readonly seed: number;
}

/** Which optional files a run writes: history.jsonl, trace.json. */
interface Extras {
  readonly history: boolean;
  readonly trace: boolean;
}

async function execute(prepared: Prepared, file: string, extras: Extras): Promise<{ run: RunOutcome; files: Map<string, string> }> {
  const progress = simulatedTimeProgress(prepared.scenario.name);
  const run = await runScenario(prepared.scenario, {
    seed: prepared.seed,
    history: extras.history || extras.trace,
    requestRows: true,
    onProgress: (t, end) => progress.update(t, end),
  });
  progress.done();
  const files = runReports(run);
  files.set('run.json', runJson(run, { scenarioFile: file, scenarioSha256: sha256(prepared.text), overrides: prepared.sets, version: version() }));
  files.set('scenario.yaml', prepared.text);
  const history = run.world.events.history();
  if (extras.history) files.set('history.jsonl', history.join('\n') + '\n');
  if (extras.trace) {
    const events = history.map((line) => JSON.parse(line) as WorldEvent);
    const s = prepared.scenario;
    files.set('trace.json', traceJson(events, run.violations, { scenario: s.name, seed: prepared.seed, generation: s.engine.generation, endedAt: run.endedAt }));
  }
  return { run, files };
}

export interface RunArgs {
  readonly scenario: string;
  readonly seed?: number | undefined;
  readonly out?: string | undefined;
  readonly set: readonly string[];
  readonly history: boolean;
  readonly trace: boolean;
}

export async function runCommand(args: RunArgs): Promise<number> {
  const text = readInput(args.scenario);
  const scenario = loadScenario(args.scenario, text, args.set.map(parseOverride));
  const seed = args.seed ?? scenario.seed;
  const out = args.out ?? join('out', `${scenario.name}-${seed}`);
  checkReportDir(out);
  process.stderr.write(`depotsim run: ${describeParameters(scenario, seed)}\n`);
  process.stderr.write(`  replay with: ${runCommandLine(args.scenario, seed, args.set)}\n`);
  const started = performance.now();
  const { run, files } = await execute({ scenario, text, sets: args.set, seed }, args.scenario, { history: args.history, trace: args.trace });
  writeDirAtomically(out, files);
  const wall = ((performance.now() - started) / 1000).toFixed(2);
  const converged = run.convergedAt === null ? 'did not converge' : `converged at ${formatDuration(run.convergedAt)}`;
  process.stderr.write(`verdict: ${verdictLine(run)} (${converged}; ${wall} s wall)\nreports in ${out}/\n`);
  return exitCodeOf(run.verdict);
}

/** The verdict and the invariants violated, in order of first violation (tolerated ones named so). */
export function verdictLine(run: Pick<RunOutcome, 'verdict' | 'violations'>): string {
  const invariants = [...new Set(run.violations.map((v) => v.invariant))];
  if (invariants.length === 0) return run.verdict;
  return run.verdict === 'pass' ? `pass, tolerated ${invariants.join(', ')}` : `${run.verdict} by ${invariants.join(', ')}`;
}

/** First line where two texts differ (1-based), with both lines; `undefined` when equal. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | undefined {
  if (expected === actual) return undefined;
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, expected: a[i] ?? '(end of file)', actual: b[i] ?? '(end of file)' };
  }
  return undefined;
}

/** The run recorded in DIR: its run.json, and its scenario as it ran (the kept copy and its overrides). */
export function loadRecordedRun(dir: string): { record: RunRecord; scenario: Scenario; text: string } {
  const record = readRunRecord(dir);
  const text = readInput(join(dir, 'scenario.yaml'));
  if (sha256(text) !== record.scenario_sha256) {
    throw new InputError(join(dir, 'scenario.yaml'), 1, 1, `expected the scenario recorded in run.json (sha256 ${record.scenario_sha256})`);
  }
  return { record, text, scenario: loadScenario(record.scenario_file, text, record.overrides.map(parseOverride)) };
}

export async function replayRun(dir: string): Promise<number> {
  const { record, scenario, text } = loadRecordedRun(dir);
  process.stderr.write(`depotsim replay: ${describeParameters(scenario, record.seed)}\n`);
  const extras = { history: existsSync(join(dir, 'history.jsonl')), trace: existsSync(join(dir, 'trace.json')) };
  const { files } = await execute({ scenario, text, sets: record.overrides, seed: record.seed }, record.scenario_file, extras);
  for (const [name, contents] of files) {
    // A report that is gone was deleted, not replayed differently: bad input, not nondeterminism.
    const recorded = readInput(join(dir, name), Number.MAX_SAFE_INTEGER);
    const diff = firstDifference(recorded, contents);
    if (diff !== undefined) {
      process.stderr.write(
        `depotsim replay: ${join(dir, name)} differs at line ${diff.line}\n  recorded: ${diff.expected}\n  replayed: ${diff.actual}\n`,
      );
      return EXIT.nondeterminism;
    }
  }
  process.stderr.write(`replay identical: ${files.size} files in ${dir}/\n`);
  return EXIT.pass;
}
