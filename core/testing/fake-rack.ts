// In-memory ports for testing the activation driver: a datastore and sled agents whose
// answers arrive after a per-call latency on a manual clock. Test support only; the
// simulator's models of these live in sim/.
import {
  CONFIG_GENERATION,
  SledAgentError,
  type Clock,
  type Datastore,
  type Log,
  type LogFields,
  type LogLevel,
  type SledAgentClient,
} from '../ports.ts';
import type { ArtifactConfig, ArtifactHash, ArtifactListing, LocalArtifact, LocalRepo, SledId } from '../types.ts';

export type FakeOp = 'listSleds' | 'readArtifactConfig' | 'putConfig' | 'list' | 'put' | 'copy' | 'delete';

/** One call to a fake port: when it started and ended, on which sled, and how it went. */
export interface FakeCall {
  readonly op: FakeOp;
  readonly sled: SledId | null;
  readonly hash: ArtifactHash | null;
  readonly source: SledId | null;
  readonly start: number;
  end: number | null;
  error: string | null;
}

export class FakeSled {
  /** Hash → copies held. */
  readonly artifacts = new Map<ArtifactHash, number>();
  generation: number | null = null;
  config: ReadonlySet<ArtifactHash> | null = null;
  /** While set, every call to this sled fails as if the sled were unreachable. */
  down = false;
  /** Calls of these kinds fail. */
  readonly failing = new Set<FakeOp>();
  /** Copies a write leaves (one per working M.2). */
  m2 = 2;

  constructor(readonly id: SledId) {}

  hold(hash: ArtifactHash, copies = 2): this {
    this.artifacts.set(hash, copies);
    return this;
  }
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export interface FakeRackOptions {
  /** Microseconds each call takes, by kind; `size`-proportional time is added to PUTs. */
  latency?: (op: FakeOp, sled: SledId | null) => number;
}

export class FakeRack {
  now = 0;
  readonly sleds = new Map<SledId, FakeSled>();
  readonly calls: FakeCall[] = [];
  readonly logLines: { level: LogLevel; msg: string; fields: LogFields }[] = [];
  readonly db = {
    generation: 1,
    artifacts: [] as ArtifactHash[],
    failing: new Set<'listSleds' | 'readArtifactConfig'>(),
  };
  maxInFlight = 0;
  private inFlight = 0;
  private pending: Pending[] = [];
  private seq = 0;
  private readonly latency: (op: FakeOp, sled: SledId | null) => number;

  constructor(sledCount: number, options: FakeRackOptions = {}) {
    for (let i = 0; i < sledCount; i++) this.addSled(`sled-${i}`);
    this.latency = options.latency ?? (() => 1000);
  }

  addSled(id: SledId): FakeSled {
    const sled = new FakeSled(id);
    this.sleds.set(id, sled);
    return sled;
  }

  sled(id: SledId): FakeSled {
    const sled = this.sleds.get(id);
    if (sled === undefined) throw new Error(`no sled ${id}`);
    return sled;
  }

  readonly clock: Clock = { now: () => this.now };

  readonly log: Log = {
    log: (level, msg, fields) => {
      this.logLines.push({ level, msg, fields });
    },
  };

  readonly datastore: Datastore = {
    listSleds: () =>
      this.call('listSleds', null, null, null, () => {
        if (this.db.failing.has('listSleds')) throw new Error('database unavailable');
        return [...this.sleds.keys()];
      }),
    readArtifactConfig: () =>
      this.call('readArtifactConfig', null, null, null, () => {
        if (this.db.failing.has('readArtifactConfig')) throw new Error('database unavailable');
        return { generation: this.db.generation, artifacts: [...this.db.artifacts] };
      }),
  };

