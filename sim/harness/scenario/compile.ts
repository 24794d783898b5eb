import { engineParams, type LocalArtifact } from '../../../core/index.ts';
import { scheduleRandomFaults, type DrawnFault, type DurationSpec } from '../../world/fault-generator.ts';
import type { DelaySpec } from '../../world/kernel/distributions.ts';
import { uniformInt } from '../../world/kernel/distributions.ts';
import type { Micros } from '../../world/kernel/event-queue.ts';
import { RandomStreams } from '../../world/kernel/random-streams.ts';
import { defaultArtifactQuota } from '../../world/sled/sled-agent.ts';
import { World, type RepoSpec, type WorldConfig } from '../../world/world.ts';
import type { WorldEventListener, WorldEventObserver } from '../../world/world-events.ts';
import type { Scenario, ScenarioEvent } from './schema.ts';

export interface CompileOptions {
  readonly seed: number;
  readonly recordHistory?: boolean;
  readonly hashHistory?: boolean;
  /** See every event from the world's first. */
  readonly observers?: readonly (WorldEventListener | WorldEventObserver)[];
  /** Collects the random faults as they are drawn. */
  readonly drawnFaults?: DrawnFault[];
}

type Latency = Scenario['network']['latency'];

function delay(latency: Latency): DelaySpec {
  return typeof latency === 'number' ? { fixed: latency } : { median: latency.median, p99: latency.p99 };
}

function range(value: Micros | { readonly min: Micros; readonly max: Micros }): DurationSpec {
  return typeof value === 'number' ? value : { min: value.min, max: value.max };
}

/**
 * Artifacts of every repo. A repo that `shares` another takes the first
 * `round(fraction × artifacts)` of that repo's artifacts (same hash, same size); the rest
 * are its own, sized from its own stream (`repos/<name>`) so that adding a repo changes
 * no other repo's sizes. Hashes read `<repo>-<index>`.
 */
export function repoSpecs(scenario: Scenario, streams: RandomStreams): RepoSpec[] {
  const specs = new Map<string, RepoSpec>();
  for (const repo of scenario.repos) {
    const rng = streams.stream(`repos/${repo.name}`);
    const shared = repo.shares === undefined ? [] : (specs.get(repo.shares.repo)?.artifacts ?? []);
    const take = repo.shares === undefined ? 0 : Math.min(shared.length, repo.artifacts, Math.round(repo.shares.fraction * repo.artifacts));
    const artifacts: LocalArtifact[] = shared.slice(0, take);
    for (let i = take; i < repo.artifacts; i++) {
      const size = typeof repo.size === 'number' ? repo.size : uniformInt(rng, repo.size.min, repo.size.max);
      artifacts.push({ hash: `${repo.name}-${String(i).padStart(3, '0')}`, size });
    }
    specs.set(repo.name, { name: repo.name, artifacts });
  }
  return [...specs.values()];
}

export function worldConfig(scenario: Scenario, options: CompileOptions): WorldConfig {
  const { rack, network, nexus, engine } = scenario;
  return {
    seed: options.seed,
    sleds: rack.sleds,
    m2PerSled: rack.m2_per_sled,
    artifactQuota: rack.artifact_quota ?? defaultArtifactQuota(engine.generation),
    network: { latency: delay(network.latency), bandwidth: network.bandwidth, timeout: network.timeout, loss: network.loss },
    datastoreLatency: delay(scenario.datastore.latency),
    datastoreWriteLatency: scenario.datastore.write_latency === undefined ? undefined : delay(scenario.datastore.write_latency),
    nexus: {
      count: nexus.count,
      period: nexus.period,
      unpack: nexus.unpack,
      uploadOrder: nexus.upload_order ?? (engine.generation === 'review' ? 'channel_first' : 'db_first'),
      bootSpread: nexus.boot_spread ?? nexus.period,
      panicRestart: nexus.panic_restart,
      repoPruner: nexus.tuf_repo_pruner,
    },
    engine: engineParams({
      generation: engine.generation,
      minSledReplication: engine.min_sled_replication,
      maxRequests: engine.max_requests,
      maxPutRequests: engine.max_put_requests,
      maxRequestConcurrency: engine.max_request_concurrency,
      expectedCount: engine.expected_count,
      bugs: new Set(engine.bugs),
    }),
    reconcileDelay: rack.reconcile_delay,
    repos: repoSpecs(scenario, new RandomStreams(options.seed)),
    tieBreak: scenario.scheduler.tie_break,
    recordHistory: options.recordHistory === true,
    hashHistory: options.hashHistory !== false,
  };
}

