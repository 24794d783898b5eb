import type { ArtifactHash, SledId } from '../../../core/index.ts';
import { ArtifactCatalog } from '../artifact-catalog.ts';
import type { Job, Resumable, Settler } from '../kernel/kernel.ts';
import { FilesByNumber } from './files-by-number.ts';
import { InsertionList, type ListLinks } from './insertion-list.ts';
import { LiveArtifactCounts, type ArtifactCounts } from './artifact-counts.ts';
import { emitArtifactRemoved, emitArtifactStored, NOW, UNNUMBERED, type EmitEvent, type RemovalCause, type StoredVia } from '../world-events.ts';
import { FLOAT_ZERO } from '../../../core/shapes.ts';

/**
 * How a write keeps its temporary files (behaviour-by-commit.md §7):
 * - `shared_name`: 74a6c136 and c31dc2f3. One temporary file per dataset at the fixed name
 *   `<ds>/tmp/<hash>`, shared by every writer of the hash; cleanup unlinks and finalize
 *   renames by that name, whatever inode is there (`as:281-336,459-598@74a6c136`).
 * - `private_dir`: HEAD (atomicwrites). Each writer has its own temporary file per dataset
 *   and renames exactly that file, after its own hash matched (`as:631-775@b848b6df`).
 */
export type WritePath = 'shared_name' | 'private_dir';

/**
 * One file's contents: which artifact's bytes it holds and how many. A file is complete
 * when no writer streams into it any more and it holds the whole artifact. Every writer of
 * a hash writes that artifact's bytes (a short source sends a prefix), so a final file is
 * always named by its `content`; what can differ is how much of it is there.
 */
class Inode {
  /** Bytes that have landed (a chunk in flight is counted when it lands). */
  written = 0;
  /** A writer still streams into this file. */
  writing = true;
  /** The dataset where it is the final file `<ds>/<hash>`, if it is. */
  finalOn: Dataset | undefined;
  /** It still has a temporary name (shared or private). */
  tempNamed = true;
  /** Its space has been given back (no name left and no writer). */
  freed = false;
  /** Bytes of its writer's chunk in flight, reserved on its dataset. */
  chunk = 0;

  constructor(
    readonly content: ArtifactHash,
    /** `content`'s number in the world's catalog. */
    readonly number: number,
    readonly size: number,
    readonly dataset: Dataset,
  ) {}

  get complete(): boolean {
    return !this.writing && this.written === this.size;
  }

  /** Bytes that have landed, as a depot GET answers them (`ServedFile`). */
  get bytes(): number {
    return this.written;
  }

  /**
   * Its contents as they are now. Once no writer fills it they never change again, so
   * the file itself is the answer: a merged rack-day seed serves some 56k depot GETs,
   * nearly all of files long finished, where each finished file served kept an answer
   * object of its own (and every file a field for it).
   */
  served(): ServedFile {
    return this.writing ? { content: this.content, bytes: this.written } : this;
  }
}

/** A file's contents as a depot GET finds them; never changed once answered. */
export interface ServedFile {
  readonly content: ArtifactHash;
  readonly bytes: number;
}

/** One M.2's update dataset (its names are the store's `FilesByNumber` tables, at `m2`). */
interface Dataset {
  readonly m2: number;
  failed: boolean;
  /** Writers' private temporary files (`private_dir`). */
  readonly privateTemps: Set<Inode>;
  /** Bytes of every live file, named or still open. */
  used: number;
  /** Bytes of chunks in flight into this dataset. */
  reserved: number;
}

/** The request body a write consumes: from the Nexus (PUT) or a source sled's depot (copy). */
export interface BodyStream {
  /** Whose bytes the body carries (a corrupt source sends a short one). */
  readonly content: ArtifactHash;
  readonly length: number;
  /**
   * Moves the next `bytes`; `then` hears when they have arrived, or the error (with
   * `moved`, when known) if the stream breaks.
   */
  read(bytes: number, then: Settler<void>): void;
}

