import type { ArtifactHash, SledId } from '../../core/index.ts';
import { FirstSeenNumbers, NumberedMemo } from './first-seen-numbers.ts';
import type { Micros } from './kernel/event-queue.ts';

export type NexusId = string;
export type RepoName = string;
export type RequestKind = 'list' | 'put' | 'copy' | 'delete' | 'config';
export type RequestOutcome = 'ok' | 'error' | 'timeout';
export type FaultKind = 'sled_crash' | 'nexus_crash' | 'nexus_panic' | 'partition' | 'slow' | 'datastore_outage' | 'm2_failure';
/** Why copies left a dataset. */
export type RemovalCause = 'delete' | 'reconciler' | 'm2_failure';
/** How a copy came to be stored. */
export type StoredVia = 'put' | 'copy' | 'initial';

/**
 * Ground truth: every change of state in the world, in the order it happened. Checkers
 * and reports read these; nothing reads them back into the world. Fields are listed in a
 * fixed order per type, so one event always serialises to the same bytes. The body is an
 * event's fields after its time `t` (see `WorldEvent`).
 */
export type WorldEventBody =
  | { type: 'repo_upload_started'; repo: RepoName; nexus: NexusId; bytes: number }
  | { type: 'repo_upload_failed'; repo: RepoName; nexus: NexusId; reason: string }
  | { type: 'repo_inserted'; repo: RepoName; nexus: NexusId | null; artifacts: readonly ArtifactHash[]; generation: number }
  | { type: 'repo_insert_skipped'; repo: RepoName; nexus: NexusId }
  | { type: 'repo_deleted'; repo: RepoName; generation: number }
  | { type: 'local_repo_added'; nexus: NexusId; repo: RepoName; bytes: number }
  /** `by`: the task (replicated, or a planted bug) or the upload handler (a duplicate upload). */
  | { type: 'local_repo_released'; nexus: NexusId; repo: RepoName; bytes: number; by: 'task' | 'upload' }
  | { type: 'local_repos_lost'; nexus: NexusId; repos: readonly RepoName[]; bytes: number }
  | { type: 'artifact_stored'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; via: StoredVia }
  | { type: 'artifact_removed'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; cause: RemovalCause }
  /** A final file no writer fills any more holds `bytes` of the artifact's `size` (omicron#7796). */
  | { type: 'artifact_truncated'; sled: SledId; m2: number; hash: ArtifactHash; bytes: number; size: number }
  | { type: 'write_failed'; sled: SledId; hash: ArtifactHash; reason: string }
  | { type: 'config_stored'; sled: SledId; generation: number; artifacts: number }
  | {
      type: 'request_sent';
      id: number;
      nexus: NexusId;
      activation: number;
      kind: RequestKind;
      target: SledId;
      source: SledId | null;
      hash: ArtifactHash | null;
      bytes: number;
    }
  | { type: 'request_done'; id: number; outcome: RequestOutcome; error: string | null }
  | { type: 'activation_started'; nexus: NexusId; activation: number }
  | {
      type: 'activation_finished';
      nexus: NexusId;
      activation: number;
      error: string | null;
      deferred: number;
      localRepos: number;
    }
  | { type: 'fault_started'; fault: number; kind: FaultKind; target: string }
  | { type: 'fault_ended'; fault: number; kind: FaultKind; target: string }
  | { type: 'sled_added'; sled: SledId }
  | { type: 'sled_expunged'; sled: SledId }
  | { type: 'nexus_started'; nexus: NexusId; incarnation: number };

/**
 * An event: its time `t`, then its body. Emitters build it with `t: NOW` written first and
 * `emit` stamps the clock's time into that slot when the event is recorded or given to a
 * listener. Written first, `t` keeps its place in every object of a type (one shape, no
 * property added per event) and comes first in `JSON.stringify(event)`, which is the
 * recorded history line as is.
 */
export type WorldEvent = { readonly t: Micros } & WorldEventBody;

/**
 * The `t` an emitter writes: a placeholder `WorldEventLog.emit` replaces with the time
 * before the event is recorded or given to a listener (the hash and the observer read the
 * clock instead: see `WorldEventObserver`).
 *
 * Not a number, though typed as one, for V8's sake, now that most events are never
 * stamped: object literals with `t` first can share the map that holds `t` with other
 * objects built `t` first (violations, say), whose times pass 2³¹ µs. With a small integer
 * here that field's representation changed mid-run, and events built from the old
 * literals were moved to the new map one by one (`JSObject::MigrateToMap`: 2.6% more
 * instructions in a rack-day run than before, not less); a float here would give every
 * event a box again. `null` keeps the field tagged from the start: no box, no change.
 */
