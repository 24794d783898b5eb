import type { DrawnFault } from '../world/fault-generator.ts';
import type { Micros } from '../world/kernel/event-queue.ts';
import { Observers } from './observe/observers.ts';
import type { RunMetrics } from './observe/run-metrics.ts';
import type { Violation } from './observe/safety-checkers.ts';
import type { Situation } from './observe/situations.ts';
import { compileScenario, faultPhaseEnd, worldConfig } from './scenario/compile.ts';
import type { Scenario } from './scenario/schema.ts';
import type { World, WorldConfig } from '../world/world.ts';

export type Verdict = 'pass' | 'safety' | 'liveness';

export interface TimelineRow {
  readonly t: Micros;
  readonly sledsUp: number;
  readonly nexusUp: number;
  readonly reposInDb: number;
  readonly artifactsWanted: number;
  readonly pairsWanted: number;
  readonly pairsPresent: number;
  readonly artifactsFullyReplicated: number;
  readonly artifactsBelowMin: number;
  readonly artifactsWithoutSledCopy: number;
  readonly artifactsLost: number;
  readonly unwantedPairs: number;
  readonly localRepos: number;
  readonly localBytes: number;
  readonly requestsInFlight: number;
  readonly bytesInFlight: number;
  /** Local storage of each Nexus instance (empty while it is down). */
  readonly local: readonly { readonly nexus: string; readonly repos: number; readonly bytes: number }[];
}

export interface RunOutcome {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly world: World;
  readonly metrics: RunMetrics;
  /** Safety violations as they happened, then `converges` if the liveness budget ran out. */
  readonly violations: readonly Violation[];
  readonly timeline: readonly TimelineRow[];
  /** When faults stop and the world heals; the liveness budget starts here. */
  readonly healAt: Micros;
  readonly convergedAt: Micros | null;
  readonly verdict: Verdict;
  readonly endedAt: Micros;
  readonly historyHash: string;
  /** How often each named situation happened. */
  readonly situations: ReadonlyMap<Situation, number>;
  /** The random faults that happened, as scheduled events (for `shrink`). */
  readonly drawnFaults: readonly DrawnFault[];
}

export interface RunOptions {
  readonly seed: number;
  readonly history?: boolean;
  /** Keep a row per request in the metrics (requests.csv needs them; verdicts and summaries do not). */
  readonly requestRows?: boolean;
  /**
   * Leave out what only watches the world: the safety checkers, the situation counter and
   * the history hash. The world runs the same; the verdict knows only liveness. For the
   * benchmark that measures what the watching costs.
   */
  readonly unchecked?: boolean;
  /** Called after each sample with the simulated time and the planned end. */
  readonly onProgress?: (t: Micros, end: Micros) => void;
}

/** What the ground truth says of replication at one sample (SPEC §3 timeline, §4 convergence). */
export interface ReplicationState {
  readonly wanted: number;
  readonly pairsPresent: number;
  readonly full: number;
  readonly belowMin: number;
  readonly without: number;
  /** Wanted artifacts not yet on every in-service sled and not lost. */
  readonly missingUnlost: number;
  readonly unwantedPairs: number;
}

/** Counts replication from ground truth, after looking for artifacts lost since the last event. */
export function replicationState(observers: Observers, minSledReplication: number): ReplicationState {
  const { truth, metrics } = observers;
  metrics.checkLoss();
  const sleds = truth.inServiceCount;
  let wanted = 0;
  let pairsPresent = 0;
  let full = 0;
  let belowMin = 0;
  let without = 0;
  let missingUnlost = 0;
  const min = Math.min(minSledReplication, sleds);
  for (let hash = truth.firstWanted(); hash !== -1; hash = truth.nextWanted(hash)) {
    wanted++;
    const holders = truth.holderCount(hash);
    const fullHolders = truth.fullHolderCount(hash);
    pairsPresent += fullHolders;
    if (fullHolders >= sleds) full++;
    else if (!metrics.isLost(hash)) missingUnlost++;
    if (holders < min) belowMin++;
    if (holders === 0) without++;
  }
  return { wanted, pairsPresent, full, belowMin, without, missingUnlost, unwantedPairs: truth.unwantedPairs };
}

/** Converged per SPEC §4 (lost artifacts excused), and what is still missing. */
export function convergence(state: ReplicationState, localRepos: number): { converged: boolean; gaps: string } {
  return {
    converged: state.missingUnlost === 0 && state.unwantedPairs === 0 && localRepos === 0,
    gaps: `(${state.missingUnlost} artifacts not on every sled, ${state.unwantedPairs} unwanted copies, ${localRepos} local repos held)`,
  };
}

/** A timeline sample from ground truth and the world's Nexus instances. */
function sample(
  world: World,
  observers: Observers,
  t: Micros,
  minSledReplication: number,
): { row: TimelineRow; converged: boolean; gaps: string } {
  const { truth, metrics, ids } = observers;
  const state = replicationState(observers, minSledReplication);
  const sleds = truth.inServiceCount;
  let sledsUp = 0;
  for (let sled = 0; sled < ids.sleds.size; sled++) if (truth.isInService(sled) && !truth.down.has(ids.sleds.name(sled))) sledsUp++;
  let nexusUp = 0;
  for (const nexus of world.nexus.values()) if (nexus.isUp) nexusUp++;
  let localRepos = 0;
  let localBytes = 0;
  const local: { nexus: string; repos: number; bytes: number }[] = [];
  for (const nexus of world.nexus.values()) {
    const repos = nexus.isUp ? nexus.localRepoCount : 0;
    const bytes = nexus.isUp ? nexus.localBytes : 0;
    local.push({ nexus: nexus.node, repos, bytes });
    localRepos += repos;
    localBytes += bytes;
  }
  const row: TimelineRow = {
    t,
    sledsUp,
    nexusUp,
    reposInDb: truth.repos.size,
    artifactsWanted: state.wanted,
    pairsWanted: state.wanted * sleds,
    pairsPresent: state.pairsPresent,
    artifactsFullyReplicated: state.full,
    artifactsBelowMin: state.belowMin,
    artifactsWithoutSledCopy: state.without,
    artifactsLost: metrics.lostArtifacts.size,
    unwantedPairs: state.unwantedPairs,
    localRepos,
    localBytes,
    requestsInFlight: metrics.inFlight,
    bytesInFlight: world.network.bytesInFlight(),
    local,
  };
  const { converged, gaps } = convergence(state, localRepos);
  return { row, converged, gaps };
}

