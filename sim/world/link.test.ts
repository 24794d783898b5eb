import { describe, expect, it } from 'vitest';
import { Link, type OnLink } from './link.ts';

describe('Link', () => {
  it('keeps its share as the bandwidth over the transfers on it', () => {
    const link = new Link<OnLink>(90);
    const [a, b, c] = [0, 1, 2].map((seq): OnLink => ({ eta: 0, seq, running: true, toLink: link })) as [OnLink, OnLink, OnLink];
    link.join(a);
    expect(link.share).toBe(90);
    link.join(b);
    link.join(c);
    expect(link.share).toBe(30);
    link.leave();
    expect(link.share).toBe(45);
    expect(link.transfers).toEqual([a, b, c]);
  });

  it('refreshes its earliest finish from the running transfers it owns only', () => {
    const link = new Link<OnLink>(90);
    const other = new Link<OnLink>(90);
    const on = (seq: number, eta: number, toLink: Link<OnLink>, running = true): OnLink => ({ eta, seq, running, toLink });
    const [sent, stopped, owned, later] = [on(0, 5, other), on(1, 7, link, false), on(2, 9, link), on(3, 12, link)];
    for (const t of [sent, stopped, owned, later]) link.join(t);
    link.stale = true;
    link.refreshEarliest();
    expect([link.earliest, link.earliestBy, link.stale]).toEqual([9, owned, false]);
    owned.running = false;
    later.running = false;
    link.refreshEarliest();
    expect([link.earliest, link.earliestBy]).toEqual([Infinity, undefined]);
  });
});