export const NOW = null as unknown as Micros;
export type WorldEventType = WorldEvent['type'];

/**
 * What `emit` passes beside an event that names a sled or an artifact: the sled's index in
 * the world and the artifact's catalog number (`ArtifactCatalog`), so that the history
 * hash and the observers read arrays where they looked names up. For `request_sent` they
 * are its target's and its artifact's. `UNNUMBERED` where the emitter has none (and in a
 * history read back from JSON): the name is looked up then.
 */
export const UNNUMBERED = -1;

export type WorldEventListener = (event: WorldEvent, sled: number, artifact: number) => void;
/** The events of one type. */
export type EventOf<T extends WorldEventType> = Extract<WorldEvent, { type: T }>;
/** The bodies of one type: an event without its time. */
export type BodyOf<T extends WorldEventType> = Extract<WorldEventBody, { type: T }>;

/** Where the time of an event is read when the event is not stamped with it. */
export interface EventClock {
  readonly now: Micros;
}

/**
 * A watcher of the stream with a method for each of the four types that make nearly every
 * event (requests sent and done, copies stored and removed), and `other` for the rest.
 * `WorldEventLog.emit` calls it from the one switch on the type it makes for the history
 * hash: a listener called with every event has to make its own.
 *
 * It is given bodies, not stamped events: the log stamps `t` only where the event outlives
 * the call (a recorded line, a listener), and an observer reads the time of the event it is
 * given from the clock `follow` hands it. A stamp is a fresh heap number on each of a
 * seed's 145k events (times pass 2³¹ µs), and nothing else of the run needed it.
 *
 * Those four types come as their fields, not as objects (see `FieldEmits`).
 */
export interface WorldEventObserver {
  /** Called once, by `WorldEventLog.watch`: the clock whose `now` is each event's time. */
  follow(clock: EventClock): void;
  requestSent: SendRequest;
  requestDone: FinishRequest;
  artifactStored: StoreCopy;
  artifactRemoved: RemoveCopy;
  other(event: WorldEventBody, sled: number, artifact: number): void;
}

/**
 * A request_sent as its fields after its type, in their order, then the world's numbers
 * of its target and its artifact (see `UNNUMBERED`).
 */
export type SendRequest = (
  id: number,
  nexus: NexusId,
  activation: number,
  kind: RequestKind,
  target: SledId,
  source: SledId | null,
  hash: ArtifactHash | null,
  bytes: number,
  targetNumber: number,
  artifactNumber: number,
) => void;

/** A request_done as its fields after its type. */
export type FinishRequest = (id: number, outcome: RequestOutcome, error: string | null) => void;

/**
 * An artifact_stored as its fields after its type, in their order, then the world's
 * numbers of its sled and its artifact (see `UNNUMBERED`).
 */
export type StoreCopy = (sled: SledId, m2: number, hash: ArtifactHash, bytes: number, via: StoredVia, sledNumber: number, artifactNumber: number) => void;

/** An artifact_removed as its fields after its type, then the numbers `StoreCopy` takes. */
export type RemoveCopy = (sled: SledId, m2: number, hash: ArtifactHash, bytes: number, cause: RemovalCause, sledNumber: number, artifactNumber: number) => void;

/**
 * The four frequent types passed on from their fields, which the world's event log offers
 * beside `emit` (as its `log`). Every request of a run (56k a rack-day seed) sends
 * two events, and copies are stored and removed some 45k times a seed; as objects they
 * were a seed's largest allocations of events, read once by the hash and the observers
 * and dropped, unless the history is recorded or a listener keeps them. From the fields,
 * the log builds the object only then. Use the `emit…` functions below, which build it
 * for an `emit` without them (a test's).
 */
export interface FieldEmits {
  requestSent: SendRequest;
  requestDone: FinishRequest;
  artifactStored: StoreCopy;
  artifactRemoved: RemoveCopy;
}

/**
 * `WorldEventLog.emit` as the emitters hold it. The four frequent types go to `log`, the
 * log itself: its methods are one function object in every world, where arrows made per
 * log were one per world, and a call site TurboFan had inlined for the first world's
 * deoptimized on meeting the second's ("wrong call target"), in every process.
 */
