// One run of `check` or `sweep`, as a worker process executes it: a compiled scenario and a seed in, verdict out.
import { summaryRow } from '../reports/run-reports.ts';
import { csvLine } from '../reports/format.ts';
import { runScenario, type Verdict } from '../sim/harness/runner.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';

export interface CheckJob {
  /**
   * The scenario as the parent compiled it: `check` and `sweep` compile every scenario
   * (each swarm seed's, each grid point's) before the first run, to refuse bad input. A
   * structured clone of plain data, so the same scenario. A worker compiles nothing, so
   * its bundle loads neither the YAML parser nor the schema library: cold, they were 50
   * to 200 ms on the way to a worker's first seed, and importing them two fifths of its
   * start-up (BENCHMARKS.md, "Start-up").
   */
  readonly scenario: Scenario;
  readonly seed: number;
  /** Return the event history too (for locating a divergence). */
  readonly history?: boolean;
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

export default async function runCheckJob(job: CheckJob): Promise<CheckResult> {
  const run = await runScenario(job.scenario, { seed: job.seed, history: job.history === true });
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
