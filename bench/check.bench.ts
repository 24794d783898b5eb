// The CI-suite case: `depotsim check` of 1,000 seeds of rack-day on 2 workers, as a user
// runs it; then the least such a check could take here: its runs' planning alone, on two
// cores that scale perfectly (the planner is the engine, which no simulator can skip).
import { cli, fmt, heading, median, runChild, scenarioPath } from './measure.ts';

const WORKERS = 2;
const RECHECK_EVERY = 10;

export async function checkBench(seeds: number): Promise<void> {
  heading(`check: ${seeds} seeds of rack-day on ${WORKERS} workers (every ${RECHECK_EVERY}th rechecked for determinism), one run`);
  // Exit 1 is a finding (a seed broke an invariant rack-day does not tolerate), not a failed benchmark.
  const args = ['check', scenarioPath('rack-day'), '--seeds', String(seeds), '--workers', String(WORKERS), '--recheck-every', String(RECHECK_EVERY)];
  const { seconds, stdout } = cli(args, [0, 1]);
  console.log(`${fmt(seconds, 1)} s wall, ${fmt((seconds / seeds) * 1000, 0)} ms per seed`);
  const verdicts = stdout.split('\n').find((line) => line.includes('rack-day.yaml:'));
  if (verdicts !== undefined) console.log(verdicts.trim());

  const probe = await runChild([scenarioPath('rack-day'), '5', '--profile']);
  const planning = (probe.shares?.planner ?? NaN) * median(probe.walls);
  const runs = seeds + Math.floor(seeds / RECHECK_EVERY);
  console.log(
    `planning alone: ${runs} runs × ${fmt(planning, 3)} s ÷ ${WORKERS} cores = ${fmt((runs * planning) / WORKERS, 0)} s at best ` +
      `(planner ${fmt((probe.shares?.planner ?? NaN) * 100, 1)}% of a ${fmt(median(probe.walls))} s seed)`,
  );
}
