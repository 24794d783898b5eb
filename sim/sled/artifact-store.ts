import type { ArtifactHash, SledId } from '../../core/index.ts';
import { LiveArtifactCounts } from './artifact-counts.ts';
import type { RemovalCause, WorldEventBody } from '../world-events.ts';

/** One M.2's update dataset. */
interface Dataset {
  readonly m2: number;
  failed: boolean;
  readonly stored: Map<ArtifactHash, number>;
  /**
   * hash → whether a write in progress has a temporary file here. A finished write leaves
   * `false`, not a deleted key: a map that empties on every write reallocates its table
   * each time. It holds at most every hash this sled was ever sent.
   */
  readonly temp: Map<ArtifactHash, boolean>;
  /** Bytes of stored files plus temporary files: what the quota limits. */
  used: number;
}

export type BeginWrite =
  | { readonly ok: true; readonly write: PendingWrite }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** A write in progress: temporary files on the datasets that could take it. */
export interface PendingWrite {
  readonly hash: ArtifactHash;
  readonly size: number;
  /** Renames the temporary files into place; returns the datasets written (0: the write failed). */
  commit(via: 'put' | 'copy'): number;
  /** Deletes the temporary files. */
  abort(): void;
  readonly active: boolean;
}

/**
 * The sled agent's artifact store (`sled-agent/src/artifact_store.rs`): one update
 * dataset per M.2 with a quota; content addressed by hash. Every change to what is
 * stored is reported through `emit`, the world's ground truth.
 */
export class ArtifactStore {
  private readonly datasets: Dataset[];
  private readonly writes = new Set<Write>();
  /** hash → working datasets holding it, kept up to date as copies come and go. */
  private readonly counts = new LiveArtifactCounts();

  constructor(
    readonly sled: SledId,
    m2Count: number,
    readonly quota: number,
    private readonly emit: (event: WorldEventBody) => void,
  ) {
    this.datasets = Array.from({ length: m2Count }, (_, m2) => ({
      m2,
      failed: false,
      stored: new Map(),
      temp: new Map(),
      used: 0,
    }));
  }

  get workingDatasets(): number {
    let n = 0;
    for (const d of this.datasets) if (!d.failed) n++;
    return n;
  }

  /**
   * hash → number of working datasets holding it, in no particular order; throws when no
   * dataset is available. The map is a snapshot: never changed afterwards, so listings can
   * share it.
   */
  list(): ReadonlyMap<ArtifactHash, number> {
    if (this.workingDatasets === 0) throw new StoreError(503, 'no update datasets available');
    // Every activation of every Nexus lists every sled; stores change far less often.
    return this.counts.snapshot();
  }

  copies(hash: ArtifactHash): number {
    let n = 0;
    for (const d of this.datasets) if (!d.failed && d.stored.has(hash)) n++;
    return n;
  }

  /** Size of the stored artifact, if any working dataset has it. */
  sizeOf(hash: ArtifactHash): number | undefined {
    for (const d of this.datasets) if (!d.failed) {
      const size = d.stored.get(hash);
      if (size !== undefined) return size;
    }
    return undefined;
  }

  /** Bytes used on each dataset (stored and temporary), failed ones included. */
  usage(): number[] {
    return this.datasets.map((d) => d.used);
  }

  /** Every stored hash on a working dataset, sorted. */
  storedHashes(): ArtifactHash[] {
    const all = new Set<ArtifactHash>();
    for (const d of this.datasets) if (!d.failed) for (const h of d.stored.keys()) all.add(h);
    return [...all].sort();
  }