export type EmitEvent = ((event: WorldEvent, sled?: number, artifact?: number) => void) & { readonly log?: FieldEmits };

/** Emits a request_sent through `emit` from its fields (see `FieldEmits`). */
export function emitRequestSent(
  emit: EmitEvent,
  id: number,
  nexus: NexusId,
  activation: number,
  kind: RequestKind,
  target: SledId,
  source: SledId | null,
  hash: ArtifactHash | null,
  bytes: number,
  targetNumber: number,
  artifactNumber: number,
): void {
  const log = emit.log;
  if (log !== undefined) log.requestSent(id, nexus, activation, kind, target, source, hash, bytes, targetNumber, artifactNumber);
  else emit({ t: NOW, type: 'request_sent', id, nexus, activation, kind, target, source, hash, bytes }, targetNumber, artifactNumber);
}

/** Emits a request_done through `emit` from its fields (see `FieldEmits`). */
export function emitRequestDone(emit: EmitEvent, id: number, outcome: RequestOutcome, error: string | null): void {
  const log = emit.log;
  if (log !== undefined) log.requestDone(id, outcome, error);
  else emit({ t: NOW, type: 'request_done', id, outcome, error });
}

/** Emits an artifact_stored through `emit` from its fields (see `FieldEmits`). */
export function emitArtifactStored(
  emit: EmitEvent,
  sled: SledId,
  m2: number,
  hash: ArtifactHash,
  bytes: number,
  via: StoredVia,
  sledNumber: number,
  artifactNumber: number,
): void {
  const log = emit.log;
  if (log !== undefined) log.artifactStored(sled, m2, hash, bytes, via, sledNumber, artifactNumber);
  else emit({ t: NOW, type: 'artifact_stored', sled, m2, hash, bytes, via }, sledNumber, artifactNumber);
}

/** Emits an artifact_removed through `emit` from its fields (see `FieldEmits`). */
export function emitArtifactRemoved(
  emit: EmitEvent,
  sled: SledId,
  m2: number,
  hash: ArtifactHash,
  bytes: number,
  cause: RemovalCause,
  sledNumber: number,
  artifactNumber: number,
): void {
  const log = emit.log;
  if (log !== undefined) log.artifactRemoved(sled, m2, hash, bytes, cause, sledNumber, artifactNumber);
  else emit({ t: NOW, type: 'artifact_removed', sled, m2, hash, bytes, cause }, sledNumber, artifactNumber);
}

/** The last string seen in one field, with its index. */
class RecentString {
  // A string from the start (never matched while `index` is -1): a comparison that once
  // met `undefined` would call the generic equality builtin for good.
  text = '';
  index = -1;
}

// The history hash's lanes' multipliers, 2654435761 and 1597334677, are written as the
// int32s `Math.imul` makes of them (a constant past 2³¹ is a heap number), and as local
// constants of each method that mixes, not module-level ones: the bundle makes a
// module's top-level `const` a `var` (esbuild does, to every module it bundles), which
// TurboFan cannot fold: it read the variable from the module's context and converted it
// from a double at every multiply, after every call that might have changed it (some
// 300 instructions a request_sent, of the method's 720).

/**
 * A 53-bit hash of the event sequence (two 32-bit multiply–xorshift lanes). Strings are
 * fed as their first-seen index, not character by character: the index sequence encodes
 * the history as well as the text does, and costs one lookup per field.
 *
 * Each value is fed as `t`, then the body's fields in their order, as words: a number as 1
 * and its two 32-bit halves (2 and its text unless a safe integer), a string as 3 and its
 * index, true, false, null as 4, 5, 6, anything else as 7 and the index of its JSON
 * (`value`, the loop `fields` runs). The digest is the one that loop gave over every field
 * of every event, and must never move from it.
 *
 * The four frequent types (nearly every event) are fed by flat code instead: each
 * method numbers the event's strings in field order, then feeds both lanes, held in
 * locals, the words `value` would, a field a line. A dozen small methods per event, each
 * reading and writing both lanes on `this`, cost some 900 instructions a request; TurboFan
 * inlined few of them into one another.
 * An event whose numbers are not int32s (never, in a world's run) goes to the loop.
 */
