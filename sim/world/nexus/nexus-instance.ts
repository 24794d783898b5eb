import {
  ReplicationEngine,
  TaskPanic,
  UploadChannel,
  type ActivationStatus,
  type ArtifactHash,
  type Clock,
  type EngineParams,
  type LocalArtifact,
  type LocalRepo,
  type Log,
} from '../../../core/index.ts';
import type { DatastoreModel } from '../datastore.ts';
import type { Micros } from '../kernel/event-queue.ts';
import { WaitScope, type Kernel } from '../kernel/kernel.ts';
import type { RandomStreams } from '../kernel/random-streams.ts';
import { NOW, type NexusId, type RepoName } from '../world-events.ts';
import { sledAgentClients, type ClientEnvironment, type ClientOwner } from './sled-clients.ts';
import { RepoPruner } from './repo-pruner.ts';
import { TaskDriver } from './task-driver.ts';

export type UploadOrder = 'db_first' | 'channel_first';

export interface NexusOptions {
  readonly period: Micros;
  /** Unpacking and verifying an uploaded repo. */
  readonly unpack: Micros;
  readonly uploadOrder: UploadOrder;
  readonly engine: EngineParams;
  /** `current`: run HEAD's TUF repo pruner task beside the replication task. */
  readonly repoPruner?: boolean | undefined;
}

export interface NexusEnvironment extends ClientEnvironment {
  readonly datastore: DatastoreModel;
  readonly streams: RandomStreams;
  /** Where operators upload from: outside the rack, never down. */
  readonly operatorNode: string;
  readonly log?: ((nexus: NexusId, ...line: Parameters<Log['log']>) => void) | undefined;
  /** The task panicked: the Nexus process aborts; the world crashes it and restarts it later. */
  readonly panicked: (nexus: NexusId, message: string) => void;
}

export interface RepoUpload {
  readonly name: RepoName;
  readonly artifacts: readonly LocalArtifact[];
}

/**
 * A loop, not `reduce` (nor `map` for an upload's hashes below): the callback would be a
 * closure made per call, compiled again after each full collection (see `RandomStreams.bytes`).
 */
function repoBytes(artifacts: readonly LocalArtifact[]): number {
  let sum = 0;
  for (const artifact of artifacts) sum += artifact.size;
  return sum;
}

/**
 * The engine's clock: the kernel's time. A class, not a closure made per incarnation: the
 * engine reads the time once per request and listing.
 */
class KernelClock implements Clock {
  constructor(private readonly kernel: Kernel) {}

  now(): Micros {
    return this.kernel.now;
  }
}

/**
 * One Nexus instance: its replication task (a `ReplicationEngine` of its own), the task
 * driver that activates it periodically, on upload and on demand without ever
 * overlapping, its local storage of uploaded repos, and the upload handler.
 */
export class NexusInstance implements ClientOwner {
  private incarnationNumber = 0;
  private incarnation: WaitScope;
  private up = false;
  private engine: ReplicationEngine | undefined;
  private channel = new UploadChannel();
  private driver: TaskDriver | undefined;
  private pruner: RepoPruner | undefined;
  /** Repos in local storage (unpacked, not yet released), by id. */
  private readonly local = new Map<string, { readonly repo: RepoName; readonly bytes: number }>();
  private nextLocalId = 0;
  /** Uploads this incarnation has started and not finished, oldest first. */
  private readonly uploading = new Set<{ readonly repo: RepoName }>();
  activation = 0;
  /** The last finished activation's status. */
  lastStatus: ActivationStatus | undefined;

  constructor(
    readonly node: NexusId,
    private readonly env: NexusEnvironment,
    private readonly options: NexusOptions,
  ) {
    this.incarnation = new WaitScope(env.kernel, node);
    this.incarnation.close();
  }

  get isUp(): boolean {
    return this.up;
  }

  scope(): WaitScope | undefined {
    return this.up ? this.incarnation : undefined;
  }

