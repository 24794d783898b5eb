// Event-queue and executor throughput, the floor under every simulated event, beside two
// JavaScript discrete-event simulators running the same timelines (kernel-peers.ts).
import { performance } from 'node:perf_hooks';
import { holdOnJssim, holdOnSimjs, peerVersion, processOnJssim, processOnSimjs } from './kernel-peers.ts';
import {
  holdOnEventQueue,
  holdOnKernel,
  holdOnKernelEntries,
  holdWorkload,
  processOnKernelCallbacks,
  processOnKernelEntries,
  processOnKernelTasks,
  processWorkload,
  type Tally,
} from './kernel-workloads.ts';
import { fmt, heading, median } from './measure.ts';

const EVENTS = 1_000_000;
const RUNS = 5;

interface Row {
  readonly label: string;
  readonly run: () => Tally | Promise<Tally>;
  /** Set on depotsim's own rows: the header of their "ours ÷ it" column. */
  readonly ours?: string;
}

/**
 * Times each row and prints it with a ratio column for each of our rows (above 1: ours
 * is faster). After a warm-up of every row, the rows take turns, one run each for RUNS
 * rounds, so that a drift in the shared machine's speed hits them alike; each row's
 * figure is its median. Every run's tally must equal the first one's: a rate counts only
 * if the run did the same events at the same times.
 */
async function compare(title: string, rows: readonly Row[]): Promise<void> {
  let reference: Tally | undefined;
  const checked = async ({ label, run }: Row): Promise<void> => {
    const tally = await run();
    reference ??= tally;
    if (tally.events !== EVENTS || tally.timeSum !== reference.timeSum || tally.lastTime !== reference.lastTime) {
      throw new Error(`${label} ran ${tally.events} events (time sum ${tally.timeSum}, last ${tally.lastTime}); ` +
        `expected ${EVENTS} (time sum ${reference.timeSum}, last ${reference.lastTime})`);
    }
  };
  for (const row of rows) await checked(row);
  const seconds = rows.map((): number[] => []);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, row] of rows.entries()) {
      const start = performance.now();
      await checked(row);
      seconds[i]?.push((performance.now() - start) / 1000);
    }
  }
  const rates = seconds.map((s) => EVENTS / median(s));
  const ours = rows.flatMap((row, i) => (row.ours === undefined ? [] : [{ header: row.ours, row: i, rate: rates[i] as number }]));
  const width = Math.max(...rows.map((row) => row.label.length));
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(width)} ${'M events/s'.padStart(10)}${ours.map(({ header }) => `  ${header}`).join('')}`);
  for (const [i, { label }] of rows.entries()) {
    const rate = rates[i] as number;
    const ratios = ours.map((our) => `  ${(our.row === i ? '' : `${fmt(our.rate / rate)}×`).padStart(our.header.length)}`);
    console.log(`  ${label.padEnd(width)} ${fmt(rate / 1e6).padStart(10)}${ratios.join('')}`);
  }
}

export async function kernelBench(): Promise<void> {
  const simjs = `simjs ${peerVersion('simjs')}`;
  const jssim = `js-simulator ${peerVersion('js-simulator')}`;
  heading(`kernel beside ${simjs} and ${jssim} (median of ${RUNS} interleaved runs after a warm-up; 1,000,000 events a run)`);
  console.log('Delays of 1 µs to 1 s from one seeded sequence. Every run\'s event count, event-time sum and');
  console.log('last event time are checked equal to the first row\'s. Ratios above 1: ours is faster.');

  const hold = holdWorkload(EVENTS, 10_000);
  await compare('hold model: 10,000 pending; each event schedules the next', [
    { label: 'depotsim Kernel.after callbacks', run: () => holdOnKernel(hold), ours: 'callbacks ÷ it' },
    { label: 'depotsim Kernel.scheduleEntry: entries put back', run: () => holdOnKernelEntries(hold), ours: 'entries ÷ it' },
    { label: 'depotsim EventQueue alone, no executor', run: () => holdOnEventQueue(hold) },
    { label: `${simjs}: an Entity, setTimer().done()`, run: () => holdOnSimjs(hold) },
    { label: `${jssim}: SimEvents rescheduling themselves`, run: () => holdOnJssim(hold) },
  ]);

  const tasks = processWorkload(1_000, EVENTS / 1_000);
  await compare('processes: 1,000 tasks, each sleeping 1,000 times in a loop (no coroutines in simjs or js-simulator)', [
    { label: 'depotsim async tasks awaiting Kernel.sleep', run: () => processOnKernelTasks(tasks), ours: 'tasks ÷ it' },
    { label: 'depotsim a chain of Kernel.after callbacks a task', run: () => processOnKernelCallbacks(tasks), ours: 'callbacks ÷ it' },
    { label: 'depotsim an entry a task, put back after each sleep', run: () => processOnKernelEntries(tasks), ours: 'entries ÷ it' },
    { label: `${simjs}: an Entity a task, chaining timers`, run: () => processOnSimjs(tasks) },
    { label: `${jssim}: a SimEvent a task, rescheduling itself`, run: () => processOnJssim(tasks) },
  ]);
}
