// One run of `check`, as a worker process executes it: scenario text in, verdict out.
import { summaryRow } from '../reports/run-reports.ts';
import { csvLine } from '../reports/format.ts';
import { runScenario, type Verdict } from '../sim/harness/runner.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';

export interface CheckJob {
  readonly file: string;
  readonly text: string;
  readonly sets: readonly string[];
  readonly seed: number;
  /** Return the event history too (for locating a divergence). */
  readonly history?: boolean;
  /**
   * The scenario already compiled from `text` and `sets` (check compiles it to plan the
   * seeds): the worker then compiles nothing, not even the first time, when cold zod and
   * yaml take 50 to 200 ms. A structured clone of plain data, so the same scenario.
   */
  readonly scenario?: Scenario;
}

export interface CheckResult {
  readonly verdict: Verdict;
  readonly invariants: readonly string[];
  readonly firstViolation: string | null;
  readonly historyHash: string;
  /** Simulated seconds the run covered (its last timeline sample). */
  readonly simulatedS: number;
  /** The run's `summary.csv` data row. */
  readonly summary: string;
  readonly history?: readonly string[];
  /** How often each named situation happened. */
  readonly situations: Record<string, number>;
}

// A worker runs seed after seed of one scenario: a job that brings only its text (sweep's)
// has it compiled once for the seeds that follow (YAML, schema and cross-references, 3 to
// 20 ms a seed) instead of once a seed. A run only reads its scenario; check-job.test.ts
// holds a reused scenario's results to a freshly compiled one's.
let last: { readonly key: string; readonly scenario: Scenario } | undefined;

function compiled(job: CheckJob): Scenario {
  const key = JSON.stringify([job.file, job.text, job.sets]);
  if (last?.key !== key) last = { key, scenario: loadScenario(job.file, job.text, job.sets.map(parseOverride)) };
  return last.scenario;
}

export default async function runCheckJob(job: CheckJob): Promise<CheckResult> {
  const scenario = job.scenario ?? compiled(job);
  const run = await runScenario(scenario, { seed: job.seed, history: job.history === true });
  const first = run.violations[0];
  return {
    verdict: run.verdict,
    invariants: [...new Set(run.violations.map((v) => v.invariant))].sort(),
    firstViolation: first === undefined ? null : `${first.invariant} at ${first.t / 1e6}s: ${first.detail}`,
    historyHash: run.historyHash,
    simulatedS: run.endedAt / 1e6,
    summary: csvLine(summaryRow(run)),
    situations: Object.fromEntries(run.situations),
    ...(job.history === true ? { history: run.world.events.history() } : {}),
  };
}
