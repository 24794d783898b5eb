/**
 * Dense integer ids for names, in first-seen order: the observers key their tables by these
 * (one map lookup per name an event carries), and the names come back by id for reports.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  get size(): number {
    return this.names.length;
  }

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  name(id: number): string {
    return this.names[id] as string;
  }
}

/** The ids one run's observers share: sleds, artifact hashes and Nexus instances. */
export class ObservedIds {
  readonly sleds = new Interner();
  readonly hashes = new Interner();
  readonly nexus = new Interner();
}
