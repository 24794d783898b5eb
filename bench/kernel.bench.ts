// Event-queue and executor throughput: the floor under every simulated event.
import { EventQueue, QueuedEvent } from '../sim/world/kernel/event-queue.ts';
import { Kernel } from '../sim/world/kernel/kernel.ts';
import { RandomStreams } from '../sim/world/kernel/random-streams.ts';
import { fmt, heading, timed } from './measure.ts';

const N = 1_000_000;

async function rate(label: string, body: () => Promise<void> | void): Promise<void> {
  const seconds = await timed(5, body);
  console.log(`${label.padEnd(60)} ${fmt(N / seconds / 1e6).padStart(6)} M events/s`);
}

export async function kernelBench(): Promise<void> {
  heading('kernel (median of 5; 1,000,000 events each)');
  const noop = (): void => undefined;
  const rng = new RandomStreams(1).stream('bench');
  const times = Array.from({ length: N }, () => rng.nextInt(1_000_000_000));

  await rate('bare queue: hold model, 10,000 pending events', () => {
    // The classic "hold" benchmark: pop the earliest event, push one a random time later.
    const queue = new EventQueue();
    let seq = 0;
    for (let i = 0; i < 10_000; i++) queue.push(new QueuedEvent(times[i] as number, 0, seq++, 'e', noop));
    for (let i = 0; i < N; i++) {
      const event = queue.pop() as QueuedEvent;
      queue.push(new QueuedEvent(event.time + Math.floor((times[i] as number) / 1000), 0, seq++, 'e', noop));
    }
  });

  await rate('kernel loop, synchronous callbacks (1,000 chains)', async () => {
    const kernel = new Kernel();
    let left = N;
    const step = (i: number): void => {
      if (--left >= 1000) kernel.after(1 + (i % 997), 'step', () => step(i + 1));
    };
    for (let c = 0; c < 1000; c++) kernel.after(c, 'start', () => step(c));
    await kernel.run();
  });

  await rate('async-engine loop: 1,000 async tasks awaiting sleeps', async () => {
    const kernel = new Kernel();
    const perTask = N / 1000;
    for (let c = 0; c < 1000; c++) {
      kernel.spawn('task', async () => {
        for (let i = 0; i < perTask; i++) await kernel.sleep(1 + ((c * 31 + i) % 997), 'sleep');
      });
    }
    await kernel.run();
  });
}
