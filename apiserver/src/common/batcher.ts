/**
 * Collects items for a short while (or until `maxItems`) and hands them to `handle` in one call:
 * for work per task end that one query can do for many (which ended tasks' jobs have notification
 * rules, or chain triggers). `flush()` hands over what is collected and resolves once every batch
 * handed over until then is done (at shutdown). `handle` must not throw.
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly handle: (batch: T[]) => Promise<void>,
    private readonly delayMs = 20,
    private readonly maxItems = 500,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxItems) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<unknown> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.items;
    this.items = [];
    if (batch.length > 0) {
      const p = this.handle(batch).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
    return Promise.all(this.inFlight);
  }
}
