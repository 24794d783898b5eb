// Why not a Set: the wanted artifacts must be visited in the order a `Set` of their hashes
// would give (first added, and an artifact wanted again after none wanted it goes last),
// because the order in which lost artifacts are found is the order of the no_data_loss
// violations. A doubly linked list over typed arrays keeps that order without a hash
// lookup or an entry object per artifact.

/** A set of ids that iterates in insertion order, as a `Set` does. */
export class OrderedIdSet {
  private next = new Int32Array(16);
  private prev = new Int32Array(16);
  private member = new Uint8Array(16);
  private head = -1;
  private tail = -1;

  has(id: number): boolean {
    return id < this.member.length && this.member[id] === 1;
  }

  add(id: number): void {
    if (this.has(id)) return;
    if (id >= this.member.length) this.grow(id);
    this.member[id] = 1;
    this.prev[id] = this.tail;
    this.next[id] = -1;
    if (this.tail === -1) this.head = id;
    else this.next[this.tail] = id;
    this.tail = id;
  }

  delete(id: number): boolean {
    if (!this.has(id)) return false;
    const before = this.prev[id] as number;
    const after = this.next[id] as number;
    if (before === -1) this.head = after;
    else this.next[before] = after;
    if (after === -1) this.tail = before;
    else this.prev[after] = before;
    this.member[id] = 0;
    return true;
  }

  /** The first id, or -1 when empty. */
  first(): number {
    return this.head;
  }

  /** The id after `id` (a member), or -1 after the last. */
  after(id: number): number {
    return this.next[id] as number;
  }

  private grow(id: number): void {
    const length = Math.max(id + 1, this.member.length * 2);
    const next = new Int32Array(length);
    const prev = new Int32Array(length);
    const member = new Uint8Array(length);
    next.set(this.next);
    prev.set(this.prev);
    member.set(this.member);
    this.next = next;
    this.prev = prev;
    this.member = member;
  }
}