/** Where a continuation runs one microtask tick later (the kernel). */
export interface Ticker {
  tick(job: Job): void;
}

export type OpenWriter =
  | { readonly ok: true; readonly writer: ArtifactWriter }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** What a finished write did: datasets iterated at the start and files renamed into place. */
export interface WriteResult {
  readonly datasets: number;
  readonly successfulWrites: number;
}

/**
 * The sled agent's artifact store (`sled-agent/src/artifact_store.rs`): one update dataset
 * per M.2; files named by hash. Files know their contents, so a file renamed into place
 * while another writer still fills it, or left short, is visible as such. Every change to
 * what is stored is reported through `emit`, the world's ground truth.
 */
export class ArtifactStore {
  private readonly datasets: Dataset[];
  /** Datasets whose M.2 has not failed (every list and delete asks). */
  private working: number;
  // Names are keyed by the hash's catalog number, not the 64-character hash: one catalog
  // lookup per store operation instead of one string-keyed lookup per name touched.
  /** Final files `<ds>/<hash>`, by catalog number and M.2. */
  private readonly finals: FilesByNumber<Inode>;
  /** The shared temporary names `<ds>/tmp/<hash>` (`shared_name`), by catalog number and M.2. */
  private readonly tempNames: FilesByNumber<Inode>;
  /**
   * Writers still open, in the order they opened (a crash reports their loss in that
   * order). Not a `Set`, which hashed each of the thousands of writers a day opens and
   * closes, nor an array, searched for each writer that closes.
   */
  private readonly writers = new InsertionList<ArtifactWriter>();
  /** hash → working datasets with a final file of it, kept up to date as files come and go. */
  private readonly counts: LiveArtifactCounts;
  /**
   * Every `WriteResult` a write can end with, by `datasets * (m2Count + 1) + successfulWrites`:
   * a result is read, never changed, so one object of each serves every write (most are
   * copies, whose result nobody reads).
   */
  private readonly results: WriteResult[] = [];

  constructor(
    readonly sled: SledId,
    m2Count: number,
    readonly quota: number,
    private readonly emit: EmitEvent,
    readonly writePath: WritePath = 'shared_name',
    /** The world's numbering of artifacts, in which listings count. */
    readonly catalog = new ArtifactCatalog(),
    /** The sled's index in the world, passed beside its events with the artifact's catalog number. */
    private readonly sledNumber = UNNUMBERED,
  ) {
    this.counts = new LiveArtifactCounts(catalog);
    this.working = m2Count;
    this.finals = new FilesByNumber(m2Count, catalog.hashes.length);
    this.tempNames = new FilesByNumber(m2Count, catalog.hashes.length);
    for (let datasets = 0; datasets <= m2Count; datasets++) {
      for (let successfulWrites = 0; successfulWrites <= m2Count; successfulWrites++) this.results.push({ datasets, successfulWrites });
    }
    this.datasets = Array.from({ length: m2Count }, (_, m2) => ({
      m2,
      failed: false,
      privateTemps: new Set(),
      // A dataset's bytes pass 2^30: a float from the start (`FLOAT_ZERO`).
      used: FLOAT_ZERO,
      reserved: 0,
    }));
  }

  get workingDatasets(): number {
    return this.working;
  }

  /**
   * hash → number of working datasets with a final file of it, whatever the file holds
   * (`list` reads names: `as:204-267@74a6c136`); throws when no dataset is available. The
   * map is a snapshot: never changed afterwards, so listings can share it.
   */
  list(): ArtifactCounts {
    if (this.workingDatasets === 0) throw new StoreError(503, 'no update datasets available');
    return this.counts.snapshot();
  }

  /** `list`, of the artifacts `members` marks only (a sled agent's configuration: see `LiveArtifactCounts.snapshotOf`). */
  listOf(members: Uint8Array | null): ArtifactCounts {
    if (this.workingDatasets === 0) throw new StoreError(503, 'no update datasets available');
    return this.counts.snapshotOf(members);
  }

