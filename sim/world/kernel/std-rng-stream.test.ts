// An engine's rng in a simulation: Rust's StdRng keyed by the first 32 bytes of the
// incarnation's own seeded stream, so a restart draws afresh and no other stream moves.
import { describe, expect, it } from 'vitest';
import { stdRngFromSeed } from '../../../core/index.ts';
import { RandomStreams } from './random-streams.ts';

const words = (rng: { nextU32(): number }, n: number): number[] => Array.from({ length: n }, () => rng.nextU32());

describe('RandomStreams.stdRng', () => {
  it("is StdRng keyed by the stream's first 32 bytes", () => {
    const streams = new RandomStreams(5);
    const label = 'nexus/nexus-0/engine/1';
    const stream = streams.stream(label);
    const key = Uint8Array.from({ length: 32 }, () => stream.nextInt(256));
    expect(words(streams.stdRng(label), 40)).toEqual(words(stdRngFromSeed(key), 40));
    expect(Array.from(streams.bytes(label, 32))).toEqual(Array.from(key));
  });

  it('differs between incarnations and between root seeds', () => {
    const streams = new RandomStreams(5);
    const first = words(streams.stdRng('nexus/nexus-0/engine/1'), 8);
    expect(words(streams.stdRng('nexus/nexus-0/engine/2'), 8)).not.toEqual(first);
    expect(words(new RandomStreams(6).stdRng('nexus/nexus-0/engine/1'), 8)).not.toEqual(first);
  });
});
