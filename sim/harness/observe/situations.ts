import { QUOTA_REACHED } from '../../world/sled/artifact-store.ts';
import type { WorldEvent } from '../../world/world-events.ts';
import { PairMap } from './pair-map.ts';
import { RequestTable } from './request-table.ts';
import type { RunMetrics } from './run-metrics.ts';

type RequestSent = Extract<WorldEvent, { type: 'request_sent' }>;

/** The situations a test suite should reach, with what each one is. */
export const SITUATIONS = {
  concurrent_writes: 'two Nexus instances writing the same artifact to the same sled at once',
  stale_delete: 'a DELETE sent for an artifact a repo in the database references',
  copy_after_put: "a copy whose source is one of the same activation's PUT targets",
  generation_conflict: 'a sled refusing an older configuration (409 CONFIG_GENERATION)',
  release_at_minimum: 'a local repo released when its least-replicated artifact is on exactly min_sled_replication sleds',
  restart_mid_write: 'a sled restarting with a write (PUT or copy) in progress',
  resurrected_artifact: 'a copy landing on a sled after a DELETE removed it there',
  quota_refusal: 'a write failing mid-stream because every dataset it wrote to reached its quota',
  nexus_crash_with_local_repos: 'a Nexus crashing while it holds local repos',
  lost_artifact: 'an artifact lost: no copy on any in-service sled or live Nexus',
  truncated_artifact: "a short file left under an artifact's hash, listed as a copy (omicron#7796)",
} as const;
export type Situation = keyof typeof SITUATIONS;

/**
 * The Nexus instances writing one artifact to one sled, with how many writes each has in
 * flight. Kept with zero counts when the last write ends, as the pair counters are: the
 * same pair is written again and again.
 */
class Writers {
  private readonly writes = new Map<string, number>();
  private writing = 0;

  /** Counts a write by `nexus`; returns whether another Nexus was writing already. */
  add(nexus: string): boolean {
    const before = this.writes.get(nexus) ?? 0;
    const others = this.writing - (before > 0 ? 1 : 0);
    if (before === 0) this.writing++;
    this.writes.set(nexus, before + 1);
    return others > 0;
  }

  remove(nexus: string): void {
    const before = this.writes.get(nexus) ?? 0;
    if (before === 0) return;
    if (before === 1) this.writing--;
    this.writes.set(nexus, before - 1);
  }
}

/** Counts how often each named situation happens in a run. Observes only. */
export class SituationCounter {
  readonly counts = new Map<Situation, number>((Object.keys(SITUATIONS) as Situation[]).map((s) => [s, 0]));
  /** (target, hash) → the Nexus instances with a PUT or copy of it in flight. */
  private readonly writing = new PairMap<Writers>();
  /** The open requests other than listings, as sent. */
  private readonly requests = new RequestTable<RequestSent>();
  /** nexus → (target, hash) of its PUTs → the activation that last sent one. */
  private readonly puts = new Map<string, PairMap<number>>();
  /** (sled, hash) removed by a DELETE. */
  private readonly deleted = new PairMap<true>();
  private lost = 0;

  constructor(
    private readonly metrics: RunMetrics,
    private readonly minSledReplication: number,
  ) {}

  private putsOf(nexus: string): PairMap<number> {
    let puts = this.puts.get(nexus);
    if (puts === undefined) {
      puts = new PairMap();
      this.puts.set(nexus, puts);
    }
    return puts;
  }

  private bump(situation: Situation): void {
    this.counts.set(situation, (this.counts.get(situation) ?? 0) + 1);
  }

  readonly observe = (e: WorldEvent): void => {
    const truth = this.metrics.truth;
    switch (e.type) {
      case 'request_sent': {
        // A listing writes nothing and is in no situation.
        if (e.kind === 'list') break;
        const hash = e.hash ?? '';
        this.requests.set(e.id, e);
        if (e.kind === 'put' || e.kind === 'copy') {
          let writers = this.writing.get(e.target, hash);
          if (writers === undefined) {
            writers = new Writers();
            this.writing.set(e.target, hash, writers);
          }
          if (writers.add(e.nexus)) this.bump('concurrent_writes');
        }
        // A Nexus runs one activation at a time, so a PUT target's activation number tells
        // whether this activation sent it.
        if (e.kind === 'put') this.putsOf(e.nexus).set(e.target, hash, e.activation);
        if (e.kind === 'copy' && this.puts.get(e.nexus)?.get(e.source ?? '', hash) === e.activation) this.bump('copy_after_put');
        if (e.kind === 'delete' && e.hash !== null && truth.isWanted(e.hash)) this.bump('stale_delete');
        break;
      }
      case 'request_done': {
        const request = this.requests.take(e.id);
        if (request === undefined) break;
        if (request.kind === 'put' || request.kind === 'copy') this.writing.get(request.target, request.hash ?? '')?.remove(request.nexus);
        if (request.kind === 'config' && e.error?.includes('older than the sled') === true) this.bump('generation_conflict');
        if (e.error?.includes(QUOTA_REACHED) === true) this.bump('quota_refusal');
        break;
      }
      case 'local_repo_released': {
        if (e.by !== 'task') break;
        const artifacts = this.metrics.artifactsOf(e.repo) ?? [];
        const least = Math.min(...artifacts.map((h) => truth.holderCount(h)));
        if (least === this.minSledReplication) this.bump('release_at_minimum');
        break;
      }
      case 'write_failed':
        if (e.reason === 'lost in a restart') this.bump('restart_mid_write');
        if (e.reason.includes(QUOTA_REACHED)) this.bump('quota_refusal');
        break;
      case 'artifact_truncated':
        this.bump('truncated_artifact');
        break;
      case 'artifact_removed':
        if (e.cause === 'delete') this.deleted.set(e.sled, e.hash, true);
        break;
      case 'artifact_stored':
        if (e.m2 === 0 && this.deleted.delete(e.sled, e.hash)) this.bump('resurrected_artifact');
        break;
      case 'local_repos_lost':
        if (e.repos.length > 0) this.bump('nexus_crash_with_local_repos');
        break;
      case 'nexus_started':
        this.puts.delete(e.nexus);
        break;
      default:
        break;
    }
    if (this.metrics.lostArtifacts.size > this.lost) {
      for (let i = this.lost; i < this.metrics.lostArtifacts.size; i++) this.bump('lost_artifact');
      this.lost = this.metrics.lostArtifacts.size;
    }
  };
}