  /** Working datasets holding a complete, correct copy (what convergence counts). */
  copies(hash: ArtifactHash): number {
    const number = this.catalog.numberOf(hash);
    let n = 0;
    for (const d of this.datasets) if (!d.failed && intact(this.finals.get(number, d.m2), hash)) n++;
    return n;
  }

  /**
   * What the depot's GET of `hash` sends: the first working dataset's file, as it is now
   * (`as:149-166@74a6c136`: datasets tried in order). A file still being filled is short.
   */
  serve(hash: ArtifactHash, number = this.catalog.numberOf(hash)): ServedFile | undefined {
    for (const d of this.datasets) {
      if (d.failed) continue;
      const inode = this.finals.get(number, d.m2);
      if (inode !== undefined) return inode.served();
    }
    return undefined;
  }

  /** Bytes used on each dataset (files and chunks in flight), failed ones included. */
  usage(): number[] {
    return this.datasets.map((d) => d.used + d.reserved);
  }

  /** Every final file's hash on a working dataset, sorted. */
  storedHashes(): ArtifactHash[] {
    const all = new Set<ArtifactHash>();
    for (const d of this.datasets) if (!d.failed) for (const n of this.finals.numbersOn(d.m2)) all.add(this.hashOf(n));
    return [...all].sort();
  }

  /** Final files' hashes on one working dataset, sorted (a directory listing). */
  storedOn(m2: number): ArtifactHash[] {
    return this.storedNumbersOn(m2).map((n) => this.hashOf(n));
  }

  /** `storedOn` as catalog numbers, in the same order (sorted by hash). */
  storedNumbersOn(m2: number): number[] {
    const d = this.datasets[m2];
    if (d === undefined || d.failed) return [];
    const hashes = this.catalog.hashes;
    return this.finals.numbersOn(m2).sort((a, b) => ((hashes[a] as string) < (hashes[b] as string) ? -1 : 1));
  }

  /**
   * `writer()`: a temporary file for `hash` on every working dataset. `shared_name`: a
   * temporary name already taken is a 409 that unlinks that name and this writer's earlier
   * ones (`as:300-318@74a6c136`, the Drop of `Utf8TempPath`: omicron#7796). `private_dir`:
   * never a conflict (`as:650-702@b848b6df`). No quota check: a full dataset fails mid-write.
   * `number`: `hash`'s catalog number, when the caller has it already.
   */
  openWriter(hash: ArtifactHash, size: number, number = this.catalog.numberOf(hash)): OpenWriter {
    if (this.working === 0) return { ok: false, status: 503, reason: 'No update datasets present' };
    // Sized once: the writer keeps it for its whole life (`[]` grown by `push` holds room for 17).
    const files = new Array<Inode>(this.working);
    let opened = 0;
    for (const d of this.datasets) {
      if (d.failed) continue;
      if (this.writePath === 'shared_name' && this.tempNames.has(number, d.m2)) {
        this.unlinkTempName(d, number);
        for (let i = 0; i < opened; i++) {
          const f = files[i] as Inode;
          this.unlinkTempName(f.dataset, number);
          this.close(f);
        }
        // The text made once per artifact (`ArtifactCatalog.withHash`): some 2,500 refusals a merged rack-day seed.
        return { ok: false, status: 409, reason: this.catalog.withHash(ALREADY_WRITING, number) };
      }
      const inode = new Inode(hash, number, size, d);
      if (this.writePath === 'shared_name') this.tempNames.set(number, d.m2, inode);
      else d.privateTemps.add(inode);
      files[opened++] = inode;
    }
    const writer = new ArtifactWriter(this, hash, number, size, files, this.working);
    this.writers.push(writer);
    return { ok: true, writer };
  }

  /** Removes the final file of `hash` from every working dataset; absent is not an error. */
  delete(hash: ArtifactHash, cause: RemovalCause, number = this.catalog.numberOf(hash)): void {
    for (const d of this.datasets) this.deleteFrom(d, hash, number, cause);
  }

