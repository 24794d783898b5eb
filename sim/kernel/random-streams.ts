import seedrandom from 'seedrandom';
import type { Rng } from '../../core/index.ts';

/** A seeded stream: the engine's `Rng` plus the draws the world needs. */
export interface RandomStream extends Rng {
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
    const prng = seedrandom.alea(`depotsim/${this.seed}/${label}`);
    return {
      nextFloat: () => prng.double(),
      nextInt: (bound: number) => Math.floor(prng.double() * bound),
    };
  }
}
