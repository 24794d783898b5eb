import { describe, expect, it } from 'vitest';
import type { WorldEventBody } from '../../world/world-events.ts';
import { fedObservers } from '../testing/fed-observers.ts';

/** A counter fed by hand: events at t = 1, 2, 3, … through every observer, as in a run. */
function counter(): { send: (body: WorldEventBody) => void; count: (name: 'concurrent_writes' | 'copy_after_put') => number } {
  const { observers, send } = fedObservers({ minSledReplication: 3, catalog: [], situations: true });
  return { send, count: (name) => observers.situations.counts.get(name) ?? 0 };
}

let ids = 0;
function sent(nexus: string, activation: number, kind: 'put' | 'copy' | 'delete', target: string, hash: string, source: string | null = null): WorldEventBody & { id: number } {
  return { type: 'request_sent', id: ++ids, nexus, activation, kind, target, source, hash, bytes: 0 };
}
const done = (id: number): WorldEventBody => ({ type: 'request_done', id, outcome: 'ok', error: null });

describe('SituationCounter', () => {
  it('counts a write to a sled another Nexus is writing the same artifact to, not one by the same Nexus', () => {
    const c = counter();
    c.send(sent('nexus-0', 1, 'copy', 'sled-1', 'h1', 'sled-0'));
    c.send(sent('nexus-0', 1, 'put', 'sled-1', 'h1'));
    expect(c.count('concurrent_writes')).toBe(0);
    c.send(sent('nexus-1', 1, 'copy', 'sled-1', 'h1', 'sled-2'));
    expect(c.count('concurrent_writes')).toBe(1);
    c.send(sent('nexus-1', 1, 'copy', 'sled-2', 'h1', 'sled-0'));
    expect(c.count('concurrent_writes')).toBe(1);
  });

  it('forgets a write when it ends, and only then: a DELETE ending meanwhile is no write', () => {
    const c = counter();
    const copy = sent('nexus-0', 1, 'copy', 'sled-1', 'h1', 'sled-0');
    const del = sent('nexus-0', 2, 'delete', 'sled-1', 'h1');
    c.send(copy);
    c.send(del);
    c.send(done(del.id));
    const other = sent('nexus-1', 1, 'copy', 'sled-1', 'h1', 'sled-2');
    c.send(other);
    expect(c.count('concurrent_writes')).toBe(1);
    c.send(done(copy.id));
    c.send(done(other.id));
    c.send(sent('nexus-2', 1, 'copy', 'sled-1', 'h1', 'sled-2'));
    expect(c.count('concurrent_writes')).toBe(1);
  });

  it('counts a copy whose source the same activation PUT the artifact to, not one of a later activation', () => {
    const c = counter();
    c.send(sent('nexus-0', 3, 'put', 'sled-1', 'h1'));
    c.send(sent('nexus-0', 3, 'copy', 'sled-2', 'h1', 'sled-1'));
    c.send(sent('nexus-0', 3, 'copy', 'sled-2', 'h2', 'sled-1'));
    c.send(sent('nexus-1', 3, 'copy', 'sled-3', 'h1', 'sled-1'));
    expect(c.count('copy_after_put')).toBe(1);
    c.send(sent('nexus-0', 4, 'copy', 'sled-3', 'h1', 'sled-1'));
    expect(c.count('copy_after_put')).toBe(1);
    c.send({ type: 'nexus_started', nexus: 'nexus-0', incarnation: 2 });
    c.send(sent('nexus-0', 3, 'copy', 'sled-4', 'h1', 'sled-1'));
    expect(c.count('copy_after_put')).toBe(1);
  });

  it('counts a copy from a PUT target only: a PUT of the artifact to another sled in the same activation is not enough', () => {
    const c = counter();
    c.send(sent('nexus-0', 5, 'put', 'sled-1', 'h1'));
    c.send(sent('nexus-0', 5, 'copy', 'sled-3', 'h1', 'sled-2'));
    expect(c.count('copy_after_put')).toBe(0);
    c.send(sent('nexus-0', 5, 'put', 'sled-2', 'h1'));
    c.send(sent('nexus-0', 5, 'put', 'sled-4', 'h1'));
    c.send(sent('nexus-0', 5, 'copy', 'sled-3', 'h1', 'sled-2'));
    expect(c.count('copy_after_put')).toBe(1);
    c.send(sent('nexus-0', 6, 'put', 'sled-5', 'h1'));
    c.send(sent('nexus-0', 6, 'copy', 'sled-3', 'h1', 'sled-2'));
    expect(c.count('copy_after_put')).toBe(1);
  });
});
