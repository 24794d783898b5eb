import type { DrawnFault } from '../world/fault-generator.ts';
import type { Micros } from '../world/kernel/event-queue.ts';
import { stringify } from 'yaml';
import { runScenario } from './runner.ts';
import { InputError } from './scenario/input-error.ts';
import { loadScenario } from './scenario/load.ts';
import { DEFAULT_DURATION } from './scenario/schema.ts';
import { formatDuration, parseDuration } from './scenario/units.ts';

/** A scenario as plain YAML data, in file units. */
export type ScenarioInput = Record<string, unknown>;

/** What one candidate run showed: the invariants that failed, and when each first did. */
export interface Trial {
  readonly failed: ReadonlyMap<string, Micros>;
}

/** Runs a candidate; `undefined` when the candidate is not a valid scenario. */
export type Evaluate = (input: ScenarioInput) => Promise<Trial | undefined>;

export interface ShrinkResult {
  readonly input: ScenarioInput;
  readonly runs: number;
  /** What each accepted step removed or reduced, in order. */
  readonly steps: readonly string[];
}

/** Runs a candidate at `seed`: the invariants it failed and when each first failed. */
export async function trialRun(input: ScenarioInput, seed: number): Promise<Trial | undefined> {
  let scenario;
  try {
    scenario = loadScenario('candidate', stringify(input));
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
  const run = await runScenario(scenario, { seed });
  const failed = new Map<string, Micros>();
  for (const v of run.violations) if (!failed.has(v.invariant)) failed.set(v.invariant, v.t);
  return { failed };
}

const us = (t: Micros): string => (t === 0 ? '0s' : formatDuration(t));

/** The random faults a run drew, as explicit events: crash/restart, partition, slow. */
export function faultsAsEvents(drawn: readonly DrawnFault[], healAt: Micros): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const f of drawn) {
    if ('crash' in f) {
      // A crash still open at the heal ends there, as the heal would end it.
      events.push({ at: us(f.at), crash: f.crash }, { at: us(Math.min(f.restartAt, healAt)), restart: f.crash });
    } else if ('partition' in f) {
      const length = Math.min(f.partition.for, healAt - f.at);
      events.push({ at: us(f.at), partition: { between: f.partition.between, and: f.partition.and, for: us(length) } });
    } else {
      const length = Math.min(f.slow.for, healAt - f.at);
      events.push({ at: us(f.at), slow: { node: f.slow.node, extra: us(f.slow.extra), for: us(length) } });
    }
  }
  return events;
}

const clone = (input: ScenarioInput): ScenarioInput => structuredClone(input);
const section = (input: ScenarioInput, key: string): Record<string, unknown> => {
  const value = input[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  input[key] = fresh;
  return fresh;
};

/**
 * Greedy reduction, in the spirit of delta debugging: remove scheduled events (halves,
 * then quarters, … then one at a time), cut the duration to just after the failure, and
 * halve the sleds, the artifacts of each repo and the Nexus count, keeping every step
 * after which the same invariant still fails. Stops at a fixed point or `maxRuns`.
 */
export async function shrinkScenario(
  start: ScenarioInput,
  invariant: string,
  evaluate: Evaluate,
  options: { readonly maxRuns?: number; readonly onStep?: (step: string, runs: number) => void } = {},
): Promise<ShrinkResult> {
  const maxRuns = options.maxRuns ?? 400;
  let best = clone(start);
  let runs = 0;
  const steps: string[] = [];
  let lastFailure: Micros | undefined;

  const attempt = async (candidate: ScenarioInput, step: string): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const trial = await evaluate(candidate);
    const at = trial?.failed.get(invariant);
    if (at === undefined) return false;
    best = candidate;
    lastFailure = at;
    steps.push(step);
    options.onStep?.(step, runs);
    return true;
  };

  if (!(await attempt(clone(best), 'reproduced the failure'))) return { input: best, runs, steps: [] };

  for (let changed = true; changed && runs < maxRuns; ) {
    changed = false;

    // Scheduled events, in chunks from large to single.
    const events = (): unknown[] => (Array.isArray(best.events) ? (best.events as unknown[]) : []);
    for (let chunk = Math.max(1, Math.floor(events().length / 2)); chunk >= 1 && runs < maxRuns; chunk = Math.floor(chunk / 2)) {
      for (let i = 0; i < events().length && runs < maxRuns; ) {
        const candidate = clone(best);
        const list = events().slice();
        const removed = list.splice(i, chunk);
        candidate.events = list;
        if (await attempt(candidate, `removed ${removed.length} event${removed.length === 1 ? '' : 's'}`)) changed = true;
        else i += chunk;
      }
      if (chunk === 1) break;
    }

    // The random fault families that are left.
    if (best.faults !== undefined && (await attempt(Object.fromEntries(Object.entries(clone(best)).filter(([k]) => k !== 'faults')), 'removed the random faults'))) {
      changed = true;
    }

    // The duration: just past the first failure, when that is sooner than its end (a
    // liveness failure is found after the end, at the convergence deadline).
    const cut = lastFailure === undefined ? undefined : Math.ceil(lastFailure / 60_000_000) * 60_000_000 + 60_000_000;
    const duration = parseDuration(best.duration ?? DEFAULT_DURATION);
    if (cut !== undefined && (!duration.ok || cut < duration.value)) {
      const candidate = clone(best);
      candidate.duration = us(cut);
      const faults = candidate.faults as Record<string, unknown> | undefined;
      if (faults !== undefined) faults.until = us(cut);
      candidate.events = (Array.isArray(candidate.events) ? (candidate.events as Record<string, unknown>[]) : []).filter((e) => {
        const at = parseDuration(e.at);
        return !at.ok || at.value <= cut;
      });
      if (await attempt(candidate, `cut the duration to ${us(cut)}`)) changed = true;
    }

    // Sizes: sleds, Nexus count, artifacts per repo.
    for (const [key, field, least] of [['rack', 'sleds', 1], ['nexus', 'count', 1]] as const) {
      const current = Number(section(clone(best), key)[field] ?? (key === 'rack' ? 32 : 3));
      for (const next of [Math.max(least, Math.floor(current / 2)), current - 1]) {
        if (next < least || next >= current) continue;
        const candidate = clone(best);
        section(candidate, key)[field] = next;
        if (await attempt(candidate, `${key}.${field} ${current} → ${next}`)) {
          changed = true;
          break;
        }
      }
    }
    const repos = Array.isArray(best.repos) ? (best.repos as Record<string, unknown>[]) : [];
    for (let i = 0; i < repos.length; i++) {
      const current = Number((best.repos as Record<string, unknown>[])[i]?.artifacts ?? 1);
      const next = Math.floor(current / 2);
      if (next < 1) continue;
      const candidate = clone(best);
      ((candidate.repos as Record<string, unknown>[])[i] as Record<string, unknown>).artifacts = next;
      if (await attempt(candidate, `repo ${String(repos[i]?.name)}: ${current} → ${next} artifacts`)) changed = true;
    }
  }
  return { input: best, runs, steps: steps.slice(1) };
}
