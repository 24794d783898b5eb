import { FirstSeenNumbers, NumberedMemo } from '../../world/first-seen-numbers.ts';
import { objectArray } from '../../../core/shapes.ts';

/**
 * Dense integer ids for names, in first-seen order: the observers key their tables by these
 * (one cached lookup per name an event carries), and the names come back by id for reports.
 */
export class Interner {
  private readonly ids = new FirstSeenNumbers();
  private readonly names: string[] = objectArray();
  // The last name asked for: events come in runs about one Nexus, sled and artifact (a
  // copy lands on each M.2 in turn), and an id never changes once given.
  private lastName: string | undefined = undefined;
  private lastId = 0;
  private readonly byWorldNumber: NumberedMemo;

  /** `numbers`: how many world numbers `numbered` is expected to see. */
  constructor(numbers?: number) {
    this.byWorldNumber = new NumberedMemo(numbers);
  }

  get size(): number {
    return this.names.length;
  }

  id(name: string): number {
    // The lookup in a method of its own: what is inlined into the observers per event is this line.
    return name === this.lastName ? this.lastId : this.lookUp(name);
  }

  private lookUp(name: string): number {
    const id = this.ids.numberOf(name);
    if (id === this.names.length) this.names.push(name);
    this.lastName = name;
    this.lastId = id;
    return id;
  }

  /**
   * `id(name)`, given the world's number of `name` (a sled's index, an artifact's catalog
   * number; `UNNUMBERED`: none): kept by that number, read back without a lookup.
   */
  numbered(name: string, n: number): number {
    let id = this.byWorldNumber.get(n);
    if (id < 0) {
      id = this.id(name);
      this.byWorldNumber.set(n, id);
    }
    return id;
  }

  /**
   * The ids of `names`, in order. A loop here, not a closure in `Observers.observe`: a
   * closure there over one of its locals gave every call, every event, a context object.
   */
  idsOf(names: readonly string[]): number[] {
    const ids: number[] = [];
    for (const name of names) ids.push(this.id(name));
    return ids;
  }

  name(id: number): string {
    return this.names[id] as string;
  }
}

/** The ids one run's observers share: sleds, artifact hashes and Nexus instances. */
export class ObservedIds {
  readonly sleds = new Interner();
  readonly hashes: Interner;
  readonly nexus = new Interner();

  /** `artifacts`: how many artifacts the catalog has (their catalog numbers come below it). */
  constructor(artifacts?: number) {
    this.hashes = new Interner(artifacts);
  }
}