  /** Removes the final file of `hash` from one dataset (`remove_file`); writers go on. */
  deleteOn(m2: number, hash: ArtifactHash, cause: RemovalCause, number = this.catalog.numberOf(hash)): void {
    const d = this.datasets[m2];
    if (d !== undefined) this.deleteFrom(d, hash, number, cause);
  }

  private deleteFrom(d: Dataset, hash: ArtifactHash, number: number, cause: RemovalCause): void {
    if (d.failed) return;
    const inode = this.finals.get(number, d.m2);
    if (inode === undefined) return;
    this.finals.delete(number, d.m2);
    inode.finalOn = undefined;
    this.counts.change(number, -1);
    emitArtifactRemoved(this.emit, this.sled, d.m2, hash, nominalBytes(inode), cause, this.sledNumber, number);
    this.release(inode);
  }

  /** The M.2 fails: its files are gone from the sled's point of view; writers lose that dataset. */
  failM2(m2: number): void {
    const d = this.datasets[m2];
    if (d === undefined || d.failed) return;
    d.failed = true;
    this.working--;
    for (const writer of this.writers.toArray()) writer.loseDataset(d);
    const files = this.finals.numbersOn(m2).map((n) => [this.hashOf(n), n, this.finals.get(n, m2) as Inode] as const);
    for (const [hash, n, inode] of files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.counts.change(n, -1);
      emitArtifactRemoved(this.emit, this.sled, m2, hash, nominalBytes(inode), 'm2_failure', this.sledNumber, n);
    }
  }

  /**
   * The sled agent dies: writers stop where they are, their files keep their names (no
   * Drop runs) until the restart's cleanup; a final file a dead writer was filling stays short.
   */
  loseWritesInProgress(): void {
    for (const writer of this.writers.toArray()) {
      writer.die();
      this.emit({ t: NOW, type: 'write_failed', sled: this.sled, hash: writer.hash, reason: 'lost in a restart' });
    }
  }

  /** Start-up: `remove_dir_all(<ds>/tmp)` on every dataset present (`as:101-125@74a6c136`, `as:115-135@b848b6df`). */
  removeTemporaryFiles(): void {
    for (const d of this.datasets) {
      if (d.failed) continue;
      for (const n of this.tempNames.numbersOn(d.m2)) this.unlinkTempName(d, n);
      for (const inode of [...d.privateTemps]) this.unlinkPrivate(inode);
    }
  }

  /** Places a complete artifact directly (initial state of a scenario). */
  seed(hash: ArtifactHash, size: number): void {
    const number = this.catalog.numberOf(hash);
    for (const d of this.datasets) {
      if (d.failed || this.finals.has(number, d.m2) || d.used + d.reserved + size > this.quota) continue;
      const inode = new Inode(hash, number, size, d);
      inode.written = size;
      inode.writing = false;
      inode.tempNamed = false;
      d.used += size;
      this.place(inode, 'initial');
    }
  }

  // --- what writers do to the datasets (package-private to ArtifactWriter) ---

  /** @internal `number`: the hash's catalog number. */ unlinkTempName(d: Dataset, number: number): void {
    const inode = this.tempNames.get(number, d.m2);
    if (inode === undefined) return;
    this.tempNames.delete(number, d.m2);
    inode.tempNamed = false;
    this.release(inode);
  }

  /**
   * @internal `shared_name`'s rename of whatever is at `<ds>/tmp/<hash>` now into place;
   * false when nothing is there.
   */
  renameTempName(d: Dataset, number: number, via: 'put' | 'copy'): boolean {
    const named = this.tempNames.get(number, d.m2);
    if (named === undefined) return false;
    this.tempNames.delete(number, d.m2);
    named.tempNamed = false;
    this.place(named, via);
    return true;
  }

  /** @internal */ unlinkPrivate(inode: Inode): void {
    if (!inode.dataset.privateTemps.delete(inode)) return;
    inode.tempNamed = false;
    this.release(inode);
  }

