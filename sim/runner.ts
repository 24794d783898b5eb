import type { DrawnFault } from './fault-generator.ts';
import type { Micros } from './kernel/event-queue.ts';
import { RunMetrics } from './observe/run-metrics.ts';
import { SafetyCheckers, type Violation } from './observe/safety-checkers.ts';
import { SituationCounter, type Situation } from './observe/situations.ts';
import { compileScenario, faultPhaseEnd, worldConfig } from './scenario/compile.ts';
import type { Scenario } from './scenario/schema.ts';
import type { World } from './world.ts';

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

/** A timeline sample from ground truth; `converged` per SPEC §4, lost artifacts excused. */
function sample(
  world: World,
  metrics: RunMetrics,
  t: Micros,
  minSledReplication: number,
): { row: TimelineRow; converged: boolean; gaps: string } {
  const truth = metrics.truth;
  metrics.checkLoss();
  const sleds = truth.inService.size;
  let sledsUp = 0;
  for (const sled of truth.inService) if (!truth.down.has(sled)) sledsUp++;
  let nexusUp = 0;
  for (const nexus of world.nexus.values()) if (nexus.isUp) nexusUp++;
  let wanted = 0;
  let pairsPresent = 0;
  let full = 0;
  let belowMin = 0;
  let without = 0;
  let missingUnlost = 0;
  const min = Math.min(minSledReplication, sleds);
  for (const hash of truth.wanted()) {
    wanted++;
    const holders = truth.holderCount(hash);
    const fullHolders = truth.fullHolderCount(hash);
    pairsPresent += fullHolders;
    if (fullHolders >= sleds) full++;
    else if (!metrics.lostArtifacts.has(hash)) missingUnlost++;
    if (holders < min) belowMin++;
    if (holders === 0) without++;
  }
  let unwantedPairs = 0;
  for (const sled of truth.inService) for (const hash of truth.hashesOn(sled)) if (!truth.isWanted(hash)) unwantedPairs++;
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
    artifactsWanted: wanted,
    pairsWanted: wanted * sleds,
    pairsPresent,
    artifactsFullyReplicated: full,
    artifactsBelowMin: belowMin,
    artifactsWithoutSledCopy: without,
    artifactsLost: metrics.lostArtifacts.size,
    unwantedPairs,
    localRepos,
    localBytes,
    requestsInFlight: metrics.inFlight,
    bytesInFlight: world.network.bytesInFlight(),
    local,
  };
  return {
    row,
    converged: missingUnlost === 0 && unwantedPairs === 0 && localRepos === 0,
    gaps: `(${missingUnlost} artifacts not on every sled, ${unwantedPairs} unwanted copies, ${localRepos} local repos held)`,
  };
}

/**
 * One run of a scenario: the fault phase until the last scheduled event and random
 * fault, then the heal (crashed nodes restart, partitions and slowness end), then the
 * liveness phase: the world must converge within `expect.converge_within`. Runs to
 * `duration`, and past it while the liveness budget is not spent and the world has not
 * converged. Convergence is checked at every timeline sample.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunOutcome> {
  const unchecked = options.unchecked === true;
  const compile = { seed: options.seed, recordHistory: options.history === true, hashHistory: !unchecked };
  const config = worldConfig(scenario, compile);
  const metrics = new RunMetrics(scenario.rack.m2_per_sled, scenario.engine.min_sled_replication, config.repos, options.requestRows === true);
  const checkers = new SafetyCheckers(metrics, config.engine, config.artifactQuota);
  const situations = new SituationCounter(metrics, scenario.engine.min_sled_replication);
  const drawnFaults: DrawnFault[] = [];
  const observers = unchecked ? [metrics.observe] : [metrics.observe, checkers.observe, situations.observe];
  const world = compileScenario(scenario, { ...compile, observers, drawnFaults }, config);

  const step = scenario.sample_every;
  const healAt = faultPhaseEnd(scenario);
  const deadline = healAt + scenario.expect.converge_within;
  const timeline: TimelineRow[] = [];
  let healed = healAt === 0;
  if (healed) world.healAll();
  let convergedAt: Micros | null = null;
  let lastGaps = '';
  let end = scenario.duration;
  for (let t = 0; ; t += step) {
    if (!healed && healAt <= t) {
      await world.run(healAt);
      world.healAll();
      healed = true;
    }
    await world.run(t);
    const { row, converged, gaps } = sample(world, metrics, t, scenario.engine.min_sled_replication);
    timeline.push(row);
    lastGaps = gaps;
    if (healed && converged && convergedAt === null) convergedAt = t;
    if (!converged && convergedAt !== null && healed) convergedAt = null;
    options.onProgress?.(t, end);
    if (t + step > end) {
      if (convergedAt === null && t < deadline) end = deadline;
      else break;
    }
  }
  const endedAt = timeline[timeline.length - 1]?.t ?? 0;
  const live = convergedAt !== null && convergedAt <= deadline;
  const violations = [...checkers.violations];
  if (!live) {
    violations.push({ t: endedAt, invariant: 'converges', nexus: null, sled: null, repo: null, artifact: null, detail: `not converged ${lastGaps}` });
  }
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
