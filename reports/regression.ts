// The regression pass of the CI suite: every bundled scenario at fixed seeds, with the
// summary rows compared exactly against committed baselines (`npm run bless` rewrites them),
// and the first seed's history rechecked to the same violations.
import { recheckHistory } from '../sim/harness/recheck.ts';
import { runScenario } from '../sim/harness/runner.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import { csv } from './format.ts';
import { SUMMARY_COLUMNS, summaryRow, violationsCsv } from './run-reports.ts';

/** Seeds per scenario: three, or one for the scenarios that take seconds per run. */
export function regressionSeeds(name: string): number[] {
  return name === 'repo-churn' || name === 'multi-rack' ? [1] : [1, 2, 3];
}

export interface RegressionResult {
  /** `summary.csv` header and one row per seed: the baseline file's contents. */
  readonly baseline: string;
  /** Seeds whose verdict differed from `expect.verdict`, with the verdict they got. */
  readonly unexpected: readonly { readonly seed: number; readonly verdict: string; readonly invariants: readonly string[] }[];
  /** The first seed's violations as the run reported them and as `recheck` finds them in its history. */
  readonly recheck: { readonly run: string; readonly rechecked: string };
}

export async function regressionRun(scenario: Scenario): Promise<RegressionResult> {
  const rows: (string | number)[][] = [];
  const unexpected: { seed: number; verdict: string; invariants: string[] }[] = [];
  let recheck = { run: '', rechecked: '' };
  for (const seed of regressionSeeds(scenario.name)) {
    // The first seed's history is kept and judged again without the world.
    const history = seed === 1;
    const run = await runScenario(scenario, { seed, history });
    if (history) {
      const rechecked = await recheckHistory(scenario, seed, run.world.events.history(), 'history.jsonl');
      recheck = { run: violationsCsv(run), rechecked: violationsCsv(rechecked) };
    }
    rows.push(summaryRow(run));
    const invariants = [...new Set(run.violations.map((v) => v.invariant))].sort();
    const expected = scenario.expect;
    const ok = run.verdict === expected.verdict && (expected.invariant === undefined || invariants.includes(expected.invariant));
    if (!ok) unexpected.push({ seed, verdict: run.verdict, invariants });
  }
  return { baseline: csv(SUMMARY_COLUMNS, rows), unexpected, recheck };
}
