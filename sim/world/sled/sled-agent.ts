import {
  CONFIG_GENERATION,
  SledAgentError,
  type ArtifactConfig,
  type ArtifactHash,
  type ArtifactListing,
  type EngineGeneration,
  type SledId,
} from '../../../core/index.ts';
import { MICROS_PER_SECOND, type Micros } from '../kernel/event-queue.ts';
import { WaitScope, asSettler, type Kernel, type Resumable, type Settle, type Settler } from '../kernel/kernel.ts';
import type { Network } from '../network.ts';
import { answerError, callThen, deadEndpoint, type Endpoint } from '../rpc.ts';
import { NOW, UNNUMBERED, type EmitEvent } from '../world-events.ts';
import { ArtifactStore, StoreError, type ArtifactWriter, type BodyStream, type WriteResult } from './artifact-store.ts';
import type { ArtifactCounts } from './artifact-counts.ts';
import type { ArtifactCatalog } from '../artifact-catalog.ts';

/**
 * The omicron commit whose sled agent runs (each generation is the task and the sled agent
 * of its commit; `review` has no source and runs the merged one).
 */
export type SledAgentCommit = '74a6c136' | 'c31dc2f3' | 'b848b6df';

export function sledAgentCommit(generation: EngineGeneration): SledAgentCommit {
  if (generation === 'current') return 'b848b6df';
  return generation === 'generation' ? 'c31dc2f3' : '74a6c136';
}

/** Update dataset quota per M.2: 20 GiB until e45980f5c8, 40 GiB at HEAD (`sled-storage/src/dataset.rs:53@b848b6df`). */
export function defaultArtifactQuota(generation: EngineGeneration): number {
  return (sledAgentCommit(generation) === 'b848b6df' ? 40 : 20) * 2 ** 30;
}

/**
 * The sled's repo-depot client: connect 15 s, and at 74a6c136 and c31dc2f3 a 15 s per-read
 * timeout, so the source's answer must come within 15 s (`as:75-79@74a6c136`,
 * `as:152-156@c31dc2f3`). HEAD keeps only the connect timeout (`as:160-163@b848b6df`): an
 * unreachable source fails after 15 s, a reachable one is waited for as long as it lives.
 */
const DEPOT_TIMEOUT: Micros = 15 * MICROS_PER_SECOND;

export interface SledEnvironment {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly emit: EmitEvent;
  /** The sled agent that answers at `sled`'s address, for depot requests between sleds. */
  readonly sled: (sled: SledId) => SledAgent | undefined;
  /** An artifact's size, from the catalog of every repo the world knows; `number`: its catalog number, if known. */
  readonly sizeOf: (hash: ArtifactHash, number?: number) => number;
}

export interface SledOptions {
  readonly m2Count: number;
  /** Per M.2 dataset. */
  readonly quota: number;
  /** Which commit's sled agent: configurations from c31dc2f3, the private write path at HEAD. */
  readonly commit: SledAgentCommit;
  /** Time the delete reconciler takes per removed artifact. */
  readonly reconcileDelay: Micros;
  /** The world's numbering of artifacts, shared by every sled: listings count in it. */
  readonly catalog: ArtifactCatalog;
  /** The sled's index in the world, which its events carry (see `UNNUMBERED`). */
  readonly number?: number;
}

/** What a depot GET answers: the source's file as it is now (`ArtifactStore.serve`). */
type Served = ReturnType<ArtifactStore['serve']>;

/**
 * One copy-from-depot once its writer is open (`SledAgent.copyFromDepot`): the GET to the
 * source's depot, then the body streaming into the writer. One object is the GET's
 * handler, the body, the listener of the GET's answer and of the write's end, and the
 * holder of what the steps share: as a family of closures (and then a listener object a
 * copy), each copy cost half a dozen functions and contexts, which a copy in flight kept
 * alive long enough to be promoted. Its steps run when and in the order the closures ran.
 */
class DepotCopy implements BodyStream, Settler<Served | WriteResult>, Resumable {
  content: ArtifactHash = '';
  length = 0;
  /** The body streams into the writer: what settles now is the write's end, no longer the GET. */
  private streaming = false;
  // The GET's answer, handled one tick after it came (`resume`).
  private ok = false;
  private found: Served = undefined;
  private error: unknown = undefined;

