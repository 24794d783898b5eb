// `depotsim check`: many seeds of many scenarios on worker processes, for CI.
import { join } from 'node:path';
import { csv } from '../reports/format.ts';
import { githubErrorLine, JUNIT_HEADER, junitXml, type JunitCase } from '../reports/junit.ts';
import { SUMMARY_COLUMNS } from '../reports/run-reports.ts';
import { SITUATIONS, type Situation } from '../sim/harness/observe/situations.ts';
import type { Verdict } from '../sim/harness/runner.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import { swarmOverrides } from '../sim/harness/swarm.ts';
import type { CheckJob, CheckResult } from './check-job.ts';
import { checkOutputFile, checkReportDir, readInput, sha256, writeDirAtomically, writeFileAtomically } from './files.ts';
import { crashLine } from './crash-report.ts';
import { processPool } from './process-pool.ts';
import { countProgress } from './progress.ts';
import { describeParameters, EXIT, firstDifference, runCommandLine, version } from './run-command.ts';

export interface CheckArgs {
  readonly scenarios: readonly string[];
  readonly seeds: number;
  readonly firstSeed: number;
  readonly set: readonly string[];
  readonly swarm: boolean;
  readonly workers: number;
  readonly out?: string | undefined;
  /** Every n-th seed runs twice and must give the same history (0: never). */
  readonly recheckEvery: number;
  /** Write the runs as JUnit XML here. */
  readonly junit?: string | undefined;
  /** Print one GitHub `::error` annotation per failing seed (`GITHUB_ACTIONS=true`). */
  readonly githubAnnotations: boolean;
  readonly pool?: PoolFactory;
  readonly crashDir?: string | undefined;
  /** The command line, for crash reports. */
  readonly argv?: readonly string[];
}

/** Where jobs run: worker processes, or this thread in tests. */
export interface JobPool {
  run(job: CheckJob): Promise<CheckResult>;
  destroy(): Promise<void>;
}
/** A pool of `threads` workers for about `runs` jobs in all. */
export type PoolFactory = (threads: number, runs: number) => JobPool;

interface Planned {
  readonly file: string;
  readonly text: string;
  readonly seed: number;
  readonly sets: readonly string[];
  readonly scenario: Scenario;
  readonly expected: Verdict;
  /** An invariant that must be among the violations (`expect.invariant`). */
  readonly invariant: string | undefined;
  readonly recheck: boolean;
}

interface Finished extends Planned {
  readonly result: CheckResult;
  readonly ok: boolean;
  readonly divergence: string | null;
  /** The one line of an internal error in this seed's run (exit 5), which loses no other seed's result. */
  readonly crash: string | null;
}

/** Exit codes by severity, most severe first (SPEC §2). */
const SEVERITY = [EXIT.badInput, EXIT.internal, EXIT.nondeterminism, EXIT.safety, EXIT.liveness, EXIT.pass];

export function mostSevere(codes: readonly number[]): number {
  return SEVERITY.find((code) => codes.includes(code)) ?? EXIT.pass;
}

/** A run's exit code: 0 when the verdict is the expected one; a missed expected bug counts as a safety failure. */
function outcomeCode(run: Finished): number {
  if (run.crash !== null) return EXIT.internal;
  if (run.divergence !== null) return EXIT.nondeterminism;
  if (run.ok) return EXIT.pass;
  return run.result.verdict === 'pass' ? EXIT.safety : EXIT[run.result.verdict];
}

/** A run that never finished: counted as an internal error of its seed. */
const CRASHED: CheckResult = { verdict: 'pass', invariants: [], firstViolation: null, historyHash: '', summary: '', situations: {}, simulatedS: 0 };

