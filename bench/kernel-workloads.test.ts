// The kernel benchmark compares rates only between runs of one timeline; these pin that
// every implementation runs it, against references that use no event queue at all.
import { describe, expect, it } from 'vitest';
import { holdOnJssim, holdOnSimjs, processOnJssim, processOnSimjs } from './kernel-peers.ts';
import {
  delayAt,
  holdOnEventQueue,
  holdOnKernel,
  holdOnKernelEntries,
  holdWorkload,
  processOnKernelCallbacks,
  processOnKernelEntries,
  processOnKernelTasks,
  processWorkload,
  seededDelays,
  type HoldWorkload,
  type ProcessWorkload,
} from './kernel-workloads.ts';

/** The hold model by scanning for the earliest pending time: slow, obviously right. */
function holdByScanning(work: HoldWorkload): number[] {
  const pending = Array.from(work.delays.subarray(0, work.pending));
  const fired: number[] = [];
  let next = work.pending;
  while (pending.length > 0) {
    const earliest = pending.indexOf(Math.min(...pending));
    const [time] = pending.splice(earliest, 1) as [number];
    fired.push(time);
    if (next < work.delays.length) pending.push(time + delayAt(work.delays, next++));
  }
  return fired;
}

/** A task's wake-up times are the running sums of its delays. */
function processByPrefixSums(work: ProcessWorkload): number[] {
  const fired: number[] = [];
  for (let t = 0; t < work.tasks; t++) {
    let time = 0;
    for (let i = 0; i < work.sleeps; i++) fired.push((time += delayAt(work.delays, t * work.sleeps + i)));
  }
  return fired.sort((a, b) => a - b);
}

const expected = (times: readonly number[]) => ({
  events: times.length,
  timeSum: times.reduce((a, b) => a + b, 0),
  lastTime: Math.max(...times),
});

describe('kernel benchmark workloads', () => {
  it('draws one reproducible delay sequence of whole microseconds from 1 µs to 1 s', () => {
    const delays = seededDelays(10_000);
    expect(seededDelays(10_000)).toEqual(delays);
    expect(seededDelays(10_000, 2)).not.toEqual(delays);
    expect(delays.every((d) => Number.isInteger(d) && d >= 1 && d <= 1_000_000)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(9_900);
  });

  it('runs the same hold timeline on kernel callbacks, kernel entries, the bare queue, simjs and js-simulator', async () => {
    const work = holdWorkload(3_000, 50);
    const reference = expected(holdByScanning(work));
    expect(reference.events).toBe(3_000);
    const runs = {
      kernel: await holdOnKernel(work),
      entries: await holdOnKernelEntries(work),
      queue: holdOnEventQueue(work),
      simjs: holdOnSimjs(work),
      jssim: holdOnJssim(work),
    };
    for (const tally of Object.values(runs)) expect({ ...tally }).toEqual(reference);
  });

  it('runs the same process timeline as async tasks, kernel callbacks, kernel entries, simjs entities and js-simulator agents', async () => {
    const work = processWorkload(30, 40);
    const reference = expected(processByPrefixSums(work));
    expect(reference.events).toBe(1_200);
    const runs = {
      tasks: await processOnKernelTasks(work),
      callbacks: await processOnKernelCallbacks(work),
      entries: await processOnKernelEntries(work),
      simjs: processOnSimjs(work),
      jssim: processOnJssim(work),
    };
    for (const tally of Object.values(runs)) expect({ ...tally }).toEqual(reference);
  });
});
