import { uuidFromRandomBytes, type ArtifactHash, type EngineParams, type LocalArtifact, type SledId } from '../../core/index.ts';
import { DatastoreModel } from './datastore.ts';
import { uniformInt, type DelaySpec } from './kernel/distributions.ts';
import type { Micros } from './kernel/event-queue.ts';
import { Kernel } from './kernel/kernel.ts';
import { RandomStreams } from './kernel/random-streams.ts';
import { ArtifactCatalog } from './artifact-catalog.ts';
import { Network, type NetworkConfig, type NodeId } from './network.ts';
import { NexusInstance, type NexusEnvironment, type UploadOrder } from './nexus/nexus-instance.ts';
import { SledAgent, sledAgentCommit } from './sled/sled-agent.ts';
import { NOW, WorldEventLog, type EmitEvent, type FaultKind, type NexusId, type RepoName, type WorldEventListener, type WorldEventObserver } from './world-events.ts';

export interface RepoSpec {
  readonly name: RepoName;
  readonly artifacts: readonly LocalArtifact[];
}

/** Everything a world is built from, in world units (microseconds, bytes, bytes/s). */
export interface WorldConfig {
  readonly seed: number;
  readonly sleds: number;
  readonly m2PerSled: number;
  /** Per M.2 dataset. */
  readonly artifactQuota: number;
  readonly network: NetworkConfig;
  readonly datastoreLatency: DelaySpec;
  /** Repo inserts (a heavier transaction than the task's reads); default: `datastoreLatency`. */
  readonly datastoreWriteLatency?: DelaySpec | undefined;
  readonly nexus: {
    readonly count: number;
    readonly period: Micros;
    readonly unpack: Micros;
    readonly uploadOrder: UploadOrder;
    /** Each Nexus's first tick is drawn from [0, bootSpread) (default 0: all in lockstep). */
    readonly bootSpread?: Micros | undefined;
    /** How long a Nexus whose task panicked stays down before SMF has it running again. */
    readonly panicRestart?: Micros | undefined;
    /** `current`: each Nexus also runs HEAD's TUF repo pruner. */
    readonly repoPruner?: boolean | undefined;
  };
  readonly engine: EngineParams;
  /** Time the `generation` sled agent's delete reconciler takes per artifact. */
  readonly reconcileDelay: Micros;
  /** Every repo the world may see: the catalog of artifact sizes. */
  readonly repos: readonly RepoSpec[];
  /** Explore interleavings: order same-time events by a seeded draw. */
  readonly tieBreak: boolean;
  /** Record the event history as JSON lines. */
  readonly recordHistory?: boolean;
  /** Hash the event history (default); off only to measure what the hash costs. */
  readonly hashHistory?: boolean;
  /** Settle microtasks after every event (slower; for proving the fast path sound). */
  readonly alwaysSettle?: boolean;
  /** Settle through a marker and its tick, never by draining the microtasks in place (for proving the drain sound). */
  readonly settleByTick?: boolean;
}

export const OPERATOR: NodeId = 'operator';

/** `nexus.panic_restart`'s default (assumed: SMF restarting Nexus and Nexus starting). */
export const DEFAULT_PANIC_RESTART: Micros = 30_000_000;

/**
 * What the world hands its sled agents and its Nexus instances: its parts, and its lookups
 * as methods. Arrows made per world (`sled: (id) => this.sleds.get(id)`) were one function
 * object per world, and every call site TurboFan had inlined for the first world's
 * deoptimized on meeting the second's ("wrong call target"), in every process; a method
 * is one function object in every world.
 */
class WorldPorts implements NexusEnvironment {
  readonly operatorNode = OPERATOR;
  readonly timeout: Micros;
  private requestIds = 0;

  constructor(
    private readonly world: World,
    readonly kernel: Kernel,
    readonly network: Network,
    readonly emit: EmitEvent,
    readonly datastore: DatastoreModel,
    readonly streams: RandomStreams,
    readonly catalog: ArtifactCatalog,
    /** The sizes by catalog number (the catalog numbers the world's sizes in order). */
    private readonly sizesByNumber: readonly number[],
  ) {
    this.timeout = world.config.network.timeout;
  }

  sled(id: SledId): SledAgent | undefined {
    return this.world.sleds.get(id);
  }

  /** `World.sizeOf(hash)`, read by `hash`'s catalog number when given. */
  sizeOf(hash: ArtifactHash, number?: number): number {
    return (number === undefined ? undefined : this.sizesByNumber[number]) ?? this.world.sizeOf(hash);
  }

  /** World-wide request numbering, shared by every Nexus. */
  nextRequestId(): number {
    return ++this.requestIds;
  }

  panicked(nexus: NexusId): void {
    this.world.nexusPanic(nexus);
  }
}

/**
 * The deterministic world: a rack of sled agents, the datastore, the network and N Nexus
 * instances, each running its own copy of the engine. Its methods are the things that can
 * happen to a rack; each takes effect at the current simulated time, and the ones with a
 * duration schedule their own end.
 */