  constructor(
    private readonly agent: SledAgent,
    private readonly env: SledEnvironment,
    /** The incarnation the copy started in: its transfers end with it. */
    private readonly scope: WaitScope,
    private readonly hash: ArtifactHash,
    private readonly number: number,
    private readonly source: SledId,
    private readonly sourceAgent: SledAgent | undefined,
    private readonly writer: ArtifactWriter,
    private readonly done: Settler<void>,
    /**
     * The body's transfer name, `copy <hash>`: one text per artifact from the catalog, where
     * a template string for each chunk read cost some 32 M instructions over 1 + 2 merged seeds.
     */
    private readonly bodyLabel: string,
  ) {}

  start(timeout: Micros): void {
    const { kernel, network } = this.env;
    const depot = this.sourceAgent ?? deadEndpoint(this.source);
    callThen(kernel, network, this.agent, depot, this, timeout, this, this);
  }

  /**
   * The GET's name (its wait's, its messages' and its timeout's), spelt only when a report
   * or a timeout asks: spelt for each copy, it cost two string additions a copy (some 29k
   * copies a merged seed) for a text that is rarely read.
   */
  get label(): string {
    return `depot ${this.source} get`;
  }

  /** The source's depot serves the GET (the rpc `Handler`). */
  now(): Served {
    return this.sourceAgent?.store.serve(this.hash, this.number);
  }

  /**
   * @internal The GET's answer: handled one tick later, where the `await` resumed. Then
   * the background write's end, where a failure is only logged (the 202 went out already).
   */
  settle(ok: boolean, value: Served | WriteResult, error: unknown): void {
    if (this.streaming) {
      if (!ok) this.env.kernel.tick(() => this.env.emit({ t: NOW, type: 'write_failed', sled: this.agent.node, hash: this.hash, reason: refusal(error).message }));
      return;
    }
    this.ok = ok;
    this.found = value as Served;
    this.error = error;
    this.env.kernel.tick(this);
  }

  /** @internal */ resume(): void {
    const found = this.found;
    if (!this.ok || found === undefined) {
      this.writer.fail();
      const why = this.ok ? 'not found' : refusal(this.error).message;
      return this.done.settle(false, undefined, answerError(`Error fetching artifact ${this.hash} from depot at ${this.source}: ${why}`, 500));
    }
    this.content = found.content;
    this.length = found.bytes;
    this.streaming = true;
    this.writer.write(this, 'copy', this.env.kernel, this);
    this.done.settle(true, undefined, undefined);
  }

  /** The body's next bytes, from the source over the network. */
  read(bytes: number, then: Settler<void>): void {
    this.env.network.transfer(this.source, this.agent.node, bytes, this.scope, this.bodyLabel, then);
  }
}

/**
 * A PUT's answer to its request, one tick after the write's end (where the handler's
 * `await` of the write resumed): an object where two closures a PUT were.
 */
class PutAnswer implements Settler<WriteResult>, Resumable {
  private ok = false;
  private result: WriteResult | undefined = undefined;
  private error: unknown = undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly done: Settler<WriteResult>,
  ) {}

  settle(ok: boolean, result: WriteResult | undefined, error: unknown): void {
    this.ok = ok;
    this.result = result;
    this.error = error;
    this.kernel.tick(this);
  }

  resume(): void {
    if (this.ok) this.done.settle(true, this.result, undefined);
    else this.done.settle(false, undefined, refusal(this.error));
  }
}

function refusal(err: unknown): SledAgentError {
  if (err instanceof SledAgentError) return err;
  if (err instanceof StoreError) return answerError(err.message, err.status);
  return answerError(err instanceof Error ? err.message : String(err), 500);
}

/**
 * One pass of a sled's delete reconciler (`SledAgent.reconcileFrom`): where its walk
 * stands while it sleeps, and its continuation. One object a pass, where each file it
 * removed cost a label and two closures (the sleep's and the tick's after it). Its
 * continuation is a function, not a `Resumable`: a fifth class reaching the kernel's
 * `runJob` made its `resume()` call megamorphic (BENCHMARKS.md, "recompiles in the world").
 */
