import { stdRngFromSeed, type ChaChaRng } from '../../../core/index.ts';
import { AleaStream } from './alea-stream.ts';

/** A seeded stream of the world's draws. */
export interface RandomStream {
  /** A uniformly drawn integer in [0, bound); `bound` is a positive integer. */
  nextInt(bound: number): number;
  /** Uniform in [0, 1). */
  nextFloat(): number;
}

/**
 * Independent random streams derived from (root seed, label). A component draws only from
 * its own stream, so adding a sled or a fault family shifts no other component's draws.
 */
export class RandomStreams {
  constructor(readonly seed: number) {}

  stream(label: string): RandomStream {
    return new AleaStream(`depotsim/${this.seed}/${label}`);
  }

  /**
   * A Rust `StdRng` keyed by the first 32 bytes of the stream `label`: what an engine
   * draws from, as omicron's task draws from the thread rng (ChaCha12 too).
   */
  stdRng(label: string): ChaChaRng {
    return stdRngFromSeed(this.bytes(label, 32));
  }

  /** `count` bytes from the stream `label`. */
  bytes(label: string, count: number): Uint8Array {
    const stream = this.stream(label);
    // A loop, not `Uint8Array.from` with a mapper: a closure made per call loses its
    // optimized code at each full collection, and this runs for every sled each seed.
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) bytes[i] = stream.nextInt(256);
    return bytes;
  }
}
