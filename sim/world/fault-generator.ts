import { exponentialGap, uniformInt } from './kernel/distributions.ts';
import type { Micros } from './kernel/event-queue.ts';
import type { RandomStream } from './kernel/random-streams.ts';
import type { World } from './world.ts';

/** A fixed duration, or one drawn uniformly from [min, max]. */
export type DurationSpec = Micros | { readonly min: Micros; readonly max: Micros };

/** The random fault families of a scenario (SPEC §1 `faults`): mean gaps and durations. */
export interface FaultPlan {
  /** No fault starts at or after this time. */
  readonly until: Micros;
  readonly sledCrash?: { readonly every: Micros; readonly down: DurationSpec } | undefined;
  readonly nexusCrash?: { readonly every: Micros; readonly down: DurationSpec } | undefined;
  readonly partition?: { readonly every: Micros; readonly for: DurationSpec } | undefined;
  readonly slow?: { readonly every: Micros; readonly extra: DurationSpec; readonly for: DurationSpec } | undefined;
}

/**
 * A random fault as it happened, written as the scheduled events of a scenario file
 * (times in whole microseconds), so that `shrink` can replace the fault families with them.
 */
export type DrawnFault =
  | { readonly at: Micros; readonly crash: string; readonly restartAt: Micros }
  | { readonly at: Micros; readonly partition: { readonly between: string[]; readonly and: string[]; readonly for: Micros } }
  | { readonly at: Micros; readonly slow: { readonly node: string; readonly extra: Micros; readonly for: Micros } };

export function drawDuration(rng: RandomStream, spec: DurationSpec): Micros {
  return typeof spec === 'number' ? spec : uniformInt(rng, spec.min, spec.max);
}

/**
 * Schedules each fault family as a Poisson process with its own random stream
 * (`faults/<family>`), so switching one family on or off leaves the others' draws, and
 * every other component's, unchanged. Each occurrence draws its target and duration
 * when it happens, and schedules the next one.
 */
export function scheduleRandomFaults(world: World, plan: FaultPlan, drawn: DrawnFault[] = []): void {
  const sleds = (): string[] => world.datastore.inServiceSleds().slice();
  const nexus = [...world.nexus.keys()];
  const family = (name: string, every: Micros, strike: (rng: RandomStream) => void): void => {
    const rng = world.streams.stream(`faults/${name}`);
    const next = (): void => {
      const at = world.now + exponentialGap(rng, every);
      if (at >= plan.until) return;
      world.kernel.at(at, `fault ${name}`, () => {
        strike(rng);
        next();
      });
    };
    next();
  };
  const pick = <T>(rng: RandomStream, items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[rng.nextInt(items.length)];

  const { sledCrash, nexusCrash, partition, slow } = plan;
  if (sledCrash) {
    family('sled_crash', sledCrash.every, (rng) => {
      const sled = pick(rng, sleds());
      const down = drawDuration(rng, sledCrash.down);
      if (sled !== undefined && world.sleds.get(sled)?.isUp === true) {
        drawn.push({ at: world.now, crash: sled, restartAt: world.now + down });
        world.crashSled(sled, down);
      }
    });
  }
  if (nexusCrash) {
    family('nexus_crash', nexusCrash.every, (rng) => {
      const target = pick(rng, nexus);
      const down = drawDuration(rng, nexusCrash.down);
      if (target !== undefined && world.nexus.get(target)?.isUp === true) {
        drawn.push({ at: world.now, crash: target, restartAt: world.now + down });
        world.crashNexus(target, down);
      }
    });
  }
  if (partition) {
    // One Nexus cut off from a random quarter of the sleds: the shape that gives a Nexus
    // a partial, stale view.
    family('partition', partition.every, (rng) => {
      const target = pick(rng, nexus);
      const all = sleds();
      const cut: string[] = [];
      for (const sled of all) if (rng.nextInt(4) === 0) cut.push(sled);
      const duration = drawDuration(rng, partition.for);
      if (target !== undefined && cut.length > 0) {
        drawn.push({ at: world.now, partition: { between: [target], and: cut, for: duration } });
        world.partition([target], cut, false, duration);
      }
    });
  }
  if (slow) {
    family('slow', slow.every, (rng) => {
      const node = pick(rng, [...sleds(), ...nexus]);
      const extra = drawDuration(rng, slow.extra);
      const duration = drawDuration(rng, slow.for);
      if (node !== undefined) {
        drawn.push({ at: world.now, slow: { node, extra, for: duration } });
        world.slow(node, extra, duration);
      }
    });
  }
}
