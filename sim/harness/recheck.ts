// `depotsim recheck`: every invariant over a stored event history, without the world.
// The history (`run --history`) holds every event the world emitted, in order; the same
// observers the runner subscribes (ground truth, metrics, safety checkers) read it again,
// sampled at the same simulated times, so new or fixed checkers can judge an old run.
import type { Micros } from '../world/kernel/event-queue.ts';
import type { Violation } from './observe/safety-checkers.ts';
import { convergence, judges, replicationState, runViolations, sampleRun } from './runner.ts';
import { InputError } from './scenario/input-error.ts';
import { worldConfig } from './scenario/compile.ts';
import type { Scenario } from './scenario/schema.ts';
import type { WorldEvent } from '../world/world-events.ts';

export interface Recheck {
  readonly violations: readonly Violation[];
  readonly events: number;
  /** Events after the run's last sample: a history that does not belong to this run. */
  readonly trailing: number;
}

/** One history line as an event; `file` and the 1-based `line` locate a corrupt one. */
export function parseHistoryLine(text: string, file: string, line: number, after: Micros): WorldEvent {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, line, 1, `expected one JSON event per line, got ${(err as Error).message}`);
  }
  const e = event as { t?: unknown; type?: unknown } | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e) || !Number.isSafeInteger(e.t) || typeof e.type !== 'string') {
    throw new InputError(file, line, 1, `expected an event {"t":…,"type":…}, got ${text.slice(0, 60)}`);
  }
  if ((e.t as number) < after) throw new InputError(file, line, 1, `expected events in time order, got t=${String(e.t)} after t=${after}`);
  return event as WorldEvent;
}

/**
 * Feeds the history's events (JSON lines, in order) to the judges a run of `scenario` with
 * `seed` builds, advancing sample by sample as the runner does, and returns the violations
 * the run would report (safety ones as they happen, then `converges` if it did not
 * converge in time). Convergence counts a Nexus's local repos from ground truth.
 */
export async function recheckHistory(scenario: Scenario, seed: number, lines: readonly string[], file: string): Promise<Recheck> {
  const config = worldConfig(scenario, { seed });
  const observers = judges(scenario, config, { requestRows: false, unchecked: false, situations: false });
  const { truth, checkers } = observers;
  const count = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  let next = 0;
  let last: Micros = 0;
  let pending: WorldEvent | undefined;
  const peek = (): WorldEvent | undefined => {
    if (pending === undefined && next < count) {
      pending = parseHistoryLine(lines[next] as string, file, next + 1, last);
      last = pending.t;
    }
    return pending;
  };
  const sampled = await sampleRun(scenario, {
    advance: (t) => {
      for (let e = peek(); e !== undefined && e.t <= t; e = peek()) {
        observers.observe(e);
        pending = undefined;
        next++;
      }
    },
    // The heal's events are in the history.
    heal: () => undefined,
    sample: () => {
      let localRepos = 0;
      for (const [nexus, held] of truth.local) if (!truth.down.has(nexus)) localRepos += held.size;
      return convergence(replicationState(observers, scenario.engine.min_sled_replication), localRepos);
    },
  });
  return { violations: runViolations(checkers.violations, sampled), events: next, trailing: count - next };
}