  /**
   * @internal Makes `inode` the final file of its hash on its dataset (a rename, replacing
   * any). Every writer of a hash fills its files with that artifact, so a file's content
   * names it.
   */
  place(inode: Inode, via: StoredVia): void {
    const d = inode.dataset;
    const hash = inode.content;
    const previous = this.finals.get(inode.number, d.m2);
    if (previous === undefined) this.counts.change(inode.number, 1);
    else {
      previous.finalOn = undefined;
      this.release(previous);
    }
    this.finals.set(inode.number, d.m2, inode);
    inode.finalOn = d;
    // A file still being filled may end short: `close` reports it then. (A short file no
    // writer fills has no temporary name left to be renamed by: its writer unlinked it or
    // died, and start-up removed it.)
    emitArtifactStored(this.emit, this.sled, d.m2, hash, inode.size, via, this.sledNumber, inode.number);
  }

  /** @internal The writer stops filling `inode` (done, failed or dead). */
  close(inode: Inode, moved = 0): void {
    if (!inode.writing) return;
    const dataset = inode.dataset;
    dataset.reserved -= inode.chunk;
    if (moved > 0 && !dataset.failed) {
      inode.written += moved;
      dataset.used += moved;
    }
    inode.chunk = 0;
    inode.writing = false;
    if (inode.finalOn !== undefined) this.reportIfShort(inode);
    this.release(inode);
  }

  /** @internal What a write that opened on `datasets` datasets and renamed `successfulWrites` files reports. */
  writeResult(datasets: number, successfulWrites: number): WriteResult {
    return this.results[datasets * (this.datasets.length + 1) + successfulWrites] as WriteResult;
  }

  /** @internal `writer`, open until now, has ended (each writer ends once). */
  writerDone(writer: ArtifactWriter): void {
    this.writers.remove(writer);
  }

  private hashOf(number: number): ArtifactHash {
    return this.catalog.hashes[number] as ArtifactHash;
  }

  /** A final file that no writer fills any more and is not the whole artifact stays so. */
  private reportIfShort(inode: Inode): void {
    if (inode.dataset.failed || intact(inode, inode.content)) return;
    const hash = inode.content;
    this.emit({ t: NOW, type: 'artifact_truncated', sled: this.sled, m2: inode.dataset.m2, hash, bytes: inode.written, size: inode.size }, this.sledNumber, inode.number);
  }

  /** A file without a name and without a writer: its space comes back. */
  private release(inode: Inode): void {
    if (inode.freed || inode.writing || inode.tempNamed || inode.finalOn !== undefined) return;
    inode.freed = true;
    if (!inode.dataset.failed) inode.dataset.used -= inode.written;
  }
}

/** What an ended writer writes to: one empty list for all, as `files` is replaced, never changed. */
const NO_FILES: readonly Inode[] = [];

/**
 * The most a writer moves before it looks at the datasets' room again. Room is claimed a
 * chunk at a time (landed bytes plus the chunk in flight), so a slow writer holds about
 * what it has written, as a file does, not its whole artifact.
 */
const CHUNK = 64 * 2 ** 20;

/**
 * One write (`ArtifactWriter`, `as:451-598@74a6c136`; HEAD's per-dataset tasks,
 * `as:650-775@b848b6df`): its files, the bytes it streamed and hashed.
 *
 * It is also its write's continuation (`Settler` of each chunk's read, `Resumable` one tick
 * later): a writer streams one body, one chunk at a time, so it holds what the next step
 * needs in fields where two closures a chunk held them.
 */
export class ArtifactWriter implements Settler<void>, Resumable, ListLinks<ArtifactWriter> {
  /** @internal The store's open writers opened before and after it (`InsertionList`). */
  earlier: ArtifactWriter | undefined = undefined;
  /** @internal */ later: ArtifactWriter | undefined = undefined;
  private streamed = 0;
  private ended = false;
  // The write in progress (see `write`), and the outcome of its chunk's read.
  private body: BodyStream | undefined = undefined;
  private via: 'put' | 'copy' = 'put';
  private ticker: Ticker | undefined = undefined;
  private then: Settler<WriteResult> | undefined = undefined;
  private chunk = 0;
  private readOk = false;
  private readError: unknown = undefined;