class ReconcilerPass {
  m2 = 0;
  next = 0;
  /** The file the pass sleeps for. */
  number = 0;
  readonly label: string;
  /** The walk goes on, one tick after the sleep's end (`slept`). */
  private readonly woke = (): void => this.agent.reconcilerWoke(this);
  /** The sleep's end. */
  readonly slept = (): void => this.kernel.tick(this.woke);

  constructor(
    private readonly agent: SledAgent,
    private readonly kernel: Kernel,
    /** The incarnation the pass runs in: a crash ends it in its sleep. */
    readonly scope: WaitScope,
    public files: readonly number[],
  ) {
    this.label = `${agent.node} reconciler`;
  }
}

/**
 * A sled agent's artifact API (ENGINE.md §2). Handlers run on the sled when a request
 * arrives; they reject with a `SledAgentError` carrying the HTTP status the real agent
 * answers with. The sled is an `Endpoint`: its scope ends when it crashes.
 */
export class SledAgent implements Endpoint {
  readonly store: ArtifactStore;
  private incarnation: WaitScope;
  private config: {
    readonly generation: number;
    /** How many distinct artifacts it holds (the configuration check compares it). */
    readonly distinct: number;
    /** Catalog number → 1 when the configuration holds it: what `list`, the reconciler and `writer()`'s checks read. */
    readonly numbers: Uint8Array;
  } | null = null;
  /**
   * The last listing and what it was made of, reused while neither input changes (three
   * fields, not an object holding them: one object fewer a listing, one load fewer each).
   */
  private listing: ArtifactListing | undefined = undefined;
  private listedCounts: ArtifactCounts | undefined = undefined;
  private listedConfig: SledAgent['config'] = null;
  private reconciling = false;
  private reconcileAgain = false;
  private expunged = false;
  private up = true;

  /** The sled's index in the world (`UNNUMBERED` outside one). */
  readonly number: number;

  constructor(
    readonly node: SledId,
    private readonly env: SledEnvironment,
    private readonly options: SledOptions,
  ) {
    this.number = options.number ?? UNNUMBERED;
    this.store = new ArtifactStore(
      node,
      options.m2Count,
      options.quota,
      env.emit,
      options.commit === 'b848b6df' ? 'private_dir' : 'shared_name',
      options.catalog,
      this.number,
    );
    this.incarnation = new WaitScope(env.kernel, node);
  }

  /** Artifact configurations and the delete reconciler: c31dc2f3 (omicron#7519) and later. */
  private get configurations(): boolean {
    return this.options.commit !== '74a6c136';
  }

  get isUp(): boolean {
    return this.up;
  }

  get isExpunged(): boolean {
    return this.expunged;
  }

  get configGeneration(): number | null {
    return this.config?.generation ?? null;
  }

  scope(): WaitScope | undefined {
    return this.up ? this.incarnation : undefined;
  }

  // --- the API the Nexus calls ---

  list(): ArtifactListing {
    // The store throws a StoreError; the port contract (core/ports.ts) and this class
    // promise a SledAgentError carrying the status (503), as every other handler gives.
    const config = this.config;
    let counts: ArtifactCounts;
    try {
      // From c31dc2f3 only what the configuration holds (none without one).
      counts = this.configurations ? this.store.listOf(config === null ? null : config.numbers) : this.store.list();
    } catch (err) {
      throw refusal(err);
    }
    // Both inputs are immutable snapshots: while neither changes, neither does the answer
    // (the engine only reads it), so a sled listed by every activation of every Nexus
    // answers with one object until its files or its configuration change.
    if (this.listing !== undefined && this.listedCounts === counts && this.listedConfig === config) return this.listing;
    const listing = { generation: config?.generation ?? null, artifacts: counts };
    this.listing = listing;
    this.listedCounts = counts;
    this.listedConfig = config;
    return listing;
  }

