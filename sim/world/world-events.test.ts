import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emitArtifactRemoved,
  emitArtifactStored,
  emitRequestDone,
  emitRequestSent,
  NOW,
  UNNUMBERED,
  WorldEventLog,
  type EmitEvent,
  type EventClock,
  type WorldEvent,
  type WorldEventBody,
  type WorldEventObserver,
} from './world-events.ts';

/**
 * The history hash as it was first written, one loop over every field of the body: the
 * digest of every stored run is this one, so the hash must never move from it.
 */
function referenceDigest(events: readonly { t: number; body: WorldEventBody }[]): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const strings = new Map<string, number>();
  const mix = (word: number): void => {
    h1 = Math.imul(h1 ^ word, 2654435761);
    h2 = Math.imul(h2 ^ word, 1597334677);
  };
  const string = (text: string): void => {
    if (!strings.has(text)) strings.set(text, strings.size);
    mix(strings.get(text) as number);
  };
  const value = (v: unknown): void => {
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) {
        mix(1);
        mix(v | 0);
        mix(Math.floor(v / 0x100000000) | 0);
      } else {
        mix(2);
        string(String(v));
      }
    } else if (typeof v === 'string') {
      mix(3);
      string(v);
    } else if (v === null || v === undefined || typeof v === 'boolean') {
      mix(v === true ? 4 : v === false ? 5 : 6);
    } else {
      mix(7);
      string(JSON.stringify(v));
    }
  };
  for (const { t, body } of events) {
    value(t);
    for (const key in body) value((body as Record<string, unknown>)[key]);
    const a = h1;
    const b = h2;
    h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  }
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

// Few distinct names, so that strings repeat and their first-seen indices matter.
const name = fc.constantFrom('sled-0', 'sled-1', 'nexus-0', 'h1', 'h2', 'r1', '');
const maybe = fc.option(name, { nil: null });
// Int32s (the hash's fast path), integers on both sides of 2³², fractions and negatives:
// each takes another path.
const num = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
// Times as a world's clock gives them (past 2³¹ µs), and the odd one no clock gives.
const time = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 2 ** 45 }) }, { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) });
const kind = fc.constantFrom('list', 'put', 'copy', 'delete', 'config');

// Each type with its fields in the order its emitters write them.
const body: fc.Arbitrary<WorldEventBody> = fc.oneof(
  fc.record({ type: fc.constant('request_sent'), id: num, nexus: name, activation: num, kind, target: name, source: maybe, hash: maybe, bytes: num }),
  fc.record({ type: fc.constant('request_done'), id: num, outcome: fc.constantFrom('ok', 'error', 'timeout'), error: maybe }),
  fc.record({ type: fc.constant('artifact_stored'), sled: name, m2: num, hash: name, bytes: num, via: fc.constantFrom('put', 'copy', 'initial') }),
  fc.record({ type: fc.constant('artifact_removed'), sled: name, m2: num, hash: name, bytes: num, cause: fc.constantFrom('delete', 'reconciler', 'm2_failure') }),
  fc.record({ type: fc.constant('artifact_truncated'), sled: name, m2: num, hash: name, bytes: num, size: num }),
  fc.record({ type: fc.constant('activation_started'), nexus: name, activation: num }),
  fc.record({ type: fc.constant('activation_finished'), nexus: name, activation: num, error: maybe, deferred: num, localRepos: num }),
  fc.record({ type: fc.constant('repo_inserted'), repo: name, nexus: maybe, artifacts: fc.array(name, { maxLength: 3 }), generation: num }),
  fc.record({ type: fc.constant('local_repos_lost'), nexus: name, repos: fc.array(name, { maxLength: 3 }), bytes: num }),
  fc.record({ type: fc.constant('fault_started'), fault: num, kind: fc.constantFrom('sled_crash', 'partition'), target: name }),
  fc.record({ type: fc.constant('sled_added'), sled: name }),
) as fc.Arbitrary<WorldEventBody>;

