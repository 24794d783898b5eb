import { describe, expect, it } from 'vitest';
import { Link } from './link.ts';

const item = (seq: number) => ({ eta: 0, seq, heapIndex: 0 });

describe('Link', () => {
  it('keeps its share as the bandwidth over the transfers on it', () => {
    const link = new Link(90);
    const [a, b, c] = [item(0), item(1), item(2)];
    link.join(a);
    expect(link.share).toBe(90);
    link.join(b);
    link.join(c);
    expect(link.share).toBe(30);
    link.leave();
    expect(link.share).toBe(45);
    expect(link.transfers).toEqual([a, b, c]);
  });
});