  readonly sledAgents = (id: SledId): SledAgentClient => {
    const sled = this.sled(id);
    const reachable = (op: FakeOp): void => {
      if (sled.down || sled.failing.has(op)) throw new SledAgentError(`sled ${id} unreachable`);
    };
    const checkGeneration = (hash: ArtifactHash, generation: number | undefined): void => {
      if (generation === undefined) return;
      if (generation !== sled.generation || !(sled.config?.has(hash) ?? false)) {
        throw new SledAgentError(`artifact ${hash} not in configuration ${generation}`, 409);
      }
    };
    return {
      putConfig: (config: ArtifactConfig) =>
        this.call('putConfig', id, null, null, () => {
          reachable('putConfig');
          if (sled.generation !== null && config.generation < sled.generation) {
            throw new SledAgentError('generation number is too old', 409, CONFIG_GENERATION);
          }
          sled.generation = config.generation;
          sled.config = new Set(config.artifacts);
          for (const hash of [...sled.artifacts.keys()]) {
            if (!sled.config.has(hash)) sled.artifacts.delete(hash);
          }
        }),
      list: () =>
        this.call('list', id, null, null, (): ArtifactListing => {
          reachable('list');
          return { generation: sled.generation, artifacts: new Map(sled.artifacts) };
        }),
      put: (artifact: LocalArtifact, generation?: number) =>
        this.call('put', id, artifact.hash, null, () => {
          reachable('put');
          checkGeneration(artifact.hash, generation);
          sled.artifacts.set(artifact.hash, sled.m2);
        }),
      copyFromDepot: (hash: ArtifactHash, source: SledId, generation?: number) =>
        this.call('copy', id, hash, source, () => {
          reachable('copy');
          checkGeneration(hash, generation);
          if ((this.sled(source).artifacts.get(hash) ?? 0) === 0) {
            throw new SledAgentError(`depot ${source} does not have ${hash}`, 404);
          }
          sled.artifacts.set(hash, sled.m2);
        }),
      delete: (hash: ArtifactHash) =>
        this.call('delete', id, hash, null, () => {
          reachable('delete');
          sled.artifacts.delete(hash);
        }),
    };
  };

  /** Calls of one kind, in start order. */
  callsOf(op: FakeOp): FakeCall[] {
    return this.calls.filter((call) => call.op === op);
  }

  /** Runs the fake world until `work` settles, advancing the clock from answer to answer. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    // Observed here so a rejection waits for the caller's await instead of going unhandled.
    done.catch(() => {});
    for (;;) {
      await quiesce();
      if (settled) return done;
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.pending.shift();
      if (next === undefined) throw new Error('deadlock: work is waiting and nothing is scheduled');
      this.now = next.at;
      next.fire();
    }
  }

  private call<T>(op: FakeOp, sled: SledId | null, hash: ArtifactHash | null, source: SledId | null, answer: () => T): Promise<T> {
    const record: FakeCall = { op, sled, hash, source, start: this.now, end: null, error: null };
    this.calls.push(record);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        at: this.now + this.latency(op, sled),
        seq: this.seq++,
        fire: () => {
          this.inFlight--;
          record.end = this.now;
          try {
            resolve(answer());
          } catch (err) {
            record.error = err instanceof Error ? err.message : String(err);
            reject(err);
          }
        },
      });
    });
  }
}

/** Lets every pending promise continuation run before the next answer arrives. */
function quiesce(): Promise<void> {
  // A macrotask turn runs after all queued microtasks: test-only, never in the engine.
  // eslint-disable-next-line no-restricted-globals
  return new Promise((resolve) => setImmediate(resolve));
}

/** A local repo whose `release()` is observable. */
export interface FakeRepo extends LocalRepo {
  readonly released: boolean;
}

export function fakeRepo(id: string, hashes: readonly ArtifactHash[], size = 1024): FakeRepo {
  let released = false;
  return {
    id,
    artifacts: hashes.map((hash) => ({ hash, size })),
    release() {
      if (released) throw new Error(`repo ${id} released twice`);
      released = true;
    },
    get released() {
      return released;
    },
  };
}

/** Deterministic fake SHA-256s: `hash(7)` is 64 hex digits, ordered like its number. */
export function hash(n: number): ArtifactHash {
  return n.toString(16).padStart(64, '0');
}