  constructor(
    private readonly store: ArtifactStore,
    readonly hash: ArtifactHash,
    /** `hash`'s catalog number. */
    private readonly number: number,
    readonly size: number,
    /** Its file on each dataset it still writes to. */
    private files: readonly Inode[],
    /** Datasets iterated when it opened (the response's `datasets`). */
    readonly datasets: number,
  ) {}

  get active(): boolean {
    return !this.ended;
  }

  /**
   * Streams `body` into the files, then finalizes; `then` hears the result or the refusal.
   * A dataset that runs out of quota loses its file mid-stream; the write fails only when
   * every dataset did (`as:489-517@74a6c136`). A body that breaks off drops every file
   * (`as:339-348@74a6c136`); so does a hash mismatch, checked over the bytes this writer
   * streamed (`as:524-531@74a6c136`). Called once per writer.
   *
   * Callbacks instead of an async loop, with the loop's timing: each chunk goes on one tick
   * after its read settles (where the `await` resumed), and `then` is called when the async
   * function's promise would have settled, so other work interleaves as it did.
   */
  write(body: BodyStream, via: 'put' | 'copy', ticker: Ticker, then: Settler<WriteResult>): void {
    this.body = body;
    this.via = via;
    this.ticker = ticker;
    this.then = then;
    this.writeNext(body, then);
  }

  private writeNext(body: BodyStream, then: Settler<WriteResult>): void {
    if (this.streamed >= body.length) return this.finish(body, this.via, then);
    const chunk = this.nextChunk(body.length - this.streamed);
    if (chunk === 0) {
      this.fail();
      return then.settle(false, undefined, new StoreError(500, `Failed to write ${this.hash} to any dataset: ${QUOTA_REACHED}`));
    }
    this.chunk = chunk;
    body.read(chunk, this);
  }

  /** @internal The chunk's read settled: the write goes on one tick later (`resume`). */
  settle(ok: boolean, _: void | undefined, error: unknown): void {
    this.readOk = ok;
    this.readError = error;
    (this.ticker as Ticker).tick(this);
  }

  /** @internal */ resume(): void {
    const then = this.then as Settler<WriteResult>;
    if (!this.readOk) {
      const err = this.readError;
      const moved = typeof (err as { moved?: unknown }).moved === 'number' ? (err as { moved: number }).moved : 0;
      this.fail(moved);
      return then.settle(false, undefined, err);
    }
    if (this.ended) return then.settle(false, undefined, new StoreError(500, 'write ended'));
    this.landChunk(this.chunk);
    this.writeNext(this.body as BodyStream, then);
  }

  private finish(body: BodyStream, via: 'put' | 'copy', then: Settler<WriteResult>): void {
    if (this.ended) return then.settle(false, undefined, new StoreError(500, 'write ended'));
    if (body.content !== this.hash || this.streamed !== this.size) {
      this.fail();
      return then.settle(false, undefined, new StoreError(400, `Digest mismatch: expected ${this.hash}, got ${this.streamed} of ${this.size} bytes`));
    }
    const result = this.finalize(via);
    if (result instanceof StoreError) then.settle(false, undefined, result);
    else then.settle(true, result, undefined);
  }

  /** Every file dropped: unlinked by name (`shared_name`) or its own private file. */
  fail(moved = 0): void {
    if (this.ended) return;
    this.ended = true;
    for (const f of this.files) this.dropFile(f, moved);
    this.files = NO_FILES;
    this.store.writerDone(this);
  }

  /** The sled agent died: no Drop runs, names stay for the start-up cleanup. */
  die(): void {
    if (this.ended) return;
    this.ended = true;
    for (const f of this.files) this.store.close(f);
    this.files = NO_FILES;
    this.store.writerDone(this);
  }