export async function checkCommand(args: CheckArgs): Promise<number> {
  // The output path, every scenario and every override are checked before the first run.
  if (args.out !== undefined) checkReportDir(args.out);
  if (args.junit !== undefined) checkOutputFile(args.junit, '--junit', (contents) => contents.startsWith(JUNIT_HEADER));
  const plans: Planned[] = [];
  for (const file of args.scenarios) {
    const text = readInput(file);
    const base = loadScenario(file, text, args.set.map(parseOverride));
    process.stderr.write(`depotsim check: ${file}: seeds ${args.firstSeed}..${args.firstSeed + args.seeds - 1}${args.swarm ? ' (swarm)' : ''}; ${describeParameters(base, args.firstSeed)}\n`);
    for (let i = 0; i < args.seeds; i++) {
      const seed = args.firstSeed + i;
      const sets = args.swarm ? [...args.set, ...swarmOverrides(base, seed)] : args.set;
      const scenario: Scenario = args.swarm ? loadScenario(file, text, sets.map(parseOverride)) : base;
      if (args.swarm) process.stderr.write(`  seed ${seed}: ${sets.slice(args.set.length).join(' ')}\n`);
      plans.push({
        file,
        text,
        seed,
        sets,
        scenario,
        expected: scenario.expect.verdict,
        invariant: scenario.expect.invariant,
        recheck: args.recheckEvery > 0 && i % args.recheckEvery === 0,
      });
    }
  }

  const runs = plans.length + plans.filter((p) => p.recheck).length;
  const pool = (args.pool ?? processPool)(Math.min(args.workers, plans.length * 2), runs);
  const progress = countProgress('check', plans.length);
  let failures = 0;
  const job = (p: Planned, history: boolean): CheckJob => ({ scenario: p.scenario, seed: p.seed, history });
  const one = async (p: Planned): Promise<Finished> => {
    const [result, again] = await Promise.all([pool.run(job(p, false)), p.recheck ? pool.run(job(p, false)) : undefined]);
    let divergence: string | null = null;
    if (again !== undefined && again.historyHash !== result.historyHash) {
      // Histories are large (a rack day is 30 MB of JSON): fetched only to locate a divergence.
      const [a, b] = await Promise.all([pool.run(job(p, true)), pool.run(job(p, true))]);
      divergence = a.historyHash === b.historyHash
        ? `nondeterministic: history hashes differ (${result.historyHash} vs ${again.historyHash}); two more runs agreed`
        : describeDivergence(a, b);
    }
    const ok = divergence === null && result.verdict === p.expected && (p.invariant === undefined || result.invariants.includes(p.invariant));
    return { ...p, result, ok, divergence, crash: null };
  };
  let finished: Finished[];
  try {
    finished = await Promise.all(
      plans.map(async (p): Promise<Finished> => {
        const f = await one(p).catch((err: unknown): Finished => ({ ...p, result: CRASHED, ok: false, divergence: null, crash: crashLine(err, args.argv ?? [], args.crashDir) }));
        if (!f.ok) failures++;
        progress.update(failures);
        return f;
      }),
    );
  } finally {
    progress.done();
    await pool.destroy();
  }

  const failing = finished.filter((f) => !f.ok);
  // GitHub reads workflow commands from stdout: the annotations come first.
  const lines = args.githubAnnotations ? failing.map((f) => githubErrorLine(f.file, f.seed, whyFailed(f), runCommandLine(f.file, f.seed, f.sets))) : [];
  for (const f of failing) lines.push(`FAIL ${f.file} seed ${f.seed}: ${whyFailed(f)}\n  ${runCommandLine(f.file, f.seed, f.sets)}`);
  for (const file of args.scenarios) {
    const runs = finished.filter((f) => f.file === file);
    const count = (v: Verdict): number => runs.filter((r) => r.crash === null && r.result.verdict === v).length;
    const bad = runs.filter((r) => !r.ok).length;
    lines.push(
      `${bad === 0 ? 'ok  ' : 'FAIL'} ${file}: ${runs.length} seeds, expected ${runs[0]?.expected ?? 'pass'}; ` +
        `pass ${count('pass')}, safety ${count('safety')}, liveness ${count('liveness')}${crashed(runs)}; ${bad} failing` +
        `${runs.some((r) => r.recheck) ? `; ${runs.filter((r) => r.recheck).length} rechecked for determinism` : ''}`,
    );
  }
  const reached = new Map<string, number>(Object.keys(SITUATIONS).map((name) => [name, 0]));
  for (const f of finished) for (const [name, n] of Object.entries(f.result.situations)) reached.set(name, (reached.get(name) ?? 0) + n);
  const never = [...reached].filter(([, n]) => n === 0).map(([name]) => name);
  lines.push(`situations reached: ${[...reached].filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}`);
  lines.push(`situations never reached: ${never.join(', ') || 'none'}`);
  process.stdout.write(lines.join('\n') + '\n');

  const code = mostSevere(finished.map(outcomeCode));
  if (args.out !== undefined) {
    const rows = finished.map((f) => [
      f.file,
      f.seed,
      f.expected,
      f.crash === null ? f.result.verdict : 'internal_error',
      f.ok ? 'true' : 'false',
      f.result.invariants.join(' '),
      f.result.historyHash,
      f.divergence,
      runCommandLine(f.file, f.seed, f.sets),
    ]);
    writeDirAtomically(
      args.out,
      new Map([
        ['check.json', checkJson(args, plans, code)],
        ['check.csv', csv(['scenario', 'seed', 'expected', 'verdict', 'ok', 'invariants', 'history_hash', 'divergence', 'command'], rows)],
        ['summaries.csv', csv(SUMMARY_COLUMNS, []) + finished.filter((f) => f.crash === null).map((f) => `${f.result.summary}\n`).join('')],
        ['situations.csv', csv(['situation', 'count', 'what'], [...reached].map(([name, n]) => [name, n, SITUATIONS[name as Situation]]))],
      ]),
    );
    process.stderr.write(`results in ${join(args.out, 'check.csv')}\n`);
  }
  if (args.junit !== undefined) {
    writeFileAtomically(args.junit, junitXml(args.scenarios.map((file) => ({ name: file, cases: finished.filter((f) => f.file === file).map(junitCase) }))));
    process.stderr.write(`JUnit XML in ${args.junit}\n`);
  }
  return code;
}

