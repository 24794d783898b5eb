// Why a cache in front of the map: the history hash and the observers number every name
// an event carries (a sled, an artifact, a Nexus), some 10⁵ times a run, and a `Map.get`
// is a call into the engine's hash table each time. A string's numbering never changes
// once given, so a slot chosen by a few of its characters can remember it: a hit costs
// a few character reads and one comparison, which V8 does inline. A miss (a collision, a
// new name) asks the map and takes the slot. The numbering is the map's either way. The
// slots stay at least four times as many as the strings, so that few strings share one.

const FIRST_SLOT_BITS = 8;

/** Dense numbers for strings, in first-seen order (0, 1, 2, …). */
export class FirstSeenNumbers {
  private readonly numbers = new Map<string, number>();
  private slotBits = FIRST_SLOT_BITS;
  private slotText: (string | undefined)[] = emptySlots(FIRST_SLOT_BITS);
  private slotNumber = new Int32Array(1 << FIRST_SLOT_BITS);

  /** How many strings have been numbered. */
  get size(): number {
    return this.numbers.size;
  }

  /** The number of `text`: the next one if it is new. */
  numberOf(text: string): number {
    const slot = slotOf(text, this.slotBits);
    if (this.slotText[slot] === text) return this.slotNumber[slot] as number;
    let number = this.numbers.get(text);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(text, number);
      if (number << 2 >= 1 << this.slotBits) return this.moreSlots(number);
    }
    this.slotText[slot] = text;
    this.slotNumber[slot] = number;
    return number;
  }

  /** Doubles the slots, empty (each string takes its slot again at its next lookup). */
  private moreSlots(number: number): number {
    this.slotBits++;
    this.slotText = emptySlots(this.slotBits);
    this.slotNumber = new Int32Array(1 << this.slotBits);
    return number;
  }
}

function emptySlots(bits: number): (string | undefined)[] {
  return new Array<string | undefined>(1 << bits).fill(undefined);
}

/**
 * A slot of `bits` bits from the length and the last three characters and the second
 * one: names like `sled-12`, `r3-017` and `nexus-1` differ there. Shorter strings get a
 * slot of their own length (few fields hold them).
 */
function slotOf(text: string, bits: number): number {
  const n = text.length;
  if (n < 3) return n;
  let h = Math.imul(n ^ text.charCodeAt(n - 1), 0x9e3779b1);
  h = Math.imul(h ^ text.charCodeAt(n - 2), 0x85ebca6b);
  h = Math.imul(h ^ text.charCodeAt(n - 3), 0xc2b2ae35);
  h = Math.imul(h ^ text.charCodeAt(1), 0x27d4eb2f);
  return h >>> (32 - bits);
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
  private kept = new Int32Array(64);

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
