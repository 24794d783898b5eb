import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Link, type OnLink } from './link.ts';

/** A transfer from `fromLink` to `toLink` with a finish at `eta`, not yet on either. */
const on = (seq: number, eta: number, fromLink: Link<OnLink>, toLink: Link<OnLink>): OnLink => ({ seq, eta, fromLink, toLink, fromSlot: -1, toSlot: -1 });

describe('Link', () => {
  it('keeps its share as the bandwidth over the transfers on it', () => {
    const link = new Link<OnLink>(90);
    const [a, b, c] = [0, 1, 2].map((seq) => on(seq, 0, link, link)) as [OnLink, OnLink, OnLink];
    link.join(a);
    expect(link.share).toBe(90);
    link.join(b);
    link.join(c);
    expect(link.share).toBe(30);
    link.leave(a);
    expect(link.share).toBe(45);
    expect(new Set(link.received)).toEqual(new Set([b, c]));
    link.leave(b);
    link.leave(c);
    expect([link.share, link.received]).toEqual([Infinity, []]);
  });

  it('holds the transfers that joined and did not leave, received apart from sent, each at its slot, with the share the old counting gave', () => {
    // Plays joins and leaves (a transfer's two ends may be the one link, joined once) on
    // three links, against the insertion-ordered arrays and counts the links kept before.
    const step = fc.record({ join: fc.boolean(), from: fc.nat({ max: 2 }), to: fc.nat({ max: 2 }), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 1e9 }), (steps, bandwidth) => {
        const links = [0, 1, 2].map(() => new Link<OnLink>(bandwidth));
        const before = links.map(() => ({ transfers: [] as OnLink[], size: 0, share: Infinity }));
        const ends = (t: OnLink): Link<OnLink>[] => (t.fromLink === t.toLink ? [t.toLink] : [t.fromLink, t.toLink]);
        const running: OnLink[] = [];
        let seq = 0;
        for (const s of steps) {
          if (s.join || running.length === 0) {
            const t = on(seq++, 0, links[s.from] as Link<OnLink>, links[s.to] as Link<OnLink>);
            running.push(t);
            for (const l of ends(t)) {
              l.join(t);
              const old = before[links.indexOf(l)] as (typeof before)[number];
              old.transfers.push(t);
              old.share = bandwidth / ++old.size;
            }
          } else {
            const [t] = running.splice(s.pick % running.length, 1) as [OnLink];
            for (const l of ends(t)) {
              l.leave(t);
              const old = before[links.indexOf(l)] as (typeof before)[number];
              old.transfers.splice(old.transfers.indexOf(t), 1);
              old.share = bandwidth / --old.size;
            }
          }
          links.forEach((l, i) => {
            const old = before[i] as (typeof before)[number];
            expect(l.share).toBe(old.share);
            expect([...l.received, ...l.sent].sort((a, b) => a.seq - b.seq)).toEqual(old.transfers);
            l.received.forEach((t, slot) => expect([t.toLink === l, t.toSlot]).toEqual([true, slot]));
            l.sent.forEach((t, slot) => expect([t.fromLink === l && t.toLink !== l, t.fromSlot]).toEqual([true, slot]));
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refreshes its earliest finish from the transfers it owns only', () => {
    const link = new Link<OnLink>(90);
    const other = new Link<OnLink>(90);
    const [sent, owned, later] = [on(0, 5, link, other), on(2, 9, other, link), on(3, 12, other, link)];
    for (const t of [sent, owned, later]) link.join(t);
    link.stale = true;
    link.refreshEarliest();
    expect([link.earliest, link.earliestBy, link.stale]).toEqual([9, owned, false]);
    link.leave(owned);
    link.leave(later);
    link.refreshEarliest();
    expect([link.earliest, link.earliestBy]).toEqual([Infinity, undefined]);
  });
});