class HistoryHash {
  // 0xdeadbeef as the int32 every use makes of it: kept past 2³¹, the lane would be a
  // heap number, read and converted on every word.
  private h1 = 0xdeadbeef | 0;
  private h2 = 0x41c6ce57;
  private readonly strings = new FirstSeenNumbers();
  /** Sled index → its name's first-seen index (the sleds' names as `str` numbers them). */
  private readonly sledIndices = new NumberedMemo();
  /** Catalog number → its hash's first-seen index. */
  private readonly artifactIndices: NumberedMemo;
  // Each frequent type's name's first-seen index, once its first event numbered it. Kept
  // as `literalIndex` keeps a field's: a branch of its own taken once a world (the first
  // event, before V8 gave the method feedback) deoptimized the method in every new world.
  private readonly sentType = new RecentString();
  private readonly doneType = new RecentString();
  private readonly storedType = new RecentString();
  private readonly removedType = new RecentString();
  private readonly startedType = new RecentString();
  private readonly finishedType = new RecentString();
  private readonly lastNexus = new RecentString();
  private readonly lastKind = new RecentString();
  private readonly lastOutcome = new RecentString();
  private readonly lastVia = new RecentString();
  private readonly lastCause = new RecentString();

  /** `artifacts`: how many catalog numbers the world gives. */
  constructor(
    private readonly clock: EventClock,
    artifacts: number,
  ) {
    this.artifactIndices = new NumberedMemo(artifacts);
  }

  private mix(word: number): void {
    const K1 = -1640531535;
    const K2 = 1597334677;
    this.h1 = Math.imul(this.h1 ^ word, K1);
    this.h2 = Math.imul(this.h2 ^ word, K2);
  }

  private string(text: string): void {
    this.mix(this.strings.numberOf(text));
  }

  /** Any value, as the words listed above. */
  private value(value: unknown): void {
    if (typeof value === 'number') this.number(value);
    else if (typeof value === 'string') {
      this.mix(3);
      this.string(value);
    } else if (value === null || value === undefined || typeof value === 'boolean') {
      this.mix(value === true ? 4 : value === false ? 5 : 6);
    } else {
      this.mix(7);
      this.string(JSON.stringify(value));
    }
  }

  private number(value: number): void {
    if (Number.isSafeInteger(value)) {
      this.mix(1);
      this.mix(value | 0);
      this.mix(Math.floor(value / 0x100000000) | 0);
    } else {
      this.mix(2);
      this.string(String(value));
    }
  }

  /** The fields of `body` after its `t`, each as `value` feeds it. */
  private fields(body: WorldEventBody): void {
    for (const key in body) if (key !== 't') this.value((body as Record<string, unknown>)[key]);
  }

  /** `body` at the clock's time through the loop over its fields. */
  private looped(body: WorldEventBody): void {
    this.number(this.clock.now);
    this.fields(body);
    this.close();
  }

  /**
   * `value`'s words of a string of a field with few values (a type, a kind, a Nexus): a
   * string's index never changes once seen, so the field's last one is kept to skip the
   * lookup when it repeats.
   */
  private recent(value: string, last: RecentString): void {
    this.mix(3);
    this.mix(this.recentIndex(value, last));
  }

  private recentIndex(value: string, last: RecentString): number {
    if (value !== last.text || last.index < 0) {
      last.text = value;
      last.index = this.strings.numberOf(value);
    }
    return last.index;
  }

  /**
   * `recentIndex` of a field whose values are literals of the emitters (a kind, an
   * outcome, a via, a cause), with a comparison of its own. Those strings are
   * internalized, one object per text, so `!==` here compares pointers; at the site the
   * Nexus names (built strings) reach, a repeated value of equal length was compared
   * character by character in V8's `StringEqual` builtin, a call on nearly every event.
   */
  private literalIndex(value: string, last: RecentString): number {
    if (value !== last.text || last.index < 0) {
      last.text = value;
      last.index = this.strings.numberOf(value);
    }
    return last.index;
  }

  /**
   * The index of a sled's or an artifact's name with its world number `n`: a name's index
   * never changes once seen, so it is kept by the number (`UNNUMBERED`: looked up).
   */
  private namedIndex(text: string, n: number, memo: NumberedMemo): number {
    let index = memo.get(n);
    if (index < 0) {
      index = this.strings.numberOf(text);
      memo.set(n, index);
    }
    return index;
  }

