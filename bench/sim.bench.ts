// Kernel and world throughput. Wall time is measured here, outside sim/, on purpose.
import { performance } from 'node:perf_hooks';
import { ENGINE_GENERATIONS } from '../core/index.ts';
import { EventQueue, QueuedEvent } from '../sim/kernel/event-queue.ts';
import { Kernel } from '../sim/kernel/kernel.ts';
import { RandomStreams } from '../sim/kernel/random-streams.ts';
import { rackDayWorld } from '../sim/testing/busy-world.ts';
import { HOUR } from '../sim/testing/world-fixtures.ts';

const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function rate(label: string, events: number, body: () => Promise<void> | void): Promise<void> {
  await body();
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await body();
    seconds.push((performance.now() - start) / 1000);
  }
  const perSecond = events / median(seconds);
  console.log(`${label.padEnd(52)} ${(perSecond / 1e6).toFixed(2).padStart(7)} M events/s`);
}

const N = 1_000_000;
const rng = new RandomStreams(1).stream('bench');
const times = Array.from({ length: N }, () => rng.nextInt(1_000_000_000));

await rate('bare queue: push + pop, random times', N, () => {
  const queue = new EventQueue();
  for (let i = 0; i < N; i++) queue.push(new QueuedEvent(times[i] as number, 0, i, 'e', () => undefined));
  while (queue.pop() !== undefined);
});

await rate('kernel loop, synchronous callbacks (1,000 chains)', N, async () => {
  const kernel = new Kernel();
  let left = N;
  const step = (i: number): void => {
    if (--left >= 1000) kernel.after(1 + (i % 997), 'step', () => step(i + 1));
  };
  for (let c = 0; c < 1000; c++) kernel.after(c, 'start', () => step(c));
  await kernel.run();
});

await rate('kernel loop driving async tasks (1,000 tasks awaiting sleeps)', N, async () => {
  const kernel = new Kernel();
  const perTask = N / 1000;
  for (let c = 0; c < 1000; c++) {
    kernel.spawn('task', async () => {
      for (let i = 0; i < perTask; i++) await kernel.sleep(1 + ((c * 31 + i) % 997), 'sleep');
    });
  }
  await kernel.run();
});

console.log('');
console.log('24-hour rack day: 32 sleds, 3 Nexus, 7 uploads, 6 deletes, random faults');
for (const generation of ENGINE_GENERATIONS) {
  const walls: number[] = [];
  let events = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const start = performance.now();
    const world = rackDayWorld(seed, generation);
    await world.run(24 * HOUR);
    walls.push(performance.now() - start);
    events = world.kernel.eventsRun;
  }
  const wall = median(walls);
  console.log(
    `  ${generation.padEnd(11)} ${(wall / 1000).toFixed(2).padStart(6)} s per run (median of 3 seeds)  ` +
      `${Math.round((24 * 3600) / (wall / 1000)).toLocaleString('en-US').padStart(8)} simulated s per wall s  ` +
      `${Math.round(events / (wall / 1000)).toLocaleString('en-US').padStart(9)} events/s`,
  );
}