describe('the history hash', () => {
  it('is the digest of the loop over every field, for any sequence of events', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: time, body }), { maxLength: 40 }), (events) => {
        const clock = { now: 0 };
        const log = new WorldEventLog(clock);
        const fed = events.map(({ t, body: b }) => ({ t, body: { ...b } }));
        for (const { t, body: b } of events) {
          clock.now = t;
          log.emit({ t: NOW, ...b });
        }
        expect(log.digest()).toBe(referenceDigest(fed));
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The numbers an emitter passes beside an event, as a world gives them: each sled name and
 * each artifact name has one, in two separate spaces (so `sled-0` and `h1` are both 0),
 * or none at all when `numbered` is false.
 */
function numbersOf(body: WorldEventBody, numbered: boolean): [number, number] {
  if (!numbered) return [UNNUMBERED, UNNUMBERED];
  const sledNumber = (name: string | null): number => (name === null ? UNNUMBERED : SLEDS.indexOf(name));
  const artifactNumber = (name: string | null): number => (name === null ? UNNUMBERED : ARTIFACTS.indexOf(name));
  switch (body.type) {
    case 'request_sent':
      return [sledNumber(body.target), artifactNumber(body.hash)];
    case 'artifact_stored':
    case 'artifact_removed':
    case 'artifact_truncated':
      return [sledNumber(body.sled), artifactNumber(body.hash)];
    case 'sled_added':
      return [sledNumber(body.sled), UNNUMBERED];
    default:
      return [UNNUMBERED, UNNUMBERED];
  }
}
const SLEDS = ['sled-0', 'sled-1', 'nexus-0', '', 'h1', 'h2', 'r1'];
const ARTIFACTS = ['h1', 'h2', 'r1', 'sled-0', 'sled-1', 'nexus-0', ''];

describe('the history hash, given the sleds’ and artifacts’ numbers beside the events', () => {
  it('gives the digest of the names alone, whichever events carry numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: time, body, numbered: fc.boolean() }), { maxLength: 40 }), (events) => {
        const clock = { now: 0 };
        const log = new WorldEventLog(clock);
        const fed = events.map(({ t, body: b }) => ({ t, body: { ...b } }));
        for (const { t, body: b, numbered } of events) {
          clock.now = t;
          const [sled, artifact] = numbersOf(b, numbered);
          log.emit({ t: NOW, ...b }, sled, artifact);
        }
        expect(log.digest()).toBe(referenceDigest(fed));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the recorded history', () => {
  it('is each event as its time, then its body, one JSON line each', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.integer({ min: 0, max: 2 ** 45 }), body }), { maxLength: 20 }), (events) => {
        const clock = { now: 0 };
        const log = new WorldEventLog(clock, { record: true });
        for (const { t, body: b } of events) {
          clock.now = t;
          log.emit({ t: NOW, ...b });
        }
        expect(log.history()).toEqual(events.map(({ t, body: b }) => `{"t":${t},${JSON.stringify(b).slice(1)}`));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an event built with t after its type, which would record other bytes', () => {
    const log = new WorldEventLog({ now: 5 }, { record: true });
    expect(() => log.emit({ type: 'sled_added', t: NOW, sled: 's1' } as WorldEvent)).toThrow(/a sled_added event was built without t first/);
    expect(log.history()).toEqual([]);
  });
});

