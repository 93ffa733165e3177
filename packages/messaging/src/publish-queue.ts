/**
 * The FIFO behind `MessageBus` publishing: every operation is O(1) amortised.
 *
 * Entries stay in call order in one array. An entry leaves the queue by being *settled*
 * (acknowledged, dropped by its deadline, or dropped by `close`); a settled entry is cleared
 * lazily once every entry before it is settled too, so an acknowledgement never searches or
 * shifts the array (PUBACKs of one connection normally come in order, so the head just moves
 * on). The array is compacted when its settled prefix is at least half of it.
 *
 * A send cursor marks the next entry not yet sent on the current connection, so sending resumes
 * where it stopped instead of rescanning the entries in flight; `rewind` moves it back to the
 * oldest unsettled entry for a new connection (everything unacknowledged is sent again, in its
 * original order).
 */

/** What the queue needs of an entry. */
export interface Settleable {
  /** Set by the queue when the entry leaves it; never reset. */
  settled: boolean;
}

/** Compaction threshold: below this settled prefix the array is left as it is. */
const MIN_COMPACT = 1024;

export class PublishQueue<T extends Settleable> {
  private items: Array<T | undefined> = [];
  /** Index of the oldest entry that may be unsettled (every entry before it is settled). */
  private head = 0;
  /** Send cursor: index of the next entry to consider sending (never below `head`). */
  private cursor = 0;
  /** Number of unsettled entries. */
  private live = 0;

  /** Number of entries not settled yet (waiting or in flight). */
  get size(): number {
    return this.live;
  }

  /** Appends an unsettled entry. */
  push(item: T): void {
    this.items.push(item);
    this.live++;
  }

  /** The oldest unsettled entry, or `undefined` when the queue is empty. */
  peek(): T | undefined {
    return this.live === 0 ? undefined : this.items[this.head];
  }

  /** Settles and removes the oldest unsettled entry; `undefined` when the queue is empty. */
  shift(): T | undefined {
    const item = this.peek();
    if (item !== undefined) this.settle(item);
    return item;
  }

  /**
   * Settles `item` (an entry of this queue): it no longer counts and is never returned again.
   * Returns `false` when it was already settled.
   */
  settle(item: T): boolean {
    if (item.settled) return false;
    item.settled = true;
    this.live--;
    if (this.items[this.head] === item) this.trimHead();
    return true;
  }

  /**
   * The next unsettled entry after the send cursor, moving the cursor past it; `undefined` once
   * every unsettled entry has been taken since the last `rewind`.
   */
  takeNext(): T | undefined {
    const items = this.items;
    while (this.cursor < items.length) {
      const item = items[this.cursor++] as T;
      if (!item.settled) return item;
    }
    return undefined;
  }

  /** Moves the send cursor back to the oldest unsettled entry (a new connection). */
  rewind(): void {
    this.cursor = this.head;
  }

  /** Settles every entry and returns the ones that were unsettled, oldest first. */
  clear(): T[] {
    const out: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (item.settled) continue;
      item.settled = true;
      out.push(item);
    }
    this.items = [];
    this.head = 0;
    this.cursor = 0;
    this.live = 0;
    return out;
  }

  /** Drops the settled prefix: O(1) per settled entry, plus an amortised compaction. */
  private trimHead(): void {
    const items = this.items;
    let head = this.head;
    while (head < items.length && (items[head] as T).settled) items[head++] = undefined;
    if (head === items.length) {
      // Empty: start over (the common case when the broker keeps up).
      this.items = [];
      this.head = 0;
      this.cursor = 0;
      return;
    }
    if (this.cursor < head) this.cursor = head;
    if (head >= MIN_COMPACT && head * 2 >= items.length) {
      // Costs the length of the remaining part, at most the `head` settlements that preceded it.
      this.items = items.slice(head);
      this.cursor -= head;
      head = 0;
    }
    this.head = head;
  }
}