  putConfig(config: ArtifactConfig): void {
    if (!this.configurations) throw answerError('artifact configurations are not supported', 404);
    const current = this.config;
    if (current !== null && current.generation > config.generation) {
      throw answerError(
        `configuration generation ${config.generation} is older than the sled's ${current.generation}`,
        409,
        CONFIG_GENERATION,
      );
    }
    const numbers = this.options.catalog.membersOf(config.artifacts);
    if (current !== null && current.generation === config.generation) {
      // Every artifact sent is held, compared by catalog number: no hashing per artifact, per sled, per activation.
      const same = current.distinct === config.artifacts.length && this.options.catalog.everyMemberIn(numbers, current.numbers);
      if (same) return;
      throw answerError(`generation ${config.generation} already holds a different configuration`, 409, CONFIG_GENERATION);
    }
    this.config = { generation: config.generation, distinct: new Set(config.artifacts).size, numbers };
    this.env.emit({ t: NOW, type: 'config_stored', sled: this.node, generation: config.generation, artifacts: config.artifacts.length }, this.number);
    this.reconcile();
  }

  /**
   * PUT: the configuration checks, `writer()`, then the body streams in; answers when the
   * write is done (`as:339-348@74a6c136`). A body that breaks off (the Nexus gave up and
   * closed the connection, or crashed) drops the write: nothing is persisted. `done`
   * hears the answer when the async handler's promise would have settled: at once for a
   * refusal, one tick after the write's end otherwise.
   */
  put(hash: ArtifactHash, size: number, generation: number | undefined, body: BodyStream, then: Settle<WriteResult>, known = UNNUMBERED): void {
    const done = asSettler(then);
    const number = known === UNNUMBERED ? this.options.catalog.numberOf(hash) : known;
    const refused = this.generationRefusal(hash, number, generation);
    if (refused !== undefined) return done.settle(false, undefined, refused);
    const opened = this.store.openWriter(hash, size, number);
    if (!opened.ok) return done.settle(false, undefined, answerError(opened.reason, opened.status));
    const kernel = this.env.kernel;
    opened.writer.write(body, 'put', kernel, new PutAnswer(kernel, done));
  }

  /**
   * copy-from-depot: `writer()` first (conflicts and configuration errors are answered
   * before the source is contacted), then the source's depot; an error or a miss there is
   * 500 `DepotCopy`. On the source's answer: 202 at once, and the body copies in the
   * background, where failures are only logged (`as:351-394@74a6c136`). Each step runs
   * one tick after what it waited for, where the async handler's `await`s resumed.
   * `known`: `hash`'s catalog number, when the caller has it already.
   */
  copyFromDepot(hash: ArtifactHash, source: SledId, generation: number | undefined, then: Settle<void>, known = UNNUMBERED): void {
    const done = asSettler(then);
    // Numbered once for both stores (every sled shares the world's catalog) and the
    // configuration check, here unless the request came `known`.
    const number = known === UNNUMBERED ? this.options.catalog.numberOf(hash) : known;
    const refused = this.generationRefusal(hash, number, generation);
    if (refused !== undefined) return done.settle(false, undefined, refused);
    const sourceAgent = this.env.sled(source);
    const opened = this.store.openWriter(hash, this.env.sizeOf(hash, number), number);
    if (!opened.ok) return done.settle(false, undefined, answerError(opened.reason, opened.status));
    const timeout = this.options.commit !== 'b848b6df' || !this.env.network.reachable(this.node, source) ? DEPOT_TIMEOUT : Infinity;
    const bodyLabel = this.options.catalog.withHash('copy ', number);
    new DepotCopy(this, this.env, this.incarnation, hash, number, source, sourceAgent, opened.writer, done, bodyLabel).start(timeout);
  }

  /**
   * DELETE (74a6c136): every dataset; absent is fine; no dataset is 503 (`as:400-434@74a6c136`).
   * `number`: `hash`'s catalog number, when the caller has it already.
   */
  delete(hash: ArtifactHash, number = this.options.catalog.numberOf(hash)): void {
    if (this.store.workingDatasets === 0) throw answerError('No update datasets present', 503);
    this.store.delete(hash, 'delete', number);
  }

