import type { DatastoreModel } from '../datastore.ts';
import type { Micros } from '../kernel/event-queue.ts';
import type { Kernel, WaitScope } from '../kernel/kernel.ts';
import type { RandomStream } from '../kernel/random-streams.ts';
import type { RepoName } from '../world-events.ts';
import { TaskDriver } from './task-driver.ts';

/** `tuf_repo_pruner.period_secs` in every shipped config (smf/nexus/{multi,single}-sled/config-partial.toml:78-88@b848b6df). */
export const PRUNER_PERIOD: Micros = 300_000_000;
/** 2 always kept + `nkeep_extra_target_releases` 1 (tuf_repo_pruner.rs:32@b848b6df, config-partial.toml). */
const KEEP_TARGET_RELEASES = 3;
/** 1 always kept + `nkeep_extra_newly_uploaded` 1 (tuf_repo_pruner.rs:39@b848b6df, config-partial.toml). */
const KEEP_RECENT_UPLOADS = 2;

/**
 * `decide_prune` (nexus/src/app/background/tasks/tuf_repo_pruner.rs:207-271@b848b6df): keep
 * the recent target releases; of the other unpruned repos, newest `time_created` first, keep
 * the first `KEEP_RECENT_UPLOADS`; prune only the last one, the oldest.
 */
export function decidePrune(
  unpruned: readonly { readonly repo: RepoName; readonly created: Micros }[],
  targetReleases: ReadonlySet<RepoName>,
): RepoName | undefined {
  const others = unpruned.filter((r) => !targetReleases.has(r.repo));
  // A stable sort by `Reverse(time_created)` over the repos in id order, as omicron's.
  others.sort((a, b) => b.created - a.created);
  return others.length > KEEP_RECENT_UPLOADS ? others[others.length - 1]?.repo : undefined;
}

/**
 * HEAD's TUF repo pruner task on one Nexus (tuf_repo_pruner.rs:88-187@b848b6df), with its
 * own driver: reads the TUF generation, the unpruned repos and the recent target releases,
 * decides, and marks at most one repo pruned, conditionally on neither generation having
 * moved. It does not activate the replication task: sleds learn of a prune at that task's
 * next periodic activation. Taken as enabled with its configuration loaded from boot
 * (`tuf_repo_pruner_enabled` defaults to true, reconfigurator_config.rs:135@b848b6df).
 */
export class RepoPruner {
  private readonly driver: TaskDriver;

  constructor(
    kernel: Kernel,
    rng: RandomStream,
    firstTick: Micros,
    label: string,
    private readonly datastore: DatastoreModel,
    private readonly scope: WaitScope,
    private readonly warn: (msg: string, error: string) => void,
  ) {
    this.driver = new TaskDriver(kernel, rng, PRUNER_PERIOD, firstTick, `${label} pruner`, () => this.activate());
  }

  stop(): void {
    this.driver.stop();
  }

  private async activate(): Promise<void> {
    const { datastore: db, scope } = this;
    try {
      const generation = await db.query(scope, 'read generation', () => db.generation);
      const unpruned = await db.query(scope, 'list unpruned repos', () => db.unprunedRepos());
      const recent = await db.query(scope, 'recent target releases', () => db.recentTargetReleases(KEEP_TARGET_RELEASES));
      const prune = decidePrune(unpruned, recent.releases);
      if (prune === undefined) return;
      await db.write(scope, 'mark repo pruned', () => db.markPruned(prune, generation, recent.generation));
    } catch (err) {
      this.warn('tuf_repo_prune: failed', err instanceof Error ? err.message : String(err));
    }
  }
}