  /** Bytes of repos in local storage. */
  get localBytes(): number {
    let sum = 0;
    for (const entry of this.local.values()) sum += entry.bytes;
    return sum;
  }

  get localRepoCount(): number {
    return this.local.size;
  }

  /**
   * Boots: a fresh task and empty local storage. The task's first tick is due at
   * `firstTick` (default: now, as when a Nexus process starts), then every period.
   */
  start(firstTick: Micros = this.env.kernel.now): void {
    if (this.up) return;
    const { kernel, network, streams } = this.env;
    this.up = true;
    this.incarnationNumber++;
    this.incarnation = new WaitScope(kernel, `${this.node}#${this.incarnationNumber}`);
    network.setUp(this.node);
    this.channel = new UploadChannel();
    this.activation = 0;
    const log = this.env.log;
    const node = this.node;
    this.engine = new ReplicationEngine(
      {
        datastore: this.env.datastore.client(this.incarnation),
        sledAgents: sledAgentClients(this.env, this),
        clock: new KernelClock(kernel),
        rng: streams.stdRng(`nexus/${this.node}/engine/${this.incarnationNumber}`),
        log: log === undefined ? undefined : { log: (level, msg, fields) => log(node, level, msg, fields) },
      },
      this.options.engine,
      this.channel,
    );
    this.env.emit({ t: NOW, type: 'nexus_started', nexus: this.node, incarnation: this.incarnationNumber });
    const engine = this.engine;
    const scope = this.incarnation;
    this.driver = new TaskDriver(
      kernel,
      streams.stream(`nexus/${this.node}/driver/${this.incarnationNumber}`),
      this.options.period,
      firstTick,
      this.node,
      // Spawned, so that a defect in an activation fails the run instead of going unheard.
      () =>
        new Promise<void>((done) => {
          kernel.spawn(`${this.node} activation`, async () => {
            await this.runActivation(engine, scope);
            done();
          });
        }),
    );
    if (this.options.engine.generation === 'current' && this.options.repoPruner === true) {
      // Registered at Nexus start like the replication task: the same phase.
      this.pruner = new RepoPruner(
        kernel,
        streams.stream(`nexus/${this.node}/pruner/${this.incarnationNumber}`),
        firstTick,
        this.node,
        this.env.datastore,
        scope,
        (msg, error) => log?.(node, 'warn', msg, { error }),
      );
    }
  }

  /** Loses its process: local storage, the running activation and uploads in progress. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.incarnation.close();
    this.driver?.stop();
    this.pruner?.stop();
    this.env.network.setDown(this.node);
    const lost = [...this.local.values()];
    this.local.clear();
    this.env.emit({
      t: NOW,
      type: 'local_repos_lost',
      nexus: this.node,
      repos: lost.map((e) => e.repo),
      bytes: lost.reduce((sum, e) => sum + e.bytes, 0),
    });
    // Their handlers never resume (the incarnation's waits are abandoned): without this,
    // an upload cut by a crash would end in no event at all.
    for (const upload of this.uploading) {
      this.env.emit({ t: NOW, type: 'repo_upload_failed', repo: upload.repo, nexus: this.node, reason: `${this.node} crashed` });
    }
    this.uploading.clear();
  }

  /** Asks for an activation: now if idle, else once more after the running one. */
  activate(): void {
    if (this.up) this.driver?.activate();
  }

  /** One activation; a panic aborts the whole Nexus after the activation's requests ran. */
  private async runActivation(engine: ReplicationEngine, scope: WaitScope): Promise<void> {
    const activation = ++this.activation;
    this.env.emit({ t: NOW, type: 'activation_started', nexus: this.node, activation });
    let status: ActivationStatus;
    try {
      status = await engine.activate();
    } catch (err) {
      if (!(err instanceof TaskPanic)) throw err;
      this.env.log?.(this.node, 'error', 'Nexus aborted: the replication task panicked', { activation, error: err.message });
      this.env.panicked(this.node, err.message);
      return;
    }
    if (scope.isClosed) return;
    this.lastStatus = status;
    this.env.emit({
      t: NOW,
      type: 'activation_finished',
      nexus: this.node,
      activation,
      error: status.error,
      deferred: status.requestsDeferred,
      localRepos: status.localRepos,
    });
  }