function apply(world: World, event: ScenarioEvent): void {
  if ('upload' in event) world.upload(event.upload, event.via);
  else if ('delete' in event) world.deleteRepo(event.delete);
  else if ('crash' in event) {
    if (event.crash.startsWith('nexus-')) world.crashNexus(event.crash);
    else world.crashSled(event.crash);
  } else if ('restart' in event) {
    if (event.restart.startsWith('nexus-')) world.restartNexus(event.restart);
    else world.restartSled(event.restart);
  } else if ('expunge' in event) world.expungeSled(event.expunge);
  else if ('add_sleds' in event) world.addSleds(event.add_sleds);
  else if ('m2_fail' in event) world.failM2(event.m2_fail.sled, event.m2_fail.m2);
  else if ('partition' in event) world.partition(event.partition.between, event.partition.and, event.partition.oneway, event.partition.for);
  else if ('slow' in event) world.slow(event.slow.node, event.slow.extra, event.slow.for);
  else if ('datastore_outage' in event) world.datastoreOutage(event.datastore_outage);
  else if ('target_release' in event) world.setTargetRelease(event.target_release);
  else world.activate(event.activate);
}

/** How long a scheduled fault lasts by itself (0 for instant events and open-ended crashes). */
function eventDuration(event: ScenarioEvent): Micros {
  if ('partition' in event) return event.partition.for;
  if ('slow' in event) return event.slow.for;
  if ('datastore_outage' in event) return event.datastore_outage;
  return 0;
}

/**
 * The start of the heal: when the last scheduled event, and any fault it started with a
 * duration, is over, and no random fault starts any more (`faults.until`).
 */
export function faultPhaseEnd(scenario: Scenario): Micros {
  const lastEvent = scenario.events.reduce((t, e) => Math.max(t, e.at + eventDuration(e)), 0);
  return Math.max(lastEvent, scenario.faults === undefined ? 0 : (scenario.faults.until ?? scenario.duration));
}

/**
 * Builds the world a scenario describes, at t=0: the rack with its initial repos, the
 * Nexus instances booted, every scheduled event queued (same-time events run together, in
 * file order, whatever the tie-break) and the random fault families started.
 */
export function compileScenario(scenario: Scenario, options: CompileOptions, config = worldConfig(scenario, options)): World {
  const world = new World(config, options.observers);
  for (const repo of scenario.initial.repos) {
    world.seedRepo(repo, scenario.initial.on === 'all' ? [...world.sleds.keys()] : scenario.initial.on);
  }
  world.start();
  const byTime = new Map<Micros, ScenarioEvent[]>();
  for (const event of [...scenario.events].sort((a, b) => a.at - b.at)) {
    const list = byTime.get(event.at) ?? [];
    list.push(event);
    byTime.set(event.at, list);
  }
  for (const [at, events] of byTime) {
    world.kernel.at(at, `scenario events at ${at}us`, () => {
      for (const event of events) apply(world, event);
    });
  }
  const faults = scenario.faults;
  if (faults !== undefined) {
    scheduleRandomFaults(world, {
      until: faults.until ?? scenario.duration,
      sledCrash: faults.sled_crash && { every: faults.sled_crash.every, down: range(faults.sled_crash.down) },
      nexusCrash: faults.nexus_crash && { every: faults.nexus_crash.every, down: range(faults.nexus_crash.down) },
      partition: faults.partition && { every: faults.partition.every, for: range(faults.partition.for) },
      slow: faults.slow && { every: faults.slow.every, extra: range(faults.slow.extra), for: range(faults.slow.for) },
    }, options.drawnFaults);
  }
  return world;
}