/**
 * What a check's results came from: the command's inputs and exit code. It also marks the
 * directory as depotsim's own, so that the next check may replace it (files.ts).
 */
function checkJson(args: CheckArgs, plans: readonly Planned[], exitCode: number): string {
  // The texts the runs were made from, not the files read again now.
  const textOf = new Map(plans.map((p) => [p.file, p.text]));
  const scenarios = args.scenarios.map((file) => ({ file, sha256: sha256(textOf.get(file) ?? '') }));
  const options = { seeds: args.seeds, first_seed: args.firstSeed, overrides: args.set, swarm: args.swarm, recheck_every: args.recheckEvery };
  return JSON.stringify({ command: 'check', version: version(), scenarios, ...options, exit_code: exitCode }, null, 2) + '\n';
}

function whyFailed(f: Finished): string {
  const expected = f.invariant === undefined ? f.expected : `${f.expected} by ${f.invariant}`;
  return f.crash ?? f.divergence ?? `expected ${expected}, got ${f.result.verdict}${f.result.firstViolation === null ? '' : ` (${f.result.firstViolation})`}`;
}

function junitCase(f: Finished): JunitCase {
  const c = { seed: f.seed, simulatedS: f.result.simulatedS };
  if (f.ok) return c;
  const type = f.crash !== null ? 'internal_error' : f.divergence !== null ? 'nondeterminism' : f.result.verdict === 'pass' ? 'missed_bug' : f.result.verdict;
  return { ...c, failure: { type, message: whyFailed(f), invariants: f.result.invariants, replay: runCommandLine(f.file, f.seed, f.sets) } };
}

function crashed(runs: readonly Finished[]): string {
  const n = runs.filter((r) => r.crash !== null).length;
  return n === 0 ? '' : `, internal error ${n}`;
}

export function describeDivergence(a: CheckResult, b: CheckResult): string {
  const diff = firstDifference((a.history ?? []).join('\n'), (b.history ?? []).join('\n'));
  if (diff === undefined) return `history hashes differ (${a.historyHash} vs ${b.historyHash})`;
  const t = /^\{"t":(\d+)/.exec(diff.expected)?.[1] ?? /^\{"t":(\d+)/.exec(diff.actual)?.[1];
  return `nondeterministic: histories diverge at event ${diff.line}${t === undefined ? '' : `, t=${Number(t) / 1e6}s`}`;
}