  /**
   * The upload handler: receive the body, unpack it, then insert it into the datastore
   * and hand it to the task in the order the generation had (ENGINE.md §3).
   */
  upload(repo: RepoUpload): void {
    const { kernel } = this.env;
    if (!this.up) {
      this.env.emit({ t: NOW, type: 'repo_upload_failed', repo: repo.name, nexus: this.node, reason: `${this.node} is down` });
      return;
    }
    const scope = this.incarnation;
    const bytes = repoBytes(repo.artifacts);
    this.env.emit({ t: NOW, type: 'repo_upload_started', repo: repo.name, nexus: this.node, bytes });
    const upload = { repo: repo.name };
    this.uploading.add(upload);
    kernel.spawn(`${this.node} upload ${repo.name}`, async () => {
      try {
        await this.receive(repo, bytes, scope);
      } finally {
        this.uploading.delete(upload);
      }
    });
  }

  /** The upload's body, unpacking, insert and hand-over; a failure ends in `repo_upload_failed`. */
  private async receive(repo: RepoUpload, bytes: number, scope: WaitScope): Promise<void> {
    const { kernel, network, datastore } = this.env;
    try {
      await network.transferred(this.env.operatorNode, this.node, bytes, scope, `upload ${repo.name}`);
    } catch (err) {
      this.env.emit({ t: NOW, type: 'repo_upload_failed', repo: repo.name, nexus: this.node, reason: (err as Error).message });
      return;
    }
    await kernel.sleep(this.options.unpack, `${this.node} unpack ${repo.name}`, scope);
    const local = this.store(repo, bytes);
    const artifacts: ArtifactHash[] = [];
    for (const artifact of repo.artifacts) artifacts.push(artifact.hash);
    const insert = (): Promise<boolean> =>
      datastore.write(scope, 'insert repo', () => datastore.insertRepo(repo.name, artifacts, this.node));
    try {
      const channel = this.channel;
      if (this.options.uploadOrder === 'channel_first') {
        await channel.send(local);
        await insert();
      } else if ((await insert()) || this.options.engine.generation === 'current') {
        // `current` hands a re-uploaded repo to the task too, so an operator can bring back
        // artifacts lost with a crashed Nexus (nexus/src/app/update.rs:497-522@b848b6df);
        // c31dc2f3 and earlier only a newly inserted one (nexus/src/app/update.rs:54-72@c31dc2f3).
        // Waits while 16 repos are queued (the task drains only when it activates).
        await channel.send(local);
      } else {
        this.env.emit({ t: NOW, type: 'repo_insert_skipped', repo: repo.name, nexus: this.node });
        local.discard();
        return;
      }
    } catch (err) {
      this.env.emit({ t: NOW, type: 'repo_upload_failed', repo: repo.name, nexus: this.node, reason: (err as Error).message });
      if (this.options.uploadOrder === 'db_first') local.discard();
      return;
    }
    this.activate();
  }

  /** Unpacked files in local storage, released by the task (or the upload handler). */
  private store(repo: RepoUpload, bytes: number): LocalRepo & { discard(): void } {
    const id = `${repo.name}@${this.node}#${this.incarnationNumber}.${this.nextLocalId++}`;
    const incarnation = this.incarnation;
    this.local.set(id, { repo: repo.name, bytes });
    this.env.emit({ t: NOW, type: 'local_repo_added', nexus: this.node, repo: repo.name, bytes });
    let released = false;
    const release = (by: 'task' | 'upload'): void => {
      if (released || incarnation.isClosed) return;
      released = true;
      this.local.delete(id);
      this.env.emit({ t: NOW, type: 'local_repo_released', nexus: this.node, repo: repo.name, bytes, by });
    };
    return { id, artifacts: repo.artifacts, release: () => release('task'), discard: () => release('upload') };
  }
}
