// Kernel and world throughput. Wall time is measured here, outside sim/, on purpose.
import { performance } from 'node:perf_hooks';
import { ENGINE_GENERATIONS } from '../core/index.ts';
import { EventQueue, QueuedEvent } from '../sim/kernel/event-queue.ts';
import { Kernel } from '../sim/kernel/kernel.ts';
import { RandomStreams } from '../sim/kernel/random-streams.ts';
import { readFileSync } from 'node:fs';
import { runScenario } from '../sim/runner.ts';
import { loadScenario } from '../sim/scenario/load.ts';

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
const noop = (): void => undefined;
const rng = new RandomStreams(1).stream('bench');
const times = Array.from({ length: N }, () => rng.nextInt(1_000_000_000));

await rate('bare queue: hold model, 10,000 pending events', N, () => {
  // The classic "hold" benchmark: pop the earliest event, push one a random time later.
  const queue = new EventQueue();
  let seq = 0;
  for (let i = 0; i < 10_000; i++) queue.push(new QueuedEvent(times[i] as number, 0, seq++, 'e', noop));
  for (let i = 0; i < N; i++) {
    const event = queue.pop() as QueuedEvent;
    queue.push(new QueuedEvent(event.time + Math.floor((times[i] as number) / 1000), 0, seq++, 'e', noop));
  }
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
console.log('scenarios/rack-day.yaml: 24 h, 32 sleds, 3 Nexus, 7 releases, 6 deletes, random faults (with metrics and checkers)');
const rackDay = loadScenario('scenarios/rack-day.yaml', readFileSync(new URL('../scenarios/rack-day.yaml', import.meta.url), 'utf8'));
for (const generation of ENGINE_GENERATIONS) {
  const scenario = { ...rackDay, engine: { ...rackDay.engine, generation } };
  const walls: number[] = [];
  let events = 0;
  let simulated = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const start = performance.now();
    const run = await runScenario(scenario, { seed });
    walls.push(performance.now() - start);
    events = run.world.kernel.eventsRun;
    simulated = run.endedAt / 1e6;
  }
  const wall = median(walls) / 1000;
  console.log(
    `  ${generation.padEnd(11)} ${wall.toFixed(2).padStart(6)} s per run (median of 3 seeds)  ` +
      `${Math.round(simulated / wall).toLocaleString('en-US').padStart(8)} simulated s per wall s  ` +
      `${Math.round(events / wall).toLocaleString('en-US').padStart(9)} events/s`,
  );
}