/** How a run is advanced and watched, sample by sample: by its world, or from a stored history. */
export interface SampleDriver {
  /** Runs every event due at or before `t`. */
  advance(t: Micros): Promise<void> | void;
  /** At the end of the fault phase, once every event due by then has run. */
  heal(): void;
  /** Samples at `t`, once every event due by `t` has run. */
  sample(t: Micros): { converged: boolean; gaps: string };
}

export interface SampledRun {
  readonly healAt: Micros;
  readonly convergedAt: Micros | null;
  readonly endedAt: Micros;
  /** Converged within the liveness budget. */
  readonly live: boolean;
  /** What was missing at the last sample. */
  readonly gaps: string;
}

/**
 * The phases of a run: faults until the last scheduled event and random fault, then the
 * heal, then the liveness phase, in which the world must converge within
 * `expect.converge_within`. Samples every `sample_every` to `duration`, and past it while
 * the liveness budget is not spent and the world has not converged.
 */
export async function sampleRun(scenario: Scenario, driver: SampleDriver, onProgress?: (t: Micros, end: Micros) => void): Promise<SampledRun> {
  const step = scenario.sample_every;
  const healAt = faultPhaseEnd(scenario);
  const deadline = healAt + scenario.expect.converge_within;
  let healed = healAt === 0;
  if (healed) driver.heal();
  let convergedAt: Micros | null = null;
  let gaps = '';
  let end = scenario.duration;
  let t = 0;
  for (; ; t += step) {
    if (!healed && healAt <= t) {
      await driver.advance(healAt);
      driver.heal();
      healed = true;
    }
    await driver.advance(t);
    const sampled = driver.sample(t);
    gaps = sampled.gaps;
    if (healed && sampled.converged && convergedAt === null) convergedAt = t;
    if (!sampled.converged && convergedAt !== null && healed) convergedAt = null;
    onProgress?.(t, end);
    if (t + step > end) {
      if (convergedAt === null && t < deadline) end = deadline;
      else break;
    }
  }
  return { healAt, convergedAt, endedAt: t, live: convergedAt !== null && convergedAt <= deadline, gaps };
}

/** The safety violations, then `converges` when the run did not converge in time. */
export function runViolations(safety: readonly Violation[], sampled: SampledRun): Violation[] {
  const violations = [...safety];
  if (!sampled.live) {
    violations.push({ t: sampled.endedAt, invariant: 'converges', nexus: null, sled: null, repo: null, artifact: null, detail: `not converged ${sampled.gaps}` });
  }
  return violations;
}

/**
 * The observers that judge a run from its events, built alike by the runner and by
 * `recheck` over a stored history: the ground truth and the metrics, the safety checkers
 * unless `unchecked`, and the situation counter where asked.
 */
export function judges(scenario: Scenario, config: WorldConfig, options: { requestRows: boolean; unchecked: boolean; situations: boolean }): Observers {
  return new Observers({
    m2PerSled: scenario.rack.m2_per_sled,
    minSledReplication: scenario.engine.min_sled_replication,
    catalog: config.repos,
    engine: config.engine,
    artifactQuota: config.artifactQuota,
    requestRows: options.requestRows,
    checkers: !options.unchecked,
    situations: options.situations && !options.unchecked,
  });
}

/**
 * One run of a scenario in its world, phases and samples as `sampleRun` says; the heal
 * restarts crashed nodes and ends partitions, slowness and outages.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunOutcome> {
  const unchecked = options.unchecked === true;
  const compile = { seed: options.seed, recordHistory: options.history === true, hashHistory: !unchecked };
  const config = worldConfig(scenario, compile);
  const observers = judges(scenario, config, { requestRows: options.requestRows === true, unchecked, situations: true });
  const { metrics, checkers, situations } = observers;
  const drawnFaults: DrawnFault[] = [];
  const world = compileScenario(scenario, { ...compile, observers: [observers], drawnFaults }, config);

  const timeline: TimelineRow[] = [];
  const sampled = await sampleRun(
    scenario,
    {
      advance: (t) => world.run(t),
      heal: () => world.healAll(),
      sample: (t) => {
        // The sample as it is, row and all: a rest pattern copied it into a new object each time.
        const sampled = sample(world, observers, t, scenario.engine.min_sled_replication);
        timeline.push(sampled.row);
        return sampled;
      },
    },
    options.onProgress,
  );
  const { healAt, convergedAt, endedAt, live } = sampled;
  const violations = runViolations(checkers.violations, sampled);
  const tolerated = new Set<string>(scenario.expect.tolerate);
  const failed = checkers.violations.some((v) => !tolerated.has(v.invariant));
  const verdict: Verdict = failed ? 'safety' : live ? 'pass' : 'liveness';
  return {
    scenario,
    seed: options.seed,
    world,
    metrics,
    violations,
    timeline,
    healAt,
    convergedAt,
    verdict,
    endedAt,
    historyHash: world.events.digest(),
    situations: situations.counts,
    drawnFaults,
  };
}
