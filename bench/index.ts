// `npm run bench [-- section...] [--seeds N]`: every benchmark, in one process, in order.
// Sections: kernel, planner, rack-day, check, scale, sweep. `--seeds` sizes the check (1000).
// Last, issue 19's targets beside the figures the sections measured (targets.ts).
import { availableParallelism, cpus } from 'node:os';
import { checkBench } from './check.bench.ts';
import { kernelBench } from './kernel.bench.ts';
import { plannerBench } from './planner.bench.ts';
import { rackDayBench } from './rack-day.bench.ts';
import { scaleBench } from './scale.bench.ts';
import { sweepBench } from './sweep.bench.ts';
import { recordedTargetsTable } from './targets.ts';

const args = process.argv.slice(2);
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 1000;
const chosen = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--seeds');

const SECTIONS: Record<string, () => Promise<void>> = {
  kernel: kernelBench,
  planner: plannerBench,
  'rack-day': rackDayBench,
  check: () => checkBench(seeds),
  scale: scaleBench,
  sweep: sweepBench,
};
const unknown = chosen.filter((name) => !(name in SECTIONS));
if (unknown.length > 0 || !Number.isInteger(seeds) || seeds < 1) {
  console.error(`usage: npm run bench -- [${Object.keys(SECTIONS).join('|')}]... [--seeds N]`);
  process.exit(2);
}

console.log(`node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
for (const [name, run] of Object.entries(SECTIONS)) {
  if (chosen.length === 0 || chosen.includes(name)) await run();
}
console.log(`\n## issue 19's targets against this run's figures`);
for (const line of recordedTargetsTable()) console.log(line);
