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
import { recordFigure, recordMachine } from './targets.ts';

const EVENTS = 1_000_000;
const RUNS = 5;

interface Row {
  readonly label: string;
  readonly run: () => Tally | Promise<Tally>;
  /** Set on depotsim's own rows: the header of their "ours ÷ it" column. */
  readonly ours?: string;
  /** Set on the other simulators' rows: what the kernel target compares with. */
  readonly peer?: boolean;
}

/** A workload's rates: our fastest row's and the fastest peer's, in events a second. */
interface Standing {
  readonly ours: number;
  readonly peer: number;
  /** The rate of the row whose label starts with `label`. */
  rateOf(label: string): number;
}

/**
 * Times each row and prints it with a ratio column for each of our rows (above 1: ours
 * is faster). After a warm-up of every row, the rows take turns, one run each for RUNS
 * rounds, so that a drift in the shared machine's speed hits them alike; each row's
 * figure is its median. Every run's tally must equal the first one's: a rate counts only
 * if the run did the same events at the same times.
 */
async function compare(title: string, rows: readonly Row[]): Promise<Standing> {
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
  const best = (of: (row: Row) => boolean): number => Math.max(...rates.filter((_, i) => of(rows[i] as Row)));
  return {
    ours: best((row) => row.ours !== undefined),
    peer: best((row) => row.peer === true),
    rateOf: (label) => rates[rows.findIndex((row) => row.label.startsWith(label))] ?? NaN,
  };
}

export async function kernelBench(): Promise<void> {
  const simjs = `simjs ${peerVersion('simjs')}`;
  const jssim = `js-simulator ${peerVersion('js-simulator')}`;
  heading(`kernel beside ${simjs} and ${jssim} (median of ${RUNS} interleaved runs after a warm-up; 1,000,000 events a run)`);
  console.log('Delays of 1 µs to 1 s from one seeded sequence. Every run\'s event count, event-time sum and');
  console.log('last event time are checked equal to the first row\'s. Ratios above 1: ours is faster.');

  const hold = holdWorkload(EVENTS, 10_000);
  const held = await compare('hold model: 10,000 pending; each event schedules the next', [
    { label: 'depotsim Kernel.after callbacks', run: () => holdOnKernel(hold), ours: 'callbacks ÷ it' },
    { label: 'depotsim Kernel.scheduleEntry: entries put back', run: () => holdOnKernelEntries(hold), ours: 'entries ÷ it' },
    { label: 'depotsim EventQueue alone, no executor', run: () => holdOnEventQueue(hold) },
    { label: `${simjs}: an Entity, setTimer().done()`, run: () => holdOnSimjs(hold), peer: true },
    { label: `${jssim}: SimEvents rescheduling themselves`, run: () => holdOnJssim(hold), peer: true },
  ]);

  const tasks = processWorkload(1_000, EVENTS / 1_000);
  const processes = await compare('processes: 1,000 tasks, each sleeping 1,000 times in a loop (no coroutines in simjs or js-simulator)', [
    { label: 'depotsim async tasks awaiting Kernel.sleep', run: () => processOnKernelTasks(tasks), ours: 'tasks ÷ it' },
    { label: 'depotsim a chain of Kernel.after callbacks a task', run: () => processOnKernelCallbacks(tasks), ours: 'callbacks ÷ it' },
    { label: 'depotsim an entry a task, put back after each sleep', run: () => processOnKernelEntries(tasks), ours: 'entries ÷ it' },
    { label: `${simjs}: an Entity a task, chaining timers`, run: () => processOnSimjs(tasks), peer: true },
    { label: `${jssim}: a SimEvent a task, rescheduling itself`, run: () => processOnJssim(tasks), peer: true },
  ]);
  const holdRatio = held.ours / held.peer;
  const processRatio = processes.ours / processes.peer;
  recordFigure('kernel', Math.min(holdRatio, processRatio), `hold ${fmt(holdRatio)}×, processes ${fmt(processRatio)}×`);
  // An unchanged package's rate: how fast this machine is, to set its figures beside another's.
  recordMachine(`${jssim}'s hold model runs ${fmt(held.rateOf(jssim) / 1e6)} M events/s (5.6–5.9 on machine B, where review reached 0.11 s)`);
}
