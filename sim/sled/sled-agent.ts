import {
  CONFIG_GENERATION,
  SledAgentError,
  type ArtifactConfig,
  type ArtifactHash,
  type ArtifactListing,
  type SledId,
} from '../../core/index.ts';
import type { Micros } from '../kernel/event-queue.ts';
import { WaitScope, type Kernel } from '../kernel/kernel.ts';
import type { Network } from '../network.ts';
import { answerError, call, deadEndpoint, type Endpoint } from '../rpc.ts';
import type { WorldEventBody } from '../world-events.ts';
import { ArtifactStore, StoreError } from './artifact-store.ts';
import { ArtifactCounts } from './artifact-counts.ts';

export interface SledEnvironment {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly emit: (event: WorldEventBody) => void;
  /** The sled agent that answers at `sled`'s address, for depot requests between sleds. */
  readonly sled: (sled: SledId) => SledAgent | undefined;
  /** An artifact's size, from the catalog of every repo the world knows. */
  readonly sizeOf: (hash: ArtifactHash) => number;
}

export interface SledOptions {
  readonly m2Count: number;
  /** Per M.2 dataset. */
  readonly quota: number;
  /** Whether this sled agent has artifact configurations (the `generation` era). */
  readonly configurations: boolean;
  /** Time the delete reconciler takes per removed artifact. */
  readonly reconcileDelay: Micros;
}

function refusal(err: unknown): SledAgentError {
  if (err instanceof SledAgentError) return err;
  if (err instanceof StoreError) return answerError(err.message, err.status);
  return answerError(err instanceof Error ? err.message : String(err), 500);
}

/**
 * A sled agent's artifact API (ENGINE.md §2). Handlers run on the sled when a request
 * arrives; they reject with a `SledAgentError` carrying the HTTP status the real agent
 * answers with. The sled is an `Endpoint`: its scope ends when it crashes.
 */
export class SledAgent implements Endpoint {
  readonly store: ArtifactStore;
  private incarnation: WaitScope;
  private config: { readonly generation: number; readonly artifacts: ReadonlySet<ArtifactHash> } | null = null;
  private listed: { counts: ReadonlyMap<ArtifactHash, number>; config: SledAgent['config']; listing: ArtifactListing } | undefined;
  private reconciling = false;
  private reconcileAgain = false;
  private expunged = false;
  private up = true;

  constructor(
    readonly node: SledId,
    private readonly env: SledEnvironment,
    private readonly options: SledOptions,
  ) {
    this.store = new ArtifactStore(node, options.m2Count, options.quota, env.emit);
    this.incarnation = new WaitScope(env.kernel, node);
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
    let counts: ReadonlyMap<ArtifactHash, number>;
    try {
      counts = this.store.list();
    } catch (err) {
      throw refusal(err);
    }
    if (!this.options.configurations) return { generation: null, artifacts: counts };
    const config = this.config;
    // Both inputs are immutable snapshots: while neither changes, neither does the answer.
    if (this.listed?.counts !== counts || this.listed.config !== config) {
      const hashes: ArtifactHash[] = [];
      const copies: number[] = [];
      if (config !== null) {
        counts.forEach((n, hash) => {
          if (!config.artifacts.has(hash)) return;
          hashes.push(hash);
          copies.push(n);
        });
      }
      const listing = { generation: config?.generation ?? null, artifacts: new ArtifactCounts(hashes, copies) };
      this.listed = { counts, config, listing };
    }
    return this.listed.listing;
  }

  putConfig(config: ArtifactConfig): void {
    if (!this.options.configurations) throw answerError('artifact configurations are not supported', 404);
    const current = this.config;
    if (current !== null && current.generation > config.generation) {
      throw answerError(
        `configuration generation ${config.generation} is older than the sled's ${current.generation}`,
        409,
        CONFIG_GENERATION,
      );
    }
    if (current !== null && current.generation === config.generation) {
      const same = current.artifacts.size === config.artifacts.length && config.artifacts.every((h) => current.artifacts.has(h));
      if (same) return;
      throw answerError(`generation ${config.generation} already holds a different configuration`, 409, CONFIG_GENERATION);
    }
    this.config = { generation: config.generation, artifacts: new Set(config.artifacts) };
    this.env.emit({ type: 'config_stored', sled: this.node, generation: config.generation, artifacts: config.artifacts.length });
    this.reconcile();
  }

