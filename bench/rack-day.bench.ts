// The standard workload, per engine generation: wall time per seed, simulated seconds per
// wall second, and where the time goes (a CPU profile, attributed to source modules).
// Then what watching the world costs: review with and without the safety checkers, the
// situation counter and the history hash, alternating so that a drift of the machine
// hits both alike. Last, what the day's parts cost: the same day without its random
// faults, and without its scheduled releases and deletes too, which leaves the task's
// listing of every sled by every activation.
import { ENGINE_GENERATIONS } from '../core/index.ts';
import type { ChildResult } from './run-child.ts';
import { fmt, heading, median, runChild, scenarioPath, sum, thousands } from './measure.ts';
import { recordFigure } from './targets.ts';

const SEEDS = 5;
const ROUNDS = 5;
const PART_ROUNDS = 3;

/** The world's share of a profiled run over the planner's (NaN without a profile). */
function worldPerPlanner(result: ChildResult): number {
  const { planner, engine } = result.shares ?? { planner: NaN, engine: NaN };
  return (1 - engine) / planner;
}

function worldShare(result: ChildResult): string {
  const { planner, engine } = result.shares ?? { planner: NaN, engine: NaN };
  return `planner ${fmt(planner * 100, 1).padStart(4)}%  engine ${fmt(engine * 100, 1).padStart(4)}%  world ${fmt((1 - engine) * 100, 1).padStart(4)}% = ${fmt(worldPerPlanner(result), 1)}x planner`;
}

export async function rackDayBench(): Promise<void> {
  heading(`rack-day: 24 h, 32 sleds, 3 Nexus, 7 releases, 6 deletes, random faults (median of ${SEEDS} seeds)`);
  for (const generation of ENGINE_GENERATIONS) {
    const result = await runChild([scenarioPath('rack-day'), String(SEEDS), '--profile', '--set', `engine.generation=${generation}`]);
    const total = sum(result.walls);
    console.log(
      `${generation.padEnd(11)} ${fmt(median(result.walls)).padStart(5)} s/seed  ` +
        `${thousands(result.simulatedSeconds / total).padStart(7)} sim s/wall s  ${thousands(result.events / total).padStart(8)} events/s  ` +
        worldShare(result),
    );
    if (generation === 'review' || generation === 'merged' || generation === 'generation') recordFigure(generation, median(result.walls), `${fmt(median(result.walls))} s`);
    if (generation === 'review') recordFigure('worldPerPlanner', worldPerPlanner(result), `${fmt(worldPerPlanner(result), 1)}×`);
  }

  heading(`rack-day review, checked and unchecked (no checkers, situations, history hash), ${ROUNDS} alternating rounds of ${SEEDS} seeds`);
  // The machine's speed drifts between rounds: each round's ratio compares runs seconds apart.
  const ratios: number[] = [];
  const checked: number[] = [];
  const unchecked: number[] = [];
  let last: ChildResult | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const profile = round === ROUNDS ? ['--profile'] : [];
    const on = (await runChild([scenarioPath('rack-day'), String(SEEDS)])).walls;
    last = await runChild([scenarioPath('rack-day'), String(SEEDS), '--unchecked', ...profile]);
    checked.push(...on);
    unchecked.push(...last.walls);
    ratios.push(sum(last.walls) / sum(on));
  }
  console.log(`checked   ${fmt(median(checked)).padStart(5)} s/seed`);
  console.log(`unchecked ${fmt(median(unchecked)).padStart(5)} s/seed  ${last === undefined ? '' : worldShare(last)}`);
  console.log(`watching: ${fmt((1 - median(ratios)) * 100, 0)}% of a seed (median of the rounds; rounds ${ratios.map((r) => fmt((1 - r) * 100, 0)).join(', ')}%)`);

  await dayPartsBench();
}

interface DayRuns {
  readonly name: string;
  readonly args: readonly string[];
  readonly walls: number[];
  events: number;
}

/** The whole day against the day without faults and without events and faults, alternating. */
async function dayPartsBench(): Promise<void> {
  heading(`rack-day review by what the day holds, ${PART_ROUNDS} alternating rounds of ${SEEDS} seeds`);
  const day = (name: string, ...args: string[]): DayRuns => ({ name, args, walls: [], events: 0 });
  const whole = day('whole day');
  const noFaults = day('without faults', '--without', 'faults');
  const listings = day('listings alone', '--without', 'events', '--without', 'faults');
  const days = [whole, noFaults, listings];
  let listingsProfile: ChildResult | undefined;
  for (let round = 1; round <= PART_ROUNDS; round++) {
    for (const runs of days) {
      const profile = round === PART_ROUNDS && runs === listings ? ['--profile'] : [];
      const result = await runChild([scenarioPath('rack-day'), String(SEEDS), ...runs.args, ...profile]);
      runs.walls.push(...result.walls);
      runs.events += result.events / (SEEDS * PART_ROUNDS);
      if (profile.length > 0) listingsProfile = result;
    }
  }
  const share = (s: number): string => `${fmt(s, 3)} s (${fmt((100 * s) / median(whole.walls), 0)}%)`;
  const line = (runs: DayRuns, rest: string): void => {
    console.log(`${runs.name.padEnd(15)} ${fmt(median(runs.walls), 3).padStart(5)} s/seed  ${thousands(runs.events).padStart(7)} events a seed  ${rest}`.trimEnd());
  };
  line(whole, '');
  line(noFaults, `faults ${share(median(whole.walls) - median(noFaults.walls))}`);
  line(listings, `releases and deletes ${share(median(noFaults.walls) - median(listings.walls))}, listings ${share(median(listings.walls))}`);
  if (listingsProfile !== undefined) console.log(`listings alone: ${worldShare(listingsProfile)}`);
}