export class World {
  readonly kernel: Kernel;
  readonly streams: RandomStreams;
  readonly events: WorldEventLog;
  readonly network: Network;
  readonly datastore: DatastoreModel;
  readonly sleds = new Map<SledId, SledAgent>();
  /** Each sled's UUID (its database id), from its own stream: a new sled shifts no other's. */
  readonly sledUuids = new Map<SledId, string>();
  readonly nexus = new Map<NexusId, NexusInstance>();
  readonly repos = new Map<RepoName, RepoSpec>();
  private readonly sizes = new Map<ArtifactHash, number>();
  private readonly ports: WorldPorts;
  private faultIds = 0;

  /** `observers` see every event, from the first sled on (at most one `WorldEventObserver`, first). */
  constructor(
    readonly config: WorldConfig,
    observers: readonly (WorldEventListener | WorldEventObserver)[] = [],
  ) {
    this.streams = new RandomStreams(config.seed);
    this.kernel = new Kernel({
      tieBreak: config.tieBreak ? this.streams.stream('kernel/tie-break') : undefined,
      alwaysSettle: config.alwaysSettle,
      settleByTick: config.settleByTick,
    });
    // The artifacts first: the event log makes its tables with room for them.
    for (const repo of config.repos) {
      this.repos.set(repo.name, repo);
      for (const a of repo.artifacts) this.sizes.set(a.hash, a.size);
    }
    this.events = new WorldEventLog(this.kernel, {
      record: config.recordHistory === true,
      hash: config.hashHistory !== false,
      artifacts: this.sizes.size,
    });
    for (const observer of observers) {
      if (typeof observer === 'function') this.events.subscribe(observer);
      else this.events.watch(observer);
    }
    this.network = new Network(this.kernel, this.streams.stream('net'), config.network);
    const emit = this.events.emit;
    this.datastore = new DatastoreModel(
      this.kernel,
      this.streams.stream('datastore'),
      config.datastoreLatency,
      config.datastoreWriteLatency ?? config.datastoreLatency,
      emit,
      config.engine.generation,
    );
    // Every artifact of the scenario, numbered in repo order before the first sled exists;
    // `sizes` by catalog number (the catalog numbers its keys in order): a copy's size is an array read.
    const catalog = new ArtifactCatalog(this.sizes.keys());
    this.ports = new WorldPorts(this, this.kernel, this.network, emit, this.datastore, this.streams, catalog, [...this.sizes.values()]);
    for (let i = 0; i < config.sleds; i++) this.createSled();
    for (let i = 0; i < config.nexus.count; i++) {
      const id = `nexus-${i}`;
      this.nexus.set(id, new NexusInstance(id, this.ports, { ...config.nexus, engine: config.engine }));
    }
  }

  get now(): Micros {
    return this.kernel.now;
  }

  subscribe(listener: WorldEventListener): void {
    this.events.subscribe(listener);
  }

  sizeOf(hash: ArtifactHash): number {
    return this.sizes.get(hash) ?? 0;
  }

  /**
   * Boots every Nexus; call once, before running. Each one's task ticks first at a time
   * drawn from its own stream in [0, boot_spread): on a rack in service every Nexus started
   * at its own moment, and omicron's driver ticks at start and every period from then
   * (driver.rs:280-281@b848b6df), so each has its own phase. The Nexus serves uploads from
   * t = 0 (it booted before the scenario began).
   */
  start(): void {
    const spread = this.config.nexus.bootSpread ?? 0;
    for (const nexus of this.nexus.values()) {
      nexus.start(spread > 0 ? uniformInt(this.streams.stream(`nexus/${nexus.node}/boot`), 0, spread - 1) : 0);
    }
  }

  run(until: Micros): Promise<void> {
    return this.kernel.run(until);
  }

  // --- state at t=0 ---

  /** A repo already in the database and stored on `on` (every M.2), as if replicated long ago. */
  seedRepo(name: RepoName, on: readonly SledId[]): void {
    const repo = this.repo(name);
    // Copies first: the repo is never in the database without them.
    for (const sled of on) for (const a of repo.artifacts) this.sled(sled).store.seed(a.hash, a.size);
    this.datastore.insertRepo(name, repo.artifacts.map((a) => a.hash), null);
  }

  // --- what operators do ---

  upload(name: RepoName, via: NexusId): void {
    this.nexusInstance(via).upload(this.repo(name));
  }

  deleteRepo(name: RepoName): void {
    this.datastore.deleteRepo(name);
  }

  /** `current`: an operator sets the rack's target release (what the pruner always keeps). */
  setTargetRelease(name: RepoName): void {
    this.datastore.setTargetRelease(name);
  }

  activate(nexus: NexusId): void {
    this.nexusInstance(nexus).activate();
  }

  addSleds(count: number): SledId[] {
    return Array.from({ length: count }, () => this.createSled());
  }