describe('the observer of the event log', () => {
  /** An observer that notes, for each event it is given, the clock's time and the event's own `t`. */
  function noting(): { observer: WorldEventObserver; seen: { now: number; t: unknown; type: string }[] } {
    const seen: { now: number; t: unknown; type: string }[] = [];
    let clock: EventClock = { now: Number.NaN };
    const note = (e: WorldEventBody): void => {
      seen.push({ now: clock.now, t: (e as { t?: unknown }).t, type: e.type });
    };
    // The four frequent types come as their fields: no object, so nothing stamped.
    const observer: WorldEventObserver = {
      follow: (c) => {
        clock = c;
      },
      requestSent: () => seen.push({ now: clock.now, t: NOW, type: 'request_sent' }),
      requestDone: () => seen.push({ now: clock.now, t: NOW, type: 'request_done' }),
      artifactStored: () => seen.push({ now: clock.now, t: NOW, type: 'artifact_stored' }),
      artifactRemoved: () => seen.push({ now: clock.now, t: NOW, type: 'artifact_removed' }),
      other: note,
    };
    return { observer, seen };
  }

  it('reads each time from the clock it is handed, and sees events stamped only once they outlive the call', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.integer({ min: 0, max: 2 ** 45 }), body }), { minLength: 1, maxLength: 20 }), fc.nat(), (events, at) => {
        const clock = { now: 0 };
        const log = new WorldEventLog(clock);
        const { observer, seen } = noting();
        log.watch(observer);
        const listened: number[] = [];
        const from = at % events.length;
        events.forEach(({ t, body: b }, i) => {
          if (i === from) log.subscribe((e) => listened.push(e.t));
          clock.now = t;
          log.emit({ t: NOW, ...b });
        });
        expect(seen.map((s) => [s.type, s.now])).toEqual(events.map(({ t, body: b }) => [b.type, t]));
        // Before any listener nothing is stamped (no heap number per event); from the first
        // one on, every event is, before the listener sees it.
        expect(seen.slice(0, from).every((s) => s.t === NOW)).toBe(true);
        expect(listened).toEqual(events.slice(from).map(({ t }) => t));
      }),
      { numRuns: 100 },
    );
  });
});

describe('requests’ and copies’ events from their fields', () => {
  /** Emits `body` through `emit`, the four frequent types from their fields. */
  function emitFromFields(emit: EmitEvent, body: WorldEventBody, sled: number, artifact: number): void {
    if (body.type === 'request_sent') {
      const { id, nexus, activation, kind, target, source, hash, bytes } = body;
      emitRequestSent(emit, id, nexus, activation, kind, target, source, hash, bytes, sled, artifact);
    } else if (body.type === 'request_done') emitRequestDone(emit, body.id, body.outcome, body.error);
    else if (body.type === 'artifact_stored') emitArtifactStored(emit, body.sled, body.m2, body.hash, body.bytes, body.via, sled, artifact);
    else if (body.type === 'artifact_removed') emitArtifactRemoved(emit, body.sled, body.m2, body.hash, body.bytes, body.cause, sled, artifact);
    else emit({ t: NOW, ...body }, sled, artifact);
  }

  it('give the log the digest, the history and the listeners’ events their objects give', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: time, body, numbered: fc.boolean() }), { maxLength: 40 }), (events) => {
        const clock = { now: 0 };
        const run = (fromFields: boolean): { digest: string; history: readonly string[]; heard: unknown[] } => {
          const log = new WorldEventLog(clock, { record: true });
          const heard: unknown[] = [];
          log.subscribe((e, sled, artifact) => heard.push([JSON.stringify(e), sled, artifact]));
          for (const { t, body: b, numbered } of events) {
            clock.now = t;
            const [sled, artifact] = numbersOf(b, numbered);
            if (fromFields) emitFromFields(log.emit, b, sled, artifact);
            else log.emit({ t: NOW, ...b }, sled, artifact);
          }
          return { digest: log.digest(), history: log.history(), heard };
        };
        const fields = run(true);
        expect(fields).toEqual(run(false));
        expect(fields.digest).toBe(referenceDigest(events.map(({ t, body: b }) => ({ t, body: b }))));
      }),
      { numRuns: 200 },
    );
  });

  it('reach an emit without the log’s methods as the objects the log would build', () => {
    fc.assert(
      fc.property(body, fc.boolean(), (b, numbered) => {
        const given: unknown[] = [];
        const [sled, artifact] = numbersOf(b, numbered);
        emitFromFields((e, s, a) => given.push([JSON.stringify(e), s ?? UNNUMBERED, a ?? UNNUMBERED]), b, sled, artifact);
        expect(given).toEqual([[JSON.stringify({ t: NOW, ...b }), sled, b.type === 'request_done' ? UNNUMBERED : artifact]]);
      }),
    );
  });
});
