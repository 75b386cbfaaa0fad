/** One item's outcome in a group: its answer, or the error that refused it alone. */
export type Settled<A> = { ok: true; value: A } | { ok: false; error: unknown };

/** Options of {@link GroupCommit}. */
export interface GroupCommitOptions {
  /** Most items written together (default 1000). */
  maxItems?: number;
  /** Groups written at once (default 2): while they run, new items gather for the next. */
  maxInFlight?: number;
}

/**
 * Group commit: items pushed while earlier groups are being written wait and go together in the
 * next group, so concurrent callers share one transaction (one commit, one fsync) instead of paying
 * one each, and a lone caller waits for nothing but its own write (the first group leaves on the
 * next turn of the event loop). `write` answers every item of a group, each settled on its own
 * (one item's refusal must not refuse the others); if it throws, every item of the group fails
 * with that error. A push is answered only once its group's `write` has finished.
 */
export class GroupCommit<T, A> {
  private waiting: { item: T; resolve: (a: A) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxItems: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly write: (items: T[]) => Promise<Settled<A>[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxItems = options.maxItems ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  push(item: T): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a group (not those being written). */
  get backlog(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.maxItems);
      this.inFlight++;
      let written: Promise<Settled<A>[]>;
      try {
        written = this.write(group.map((g) => g.item));
      } catch (e) {
        written = Promise.reject(e);
      }
      written
        .then(
          (answers) => group.forEach((g, i) => {
            const a = answers[i];
            if (!a) g.reject(new Error('no answer for this item in its group'));
            else if (a.ok) g.resolve(a.value);
            else g.reject(a.error);
          }),
          (e: unknown) => group.forEach((g) => g.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}