  /** PUT: the body streams from the Nexus; answers when the write is done. */
  async put(hash: ArtifactHash, size: number, generation: number | undefined, body: () => Promise<void>): Promise<void> {
    this.checkGeneration(hash, generation);
    const begun = this.store.beginWrite(hash, size);
    if (!begun.ok) throw answerError(begun.reason, begun.status);
    try {
      await body();
    } catch (err) {
      begun.write.abort();
      throw refusal(err);
    }
    if (begun.write.commit('put') === 0) throw answerError(`writing ${hash} failed on every dataset`, 500);
  }

  /**
   * copy-from-depot: after the conflict check, ask the source; if it has the artifact,
   * answer at once and copy the body in the background, where failures are only logged.
   */
  async copyFromDepot(hash: ArtifactHash, source: SledId, generation: number | undefined, timeout: Micros): Promise<void> {
    this.checkGeneration(hash, generation);
    const sourceAgent = this.env.sled(source);
    const begun = this.store.beginWrite(hash, this.env.sizeOf(hash));
    if (!begun.ok) throw answerError(begun.reason, begun.status);
    const write = begun.write;
    const scope = this.incarnation;
    let found: number | undefined;
    try {
      found = await call(this.env.kernel, this.env.network, this, sourceAgent ?? deadEndpoint(source), `depot ${source} get`, timeout, () =>
        sourceAgent?.store.sizeOf(hash),
      );
    } catch (err) {
      write.abort();
      throw answerError(`failed to reach depot on ${source}: ${refusal(err).message}`, 502);
    }
    if (found === undefined) {
      write.abort();
      throw answerError(`depot on ${source} does not have ${hash}`, 404);
    }
    this.env.kernel.spawn(`${this.node} copy ${hash}`, async () => {
      try {
        await this.env.network.transfer(source, this.node, found, scope, `copy ${hash}`);
      } catch (err) {
        write.abort();
        this.env.emit({ type: 'write_failed', sled: this.node, hash, reason: refusal(err).message });
        return;
      }
      if (write.commit('copy') === 0) {
        this.env.emit({ type: 'write_failed', sled: this.node, hash, reason: 'failed on every dataset' });
      }
    });
  }

  delete(hash: ArtifactHash): void {
    this.store.delete(hash, 'delete');
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

  restart(): void {
    if (this.up || this.expunged) return;
    this.up = true;
    this.incarnation = new WaitScope(this.env.kernel, this.node);
    this.env.network.setUp(this.node);
    if (this.config !== null) this.reconcile();
  }

  /** Out of service for good: the rack powers it off. */
  expunge(): void {
    this.crash();
    this.expunged = true;
  }

  failM2(m2: number): void {
    this.store.failM2(m2);
  }

  private checkGeneration(hash: ArtifactHash, generation: number | undefined): void {
    if (generation === undefined || !this.options.configurations) return;
    const config = this.config;
    if (config === null || config.generation !== generation) {
      throw answerError(`request generation ${generation} does not match the sled's ${config?.generation ?? 'none'}`, 409);
    }
    if (!config.artifacts.has(hash)) throw answerError(`${hash} is not in configuration ${generation}`, 404);
  }

  /**
   * The delete reconciler: removes every stored artifact not in the configuration, one
   * at a time, re-reading the configuration before each removal.
   */
  private reconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    const scope = this.incarnation;
    this.env.kernel.spawn(`${this.node} reconciler`, async () => {
      do {
        this.reconcileAgain = false;
        for (const hash of this.store.storedHashes()) {
          if (this.config?.artifacts.has(hash) !== false) continue;
          await this.env.kernel.sleep(this.options.reconcileDelay, `${this.node} reconciler`, scope);
          const config = this.config;
          if (config === null || config.artifacts.has(hash)) continue;
          this.store.delete(hash, 'reconciler');
        }
      } while (this.reconcileAgain);
      this.reconciling = false;
    });
  }
}

