// The CI-suite case: `depotsim check` of 1,000 seeds of rack-day on 2 workers, as a user runs it.
import { cli, fmt, heading, scenarioPath } from './measure.ts';

export async function checkBench(seeds: number): Promise<void> {
  heading(`check: ${seeds} seeds of rack-day on 2 workers (every 10th rechecked for determinism), one run`);
  // Exit 1 is a finding (a seed broke an invariant rack-day does not tolerate), not a failed benchmark.
  const { seconds, stdout } = cli(['check', scenarioPath('rack-day'), '--seeds', String(seeds), '--workers', '2'], [0, 1]);
  console.log(`${fmt(seconds, 1)} s wall, ${fmt((seconds / seeds) * 1000, 0)} ms per seed`);
  const verdicts = stdout.split('\n').find((line) => line.includes('rack-day.yaml:'));
  if (verdicts !== undefined) console.log(verdicts.trim());
}