  expungeSled(sled: SledId): void {
    const agent = this.sled(sled);
    agent.expunge();
    this.datastore.expungeSled(sled);
    this.events.emit({ t: NOW, type: 'sled_expunged', sled }, agent.number);
  }

  // --- faults ---

  crashSled(sled: SledId, down?: Micros): void {
    const agent = this.sled(sled);
    if (!agent.isUp || agent.isExpunged) return;
    agent.crash();
    this.interval('sled_crash', sled, down, () => agent.restart());
  }

  restartSled(sled: SledId): void {
    this.endFault('sled_crash', sled);
  }

  crashNexus(nexus: NexusId, down?: Micros): void {
    const instance = this.nexusInstance(nexus);
    if (!instance.isUp) return;
    instance.crash();
    this.interval('nexus_crash', nexus, down, () => instance.start());
  }

  restartNexus(nexus: NexusId): void {
    this.endFault('nexus_crash', nexus);
  }

  /**
   * The task's own code panicked and, built with `panic = "abort"`, took the Nexus process
   * with it (behaviour-by-commit.md §9): like a crash (local repos lost), then SMF restarts
   * it after `nexus.panic_restart` (assumed) and its task ticks at once. (Called by the
   * ports' `panicked`.)
   */
  nexusPanic(nexus: NexusId): void {
    const instance = this.nexusInstance(nexus);
    instance.crash();
    this.interval('nexus_panic', nexus, this.config.nexus.panicRestart ?? DEFAULT_PANIC_RESTART, () => instance.start());
  }

  failM2(sled: SledId, m2: number): void {
    this.sled(sled).failM2(m2);
    this.faultIds++;
    this.events.emit({ t: NOW, type: 'fault_started', fault: this.faultIds, kind: 'm2_failure', target: `${sled}/m2-${m2}` });
  }

  partition(a: readonly NodeId[], b: readonly NodeId[], oneway: boolean, duration?: Micros): void {
    const heal = this.network.partition(a, b, oneway);
    this.interval('partition', `${a.join('+')}${oneway ? '->' : '<->'}${b.join('+')}`, duration, heal);
  }

  slow(node: NodeId, extra: Micros, duration?: Micros): void {
    const end = this.network.slow(node, extra);
    this.interval('slow', node, duration, end);
  }

  datastoreOutage(duration?: Micros): void {
    this.interval('datastore_outage', 'datastore', duration, this.datastore.outage());
  }

  /** Ends every fault still running (the heal before the liveness phase). */
  healAll(): void {
    for (const key of [...this.openFaults.keys()]) {
      const [kind, target] = key.split('\u0000') as [FaultKind, string];
      this.endFault(kind, target);
    }
  }

  private readonly openFaults = new Map<string, { readonly id: number; readonly end: () => void }>();

  /** A fault that lasts `duration`, or until ended by hand when no duration is given. */
  private interval(kind: FaultKind, target: string, duration: Micros | undefined, end: () => void): void {
    const key = `${kind}\u0000${target}`;
    if (this.openFaults.has(key)) this.endFault(kind, target);
    const id = ++this.faultIds;
    this.openFaults.set(key, { id, end });
    this.events.emit({ t: NOW, type: 'fault_started', fault: id, kind, target });
    if (duration !== undefined) {
      this.kernel.after(duration, `end ${kind} ${target}`, () => {
        if (this.openFaults.get(key)?.id === id) this.endFault(kind, target);
      });
    }
  }

  private endFault(kind: FaultKind, target: string): void {
    const key = `${kind}\u0000${target}`;
    const open = this.openFaults.get(key);
    if (open === undefined) return;
    this.openFaults.delete(key);
    open.end();
    this.events.emit({ t: NOW, type: 'fault_ended', fault: open.id, kind, target });
  }

  private createSled(): SledId {
    const number = this.sleds.size;
    const id = `sled-${number}`;
    const agent = new SledAgent(
      id,
      this.ports,
      {
        m2Count: this.config.m2PerSled,
        quota: this.config.artifactQuota,
        commit: sledAgentCommit(this.config.engine.generation),
        reconcileDelay: this.config.reconcileDelay,
        catalog: this.ports.catalog,
        number,
      },
    );
    this.sleds.set(id, agent);
    const uuid = uuidFromRandomBytes(this.streams.bytes(`sled/${id}/uuid`, 16));
    this.sledUuids.set(id, uuid);
    this.datastore.addSled(id, uuid);
    this.events.emit({ t: NOW, type: 'sled_added', sled: id }, number);
    return id;
  }

  private sled(id: SledId): SledAgent {
    const agent = this.sleds.get(id);
    if (agent === undefined) throw new RangeError(`no sled ${id}`);
    return agent;
  }

  private nexusInstance(id: NexusId): NexusInstance {
    const instance = this.nexus.get(id);
    if (instance === undefined) throw new RangeError(`no Nexus ${id}`);
    return instance;
  }

  private repo(name: RepoName): RepoSpec {
    const repo = this.repos.get(name);
    if (repo === undefined) throw new RangeError(`no repo ${name}`);
    return repo;
  }
}