  /**
   * Creates a temporary file for `hash` on every working dataset with room for it.
   * Refused with a conflict if a write of that hash is already in progress.
   */
  beginWrite(hash: ArtifactHash, size: number): BeginWrite {
    const working = this.datasets.filter((d) => !d.failed);
    if (working.length === 0) return { ok: false, status: 503, reason: 'no update datasets available' };
    if (working.some((d) => d.temp.get(hash) === true)) {
      return { ok: false, status: 409, reason: `a write of ${hash} is already in progress` };
    }
    const targets = working.filter((d) => d.used + size <= this.quota);
    if (targets.length === 0) return { ok: false, status: 507, reason: `writing ${hash} would exceed the dataset quota` };
    for (const d of targets) {
      d.temp.set(hash, true);
      d.used += size;
    }
    const write = new Write(this, hash, size, targets);
    this.writes.add(write);
    return { ok: true, write };
  }

  /** Removes `hash` from every dataset; absent is not an error. Writes in progress go on. */
  delete(hash: ArtifactHash, cause: RemovalCause): void {
    for (const d of this.datasets) {
      if (d.failed) continue;
      const size = d.stored.get(hash);
      if (size === undefined) continue;
      d.stored.delete(hash);
      d.used -= size;
      this.counts.change(hash, -1);
      this.emit({ type: 'artifact_removed', sled: this.sled, m2: d.m2, hash, bytes: size, cause });
    }
  }

  /** The M.2 fails: its copies are gone from the sled's point of view, its temp files too. */
  failM2(m2: number): void {
    const d = this.datasets[m2];
    if (d === undefined || d.failed) return;
    d.failed = true;
    for (const [hash, size] of [...d.stored].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.counts.change(hash, -1);
      this.emit({ type: 'artifact_removed', sled: this.sled, m2, hash, bytes: size, cause: 'm2_failure' });
    }
  }

  /** A restart: stored files persist, temporary files and writes in progress are lost. */
  loseWritesInProgress(): void {
    for (const write of [...this.writes]) {
      write.abort();
      this.emit({ type: 'write_failed', sled: this.sled, hash: write.hash, reason: 'lost in a restart' });
    }
  }

  /** Places an artifact directly (initial state of a scenario). */
  seed(hash: ArtifactHash, size: number): void {
    for (const d of this.datasets) {
      if (d.failed || d.stored.has(hash) || d.used + size > this.quota) continue;
      d.stored.set(hash, size);
      d.used += size;
      this.counts.change(hash, 1);
      this.emit({ type: 'artifact_stored', sled: this.sled, m2: d.m2, hash, bytes: size, via: 'initial' });
    }
  }

  /** @internal */ finishWrite(write: Write, datasets: readonly Dataset[], via: 'put' | 'copy'): number {
    this.writes.delete(write);
    let written = 0;
    for (const d of datasets) {
      if (d.temp.get(write.hash) !== true) continue;
      d.temp.set(write.hash, false);
      if (d.failed) {
        d.used -= write.size;
        continue;
      }
      const previous = d.stored.get(write.hash);
      if (previous !== undefined) d.used -= previous;
      else this.counts.change(write.hash, 1);
      d.stored.set(write.hash, write.size);
      written++;
      this.emit({ type: 'artifact_stored', sled: this.sled, m2: d.m2, hash: write.hash, bytes: write.size, via });
    }
    return written;
  }

  /** @internal */ dropWrite(write: Write, datasets: readonly Dataset[]): void {
    this.writes.delete(write);
    for (const d of datasets) {
      if (d.temp.get(write.hash) !== true) continue;
      d.temp.set(write.hash, false);
      d.used -= write.size;
    }
  }
}

class Write implements PendingWrite {
  private done = false;

  constructor(
    private readonly store: ArtifactStore,
    readonly hash: ArtifactHash,
    readonly size: number,
    private readonly datasets: readonly Dataset[],
  ) {}

  get active(): boolean {
    return !this.done;
  }

  commit(via: 'put' | 'copy'): number {
    if (this.done) return 0;
    this.done = true;
    return this.store.finishWrite(this, this.datasets, via);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.store.dropWrite(this, this.datasets);
  }
}

/** A refusal by the store, carrying the HTTP status the sled agent answers with. */
export class StoreError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
