import type { Rng } from '../ports.ts';

const BLOCK_WORDS = 16;

/**
 * The ChaCha keystream as `rand_chacha` exposes it (rand_chacha/src/guts.rs@0.3.1, the
 * same in 0.9.0): state words 0–3 the constant "expand 32-byte k", 4–11 the key (the
 * 32-byte seed as little-endian words), 12–13 a 64-bit block counter from 0, 14–15 the
 * stream (0). Each block is 16 output words, drawn in order; a Rust `u64` is two
 * consecutive words, low first (rand_core's `BlockRng::next_u64`). rand_chacha buffers
 * four blocks at a time, which changes nothing in the word stream.
 */
export class ChaChaRng implements Rng {
  /**
   * The state, as signed words: read into the rounds' int32 arithmetic without a
   * conversion, and added to their result in it (a `Uint32Array`'s words above 2^31 made
   * those last 16 additions floating point).
   */
  private readonly input = new Int32Array(BLOCK_WORDS);
  private readonly output = new Uint32Array(BLOCK_WORDS);
  /** Index of the next word in `output`; BLOCK_WORDS when the block is used up. */
  private index = BLOCK_WORDS;
  /** The block counter of the next block to generate. */
  private nextBlock = 0;

  /** `doubleRounds`: 6 for ChaCha12 (Rust's `StdRng`), 10 for ChaCha20. */
  constructor(seed: Uint8Array, private readonly doubleRounds: number) {
    if (!Number.isInteger(doubleRounds) || doubleRounds < 1) throw new RangeError(`expected at least one double round, got ${doubleRounds}`);
    if (seed.length !== 32) throw new RangeError(`a ChaCha seed is 32 bytes, got ${seed.length}`);
    const s = this.input;
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (let i = 0; i < 8; i++) {
      s[4 + i] = (seed[4 * i] as number) | ((seed[4 * i + 1] as number) << 8) | ((seed[4 * i + 2] as number) << 16) | ((seed[4 * i + 3] as number) << 24);
    }
  }

  /** Words drawn so far (rand_chacha's `get_word_pos`). */
  get wordPosition(): number {
    return this.nextBlock * BLOCK_WORDS - (BLOCK_WORDS - this.index);
  }

  nextU32(): number {
    // 16 (BLOCK_WORDS) written out: bundled, a module constant is a variable read and
    // checked at every draw this is inlined into.
    if (this.index === 16) this.generate();
    return this.output[this.index++] as number;
  }

  /** Draws and discards `words` words (rand_chacha's `set_word_pos` forward). */
  skip(words: number): void {
    if (!Number.isSafeInteger(words) || words < 0) throw new RangeError(`expected a word count >= 0, got ${words}`);
    const target = this.wordPosition + words;
    const block = Math.floor(target / BLOCK_WORDS);
    if (block !== this.nextBlock - 1) {
      this.nextBlock = block;
      this.generate();
    }
    this.index = target - block * BLOCK_WORDS;
  }

  private generate(): void {
    const s = this.input;
    // The counter's low word: an Int32Array store keeps a number modulo 2^32 (ToInt32); a
    // `% 2^32` of its own was a floating-point remainder (x87 `fprem`) every block.
    s[12] = this.nextBlock;
    s[13] = Math.floor(this.nextBlock / 0x1_0000_0000);
    this.nextBlock++;
    let x0 = s[0] as number, x1 = s[1] as number, x2 = s[2] as number, x3 = s[3] as number;
    let x4 = s[4] as number, x5 = s[5] as number, x6 = s[6] as number, x7 = s[7] as number;
    let x8 = s[8] as number, x9 = s[9] as number, x10 = s[10] as number, x11 = s[11] as number;
    let x12 = s[12] as number, x13 = s[13] as number, x14 = s[14] as number, x15 = s[15] as number;
    const rounds = this.doubleRounds;
    // A do-while, not a for loop: ≈ 40 instructions fewer a block as V8 compiles them
    // (callgrind); `doubleRounds` is at least 1.
    let r = rounds;
    do {
      // Column round.
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
      // Diagonal round.
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
    } while (--r > 0);
    const o = this.output;
    o[0] = (x0 + (s[0] as number)) | 0; o[1] = (x1 + (s[1] as number)) | 0; o[2] = (x2 + (s[2] as number)) | 0; o[3] = (x3 + (s[3] as number)) | 0;
    o[4] = (x4 + (s[4] as number)) | 0; o[5] = (x5 + (s[5] as number)) | 0; o[6] = (x6 + (s[6] as number)) | 0; o[7] = (x7 + (s[7] as number)) | 0;
    o[8] = (x8 + (s[8] as number)) | 0; o[9] = (x9 + (s[9] as number)) | 0; o[10] = (x10 + (s[10] as number)) | 0; o[11] = (x11 + (s[11] as number)) | 0;
    o[12] = (x12 + (s[12] as number)) | 0; o[13] = (x13 + (s[13] as number)) | 0; o[14] = (x14 + (s[14] as number)) | 0; o[15] = (x15 + (s[15] as number)) | 0;
    this.index = 0;
  }
}

/** Rust's `StdRng::from_seed` (rand 0.8.5 and 0.9.2): ChaCha12 keyed by the 32-byte seed. */
export function stdRngFromSeed(seed: Uint8Array): ChaChaRng {
  return new ChaChaRng(seed, 6);
}
