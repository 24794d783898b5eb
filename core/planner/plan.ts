import type { Inventory } from '../inventory.ts';
import type {
  CopyRequest,
  DeleteRequest,
  LocalRepo,
  PutRequest,
  Request,
  SledId,
} from '../types.ts';

/** What an activation collected, as the planner needs it. */
export interface PlanInput {
  /** In-service sleds in the datastore's order. */
  readonly sleds: readonly SledId[];
  readonly inventory: Inventory;
  /** The Nexus's local repos, in the order it received them. */
  readonly localRepos: readonly LocalRepo[];
}

/** The requests of one activation in omicron's priority classes, and the repos to drop. */
export interface Plan {
  /** Highest priority: sent first. */
  readonly put: readonly PutRequest[];
  /** Copies sourced from a sled this activation PUTs the artifact to: they wait for every PUT. */
  readonly copyAfterPut: readonly CopyRequest[];
  /** Copies from a sled that holds the artifact, and deletes. */
  readonly other: readonly (CopyRequest | DeleteRequest)[];
  /** Lowest priority: copies to sleds holding fewer than `expected_count` copies. */
  readonly recopy: readonly CopyRequest[];
  /** How many requests a per-activation cap held back (`review`), counted without building them. */
  readonly deferredCount: number;
  /**
   * Those requests, retried next activation: built when first read, which must be before
   * the same `GeneratedRequests` plans again (`planInventory`).
   */
  readonly deferred: readonly Request[];
  /** Local repos the activation drops, so their local files go. */
  readonly release: readonly LocalRepo[];
}

export function allRequests(plan: Plan): Request[] {
  return [...plan.put, ...plan.copyAfterPut, ...plan.other, ...plan.recopy];
}

/**
 * `review`'s plan: its deferred requests are built when first read. It holds back most of
 * what it generates, and the engine reads only how many (a class, not an object literal
 * with a getter: that literal cost a runtime call to define the getter every activation).
 */
export class ReviewPlan implements Plan {
  readonly copyAfterPut: readonly CopyRequest[] = [];
  readonly recopy: readonly CopyRequest[] = [];
  readonly #build: () => readonly Request[];
  #built: readonly Request[] | undefined;

  constructor(
    readonly put: readonly PutRequest[],
    readonly other: readonly (CopyRequest | DeleteRequest)[],
    readonly deferredCount: number,
    build: () => readonly Request[],
    readonly release: readonly LocalRepo[],
  ) {
    this.#build = build;
  }

  get deferred(): readonly Request[] {
    return (this.#built ??= this.#build());
  }
}
