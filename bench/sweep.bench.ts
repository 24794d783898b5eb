// Sweep speed-up with worker threads: the same sweep with 1 and with 2 workers, wall time
// measured here (outside sim/), median of 3. Prints the speed-up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const BIN = new URL('../bin/depotsim.js', import.meta.url).pathname;
const SCENARIO = new URL('../scenarios/sled-failures.yaml', import.meta.url).pathname;
const GRID = ['--grid', 'engine.min_sled_replication=2,3', '--grid', 'nexus.period=60s,120s', '--seeds', '6'];

function wall(workers: number): number {
  const out = join(mkdtempSync(join(tmpdir(), 'depotsim-bench-')), 'sweep');
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, 'sweep', SCENARIO, ...GRID, '--workers', String(workers), '--out', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return (performance.now() - start) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] as number;
const one = median([wall(1), wall(1), wall(1)]);
const two = median([wall(2), wall(2), wall(2)]);
console.log(`sweep of 24 sled-failures runs: 1 worker ${one.toFixed(2)} s, 2 workers ${two.toFixed(2)} s, speed-up ${(one / two).toFixed(2)}x`);
