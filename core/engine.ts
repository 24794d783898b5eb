import { executePlan, type RequestEnds } from './executor.ts';
import { ArtifactIds, InventoryTable, TableMemory } from './inventory-table.ts';
import type { EngineParams } from './params.ts';
import { GeneratedRequests, planInventory } from './planner/index.ts';
import {
  isConfigGenerationConflict,
  type Clock,
  type Datastore,
  type Log,
  type LogFields,
  type Rng,
  type SledAgentClients,
} from './ports.ts';
import { ActivationLedger, RequestRing } from './request-log.ts';
import { FAILED, SledCollection } from './sled-collection.ts';
import { addCounters, cloneCounters, REQUEST_RING_BUFFER_LEN, StatusWithLazyLog, zeroCounters, type ActivationStatus } from './status.ts';
import { randSamplers, randVersionOf, type RandSamplers } from './rng/index.ts';
import type { UploadChannel } from './upload-channel.ts';
import { requestHash, usesConfigGenerations, type ArtifactConfig, type ArtifactHash, type ArtifactListing, type LocalRepo, type Request, type SledId } from './types.ts';
import { objectArray } from './shapes.ts';

export interface EnginePorts {
  readonly datastore: Datastore;
  readonly sledAgents: SledAgentClients;
  readonly clock: Clock;
  readonly rng: Rng;
  /**
   * Where the task's log lines go. Without one the engine builds no line at all: the
   * simulated world keeps no log, and a line's fields were an object per request and listing.
   */
  readonly log?: Log | undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One Nexus's TUF artifact replication task. Each `activate()` drains the upload channel,
 * collects what the datastore and the sleds hold, plans, and sends the requests.
 * Activations must not overlap; the caller (Nexus's task driver) serialises them.
 */
export class ReplicationEngine {
  private local: LocalRepo[] = objectArray();
  private readonly lifetime = zeroCounters();
  private readonly requestLog: RequestRing;
  private activations = 0;
  private running = false;
  /** Every artifact hash this engine has listed or wanted, as integers for its inventory tables. */
  private readonly artifactIds = new ArtifactIds();
  private readonly tableMemory = new TableMemory();
  private readonly draws: RandSamplers;
  /** Review's generated requests, in arrays kept from one activation to the next. */
  private readonly generated = new GeneratedRequests();

  constructor(
    private readonly ports: EnginePorts,
    readonly params: EngineParams,
    private readonly uploads: UploadChannel,
  ) {
    this.requestLog = new RequestRing(REQUEST_RING_BUFFER_LEN, params.generation !== 'review');
    this.draws = randSamplers(randVersionOf(params.generation));
  }

  /** Repos held in local storage, oldest first. */
  get localRepos(): readonly LocalRepo[] {
    return this.local;
  }

  /**
   * One activation. Rejects with a `TaskPanic` when omicron's code at this generation would
   * panic (and abort its Nexus) in it; the requests it sent have then all run.
   */
  async activate(): Promise<ActivationStatus> {
    if (this.running) throw new Error('activate() called while an activation is running');
    this.running = true;
    try {
      return await this.run();
    } finally {
      this.running = false;
    }
  }

  private async run(): Promise<ActivationStatus> {
    const { datastore, rng } = this.ports;
    const params = this.params;
    const ledger = new ActivationLedger(this.ports.clock, this.requestLog);
    const activation = ++this.activations;
    const finish = (error: string | null, generation: number | null, deferred: number, stopped: string | null = null): ActivationStatus => {
      this.logBatch(ledger);
      addCounters(this.lifetime, ledger.counters);
      if (error !== null) this.log('error', 'Activation stopped', { activation, error });
      return new StatusWithLazyLog(
        {
          activation,
          error,
          stopped,
          generation: usesConfigGenerations(params.generation) ? generation : null,
          lastRun: ledger.counters,
          lifetime: cloneCounters(this.lifetime),
          requestsDeferred: deferred,
          localRepos: this.local.length,
        },
        this.requestLog.snapshot(),
      );
    };

    if (params.bugs.has('forget_local_on_activation')) {
      for (const repo of this.local) this.releaseRepo(repo, 'forgotten');
      this.local = objectArray();
    }
    for (const repo of this.uploads.drain()) {
      this.local.push(repo);
      this.log('info', 'Received local repository', { repo: repo.id, artifacts: repo.artifacts.length });
    }

    let sleds: readonly SledId[];
    try {
      sleds = await datastore.listSleds();
    } catch (err) {
      return finish(`failed to list sleds: ${describe(err)}`, null, 0);
    }
    let config: ArtifactConfig;
    try {
      config = await datastore.readArtifactConfig();
    } catch (err) {
      if (!params.bugs.has('empty_wanted_on_error')) {
        return finish(`failed to list artifacts from database: ${describe(err)}`, null, 0);
      }
      config = { generation: 0, artifacts: [] };
    }

    // Every sled at once; the activation goes on once all have answered or failed.
    const collection = new SledCollection(sleds.length);
    for (let slot = 0; slot < sleds.length; slot++) {
      const sled = sleds[slot] as SledId;
      if (usesConfigGenerations(params.generation)) void this.configureAndList(ledger, sled, config, collection, slot);
      else void this.list(ledger, sled, collection, slot);
    }
    await collection.complete;
    const listings: (ReadonlyMap<ArtifactHash, number> | undefined)[] = [];
    let listed = 0;
    for (const result of collection.results) {
      if (result === FAILED) {
        listings.push(undefined);
        continue;
      }
      // A `Break` skips cleanup, planning and requests but is no error: the status is the
      // usual one (tuf_artifact_replication.rs:479-545@c31dc2f3, :487-554@b848b6df).
      if ('stop' in result) return finish(null, config.generation, 0, result.stop);
      listings.push((result as ArtifactListing).artifacts);
      listed++;
    }
    // merged logs the lists as a batch of their own before planning (tuf_artifact_replication.rs:664-666@74a6c136).
    if (params.generation === 'merged') this.logBatch(ledger);
    if (params.generation === 'review' && listed === 0) {
      return finish('no sleds responded to list requests', config.generation, 0);
    }

    const inventory = new InventoryTable(this.artifactIds, sleds, listings, config.artifacts, !usesConfigGenerations(params.generation), this.tableMemory);
    const plan = planInventory(inventory, this.local, rng, params, this.draws, this.generated);
    if (plan.release.length > 0) {
      const released = new Set(plan.release);
      for (const repo of plan.release) this.releaseRepo(repo, 'replicated');
      this.local = this.local.filter((repo) => !released.has(repo));
    }

    const unbounded = params.generation === 'review' || params.bugs.has('ignore_limits');
    const generation = usesConfigGenerations(params.generation) ? config.generation : undefined;
    await executePlan(plan, unbounded ? Infinity : params.maxRequestConcurrency, (request, ends) => {
      void this.send(ledger, request, generation, ends);
    });
    return finish(null, config.generation, plan.deferredCount);
  }

  /**
   * Keeps the records since the last batch in the ring buffer, in omicron's order (review,
   * which had no ring buffer, keeps answer order). May throw `TaskPanic`.
   */
  private logBatch(ledger: ActivationLedger): void {
    ledger.endBatch(this.params.generation !== 'review');
  }

  /**
   * Lists a sled into `slot` of `collection`; `generation` engine (`expectedGeneration`,
   * after a configuration): a listing of another generation stops the activation. Never
   * rejects (the collection waits for every slot).
   */
  private async list(ledger: ActivationLedger, sled: SledId, collection: SledCollection, slot: number, expectedGeneration?: number): Promise<void> {
    // After a configuration the slot settles a microtask after the listing ends: where the
    // promise of `configureAndList`, resolved with this one's, settled (see `SledCollection`).
    const late = expectedGeneration !== undefined;
    let listing: ArtifactListing;
    try {
      listing = await this.ports.sledAgents(sled).list();
    } catch (err) {
      ledger.recordList(sled, describe(err));
      this.log('error', 'Failed to get artifact list', { sled, error: describe(err) });
      return collection.settle(slot, FAILED, late);
    }
    if (expectedGeneration !== undefined && listing.generation !== expectedGeneration) {
      const error = `sled reported generation ${listing.generation}, expected ${expectedGeneration}`;
      ledger.recordList(sled, error);
      this.log('error', 'Failed to get artifact list: sled reported different generation number', { sled, error });
      return collection.settle(slot, { stop: `sled ${sled} ${error}` }, late);
    }
    ledger.recordList(sled, null);
    if (this.ports.log !== undefined) this.log('info', 'Successfully got artifact list', { sled });
    return collection.settle(slot, listing, late);
  }

  /**
   * `generation` engine: put the configuration, then list into `slot` of `collection`; a
   * newer generation anywhere stops. Never rejects.
   */
  private async configureAndList(ledger: ActivationLedger, sled: SledId, config: ArtifactConfig, collection: SledCollection, slot: number): Promise<void> {
    try {
      await this.ports.sledAgents(sled).putConfig(config);
      ledger.recordConfig(sled, config.generation, null);
    } catch (err) {
      ledger.recordConfig(sled, config.generation, describe(err));
      this.log('error', 'Failed to put artifact config', { sled, generation: config.generation, error: describe(err) });
      if (isConfigGenerationConflict(err)) {
        return collection.settle(slot, { stop: `sled ${sled} holds a newer configuration than generation ${config.generation}` });
      }
      return collection.settle(slot, FAILED);
    }
    void this.list(ledger, sled, collection, slot, config.generation);
  }

  /** Sends `request`, records and logs how it went, and then tells `ends`. Never rejects. */
  private async send(ledger: ActivationLedger, request: Request, generation: number | undefined, ends: RequestEnds): Promise<void> {
    const client = this.ports.sledAgents(request.target);
    let error: string | null = null;
    try {
      if (request.kind === 'put') await client.put(request.artifact, generation);
      else if (request.kind === 'copy') await client.copyFromDepot(request.hash, request.source, generation);
      else await client.delete(request.hash);
    } catch (err) {
      error = describe(err);
    }
    ledger.recordRequest(request, error);
    if (this.ports.log !== undefined) this.logRequest(request, error);
    ends.ended(request);
  }

  private logRequest(request: Request, error: string | null): void {
    const hash = requestHash(request);
    // The source in the literal, not added after: a property added later costs an object its own property store.
    const fields: Record<string, string> =
      request.kind === 'copy' ? { sled: request.target, sha256: hash, source: request.source } : { sled: request.target, sha256: hash };
    if (error !== null) fields.error = error;
    this.log(error === null ? 'info' : 'warn', REQUEST_MESSAGES[request.kind][error === null ? 0 : 1], fields);
  }

  private releaseRepo(repo: LocalRepo, reason: string): void {
    repo.release();
    this.log('info', 'Cleaning up local repository', { repo: repo.id, reason });
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields): void {
    this.ports.log?.log(level, msg, fields);
  }
}

/** omicron's log messages, [success, failure]. */
const REQUEST_MESSAGES: Record<Request['kind'], readonly [string, string]> = {
  put: ['Successfully put artifact', 'Failed to put artifact'],
  copy: ['Successfully requested artifact copy from depot', 'Failed to request artifact copy from depot'],
  delete: ['Successfully deleted artifact', 'Failed to delete artifact'],
};
