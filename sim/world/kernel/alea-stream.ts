import seedrandom from 'seedrandom';
import type { RandomStream } from './random-streams.ts';

/** 2^-32 and 2^-53, the scales of Alea's step and of seedrandom's `double`. */
const TWO_TO_MINUS_32 = 2.3283064365386963e-10;
const TWO_TO_MINUS_53 = 1.1102230246251565e-16;

/**
 * seedrandom's Alea (`seedrandom/lib/alea.js`, 3.0.5), stepped here over a typed array.
 * The library keeps its state in four properties of an object and returns each step as a
 * fresh number: every draw allocated (a message's latency alone takes four steps), and
 * each call went through two closures. Seeding is still the library's (its Mash of the
 * seed string, read once through `state()`), and each step does the same floating-point
 * operations in the same order, so every draw is bit for bit the library's (pinned by a
 * property test against `seedrandom.alea`).
 */
export class AleaStream implements RandomStream {
  /** s0, s1, s2 and the carry c, as the library names them. */
  private readonly state = new Float64Array(4);

  constructor(seed: string) {
    const { s0, s1, s2, c } = seedrandom.alea(seed, { state: true }).state();
    this.state[0] = s0;
    this.state[1] = s1;
    this.state[2] = s2;
    this.state[3] = c;
  }

  /** The library's `next()`: uniform in [0, 1) with 32 bits. */
  private step(): number {
    const s = this.state;
    const t = 2091639 * (s[0] as number) + (s[3] as number) * TWO_TO_MINUS_32;
    s[0] = s[1] as number;
    s[1] = s[2] as number;
    const c = t | 0;
    s[3] = c;
    const next = t - c;
    s[2] = next;
    return next;
  }

  /** The library's `double()`: 53 bits from two steps, the high part first. */
  nextFloat(): number {
    const high = this.step();
    return high + ((this.step() * 0x200000) | 0) * TWO_TO_MINUS_53;
  }

  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }
}
