/** SHA-256 of an artifact's contents, lower-case hex. Storage is content-addressed by it. */
export type ArtifactHash = string;

/** Identifies a sled; the datastore lists in-service sleds by id. */
export type SledId = string;

/** The versions of the task (and sled agent) that depotsim can run (ENGINE.md §1). */
export const ENGINE_GENERATIONS = ['review', 'merged', 'generation', 'current'] as const;
export type EngineGeneration = (typeof ENGINE_GENERATIONS)[number];

/**
 * Whether the task sends artifact configurations and sleds reconcile deletes themselves
 * (omicron#7519, c31dc2f3, and every later commit).
 */
export function usesConfigGenerations(generation: EngineGeneration): boolean {
  return generation === 'generation' || generation === 'current';
}

/** Deliberate defects for proving that the checkers catch what they claim (ENGINE.md §5). */
export const PLANTED_BUGS = [
  'release_early',
  'empty_wanted_on_error',
  'ignore_limits',
  'forget_local_on_activation',
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

/** The wanted set of artifacts as the datastore holds it. */
export interface ArtifactConfig {
  /** Bumped whenever a repo is added or removed; only the `generation` engine sends it. */
  readonly generation: number;
  /** Never changed once read: a reader may know an array it saw before by its identity. */
  readonly artifacts: readonly ArtifactHash[];
}

/**
 * What a listing's source may add to a listing's artifacts so that reading them hashes no
 * strings: the same entries in a numbering of artifacts the source keeps for every listing
 * it gives. Optional: a listing without it is read by its hashes, with the same result.
 * (The simulator numbers every artifact of a scenario when it builds the world.)
 */
export interface NumberedArtifacts {
  /**
   * Number → hash. Shared by every listing of one numbering, which only ever appends to
   * it: a number keeps its hash.
   */
  readonly hashes: readonly ArtifactHash[];
  /** The listing's entries as `number * 256 + count` (count 1 to 255), in any order. */
  readonly entries: readonly number[];
}

/** Hash → copies, as a sled listed them; `numbered` is an optional form of the same entries. */
export type ListedArtifacts = ReadonlyMap<ArtifactHash, number> & { readonly numbered?: NumberedArtifacts | undefined };

/** One sled's answer to `list`. */
export interface ArtifactListing {
  /** The configuration generation the sled holds; `null` for sleds without configurations. */
  readonly generation: number | null;
  /**
   * Hash → number of update datasets (M.2s) holding it. A snapshot: never changed once
   * returned, so the engine may keep what it derived from it (`ArtifactIds.listing`).
   */
  readonly artifacts: ListedArtifacts;
}

/** An artifact in a Nexus's local storage, ready to be PUT to a sled. */
export interface LocalArtifact {
  readonly hash: ArtifactHash;
  readonly size: number;
}

/**
 * A repo unpacked into a Nexus's temporary storage (`ArtifactsWithPlan` in omicron).
 * `release()` deletes its local files: the engine calls it once, when it drops the repo.
 */
export interface LocalRepo {
  readonly id: string;
  readonly artifacts: readonly LocalArtifact[];
  release(): void;
}

export interface PutRequest {
  readonly kind: 'put';
  readonly target: SledId;
  readonly artifact: LocalArtifact;
}

export interface CopyRequest {
  readonly kind: 'copy';
  readonly target: SledId;
  readonly source: SledId;
  readonly hash: ArtifactHash;
}

export interface DeleteRequest {
  readonly kind: 'delete';
  readonly target: SledId;
  readonly hash: ArtifactHash;
}

export type Request = PutRequest | CopyRequest | DeleteRequest;

export function requestHash(request: Request): ArtifactHash {
  return request.kind === 'put' ? request.artifact.hash : request.hash;
}
