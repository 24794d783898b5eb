// What a scenario's day is made of, for the benchmark that weighs the parts: the same
// rack, Nexus and releases on hand, with the scheduled events (uploads, deletes, crashes)
// or the random faults taken out. A day without either is the task's listing alone: every
// activation of every Nexus lists every sled and finds nothing to do.
import type { Scenario } from '../sim/harness/scenario/schema.ts';

const DAY_PARTS = ['events', 'faults'] as const;
export type DayPart = (typeof DAY_PARTS)[number];

export function isDayPart(text: string): text is DayPart {
  return (DAY_PARTS as readonly string[]).includes(text);
}

/** `scenario` without `parts`; everything else (rack, repos, initial copies, engine, duration) as it was. */
export function withoutParts(scenario: Scenario, parts: readonly DayPart[]): Scenario {
  const { faults, ...rest } = scenario;
  return {
    ...rest,
    events: parts.includes('events') ? [] : scenario.events,
    ...(parts.includes('faults') || faults === undefined ? {} : { faults }),
  };
}
