// Sweep speed-up with worker processes: the same sweep with 1 and with 2 workers, median of 3.
// The runs alternate (1, 2, 1, 2, …) so that a machine whose speed drifts under sustained
// load slows both sides alike. The ceiling tells the pool's cost from the machine's: what
// two independent processes gain running the same simulations, sharing nothing but the
// machine (on a VM whose two cores share cache and memory bandwidth, well under 2x).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerFlags } from '../cli/process-pool.ts';
import { cli, concurrentWall, fmt, heading, median, scenarioPath } from './measure.ts';

const GRID = ['--grid', 'engine.min_sled_replication=2,3', '--seeds', '6'];

function sweepWall(workers: number): number {
  // A directory of the bench's own, gone after the sweep: each bench run left six behind.
  const dir = mkdtempSync(join(tmpdir(), 'depotsim-bench-'));
  try {
    return cli(['sweep', scenarioPath('rack-day'), ...GRID, '--workers', String(workers), '--out', join(dir, 'sweep')]).seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function sweepBench(): Promise<void> {
  heading('sweep: 12 rack-day runs (min_sled_replication 2,3 × 6 seeds), 1 vs 2 workers, alternating, median of 3');
  const { bundled } = await import('../bin/load.js');
  // Started as the workers are, with their V8 flags (6 runs a worker on 2 workers): the ceiling of the same processes.
  const simulation = [...workerFlags(6), await bundled('bench/run-child.ts'), scenarioPath('rack-day'), '6'];
  const walls = { one: [] as number[], two: [] as number[], simOne: [] as number[], simTwo: [] as number[] };
  for (let i = 0; i < 3; i++) {
    walls.one.push(sweepWall(1));
    walls.two.push(sweepWall(2));
    walls.simOne.push(await concurrentWall(1, simulation));
    walls.simTwo.push(await concurrentWall(2, simulation));
  }
  const gain = (one: number[], two: number[]): string => fmt((2 * median(one)) / median(two));
  console.log(`1 worker ${fmt(median(walls.one))} s, 2 workers ${fmt(median(walls.two))} s, speed-up ${fmt(median(walls.one) / median(walls.two))}x`);
  console.log(`ceiling on this machine: 2 independent processes of 6 rack-day runs each do ${gain(walls.simOne, walls.simTwo)}x the work of one`);
}
