// The engine's whole view of the world. The simulator implements these; so could HTTP
// clients for a real rack, with no change to the engine.
import type {
  ArtifactConfig,
  ArtifactHash,
  ArtifactListing,
  LocalArtifact,
  SledId,
} from './types.ts';

export interface Datastore {
  /** In-service sleds (omicron's `SledFilter::TufArtifactReplication`), in a stable order. */
  listSleds(): Promise<readonly SledId[]>;
  /** The wanted artifacts and their configuration generation. */
  readArtifactConfig(): Promise<ArtifactConfig>;
}

/**
 * One sled agent's artifact API. `generation` is sent by the `generation` engine only;
 * earlier engines pass `undefined`. Failures reject with a `SledAgentError`.
 */
export interface SledAgentClient {
  putConfig(config: ArtifactConfig): Promise<void>;
  list(): Promise<ArtifactListing>;
  put(artifact: LocalArtifact, generation?: number): Promise<void>;
  copyFromDepot(hash: ArtifactHash, source: SledId, generation?: number): Promise<void>;
  delete(hash: ArtifactHash): Promise<void>;
}

export type SledAgentClients = (sled: SledId) => SledAgentClient;

/** Virtual time in integer microseconds. */
export interface Clock {
  now(): number;
}

/**
 * A stream of uniformly random 32-bit words: Rust's `RngCore::next_u32`. The planner
 * turns words into choices exactly as the `rand` release of its generation does
 * (`core/rng/`), so the same words give omicron's choices.
 */
export interface Rng {
  nextU32(): number;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | null>>;

export interface Log {
  log(level: LogLevel, msg: string, fields: LogFields): void;
}

/** Error code with which a sled refuses a configuration older than the one it holds. */
export const CONFIG_GENERATION = 'CONFIG_GENERATION';

/**
 * A sled agent's refusal or a transport failure, as the client reports it.
 *
 * An `Error` by its prototype (set below), not by `extends Error`: the simulated world
 * makes thousands of these a run (timeouts, refusals), and the `Error` constructor is a
 * call into the runtime that records a stack trace, which cost more than everything else
 * done with one. Nothing reads a stack: the engine and reports read `message`, `status`
 * and `errorCode`, and `instanceof Error` and `instanceof SledAgentError` hold as before.
 */
export class SledAgentError implements Error {
  readonly name = 'SledAgentError';

  constructor(
    readonly message: string,
    /** HTTP status, or `null` when no response arrived (timeout, connection refused). */
    readonly status: number | null = null,
    /** Dropshot's `error_code`, e.g. `CONFIG_GENERATION`. */
    readonly errorCode: string | null = null,
  ) {}

  /** What a stack captured without frames reads: the header line alone. */
  get stack(): string {
    return `${this.name}: ${this.message}`;
  }
}
Object.setPrototypeOf(SledAgentError.prototype, Error.prototype);

export function isConfigGenerationConflict(err: unknown): boolean {
  return err instanceof SledAgentError && err.status === 409 && err.errorCode === CONFIG_GENERATION;
}
