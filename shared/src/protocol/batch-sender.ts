/** Options of {@link BatchSender}. */
export interface BatchSenderOptions<T> {
  /** Most items per batch. Default: all pending. */
  maxItems?: number;
  /** Most bytes per batch by `sizeOf` (an item larger than this goes alone). Default: no limit. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
  /**
   * Wait this long (ms) after the first item before sending, to gather more: for writes whose
   * callers can wait a little (database rows). Default 0: the next turn of the event loop.
   */
  delayMs?: number;
  /**
   * Called when the first item of a new batch is pushed; the owner then calls {@link BatchSender.flush}
   * (so that two senders flush in a fixed order). Default: a flush of its own on the next
   * turn of the event loop (setImmediate).
   */
  schedule?: () => void;
}

interface Pending<T, A> {
  item: T;
  resolve: (answer: A) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects the items pushed during one turn of the event loop and sends them as batches, one
 * message each, then hands every caller its own item's answer. A busy side of the socket pays for
 * one message and one ack per batch instead of one per item; a quiet one waits a turn at most.
 * `send` resolves with one answer per item, in order; a missing answer rejects that item's promise,
 * and a failed send rejects them all (the callers retry as they would a lost message).
 */
export class BatchSender<T, A> {
  private pending: Pending<T, A>[] = [];

  constructor(
    private readonly send: (items: T[]) => Promise<readonly A[]>,
    private readonly options: BatchSenderOptions<T> = {},
  ) {}

  push(item: T): Promise<A> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length > 1) return;
      if (this.options.schedule) this.options.schedule();
      else if (this.options.delayMs) setTimeout(() => this.flush(), this.options.delayMs);
      else setImmediate(() => this.flush());
    });
  }

  /** Sends everything pending now, split by the size bounds. */
  flush(): void {
    const all = this.pending;
    this.pending = [];
    for (const part of this.split(all)) {
      let sent: Promise<readonly A[]>;
      try {
        sent = this.send(part.map((p) => p.item));
      } catch (e) {
        sent = Promise.reject(e);
      }
      sent.then(
        (answers) => part.forEach((p, i) => (i < answers.length ? p.resolve(answers[i]) : p.reject(new Error('no answer for this item in its batch\'s ack')))),
        (e: unknown) => part.forEach((p) => p.reject(e)),
      );
    }
  }

  private split(all: Pending<T, A>[]): Pending<T, A>[][] {
    const { maxItems = Infinity, maxBytes = Infinity, sizeOf } = this.options;
    const parts: Pending<T, A>[][] = [];
    let part: Pending<T, A>[] = [];
    let bytes = 0;
    for (const p of all) {
      const size = sizeOf ? sizeOf(p.item) : 0;
      if (part.length > 0 && (part.length >= maxItems || bytes + size > maxBytes)) {
        parts.push(part);
        part = [];
        bytes = 0;
      }
      part.push(p);
      bytes += size;
    }
    if (part.length > 0) parts.push(part);
    return parts;
  }
}
