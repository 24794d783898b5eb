// Why a bare `Map`: a string keeps its hash once computed, so a lookup of a name the world
// passes again and again costs the map's probe. A cache of slots chosen by a few of the
// name's characters stood in front of it until issue 19's tenth round: names reach here in
// half a dozen string representations (literals, template results, cons strings of error
// texts, thin strings), and its `length` and `charCodeAt` reads went megamorphic in V8, a
// stub-cache probe each, five a lookup: dearer than the probe (0.6% more instructions in a
// rack-day run with the cache than without).

/** Dense numbers for strings, in first-seen order (0, 1, 2, …). */
export class FirstSeenNumbers {
  private readonly numbers = new Map<string, number>();

  /** How many strings have been numbered. */
  get size(): number {
    return this.numbers.size;
  }

  /** The number of `text`: the next one if it is new. */
  numberOf(text: string): number {
    let number = this.numbers.get(text);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(text, number);
    }
    return number;
  }
}

/**
 * First-seen numbers kept by a number the world already gave each string (a sled's index,
 * an artifact's catalog number), so that an event carrying that number is numbered by an
 * array read, not a lookup of its string. Its first sight still asks the string's
 * numbering, so the numbers are those the strings alone give. A negative world number
 * (none given) is never kept.
 */
export class NumberedMemo {
  /** 1 + the number kept for each world number (0: none yet). */
  private kept: Int32Array;

  /**
   * `capacity`: room for the world numbers expected (a catalog's artifacts). Growing makes
   * `kept` a new array: V8 then drops the optimized code of every method that had read the
   * field as one that never changes (five, in a worker's first rack-day seed).
   */
  constructor(capacity = 64) {
    this.kept = new Int32Array(capacity);
  }

  /** The number kept for world number `n`, or -1. */
  get(n: number): number {
    return n >= 0 && n < this.kept.length ? (this.kept[n] as number) - 1 : -1;
  }

  set(n: number, number: number): void {
    if (n < 0) return;
    if (n >= this.kept.length) {
      const kept = new Int32Array(Math.max(n + 1, this.kept.length * 2));
      kept.set(this.kept);
      this.kept = kept;
    }
    this.kept[n] = number + 1;
  }
}
