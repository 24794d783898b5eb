// The standard workload, per engine generation: wall time per seed, simulated seconds per
// wall second, and where the time goes (a CPU profile, attributed to source modules).
import { ENGINE_GENERATIONS } from '../core/index.ts';
import { fmt, heading, median, runChild, scenarioPath, thousands } from './measure.ts';

const SEEDS = 5;

export async function rackDayBench(): Promise<void> {
  heading(`rack-day: 24 h, 32 sleds, 3 Nexus, 7 releases, 6 deletes, random faults (median of ${SEEDS} seeds)`);
  for (const generation of ENGINE_GENERATIONS) {
    const result = await runChild([scenarioPath('rack-day'), String(SEEDS), '--profile', '--set', `engine.generation=${generation}`]);
    const total = result.walls.reduce((a, b) => a + b, 0);
    const { planner, engine } = result.shares ?? { planner: NaN, engine: NaN };
    const world = 1 - engine;
    console.log(
      `${generation.padEnd(11)} ${fmt(median(result.walls)).padStart(5)} s/seed  ` +
        `${thousands(result.simulatedSeconds / total).padStart(7)} sim s/wall s  ${thousands(result.events / total).padStart(8)} events/s  ` +
        `planner ${fmt(planner * 100, 1).padStart(4)}%  engine ${fmt(engine * 100, 1).padStart(4)}%  ` +
        `world ${fmt(world * 100, 1).padStart(4)}% = ${fmt(world / planner, 1)}x planner`,
    );
  }
}
