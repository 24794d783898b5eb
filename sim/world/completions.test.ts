import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Completions } from './completions.ts';
import { Link, type OnLink } from './link.ts';

interface Item extends OnLink {
  readonly fromLink: Link<Item>;
  readonly toLink: Link<Item>;
}

/** A transfer from `fromLink` to `toLink`, not yet on either. */
const item = (seq: number, fromLink: Link<Item>, toLink: Link<Item>): Item => ({ seq, eta: Infinity, fromLink, toLink, fromSlot: -1, toSlot: -1 });

/**
 * A walk as the network's: the link's received transfers' finishes kept by the walker, its
 * sent ones' retimed when changed; `finish` numbers them received first.
 */
function walkWith(completions: Completions<Item>, l: Link<Item>, finish: (k: number) => number): void {
  let earliest = Infinity;
  let by: Item | undefined;
  l.received.forEach((t, k) => {
    const eta = finish(k);
    t.eta = eta;
    if (eta < earliest) {
      earliest = eta;
      by = t;
    }
  });
  l.sent.forEach((t, k) => {
    const eta = finish(l.received.length + k);
    if (eta !== t.eta) completions.retime(t, eta);
  });
  completions.walked(l, earliest, by);
}

type Op =
  | { readonly op: 'start'; readonly from: number; readonly to: number; readonly etas: readonly number[] }
  | { readonly op: 'stop'; readonly pick: number; readonly etas: readonly number[] }
  | { readonly op: 'walk'; readonly link: number; readonly etas: readonly number[] }
  | { readonly op: 'due'; readonly now: number };

const LINKS = 4;
// Few distinct finishes, so that ties (within a link, across links, with `now`) are common.
const eta = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 12 }) }, { weight: 1, arbitrary: fc.constant(Infinity) });
const etas = fc.array(eta, { minLength: 1, maxLength: 6 });
const link = fc.nat({ max: LINKS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), from: link, to: link, etas }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('stop' as const), pick: fc.nat(), etas }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('walk' as const), link, etas }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('due' as const), now: fc.integer({ min: 0, max: 12 }) }) },
);

/**
 * Plays `ops` as the network does: a start or stop walks both links of the transfer, and a
 * walk gives every running transfer on its link a new finish (drawn in turn from `etas`,
 * so some keep theirs). After each op, `earliest`, `due` and `inStartOrder` must be what a
 * scan of every running transfer gives.
 */
function play(ops: readonly Op[]): void {
  const completions = new Completions<Item>();
  const links = Array.from({ length: LINKS }, () => new Link<Item>(1));
  for (const l of links) completions.addLink(l);
  const running: Item[] = [];
  let seq = 0;
  const walk = (l: Link<Item>, finishes: readonly number[]): void => {
    walkWith(completions, l, (k) => finishes[k % finishes.length] as number);
  };
  const walkBoth = (t: Item, finishes: readonly number[]): void => {
    walk(t.fromLink, finishes);
    walk(t.toLink, finishes.slice(1).concat(finishes.slice(0, 1)));
  };
  for (const o of ops) {
    if (o.op === 'start') {
      const t = item(seq++, links[o.from] as Link<Item>, links[o.to] as Link<Item>);
      completions.add(t);
      running.push(t);
      t.fromLink.join(t);
      if (t.toLink !== t.fromLink) t.toLink.join(t);
      walkBoth(t, o.etas);
    } else if (o.op === 'stop' && running.length > 0) {
      const [t] = running.splice(o.pick % running.length, 1) as [Item];
      t.fromLink.leave(t);
      if (t.toLink !== t.fromLink) t.toLink.leave(t);
      walkBoth(t, o.etas);
    } else if (o.op === 'walk') {
      walk(links[o.link] as Link<Item>, o.etas);
    } else if (o.op === 'due') {
      expect(completions.due(o.now)).toEqual(running.filter((t) => t.eta <= o.now));
    }
    expect(completions.earliest).toBe(Math.min(Infinity, ...running.map((t) => t.eta)));
    expect(completions.inStartOrder()).toEqual(running);
  }
}

describe('Completions', () => {
  it('agrees with a scan of every running transfer: earliest finish, the transfers due (in start order), all in start order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => play(ops)),
      { numRuns: 1000 },
    );
  });

  it('answers due with every transfer at or before now over all links, in start order, not link by link', () => {
    const completions = new Completions<Item>();
    const [a, b] = [new Link<Item>(1), new Link<Item>(1)];
    completions.addLink(a);
    completions.addLink(b);
    let seq = 0;
    const start = (toLink: Link<Item>): Item => {
      const t = item(seq++, toLink, toLink);
      completions.add(t);
      toLink.join(t);
      return t;
    };
    const [first, second, third, fourth] = [start(b), start(a), start(b), start(a)];
    const walk = (l: Link<Item>, finishes: readonly number[]): void => walkWith(completions, l, (k) => finishes[k] as number);
    walk(a, [5, 9]);
    walk(b, [5, 4]);
    expect([first.eta, second.eta, third.eta, fourth.eta]).toEqual([5, 5, 4, 9]);
    expect(completions.earliest).toBe(4);
    expect(completions.due(4)).toEqual([third]);
    expect(completions.due(5)).toEqual([first, second, third]);
  });
});
