import seedrandom from 'seedrandom';
import type { RandomStream } from './random-streams.ts';

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

  /**
   * The library's `double()`: two of its `next()` steps, the high part first. The steps
   * are written out here, not a method called twice: a step's result returned from a call
   * that is not inlined is a number allocated on the heap.
   */
  nextFloat(): number {
    // 2.3283064365386963e-10 is 2^-32 (the scale of Alea's step) and 1.1102230246251565e-16
    // 2^-53 (of seedrandom's `double`), written as literals: V8 reads a module-level
    // constant from the module's context, with a check, at every use (74 → 61 instructions
    // a draw, about four draws a message).
    const s = this.state;
    const t1 = 2091639 * (s[0] as number) + (s[3] as number) * 2.3283064365386963e-10;
    const c1 = t1 | 0;
    const high = t1 - c1;
    const t2 = 2091639 * (s[1] as number) + c1 * 2.3283064365386963e-10;
    const c2 = t2 | 0;
    const low = t2 - c2;
    // After two steps: s0 ← s2, s1 ← high, s2 ← low, c ← c2.
    s[0] = s[2] as number;
    s[1] = high;
    s[2] = low;
    s[3] = c2;
    return high + ((low * 0x200000) | 0) * 1.1102230246251565e-16;
  }

  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }
}