  /**
   * Feeds `body`, of any type but the four frequent ones below, at the clock's time: read
   * from the clock, not the event's `t` passed as an argument, where a float is boxed anew.
   */
  other(body: WorldEventBody): void {
    const { type } = body;
    if (type !== 'activation_started' && type !== 'activation_finished') {
      // The rare types (a few hundred events a run), field by field as they come.
      this.looped(body);
      return;
    }
    this.number(this.clock.now);
    // `type` comes first in every event (each emitter writes it first).
    if (body.type === 'activation_started') {
      this.recent(body.type, this.startedType);
      this.recent(body.nexus, this.lastNexus);
      this.number(body.activation);
    } else {
      this.recent(body.type, this.finishedType);
      this.recent(body.nexus, this.lastNexus);
      this.number(body.activation);
      this.value(body.error);
      this.number(body.deferred);
      this.number(body.localRepos);
    }
    this.close();
  }

  // The four frequent types, each from the caller's switch on the type (`WorldEventLog.emit`).

  /** A request_sent, from its fields (see `SendRequest`). */
  requestSent(
    id: number,
    nexus: NexusId,
    activation: number,
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    hash: ArtifactHash | null,
    bytes: number,
    targetNumber: number,
    artifactNumber: number,
  ): void {
    const t = this.clock.now;
    if (!Number.isSafeInteger(t) || (id | 0) !== id || (activation | 0) !== activation || (bytes | 0) !== bytes) {
      this.looped({ type: 'request_sent', id, nexus, activation, kind, target, source, hash, bytes });
      return;
    }
    // Numbered in field order, as the loop would number them.
    const type = this.literalIndex('request_sent', this.sentType);
    const sender = this.recentIndex(nexus, this.lastNexus);
    const kindIndex = this.literalIndex(kind, this.lastKind);
    const on = this.namedIndex(target, targetNumber, this.sledIndices);
    const from = source === null ? -1 : this.strings.numberOf(source);
    const artifact = hash === null ? -1 : this.namedIndex(hash, artifactNumber, this.artifactIndices);
    const tLow = t | 0;
    const tHigh = Math.floor(t / 0x100000000) | 0;
    const K1 = -1640531535;
    const K2 = 1597334677;
    let a = this.h1;
    let b = this.h2;
    // t, type, id, nexus, activation, kind, target: a number as 1 and its halves, a string as 3 and its index.
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ tLow, K1) ^ tHigh, K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ tLow, K2) ^ tHigh, K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ type, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ type, K2);
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ id, K1) ^ (id >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ id, K2) ^ (id >> 31), K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ sender, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ sender, K2);
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ activation, K1) ^ (activation >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ activation, K2) ^ (activation >> 31), K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ kindIndex, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ kindIndex, K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ on, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ on, K2);
    // source and hash: a string, or null's 6.
    if (from < 0) {
      a = Math.imul(a ^ 6, K1);
      b = Math.imul(b ^ 6, K2);
    } else {
      a = Math.imul(Math.imul(a ^ 3, K1) ^ from, K1);
      b = Math.imul(Math.imul(b ^ 3, K2) ^ from, K2);
    }
    if (artifact < 0) {
      a = Math.imul(a ^ 6, K1);
      b = Math.imul(b ^ 6, K2);
    } else {
      a = Math.imul(Math.imul(a ^ 3, K1) ^ artifact, K1);
      b = Math.imul(Math.imul(b ^ 3, K2) ^ artifact, K2);
    }
    // bytes
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ bytes, K1) ^ (bytes >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ bytes, K2) ^ (bytes >> 31), K2);
    this.end(a, b);
  }

  /** A request_done, from its fields. */
  requestDone(id: number, outcome: RequestOutcome, error: string | null): void {
    const t = this.clock.now;
    if (!Number.isSafeInteger(t) || (id | 0) !== id) {
      this.looped({ type: 'request_done', id, outcome, error });
      return;
    }
    const type = this.literalIndex('request_done', this.doneType);
    const ended = this.literalIndex(outcome, this.lastOutcome);
    const text = error === null ? -1 : this.strings.numberOf(error);
    const tLow = t | 0;
    const tHigh = Math.floor(t / 0x100000000) | 0;
    const K1 = -1640531535;
    const K2 = 1597334677;
    let a = this.h1;
    let b = this.h2;
    // t, type, id, outcome, then error: a string, or null's 6.
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ tLow, K1) ^ tHigh, K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ tLow, K2) ^ tHigh, K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ type, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ type, K2);
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ id, K1) ^ (id >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ id, K2) ^ (id >> 31), K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ ended, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ ended, K2);
    if (text < 0) {
      a = Math.imul(a ^ 6, K1);
      b = Math.imul(b ^ 6, K2);
    } else {
      a = Math.imul(Math.imul(a ^ 3, K1) ^ text, K1);
      b = Math.imul(Math.imul(b ^ 3, K2) ^ text, K2);
    }
    this.end(a, b);
  }

  /** An artifact_stored, from its fields (see `StoreCopy`). */
  artifactStored(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, via: StoredVia, sledNumber: number, artifactNumber: number): void {
    const t = this.clock.now;
    if (!Number.isSafeInteger(t) || (m2 | 0) !== m2 || (bytes | 0) !== bytes) {
      this.looped({ type: 'artifact_stored', sled, m2, hash, bytes, via });
      return;
    }
    const type = this.literalIndex('artifact_stored', this.storedType);
    const on = this.namedIndex(sled, sledNumber, this.sledIndices);
    const artifact = this.namedIndex(hash, artifactNumber, this.artifactIndices);
    this.copy(t, type, on, m2, artifact, bytes, this.literalIndex(via, this.lastVia));
  }

  /** An artifact_removed, from its fields (see `RemoveCopy`). */
  artifactRemoved(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, cause: RemovalCause, sledNumber: number, artifactNumber: number): void {
    const t = this.clock.now;
    if (!Number.isSafeInteger(t) || (m2 | 0) !== m2 || (bytes | 0) !== bytes) {
      this.looped({ type: 'artifact_removed', sled, m2, hash, bytes, cause });
      return;
    }
    const type = this.literalIndex('artifact_removed', this.removedType);
    const on = this.namedIndex(sled, sledNumber, this.sledIndices);
    const artifact = this.namedIndex(hash, artifactNumber, this.artifactIndices);
    this.copy(t, type, on, m2, artifact, bytes, this.literalIndex(cause, this.lastCause));
  }

  /** An artifact_stored or an artifact_removed (`last`: its `via` or its `cause`), at time `t`, a safe integer. */
  private copy(t: number, type: number, sled: number, m2: number, hash: number, bytes: number, last: number): void {
    const tLow = t | 0;
    const tHigh = Math.floor(t / 0x100000000) | 0;
    const K1 = -1640531535;
    const K2 = 1597334677;
    let a = this.h1;
    let b = this.h2;
    // t, type, sled, m2, hash, bytes, via or cause.
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ tLow, K1) ^ tHigh, K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ tLow, K2) ^ tHigh, K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ type, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ type, K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ sled, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ sled, K2);
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ m2, K1) ^ (m2 >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ m2, K2) ^ (m2 >> 31), K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ hash, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ hash, K2);
    a = Math.imul(Math.imul(Math.imul(a ^ 1, K1) ^ bytes, K1) ^ (bytes >> 31), K1);
    b = Math.imul(Math.imul(Math.imul(b ^ 1, K2) ^ bytes, K2) ^ (bytes >> 31), K2);
    a = Math.imul(Math.imul(a ^ 3, K1) ^ last, K1);
    b = Math.imul(Math.imul(b ^ 3, K2) ^ last, K2);
    this.end(a, b);
  }

  /** Ends an event: each lane takes in the other. */
  private close(): void {
    this.end(this.h1, this.h2);
  }

  /** Ends an event whose words left the lanes at `h1` and `h2`. */
  private end(h1: number, h2: number): void {
    const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    this.h1 = a;
    this.h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  }

  digest(): string {
    return (this.h2 >>> 0).toString(16).padStart(8, '0') + (this.h1 >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * The world's event stream: feeds the history hash, the listeners and, when recording,
 * the stored history (one JSON line per event, `t` first, as each event has it).
 */
export class WorldEventLog implements FieldEmits {
  private readonly listeners: WorldEventListener[] = [];
  private readonly hash: HistoryHash | undefined;
  private readonly lines: string[] | undefined;
  private observer: WorldEventObserver | undefined = undefined;
  /** Whether events outlive `emit` (recorded, or given to a listener), and so are stamped. */
  private passedOn: boolean;
  private count = 0;

  /**
   * `hash: false` leaves the history unhashed (`digest()` is then empty). `artifacts`: how
   * many catalog numbers the world gives (events passed with one above grow a table).
   */
  constructor(
    private readonly clock: EventClock,
    options: { record?: boolean; hash?: boolean; artifacts?: number } = {},
  ) {
    this.hash = options.hash === false ? undefined : new HistoryHash(clock, options.artifacts ?? 64);
    this.lines = options.record === true ? [] : undefined;
    this.passedOn = this.lines !== undefined;
  }

  subscribe(listener: WorldEventListener): void {
    this.listeners.push(listener);
    this.passedOn = true;
  }

  /**
   * The one observer called from `emit`'s switch on the type (the runner's `Observers`),
   * which reads each event's time from this log's clock; listeners are called after it.
   */
  watch(observer: WorldEventObserver): void {
    if (this.observer !== undefined) throw new Error('the event log has its observer already');
    this.observer = observer;
    observer.follow(this.clock);
  }

  /**
   * Passes `event` (built with `t: NOW`) on at the clock's time, with the world's numbers
   * of the sled and the artifact it names (see `UNNUMBERED`); its `log`, this log, passes the
   * four frequent types on from their fields (see `FieldEmits`). One switch on the type serves
   * the hash and the observer (see `WorldEventObserver`), which read the time from the
   * clock; `t` is stamped only when the event is recorded or given to a listener.
   */
  readonly emit: EmitEvent & { readonly log: FieldEmits } = this.emitter();

  /**
   * `emit`: only the switch, each type's work a method of its own: small enough for
   * TurboFan to inline where an event is built, and there to read the type of the literal
   * just made instead of through a load that sees every type's shape (megamorphic here).
   * An arrow the emitters hold as it is, not a bound method: every log's arrow shares one
   * feedback cell, so a call site that meets the logs of many worlds still has one target
   * to inline (a bound copy per sled and per world gave each site dozens, and it inlined
   * none).
   */
  private emitter(): EmitEvent & { readonly log: FieldEmits } {
    const emit = (event: WorldEvent, sled = UNNUMBERED, artifact = UNNUMBERED): void => {
      switch (event.type) {
        case 'request_sent':
          this.requestSentEvent(event, sled, artifact);
          break;
        case 'request_done':
          this.requestDoneEvent(event, sled, artifact);
          break;
        case 'artifact_stored':
          this.artifactStoredEvent(event, sled, artifact);
          break;
        case 'artifact_removed':
          this.artifactRemovedEvent(event, sled, artifact);
          break;
        default:
          this.other(event, sled, artifact);
          break;
      }
    };
    return Object.assign(emit, { log: this });
  }

  /** A request_sent from its fields (see `SendRequest`). */
  requestSent(
    id: number,
    nexus: NexusId,
    activation: number,
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    hash: ArtifactHash | null,
    bytes: number,
    targetNumber: number,
    artifactNumber: number,
  ): void {
    this.sent(id, nexus, activation, kind, target, source, hash, bytes, targetNumber, artifactNumber);
    // Built only to outlive the call, with `t` first and the fields in their order.
    if (this.passedOn) {
      const event: WorldEvent = { t: NOW, type: 'request_sent', id, nexus, activation, kind, target, source, hash, bytes };
      this.passOn(event, targetNumber, artifactNumber);
    }
  }

  /** A request_done from its fields (see `FinishRequest`). */
  requestDone(id: number, outcome: RequestOutcome, error: string | null): void {
    this.done(id, outcome, error);
    if (this.passedOn) this.passOn({ t: NOW, type: 'request_done', id, outcome, error }, UNNUMBERED, UNNUMBERED);
  }

  /** An artifact_stored from its fields (see `StoreCopy`). */
  artifactStored(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, via: StoredVia, sledNumber: number, artifactNumber: number): void {
    this.stored(sled, m2, hash, bytes, via, sledNumber, artifactNumber);
    if (this.passedOn) this.passOn({ t: NOW, type: 'artifact_stored', sled, m2, hash, bytes, via }, sledNumber, artifactNumber);
  }

  /** An artifact_removed from its fields (see `RemoveCopy`). */
  artifactRemoved(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, cause: RemovalCause, sledNumber: number, artifactNumber: number): void {
    this.removed(sled, m2, hash, bytes, cause, sledNumber, artifactNumber);
    if (this.passedOn) this.passOn({ t: NOW, type: 'artifact_removed', sled, m2, hash, bytes, cause }, sledNumber, artifactNumber);
  }

  /** A request_sent emitted as an object: its fields go where `requestSent`'s do. */
  private requestSentEvent(event: EventOf<'request_sent'>, sled: number, artifact: number): void {
    const { id, nexus, activation, kind, target, source, hash, bytes } = event;
    this.sent(id, nexus, activation, kind, target, source, hash, bytes, sled, artifact);
    if (this.passedOn) this.passOn(event, sled, artifact);
  }

  private requestDoneEvent(event: EventOf<'request_done'>, sled: number, artifact: number): void {
    this.done(event.id, event.outcome, event.error);
    if (this.passedOn) this.passOn(event, sled, artifact);
  }

  private artifactStoredEvent(event: EventOf<'artifact_stored'>, sled: number, artifact: number): void {
    this.stored(event.sled, event.m2, event.hash, event.bytes, event.via, sled, artifact);
    if (this.passedOn) this.passOn(event, sled, artifact);
  }

  private artifactRemovedEvent(event: EventOf<'artifact_removed'>, sled: number, artifact: number): void {
    this.removed(event.sled, event.m2, event.hash, event.bytes, event.cause, sled, artifact);
    if (this.passedOn) this.passOn(event, sled, artifact);
  }

  /** A request_sent to the hash and the observer, and counted. */
  private sent(
    id: number,
    nexus: NexusId,
    activation: number,
    kind: RequestKind,
    target: SledId,
    source: SledId | null,
    hash: ArtifactHash | null,
    bytes: number,
    targetNumber: number,
    artifactNumber: number,
  ): void {
    const { hash: history, observer } = this;
    if (history !== undefined) history.requestSent(id, nexus, activation, kind, target, source, hash, bytes, targetNumber, artifactNumber);
    if (observer !== undefined) observer.requestSent(id, nexus, activation, kind, target, source, hash, bytes, targetNumber, artifactNumber);
    this.count++;
  }

  private done(id: number, outcome: RequestOutcome, error: string | null): void {
    const { hash, observer } = this;
    if (hash !== undefined) hash.requestDone(id, outcome, error);
    if (observer !== undefined) observer.requestDone(id, outcome, error);
    this.count++;
  }

  /** An artifact_stored to the hash and the observer, and counted. */
  private stored(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, via: StoredVia, sledNumber: number, artifactNumber: number): void {
    const { hash: history, observer } = this;
    if (history !== undefined) history.artifactStored(sled, m2, hash, bytes, via, sledNumber, artifactNumber);
    if (observer !== undefined) observer.artifactStored(sled, m2, hash, bytes, via, sledNumber, artifactNumber);
    this.count++;
  }

  private removed(sled: SledId, m2: number, hash: ArtifactHash, bytes: number, cause: RemovalCause, sledNumber: number, artifactNumber: number): void {
    const { hash: history, observer } = this;
    if (history !== undefined) history.artifactRemoved(sled, m2, hash, bytes, cause, sledNumber, artifactNumber);
    if (observer !== undefined) observer.artifactRemoved(sled, m2, hash, bytes, cause, sledNumber, artifactNumber);
    this.count++;
  }

  private other(event: WorldEvent, sled: number, artifact: number): void {
    const { hash, observer } = this;
    if (hash !== undefined) hash.other(event);
    if (observer !== undefined) observer.other(event, sled, artifact);
    this.count++;
    if (this.passedOn) this.passOn(event, sled, artifact);
  }

  /** Stamps `event` with the time and records it and gives it to the listeners. */
  private passOn(event: WorldEvent, sled: number, artifact: number): void {
    (event as { t: Micros }).t = this.clock.now;
    if (this.lines !== undefined) this.record(event);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as WorldEventListener)(event, sled, artifact);
  }

  private record(event: WorldEvent): void {
    const line = JSON.stringify(event);
    // Only an event built with `t` first records `t` first; an emitter that wrote it
    // elsewhere would change the history's bytes, so it fails here, at its first event.
    if (!line.startsWith('{"t":')) throw new Error(`a ${event.type} event was built without t first: ${line}`);
    (this.lines as string[]).push(line);
  }

  get size(): number {
    return this.count;
  }

  /** Hash of every event so far: equal hashes mean, in practice, equal histories. */
  digest(): string {
    return this.hash?.digest() ?? '';
  }

  /** The recorded history as JSON lines (empty unless recording). */
  history(): readonly string[] {
    return this.lines ?? [];
  }
}
