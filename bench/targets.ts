// Issue 19's targets, and the figures of this `npm run bench` beside them: the table each
// session wrote into BENCHMARKS.md by hand, printed by the bench itself, so that a run on
// another machine tells at once which targets hold there. The sections record what they
// measured; `index.ts` prints the table after the last of them.

/** A measured figure: the number a target is judged on, and how the table shows it. */
export interface Figure {
  readonly value: number;
  readonly shown: string;
}

interface Target {
  readonly what: string;
  readonly asked: string;
  readonly holds: (value: number) => boolean;
}

const atMost = (bound: number) => (value: number) => value <= bound;
const atLeast = (bound: number) => (value: number) => value >= bound;

/** In the order; each section records the figures of its own targets. */
export const TARGETS = {
  review: { what: 'rack-day review, a seed (section rack-day)', asked: '≤ 0.10 s', holds: atMost(0.1) },
  merged: { what: 'rack-day merged, a seed', asked: '≤ 0.15 s', holds: atMost(0.15) },
  generation: { what: 'rack-day generation, a seed', asked: '≤ 0.15 s', holds: atMost(0.15) },
  worldPerPlanner: { what: 'world ÷ planner, review', asked: '≤ 2×', holds: atMost(2) },
  thousandSeeds: { what: '1,000-seed check on 2 workers, scaled to two cores that scale (section check)', asked: '≤ 60 s', holds: atMost(60) },
  fortySeeds: { what: '40-seed check on 2 workers, wall with start-up', asked: '≤ 3 s', holds: atMost(3) },
  kernel: { what: 'kernel ÷ the faster JS peer, the worse of its two workloads (section kernel)', asked: '≥ 1×', holds: atLeast(1) },
  memory: { what: '1,024 sleds, peak memory (section scale)', asked: '≤ 1,024 MiB', holds: atMost(1024) },
  linear: { what: 'exponent of wall time in sleds × artifacts', asked: '≤ 1', holds: atMost(1) },
} as const satisfies Record<string, Target>;

export type TargetName = keyof typeof TARGETS;

/**
 * A check's wall time as it would be on two cores that scale, from the machine's two-core
 * ceilings measured around it: the higher one gives the larger figure. The check's own
 * contention is not measured, so the bench takes the ceiling least in its favour.
 */
export function scaledToTwoCores(seconds: number, ceilings: readonly number[]): number {
  return (seconds * Math.max(...ceilings)) / 2;
}

const recorded = new Map<TargetName, Figure>();
/** What describes the machine beside the targets (a peer package's rate, the two-core ceiling). */
const machine: string[] = [];

export function recordFigure(name: TargetName, value: number, shown: string): void {
  recorded.set(name, { value, shown });
}

export function recordMachine(line: string): void {
  machine.push(line);
}

/** The table: one row a target, its figure and whether it holds ("not run" when no section measured it). */
export function targetsTable(figures: ReadonlyMap<TargetName, Figure>, aboutMachine: readonly string[]): string[] {
  const rows = Object.entries(TARGETS).map(([name, target]: [string, Target]) => {
    const figure = figures.get(name as TargetName);
    const verdict = figure === undefined ? 'not run' : target.holds(figure.value) ? 'met' : 'not met';
    return [target.what, target.asked, figure?.shown ?? '—', verdict] as const;
  });
  const width = (k: number): number => Math.max(...rows.map((row) => row[k]?.length ?? 0));
  const lines = rows.map(([what, asked, shown, verdict]) => `${what.padEnd(width(0))}  ${asked.padEnd(width(1))}  ${shown.padEnd(width(2))}  ${verdict}`);
  const met = rows.filter((row) => row[3] === 'met').length;
  const measured = rows.filter((row) => row[3] !== 'not run').length;
  return [...lines, `${met} of ${measured} measured targets met`, ...aboutMachine.map((line) => `this machine: ${line}`)];
}

/** `targetsTable` of what this process's sections recorded. */
export function recordedTargetsTable(): string[] {
  return targetsTable(recorded, machine);
}
