/** The links an `InsertionList` keeps in each of its items (only the list writes them). */
export interface ListLinks<T> {
  earlier: T | undefined;
  later: T | undefined;
}

/**
 * Items in the order they were added, each removable in constant time: the links live in
 * the items. A store's open writers are kept so (a crash reports their loss in the order
 * they opened): some 20 are open at a time on a merged rack-day sled, and removing one
 * from an array searched for it and moved those behind it up, each move a pointer store
 * into an old array, where a write closes every few milliseconds of a run.
 */
export class InsertionList<T extends ListLinks<T>> {
  private first: T | undefined = undefined;
  private last: T | undefined = undefined;

  /** Adds `item`, which must be in no list, at the end. */
  push(item: T): void {
    item.earlier = this.last;
    item.later = undefined;
    if (this.last === undefined) this.first = item;
    else this.last.later = item;
    this.last = item;
  }

  /** Takes `item`, which must be in this list, out of it. */
  remove(item: T): void {
    const { earlier, later } = item;
    if (earlier === undefined) this.first = later;
    else earlier.later = later;
    if (later === undefined) this.last = earlier;
    else later.earlier = earlier;
    item.earlier = item.later = undefined;
  }

  /** The items in order, copied: the list may change while the copy is walked. */
  toArray(): T[] {
    const items: T[] = [];
    for (let item = this.first; item !== undefined; item = item.later) items.push(item);
    return items;
  }
}