  /** @internal The dataset's M.2 failed: its file is gone with it. */
  loseDataset(d: Dataset): void {
    const f = this.files.find((inode) => inode.dataset === d);
    if (f === undefined) return;
    this.store.close(f);
    this.files = this.files.filter((file) => file !== f);
  }

  /**
   * The next chunk: as much as every remaining dataset has room for. A dataset with none
   * left fails this write there (ENOSPC/EDQUOT on `write_all`); 0 when none remains.
   */
  private nextChunk(wanted: number): number {
    let chunk = Math.min(wanted, CHUNK);
    // `this.files` is replaced, never changed in place, when a file is dropped: the loop
    // walks the array it started with.
    for (const f of this.files) {
      const d = f.dataset;
      const room = this.store.quota - d.used - d.reserved;
      if (room <= 0) {
        this.dropFile(f, 0);
        this.files = this.files.filter((file) => file !== f);
      } else chunk = Math.min(chunk, room);
    }
    if (this.files.length === 0) return 0;
    for (const f of this.files) {
      f.chunk = chunk;
      f.dataset.reserved += chunk;
    }
    return chunk;
  }

  private landChunk(chunk: number): void {
    this.streamed += chunk;
    for (const f of this.files) {
      f.dataset.reserved -= f.chunk;
      f.chunk = 0;
      f.written += chunk;
      f.dataset.used += chunk;
    }
  }

  private dropFile(f: Inode, moved: number): void {
    if (this.store.writePath === 'shared_name') this.store.unlinkTempName(f.dataset, this.number);
    else this.store.unlinkPrivate(f);
    this.store.close(f, moved);
  }

  /**
   * `shared_name`: renames whatever is at `<ds>/tmp/<hash>` now, the file of another writer
   * included; nothing there is a `FileRename` error (`as:552-575@74a6c136`). `private_dir`:
   * renames its own file (`as:671-690@b848b6df`). The refusal is returned, not thrown: a
   * merged rack-day seed refuses hundreds of writes so, and each throw and catch cost some
   * 17k instructions in the runtime.
   */
  private finalize(via: 'put' | 'copy'): WriteResult | StoreError {
    this.ended = true;
    let successfulWrites = 0;
    for (const f of this.files) {
      const d = f.dataset;
      this.store.close(f);
      if (d.failed) continue;
      if (this.store.writePath === 'private_dir') {
        if (!d.privateTemps.delete(f)) continue;
        f.tempNamed = false;
        this.store.place(f, via);
        successfulWrites++;
        continue;
      }
      if (this.store.renameTempName(d, this.number, via)) successfulWrites++;
    }
    this.files = NO_FILES;
    this.store.writerDone(this);
    if (successfulWrites === 0) return new StoreError(500, `Failed to rename the temporary files of ${this.hash} into place`);
    return this.store.writeResult(this.datasets, successfulWrites);
  }
}

function intact(inode: Inode | undefined, hash: ArtifactHash): boolean {
  return inode !== undefined && inode.content === hash && inode.complete;
}

/** Bytes a file counts for in ground truth: its artifact's size until it is known short. */
function nominalBytes(inode: Inode): number {
  return inode.writing || inode.complete ? inode.size : inode.written;
}

/** A 409 refusal's text, before the hash (`as:300-318@74a6c136`). */
const ALREADY_WRITING = 'Another task is already writing artifact ';

/** How a write that every dataset's quota stopped says so (situations count it). */
export const QUOTA_REACHED = 'dataset quota reached';

/**
 * A refusal by the store, carrying the HTTP status the sled agent answers with. An `Error`
 * by its prototype (set below), built without the `Error` constructor's stack trace, as
 * `SledAgentError` is (`core/ports.ts`): a refusal is data of the world, and nothing
 * reads a stack.
 */
export class StoreError implements Error {
  readonly name = 'StoreError';

  constructor(
    readonly status: number,
    readonly message: string,
  ) {}

  /** What a stack captured without frames reads: the header line alone. */
  get stack(): string {
    return `${this.name}: ${this.message}`;
  }
}
Object.setPrototypeOf(StoreError.prototype, Error.prototype);