  // --- what happens to the sled ---

  /** Unreachable; temporary files and writes in progress are lost; disks and config persist. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.incarnation.close();
    this.store.loseWritesInProgress();
    this.reconciling = false;
    this.reconcileAgain = false;
    this.env.network.setDown(this.node);
  }

  /**
   * Start-up removes `tmp/` on every dataset. The ledgered configuration counts as already
   * seen by the delete reconciler's `watch::Receiver`, so no pass runs until the next
   * change (`as:96-148,516@c31dc2f3`).
   */
  restart(): void {
    if (this.up || this.expunged) return;
    this.up = true;
    this.incarnation = new WaitScope(this.env.kernel, this.node);
    this.store.removeTemporaryFiles();
    this.env.network.setUp(this.node);
  }

  /** Out of service for good: the rack powers it off. */
  expunge(): void {
    this.crash();
    this.expunged = true;
  }

  failM2(m2: number): void {
    this.store.failM2(m2);
  }

  /**
   * `writer()`'s configuration checks, before any temporary file and without side effect:
   * none 400 `NoConfig`, another generation 409 `GenerationPut`, not in it 400
   * `NotInConfig` (`as:328-343,884-903@c31dc2f3`). The refusal, or `undefined`. `number`:
   * `hash`'s catalog number, by which the configuration's membership is read.
   */
  private generationRefusal(hash: ArtifactHash, number: number, generation: number | undefined): SledAgentError | undefined {
    if (generation === undefined || !this.configurations) return undefined;
    const config = this.config;
    if (config === null) return answerError('No artifact configuration present', 400);
    if (config.generation !== generation) {
      return answerError(`Attempt to put artifact with generation ${generation}, but the current generation is ${config.generation}`, 409);
    }
    if (config.numbers[number] !== 1) return answerError(`Attempt to put artifact ${hash} not in config generation ${generation}`, 400);
    return undefined;
  }

  /** The latest configuration does not hold the catalog's artifact `number` (none: nothing is removed). */
  private unconfigured(number: number): boolean {
    const config = this.config;
    return config !== null && config.numbers[number] !== 1;
  }

  /**
   * The delete reconciler (`as:510-607@c31dc2f3`, `as:519-599@b848b6df`): runs after a
   * configuration change; walks each dataset's files and, re-reading the latest
   * configuration per entry, removes each one not in it. Writers are not stopped.
   */
  private reconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    this.reconcileAgain = false;
    this.reconcileFrom(new ReconcilerPass(this, this.env.kernel, this.incarnation, this.store.storedNumbersOn(0)));
  }

  /**
   * The reconciler's walk from where `pass` stands (its `next`-th file of dataset `m2`;
   * `files`: catalog numbers in directory order, listed when the walk reached it), on
   * callbacks: after each sleep it goes on one tick after the sleep's event, where the
   * `await` of the sleep resumed (`reconcilerWoke`), so it does what it did when it did.
   */
  private reconcileFrom(pass: ReconcilerPass): void {
    for (;;) {
      while (pass.next < pass.files.length) {
        const number = pass.files[pass.next++] as number;
        if (!this.unconfigured(number)) continue;
        pass.number = number;
        this.env.kernel.sleepThen(this.options.reconcileDelay, pass.label, pass.scope, pass.slept);
        return;
      }
      if (++pass.m2 < this.options.m2Count) {
        pass.files = this.store.storedNumbersOn(pass.m2);
        pass.next = 0;
        continue;
      }
      if (!this.reconcileAgain) break;
      this.reconcileAgain = false;
      pass.m2 = 0;
      pass.files = this.store.storedNumbersOn(0);
      pass.next = 0;
    }
    this.reconciling = false;
  }

  /** @internal The sleep for `pass.number` is over: removed if the configuration still leaves it out, then the walk goes on. */
  reconcilerWoke(pass: ReconcilerPass): void {
    const number = pass.number;
    if (this.unconfigured(number)) this.store.deleteOn(pass.m2, this.options.catalog.hashes[number] as ArtifactHash, 'reconciler', number);
    this.reconcileFrom(pass);
  }
}
