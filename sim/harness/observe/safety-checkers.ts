import type { ArtifactHash, EngineParams, SledId } from '../../../core/index.ts';
import type { Micros } from '../../world/kernel/event-queue.ts';
import type { NexusId, RepoName, WorldEvent } from '../../world/world-events.ts';
import { PairMap } from './pair-map.ts';
import { RequestTable } from './request-table.ts';
import type { RunMetrics } from './run-metrics.ts';

export const SAFETY_INVARIANTS = [
  'artifact_integrity',
  'no_data_loss',
  'no_backwards_delete',
  'local_retention',
  'no_resurrection',
  'quota',
  'generation_monotonic',
  'request_limits',
] as const;
export type SafetyInvariant = (typeof SAFETY_INVARIANTS)[number];

export interface Violation {
  readonly t: Micros;
  readonly invariant: SafetyInvariant | 'converges';
  readonly nexus: NexusId | null;
  readonly sled: SledId | null;
  readonly repo: RepoName | null;
  readonly artifact: ArtifactHash | null;
  readonly detail: string;
}

interface ActivationTally {
  requests: number;
  puts: number;
  inFlight: number;
  flagged: boolean;
}

/**
 * The safety invariants of SPEC §4, checked as events happen, from ground truth (the
 * metrics' `GroundTruth`), never from a Nexus's view. Subscribe after the metrics, which
 * update the ground truth first. Observes only.
 */
export class SafetyCheckers {
  readonly violations: Violation[] = [];
  /** (sled, hash) removed while no repo wanted the hash. */
  private readonly removedUnwanted = new PairMap<true>();
  private readonly configGeneration = new Map<SledId, number>();
  /** nexus → its running activations' tallies, by activation number. */
  private readonly activations = new Map<NexusId, Map<number, ActivationTally>>();
  /** Request id → the tally of the activation that sent it. */
  private readonly requestActivation = new RequestTable<ActivationTally>();
  private lostSeen = 0;

  constructor(
    private readonly metrics: RunMetrics,
    private readonly params: EngineParams,
    private readonly quota: number,
  ) {}

  readonly observe = (e: WorldEvent): void => {
    const truth = this.metrics.truth;
    switch (e.type) {
      case 'artifact_removed': {
        if (e.cause === 'm2_failure') break;
        if (truth.isWanted(e.hash)) {
          this.flag(e.t, 'no_backwards_delete', { sled: e.sled, artifact: e.hash, detail: `${e.cause} removed a copy a repo in the database references` });
        } else {
          this.removedUnwanted.set(e.sled, e.hash, true);
        }
        break;
      }
      case 'artifact_truncated':
        if (truth.inService.has(e.sled)) {
          this.flag(e.t, 'artifact_integrity', {
            sled: e.sled,
            artifact: e.hash,
            detail: `M.2 ${e.m2} lists a file of ${e.bytes} of the artifact's ${e.size} bytes`,
          });
        }
        break;
      case 'artifact_stored': {
        if (!truth.isWanted(e.hash) && this.removedUnwanted.has(e.sled, e.hash)) {
          this.flag(e.t, 'no_resurrection', { sled: e.sled, artifact: e.hash, detail: `an unwanted artifact came back by ${e.via}` });
        }
        const bytes = truth.datasetUsage(e.sled, e.m2);
        if (bytes > this.quota) this.flag(e.t, 'quota', { sled: e.sled, artifact: e.hash, detail: `M.2 ${e.m2} holds ${bytes} bytes, quota ${this.quota}` });
        break;
      }
      case 'repo_inserted':
        for (const hash of e.artifacts) for (const sled of truth.inService) this.removedUnwanted.delete(sled, hash);
        break;
      case 'local_repo_released': {
        if (e.by !== 'task') break;
        // A repo deleted from the database protects nothing (no_data_loss is scoped the
        // same way): review releases one as soon as its DELETEd artifacts appear nowhere.
        if (this.metrics.repos.get(e.repo)?.deletedAt != null) break;
        const artifacts = this.metrics.artifactsOf(e.repo) ?? [];
        const short = artifacts.filter((h) => truth.holderCount(h) < this.params.minSledReplication);
        if (short.length > 0) {
          this.flag(e.t, 'local_retention', {
            nexus: e.nexus,
            repo: e.repo,
            artifact: short[0] as ArtifactHash,
            detail: `released while ${short.length} artifacts are on fewer than ${this.params.minSledReplication} in-service sleds`,
          });
        }
        break;
      }
      case 'config_stored': {
        const before = this.configGeneration.get(e.sled);
        if (before !== undefined && e.generation < before) {
          this.flag(e.t, 'generation_monotonic', { sled: e.sled, detail: `configuration generation went from ${before} to ${e.generation}` });
        }
        this.configGeneration.set(e.sled, e.generation);
        break;
      }
      case 'request_sent': {
        if (e.kind === 'list' || e.kind === 'config') break;
        let running = this.activations.get(e.nexus);
        if (running === undefined) {
          running = new Map();
          this.activations.set(e.nexus, running);
        }
        let tally = running.get(e.activation);
        if (tally === undefined) {
          tally = { requests: 0, puts: 0, inFlight: 0, flagged: false };
          running.set(e.activation, tally);
        }
        this.requestActivation.set(e.id, tally);
        tally.requests++;
        if (e.kind === 'put') tally.puts++;
        tally.inFlight++;
        this.checkLimits(e.t, e.nexus, tally);
        break;
      }
      case 'request_done': {
        const tally = this.requestActivation.take(e.id);
        if (tally === undefined) break;
        tally.inFlight--;
        break;
      }
      case 'activation_finished':
        this.activations.get(e.nexus)?.delete(e.activation);
        break;
      case 'nexus_started':
        // A restarted Nexus numbers its activations from 1 again; the crashed ones never finish.
        this.activations.delete(e.nexus);
        break;
      default:
        break;
    }
    if (this.metrics.lostArtifacts.size > this.lostSeen) this.reportLosses(e.t);
  };

  private checkLimits(t: Micros, nexus: NexusId, tally: ActivationTally): void {
    if (tally.flagged) return;
    const p = this.params;
    let detail: string | undefined;
    if (p.generation === 'review') {
      if (tally.requests > p.maxRequests) detail = `${tally.requests} requests in one activation, max_requests ${p.maxRequests}`;
      else if (tally.puts > p.maxPutRequests) detail = `${tally.puts} PUTs in one activation, max_put_requests ${p.maxPutRequests}`;
    } else if (tally.inFlight > p.maxRequestConcurrency) {
      detail = `${tally.inFlight} requests in flight, max_request_concurrency ${p.maxRequestConcurrency}`;
    }
    if (detail !== undefined) {
      tally.flagged = true;
      this.flag(t, 'request_limits', { nexus, detail });
    }
  }

  private reportLosses(t: Micros): void {
    const lost = [...this.metrics.lostArtifacts];
    for (const hash of lost.slice(this.lostSeen)) {
      this.flag(t, 'no_data_loss', { artifact: hash, detail: 'no copy on an in-service sled and none in a live Nexus' });
    }
    this.lostSeen = lost.length;
  }

  private flag(t: Micros, invariant: SafetyInvariant, where: Partial<Omit<Violation, 't' | 'invariant'>> & { detail: string }): void {
    this.violations.push({
      t,
      invariant,
      nexus: where.nexus ?? null,
      sled: where.sled ?? null,
      repo: where.repo ?? null,
      artifact: where.artifact ?? null,
      detail: where.detail,
    });
  }
}
